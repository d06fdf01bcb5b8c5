//! Documents: metadata and versions, their delivery copies, and who fetched what. The texts
//! and files themselves live outside the journal (encrypted files and the search index);
//! events carry metadata only.

use std::collections::BTreeMap;

use congress_proto::{DocAudience, DocDelivery, DocFetch, DocVersion, Document, Role};
use serde::{Deserialize, Serialize};

use crate::access::AccessError;
use crate::command::Context;
use crate::error::DomainError;
use crate::event::Event;
use crate::state::CongressState;
use crate::text::check_text;

#[derive(Debug, Clone, PartialEq)]
pub enum DocumentCommand {
    AddDocumentVersion {
        document_id: i64,
        new_document: bool,
        title: String,
        agenda_item_id: Option<String>,
        audience: DocAudience,
        version: DocVersion,
    },
    UpdateDocument {
        document_id: i64,
        title: String,
        agenda_item_id: Option<String>,
        audience: DocAudience,
    },
    RecordDelivery {
        document_id: i64,
        version: u32,
        delivery: DocDelivery,
    },
    RecordFetch(DocFetch),
    /// Record that the content of these document versions is deleted (retention); versions
    /// already purged are skipped, and nothing is journalled if none is left.
    PurgeDocuments {
        versions: Vec<(i64, u32)>,
        reason: String,
    },
}

#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum DocumentEvent {
    /// A document's new version (the first one creates the document).
    DocumentVersionAdded {
        document_id: i64,
        title: String,
        agenda_item_id: Option<String>,
        audience: DocAudience,
        version: DocVersion,
    },
    DocumentUpdated {
        document_id: i64,
        title: String,
        agenda_item_id: Option<String>,
        audience: DocAudience,
    },
    /// A version's delivery copy was (re)encrypted.
    DocumentDelivered {
        document_id: i64,
        version: u32,
        delivery: DocDelivery,
    },
    DocumentFetched {
        fetch: DocFetch,
    },
    /// The stored content (encrypted files, delivery copies, search text) of these document
    /// versions was deleted under the retention rules; titles, metadata and the journal stay.
    DocumentsPurged {
        /// (document id, version), sorted.
        versions: Vec<(i64, u32)>,
        at: i64,
        /// `retention` (the periodic task) or `cli`.
        reason: String,
    },
}

impl DocumentEvent {
    /// The document an event is about (`None` for a purge, which may touch several).
    pub fn document_id(&self) -> Option<i64> {
        match self {
            DocumentEvent::DocumentVersionAdded { document_id, .. }
            | DocumentEvent::DocumentUpdated { document_id, .. }
            | DocumentEvent::DocumentDelivered { document_id, .. } => Some(*document_id),
            DocumentEvent::DocumentFetched { fetch } => Some(fetch.document_id),
            DocumentEvent::DocumentsPurged { .. } => None,
        }
    }
}

pub(crate) fn decide(
    state: &CongressState,
    cmd: &DocumentCommand,
    ctx: Context,
) -> Result<Vec<Event>, DomainError> {
    let events = match cmd {
        DocumentCommand::AddDocumentVersion {
            document_id,
            new_document,
            title,
            agenda_item_id,
            audience,
            version,
        } => decide_add_version(
            state,
            *document_id,
            *new_document,
            title,
            agenda_item_id,
            audience,
            version,
        )?,
        DocumentCommand::UpdateDocument {
            document_id,
            title,
            agenda_item_id,
            audience,
        } => decide_update(state, *document_id, title, agenda_item_id, audience)?,
        DocumentCommand::RecordDelivery {
            document_id,
            version,
            delivery,
        } => decide_delivered(state, *document_id, *version, delivery)?,
        DocumentCommand::RecordFetch(fetch) => decide_fetched(state, fetch)?,
        DocumentCommand::PurgeDocuments { versions, reason } => {
            check_text("reason", reason)?;
            decide_purge(state, versions, reason, ctx.now)?
        }
    };
    Ok(events.into_iter().map(Event::from).collect())
}

/// Documents in the state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocsState {
    pub documents: BTreeMap<i64, Document>,
    /// (document, version, device) → when first fetched.
    pub fetches: BTreeMap<(i64, u32, String), i64>,
}

impl DocsState {
    pub fn next_id(&self) -> i64 {
        self.documents.keys().next_back().map_or(1, |k| k + 1)
    }

