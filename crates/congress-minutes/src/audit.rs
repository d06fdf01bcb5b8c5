//! The audit log: one line per journal event, in plain words. Derived from the journal, so it
//! is as complete and as tamper-evident as the journal itself.
//!
//! What it never shows: the contents of a secret ballot (the sealed box in `vote_closed` is
//! reduced to the counts; participation says only that a delegate took part), receipts, salted
//! ballot hashes, token or pairing-code hashes, password hashes, face embeddings.

use congress_domain::vote::Secrecy;
use congress_domain::{
    AccessEvent, AttendanceEvent, CongressEvent, DocumentEvent, MeetingEvent, VoteEvent,
};
use congress_domain::{CongressState, Event};
use congress_proto::{AttendanceSource, AttendanceStatus, AuditEntry, DeviceKind};

use crate::Record;
use crate::html::outcome_text;
use crate::labels::{Lang, t, tf};
use crate::model::VoteRow;

fn delegate_name(state: &CongressState, id: &str) -> String {
    state
        .delegates
        .get(id)
        .map_or_else(|| id.to_string(), |d| d.full_name.clone())
}

fn doc_title(state: &CongressState, id: i64) -> String {
    state
        .docs
        .documents
        .get(&id)
        .map_or_else(|| format!("#{id}"), |d| d.title.clone())
}

fn vote_title(state: &CongressState, id: u64) -> String {
    state
        .votes
        .get(&id)
        .map_or_else(String::new, |v| v.spec.title.clone())
}

fn kind_word(kind: DeviceKind, lang: Lang) -> &'static str {
    t(
        lang,
        match kind {
            DeviceKind::Tablet => "k_tablet",
            DeviceKind::Kiosk => "k_kiosk",
            DeviceKind::Projector => "k_projector",
        },
    )
}

/// The plain-words line for one record. `state` is the congress as it is now (for names and
/// titles).
pub fn entry(rec: &Record, state: &CongressState, lang: Lang) -> AuditEntry {
    AuditEntry {
        seq: rec.seq,
        at: rec.at,
        actor: rec.actor.clone(),
        kind: rec.event.kind().to_string(),
        text: describe(&rec.event, state, lang),
    }
}

