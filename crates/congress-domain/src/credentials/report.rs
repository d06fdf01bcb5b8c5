//! The credentials committee's report, computed from the delegate list, the credentials and
//! the attendance: convened, seated, present, recognised, the exceptions with their reasons,
//! and one table per composition field the list carries.

use std::collections::BTreeMap;

use congress_proto::{
    AttendanceStatus, Composition, CompositionRow, CompositionTable, CredentialStatus,
    CredentialsReport,
};

use crate::state::CongressState;

/// The report as the data stands at `now`.
pub fn report(state: &CongressState, now: i64) -> CredentialsReport {
    let creds = &state.credentials;
    let seated: Vec<&String> = state
        .delegates
        .keys()
        .filter(|id| creds.may_sit(id))
        .collect();
    let present = |id: &str| state.status_of(id) == AttendanceStatus::Present;
    let recognised = |id: &str| creds.status(id) == CredentialStatus::Recognised;
    let count = |f: &dyn Fn(&str) -> bool| {
        u32::try_from(seated.iter().filter(|id| f(id)).count()).unwrap_or(u32::MAX)
    };
    let composition = Composition::FIELDS
        .iter()
        .filter(|field| {
            seated.iter().any(|id| {
                creds
                    .composition
                    .get(*id)
                    .and_then(|c| c.get(field))
                    .is_some()
            })
        })
        .map(|field| {
            let mut rows: BTreeMap<String, CompositionRow> = BTreeMap::new();
            for id in &seated {
                let value = creds
                    .composition
                    .get(*id)
                    .and_then(|c| c.get(field))
                    .unwrap_or("")
                    .to_string();
                let row = rows.entry(value.clone()).or_insert(CompositionRow {
                    value,
                    seated: 0,
                    present: 0,
                    recognised: 0,
                });
                row.seated += 1;
                row.present += u32::from(present(id));
                row.recognised += u32::from(recognised(id));
            }
            CompositionTable {
                field: (*field).to_string(),
                rows: rows.into_values().collect(),
            }
        })
        .collect();
    let exceptions = creds
        .records
        .iter()
        .filter(|(_, c)| {
            matches!(
                c.status,
                CredentialStatus::Contested
                    | CredentialStatus::NotRecognised
                    | CredentialStatus::Replaced
            ) || c.substitute_for.is_some()
        })
        .map(|(id, _)| creds.info(id))
        .collect();
    let summary = state.summary();
    CredentialsReport {
        congress: state
            .congress
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        convened_defined: state.congress.as_ref().map_or(0, |c| c.convened),
        convened: state.convened(),
        seated: u32::try_from(seated.len()).unwrap_or(u32::MAX),
        present: count(&|id| present(id)),
        recognised: count(&|id| recognised(id)),
        pending: count(&|id| creds.status(id) == CredentialStatus::Pending),
        contested: count(&|id| creds.status(id) == CredentialStatus::Contested),
        not_recognised: creds.count(CredentialStatus::NotRecognised),
        replaced: creds.count(CredentialStatus::Replaced),
        substitutes: u32::try_from(
            creds
                .records
                .values()
                .filter(|c| c.substitute_for.is_some())
                .count(),
        )
        .unwrap_or(u32::MAX),
        quorum: summary.quorum,
        composition,
        exceptions,
        vote_id: creds.report_vote,
        adopted: creds.report_adopted,
        at: now,
    }
}