    pub fn fetches_of(&self, document_id: i64) -> Vec<DocFetch> {
        self.fetches
            .range((document_id, 0, String::new())..(document_id + 1, 0, String::new()))
            .map(|((d, v, dev), at)| DocFetch {
                document_id: *d,
                version: *v,
                device_id: dev.clone(),
                at: *at,
            })
            .collect()
    }

    pub fn apply(&mut self, event: &DocumentEvent) {
        match event {
            DocumentEvent::DocumentVersionAdded {
                document_id,
                title,
                agenda_item_id,
                audience,
                version,
            } => {
                let doc = self
                    .documents
                    .entry(*document_id)
                    .or_insert_with(|| Document {
                        id: *document_id,
                        title: title.clone(),
                        agenda_item_id: agenda_item_id.clone(),
                        audience: audience.clone(),
                        versions: Vec::new(),
                    });
                doc.title = title.clone();
                doc.agenda_item_id = agenda_item_id.clone();
                doc.audience = audience.clone();
                doc.versions.push(version.clone());
            }
            DocumentEvent::DocumentUpdated {
                document_id,
                title,
                agenda_item_id,
                audience,
            } => {
                if let Some(doc) = self.documents.get_mut(document_id) {
                    doc.title = title.clone();
                    doc.agenda_item_id = agenda_item_id.clone();
                    doc.audience = audience.clone();
                }
            }
            DocumentEvent::DocumentDelivered {
                document_id,
                version,
                delivery,
            } => {
                if let Some(v) = self
                    .documents
                    .get_mut(document_id)
                    .and_then(|d| d.versions.iter_mut().find(|x| x.version == *version))
                {
                    v.delivery = Some(delivery.clone());
                }
            }
            DocumentEvent::DocumentsPurged { versions, at, .. } => {
                for (id, n) in versions {
                    if let Some(v) = self
                        .documents
                        .get_mut(id)
                        .and_then(|d| d.versions.iter_mut().find(|x| x.version == *n))
                    {
                        v.purged_at = Some(*at);
                    }
                }
            }
            DocumentEvent::DocumentFetched { fetch } => {
                self.fetches
                    .entry((fetch.document_id, fetch.version, fetch.device_id.clone()))
                    .or_insert(fetch.at);
            }
        }
    }
}

/// Whether the delegate `delegate_id` may read documents for `audience`.
pub fn delegate_may_read(state: &CongressState, delegate_id: &str, audience: &DocAudience) -> bool {
    let Some(d) = state.delegates.get(delegate_id) else {
        return false;
    };
    match audience {
        DocAudience::AllDelegates => true,
        DocAudience::Presidium => {
            d.roles.contains(&Role::Presidium)
                || crate::bodies::is_member(state, congress_proto::Body::Presidium, delegate_id)
        }
        DocAudience::Group { group } => &d.group == group,
    }
}

/// The active tablets allowed to read `audience`, with their recipients, sorted by device id.
pub fn readers(state: &CongressState, audience: &DocAudience) -> Vec<(String, String)> {
    state
        .devices
        .values()
        .filter(|d| !d.device.revoked)
        .filter_map(|d| {
            let delegate = d.device.delegate_id.as_deref()?;
            let recipient = d.device.recipient.clone()?;
            delegate_may_read(state, delegate, audience).then(|| (d.device.id.clone(), recipient))
        })
        .collect()
}

fn check_audience(audience: &DocAudience) -> Result<(), DomainError> {
    if let DocAudience::Group { group } = audience
        && group.trim().is_empty()
    {
        return Err(DomainError::Invalid("the group is empty".into()));
    }
    Ok(())
}

fn check_meta(
    state: &CongressState,
    title: &str,
    agenda_item_id: &Option<String>,
    audience: &DocAudience,
) -> Result<(), DomainError> {
    if title.trim().is_empty() {
        return Err(DomainError::Invalid("the title is empty".into()));
    }
    if title.chars().count() > 300 || title.chars().any(char::is_control) {
        return Err(DomainError::Invalid(
            "the title is too long or has control characters".into(),
        ));
    }
    if let Some(item) = agenda_item_id
        && !state.agenda.items.iter().any(|i| &i.id == item)
    {
        return Err(DomainError::UnknownAgendaItem(item.clone()));
    }
    check_audience(audience)?;
    // A group-only document for a group nobody is in would be read by no one: a typo.
    if let DocAudience::Group { group } = audience
        && crate::groups::members(state, group).is_empty()
    {
        return Err(crate::groups::GroupError::UnknownGroup(group.clone()).into());
    }
    Ok(())
}