fn describe(event: &Event, state: &CongressState, lang: Lang) -> String {
    let n = |x: usize| x.to_string();
    match event {
        Event::Congress(CongressEvent::CongressDefined { congress }) => {
            tf(lang, "a_congress_defined", &[("name", &congress.name)])
        }
        Event::Congress(CongressEvent::DelegatesImported { delegates }) => {
            tf(lang, "a_delegates_imported", &[("n", &n(delegates.len()))])
        }
        Event::Meeting(MeetingEvent::AgendaDefined { items }) => {
            tf(lang, "a_agenda_defined", &[("n", &n(items.len()))])
        }
        Event::Meeting(MeetingEvent::CurrentItemSet { item_id: Some(id) }) => {
            let title = state
                .agenda
                .items
                .iter()
                .find(|i| &i.id == id)
                .map_or_else(|| id.clone(), |i| i.title.clone());
            tf(lang, "a_current_item", &[("title", &title)])
        }
        Event::Meeting(MeetingEvent::CurrentItemSet { item_id: None }) => {
            t(lang, "a_current_none").to_string()
        }
        Event::Attendance(AttendanceEvent::AttendanceChanged { record }) => {
            let status = t(
                lang,
                match record.status {
                    AttendanceStatus::Present => "st_present",
                    AttendanceStatus::Left => "st_left",
                    AttendanceStatus::Absent => "st_absent",
                },
            );
            let mut s = tf(
                lang,
                "a_attendance",
                &[
                    ("name", &delegate_name(state, &record.delegate_id)),
                    ("id", &record.delegate_id),
                    ("status", status),
                ],
            );
            if let AttendanceSource::Kiosk { device_id, .. } = &record.source {
                s.push_str(" — ");
                s.push_str(&tf(lang, "a_kiosk", &[("device", device_id)]));
            }
            if let Some(r) = &record.reason {
                s.push_str(" — ");
                s.push_str(&tf(lang, "a_reason", &[("reason", r)]));
            }
            s
        }
        Event::Access(AccessEvent::OperatorSaved {
            username, roles, ..
        }) => {
            let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            tf(
                lang,
                "a_operator_saved",
                &[("user", username), ("roles", &roles.join(", "))],
            )
        }
        Event::Access(AccessEvent::SessionOpened { username, .. }) => {
            tf(lang, "a_session_opened", &[("user", username)])
        }
        Event::Access(AccessEvent::SessionClosed { .. }) => t(lang, "a_session_closed").to_string(),
        Event::Access(AccessEvent::PairingCodeCreated { kind, label, .. }) => tf(
            lang,
            "a_pairing_code",
            &[("kind", kind_word(*kind, lang)), ("label", label)],
        ),
        Event::Access(AccessEvent::DevicePaired {
            device,
            desk_present_by,
            ..
        }) => {
            let mut s = tf(
                lang,
                "a_device_paired",
                &[
                    ("kind", kind_word(device.kind, lang)),
                    ("label", &device.label),
                    ("id", &device.id),
                ],
            );
            // Two operators for marking present and pairing (issue 13, finding 7): both named.
            if let Some(desk) = desk_present_by {
                let code_by = device.code_by.as_deref().unwrap_or("?");
                let key = if desk == code_by {
                    "a_paired_same_operator"
                } else {
                    "a_paired_two_operators"
                };
                s.push_str(" — ");
                s.push_str(&tf(lang, key, &[("desk", desk), ("code", code_by)]));
            }
            s
        }
        Event::Access(AccessEvent::SameOperatorRefused {
            username,
            delegate_id,
            step,
        }) => {
            let key = match congress_domain::duties::Step::parse(step) {
                Some(congress_domain::duties::Step::PairingCode) => "a_refused_code",
                Some(congress_domain::duties::Step::MarkPresent) => "a_refused_present",
                _ => "a_refused_pair",
            };
            tf(
                lang,
                key,
                &[
                    ("user", username),
                    ("name", &delegate_name(state, delegate_id)),
                    ("id", delegate_id),
                ],
            )
        }
        Event::Access(AccessEvent::DeviceRevoked { device_id, .. }) => {
            tf(lang, "a_device_revoked", &[("id", device_id)])
        }
        Event::Documents(DocumentEvent::DocumentVersionAdded { title, version, .. }) => tf(
            lang,
            "a_doc_version",
            &[
                ("v", &version.version.to_string()),
                ("title", title),
                ("pages", &version.pages.to_string()),
            ],
        ),
        Event::Documents(DocumentEvent::DocumentUpdated { title, .. }) => {
            tf(lang, "a_doc_updated", &[("title", title)])
        }
        Event::Documents(DocumentEvent::DocumentDelivered {
            document_id,
            version,
            delivery,
        }) => tf(
            lang,
            "a_doc_delivered",
            &[
                ("v", &version.to_string()),
                ("title", &doc_title(state, *document_id)),
                ("n", &n(delivery.devices.len())),
            ],
        ),
        Event::Documents(DocumentEvent::DocumentFetched { fetch }) => tf(
            lang,
            "a_doc_fetched",
            &[
                ("device", &fetch.device_id),
                ("v", &fetch.version.to_string()),
                ("title", &doc_title(state, fetch.document_id)),
            ],
        ),
        Event::Documents(DocumentEvent::DocumentsPurged {
            versions, reason, ..
        }) => tf(
            lang,
            "a_docs_purged",
            &[("n", &n(versions.len())), ("reason", reason)],
        ),
        Event::Attendance(AttendanceEvent::FaceEnrolled { delegate_id, .. }) => tf(
            lang,
            "a_face_enrolled",
            &[
                ("name", &delegate_name(state, delegate_id)),
                ("id", delegate_id),
            ],
        ),
        Event::Attendance(AttendanceEvent::BiometricsPurged { enrolments }) => tf(
            lang,
            "a_biometrics_purged",
            &[("n", &enrolments.to_string())],
        ),
        Event::Votes(VoteEvent::VoteCreated { spec, .. }) => tf(
            lang,
            "a_vote_created",
            &[
                ("id", &spec.id.0.to_string()),
                ("title", &spec.title),
                (
                    "secrecy",
                    t(
                        lang,
                        if spec.secrecy == Secrecy::Secret {
                            "secret"
                        } else {
                            "open_vote"
                        },
                    ),
                ),
            ],
        ),
        Event::Votes(VoteEvent::VoteOpened { vote_id, .. }) => tf(
            lang,
            "a_vote_opened",
            &[
                ("id", &vote_id.to_string()),
                ("title", &vote_title(state, *vote_id)),
            ],
        ),
        // The sealed box is never shown: only the counts of the result.
        Event::Votes(VoteEvent::VoteClosed {
            vote_id, result, ..
        }) => {
            let outcome = match state.votes.get(vote_id) {
                Some(v) => outcome_text(
                    &VoteRow {
                        spec: v.spec.clone(),
                        opened_at: None,
                        closed_at: None,
                        result: None,
                    },
                    &result.outcome,
                    lang,
                ),
                None => String::new(),
            };
            tf(
                lang,
                "a_vote_closed",
                &[
                    ("id", &vote_id.to_string()),
                    ("title", &vote_title(state, *vote_id)),
                    ("cast", &result.ballots.cast.to_string()),
                    ("outcome", &outcome),
                ],
            )
        }
        Event::Votes(VoteEvent::BallotCast {
            vote_id,
            delegate_id,
            ..
        }) => tf(
            lang,
            "a_ballot_cast",
            &[
                ("name", &delegate_name(state, delegate_id)),
                ("id", delegate_id),
                ("vote", &vote_id.to_string()),
            ],
        ),
        Event::Votes(VoteEvent::VoteParticipated {
            vote_id,
            delegate_id,
            ..
        }) => tf(
            lang,
            "a_participated",
            &[
                ("name", &delegate_name(state, delegate_id)),
                ("id", delegate_id),
                ("vote", &vote_id.to_string()),
            ],
        ),
        Event::Votes(VoteEvent::SecretBallotCast { .. }) => t(lang, "a_sealed").to_string(),
        #[allow(unreachable_patterns)]
        other => match t(lang, &format!("ak_{}", other.kind())) {
            "" => tf(lang, "a_other", &[("kind", other.kind())]),
            text => text.to_string(),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::tests::session;

    #[test]
    fn nothing_links_a_delegate_to_a_secret_choice() {
        let rec = session();
        let state = CongressState::replay(rec.iter().map(|r| &r.event));
        for lang in [Lang::Vi, Lang::En, Lang::Ar] {
            let lines: Vec<AuditEntry> = rec.iter().map(|r| entry(r, &state, lang)).collect();
            let all = serde_json::to_string(&lines).unwrap();
            // receipts and salted hashes of the secret vote (2) never appear
            for d in ["D1", "D2", "D3"] {
                assert!(!all.contains(&format!("R2{d}")), "receipt");
                assert!(!all.contains(&format!("idh-2-{d}")), "id hash");
                assert!(!all.contains(&format!("chk-2-{d}")), "check hash");
            }
            // participation lines name the delegate and nothing of the ballot
            let part: Vec<&AuditEntry> = lines
                .iter()
                .filter(|l| l.kind == "vote_participated")
                .collect();
            assert_eq!(part.len(), 3);
            for l in part {
                for w in ["pos_for", "pos_against", "pos_abstain"] {
                    assert!(!l.text.contains(t(lang, w)), "{}", l.text);
                }
            }
            assert!(lines.iter().all(|l| !l.text.is_empty()));
        }
        let en: Vec<AuditEntry> = rec.iter().map(|r| entry(r, &state, Lang::En)).collect();
        assert!(
            en.iter()
                .any(|l| l.text == "Nguyễn Thị Ngọc Ánh (D1): present — reason: Kiểm tra CCCD")
        );
    }
}
