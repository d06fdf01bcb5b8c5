//! Credentials in the server: what clients see of them (records, the report), the push each
//! credentials event causes, and the report printed to PDF.

use congress_domain::credentials::report;
use congress_domain::{CongressState, CredentialsEvent};
use congress_proto::{CredentialInfo, CredentialsOverview, Push};

use crate::hub::Audience;

/// Every delegate's credentials and the report, at `now`.
pub fn overview(state: &CongressState, now: i64) -> CredentialsOverview {
    CredentialsOverview {
        records: state
            .delegates
            .keys()
            .map(|id| state.credentials.info(id))
            .collect(),
        report: report(state, now),
    }
}

/// The push a credentials event causes: the changed records and the attendance summary (the
/// convened count and the quorum may have moved) to everyone; the report's vote as the
/// procedures view.
pub fn push_for(state: &CongressState, event: &CredentialsEvent) -> Option<(Audience, Push)> {
    let records = |ids: Vec<&String>| -> Vec<CredentialInfo> {
        ids.into_iter()
            .map(|id| state.credentials.info(id))
            .collect()
    };
    let push = match event {
        CredentialsEvent::CredentialsDecided { delegate_ids, .. } => Push::Credentials {
            records: records(delegate_ids.iter().collect()),
            summary: state.summary(),
        },
        CredentialsEvent::SubstituteSeated {
            replaced,
            substitute,
            ..
        } => Push::Credentials {
            records: records(vec![replaced, substitute]),
            summary: state.summary(),
        },
        CredentialsEvent::CompositionRecorded { entries } => Push::Credentials {
            records: records(entries.iter().map(|e| &e.delegate_id).collect()),
            summary: state.summary(),
        },
        CredentialsEvent::ReportPutToVote { .. } | CredentialsEvent::ReportDecided { .. } => {
            Push::Procedures {
                procedures: Box::new(congress_domain::elections::procedures(state)),
            }
        }
    };
    Some((Audience::Everyone, push))
}