fn decide_add_version(
    state: &CongressState,
    document_id: i64,
    new_document: bool,
    title: &str,
    agenda_item_id: &Option<String>,
    audience: &DocAudience,
    version: &DocVersion,
) -> Result<Vec<DocumentEvent>, DomainError> {
    let existing = state.docs.documents.get(&document_id);
    let (title, agenda_item_id, audience) = match (new_document, existing) {
        (true, Some(_)) => {
            return Err(DomainError::Invalid(format!(
                "document {document_id} exists already"
            )));
        }
        (false, None) => {
            return Err(DomainError::Invalid(format!(
                "unknown document {document_id}"
            )));
        }
        (true, None) => {
            check_meta(state, title, agenda_item_id, audience)?;
            (title.to_string(), agenda_item_id.clone(), audience.clone())
        }
        (false, Some(d)) => (
            d.title.clone(),
            d.agenda_item_id.clone(),
            d.audience.clone(),
        ),
    };
    let expected = existing.map_or(1, |d| d.versions.len() as u32 + 1);
    if version.version != expected {
        return Err(DomainError::Invalid(format!(
            "another version was uploaded meanwhile (expected version {expected}); upload again"
        )));
    }
    Ok(vec![DocumentEvent::DocumentVersionAdded {
        document_id,
        title,
        agenda_item_id,
        audience,
        version: version.clone(),
    }])
}

fn decide_update(
    state: &CongressState,
    document_id: i64,
    title: &str,
    agenda_item_id: &Option<String>,
    audience: &DocAudience,
) -> Result<Vec<DocumentEvent>, DomainError> {
    if !state.docs.documents.contains_key(&document_id) {
        return Err(DomainError::Invalid(format!(
            "unknown document {document_id}"
        )));
    }
    check_meta(state, title, agenda_item_id, audience)?;
    Ok(vec![DocumentEvent::DocumentUpdated {
        document_id,
        title: title.to_string(),
        agenda_item_id: agenda_item_id.clone(),
        audience: audience.clone(),
    }])
}

fn decide_delivered(
    state: &CongressState,
    document_id: i64,
    version: u32,
    delivery: &DocDelivery,
) -> Result<Vec<DocumentEvent>, DomainError> {
    let known = state
        .docs
        .documents
        .get(&document_id)
        .is_some_and(|d| d.versions.iter().any(|v| v.version == version));
    if !known {
        return Err(DomainError::Invalid(format!(
            "unknown document version {document_id}/{version}"
        )));
    }
    Ok(vec![DocumentEvent::DocumentDelivered {
        document_id,
        version,
        delivery: delivery.clone(),
    }])
}

fn decide_fetched(
    state: &CongressState,
    fetch: &DocFetch,
) -> Result<Vec<DocumentEvent>, DomainError> {
    if !state.devices.contains_key(&fetch.device_id) {
        return Err(AccessError::UnknownDevice(fetch.device_id.clone()).into());
    }
    let key = (fetch.document_id, fetch.version, fetch.device_id.clone());
    if state.docs.fetches.contains_key(&key) {
        return Ok(vec![]);
    }
    Ok(vec![DocumentEvent::DocumentFetched {
        fetch: fetch.clone(),
    }])
}

/// Versions whose content is still stored (not purged), as (document id, version), sorted.
pub fn unpurged_versions(state: &CongressState) -> Vec<(i64, u32)> {
    state
        .docs
        .documents
        .values()
        .flat_map(|d| {
            d.versions
                .iter()
                .filter(|v| v.purged_at.is_none())
                .map(|v| (d.id, v.version))
        })
        .collect()
}

fn decide_purge(
    state: &CongressState,
    versions: &[(i64, u32)],
    reason: &str,
    ctx_now: i64,
) -> Result<Vec<DocumentEvent>, DomainError> {
    let mut list: Vec<(i64, u32)> = Vec::with_capacity(versions.len());
    for &(id, n) in versions {
        let v = state
            .docs
            .documents
            .get(&id)
            .and_then(|d| d.versions.iter().find(|x| x.version == n))
            .ok_or_else(|| DomainError::Invalid(format!("unknown document version {id}/{n}")))?;
        if v.purged_at.is_none() {
            list.push((id, n));
        }
    }
    list.sort_unstable();
    list.dedup();
    if list.is_empty() {
        return Ok(vec![]);
    }
    Ok(vec![DocumentEvent::DocumentsPurged {
        versions: list,
        at: ctx_now,
        reason: reason.to_string(),
    }])
}
