//! The counting board's report (biên bản kiểm phiếu) of a closed secret vote, generated from
//! the vote's result (whatever produced it), the attendance the result recorded at the close and
//! the ballot counts. Its content (everything but the board's sign-offs) is hashed with SHA-256;
//! a member signs that hash from their tablet, so a signature says exactly what was confirmed.

use congress_proto::vote::{Outcome, Secrecy, VoteCounts, VoteKind};
use congress_proto::{Body, ReportSigner, TallyReport, TallyRow};
use sha2::{Digest, Sha256};

use crate::state::CongressState;

/// The report's content, without the board and its sign-offs.
fn content(state: &CongressState, vote_id: u64) -> Option<TallyReport> {
    let v = state.votes.get(&vote_id)?;
    let result = v.result.as_ref()?;
    if v.spec.secrecy != Secrecy::Secret {
        return None;
    }
    let (seats, options) = match &v.spec.kind {
        VoteKind::Election { seats, candidates } => (*seats, candidates),
        VoteKind::Choice { options } => (1, options),
        VoteKind::Motion => return None,
    };
    let (opened_at, closed_at) = match v.phase {
        congress_proto::VotePhase::Closed {
            opened_at,
            closed_at,
        } => (opened_at, closed_at),
        _ => return None,
    };
    let elected_ids: Vec<u32> = match &result.outcome {
        Outcome::Election(e) => e.elected.iter().map(|o| o.0).collect(),
        Outcome::Winner { option } => vec![option.0],
        _ => Vec::new(),
    };
    let valid = result.ballots.valid;
    let rows = match &result.counts {
        VoteCounts::Options { options: counts } => counts
            .iter()
            .map(|c| TallyRow {
                option: c.option.0,
                name: options
                    .iter()
                    .find(|o| o.id == c.option)
                    .map_or_else(String::new, |o| o.label.clone()),
                votes: c.votes,
                percent_of_valid_bp: c
                    .votes
                    .saturating_mul(10_000)
                    .checked_div(valid)
                    .unwrap_or(0),
                elected: elected_ids.contains(&c.option.0),
            })
            .collect(),
        VoteCounts::Motion(_) => Vec::new(),
    };
    let name = |id: u32| {
        options
            .iter()
            .find(|o| o.id.0 == id)
            .map_or_else(|| id.to_string(), |o| o.label.clone())
    };
    let (tie, unfilled_seats) = match &result.outcome {
        Outcome::Election(e) => (e.tie_for_last_seat.clone(), e.unfilled_seats),
        _ => (None, 0),
    };
    let round = state.elections.round_of(vote_id);
    Some(TallyReport {
        vote_id,
        title: v.spec.title.clone(),
        congress: state
            .congress
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        election_id: round.map(|(e, _)| e.id),
        round: round.map(|(_, r)| r.round),
        seats,
        opened_at,
        closed_at,
        issued: result.turnout.map(|t| t.present),
        ballots: result.ballots,
        rows,
        rule: result.rule,
        basis_value: result.basis_value,
        votes_needed: result.votes_needed,
        turnout: result.turnout,
        outcome: outcome_code(&result.outcome).to_string(),
        elected: elected_ids.iter().map(|id| name(*id)).collect(),
        tie,
        unfilled_seats,
        report_sha256: String::new(),
        board: Vec::new(),
        signed_off: false,
    })
}

fn outcome_code(o: &Outcome) -> &'static str {
    match o {
        Outcome::Adopted => "adopted",
        Outcome::Rejected => "rejected",
        Outcome::Winner { .. } => "winner",
        Outcome::TieForFirst { .. } => "tie_for_first",
        Outcome::NoMajority => "no_majority",
        Outcome::Election(_) => "election",
        Outcome::InsufficientTurnout => "insufficient_turnout",
    }
}

fn sha256_of(report: &TallyReport) -> String {
    let json = serde_json::to_vec(report).unwrap_or_default();
    hex::encode(Sha256::digest(&json))
}

/// The SHA-256 a counting-board member signs for `vote_id`'s report, if it has one.
pub fn report_content_sha256(state: &CongressState, vote_id: u64) -> Option<String> {
    content(state, vote_id).map(|c| sha256_of(&c))
}

/// The counting board's report of a closed secret election or choice, with the approved
/// board's members and who has signed it.
pub fn tally_report(state: &CongressState, vote_id: u64) -> Option<TallyReport> {
    let mut r = content(state, vote_id)?;
    r.report_sha256 = sha256_of(&r);
    let signed = state.elections.signoffs.get(&vote_id);
    let board = state
        .bodies
        .bodies
        .get(&Body::CountingBoard)
        .filter(|b| b.status == congress_proto::BodyStatus::Approved);
    r.board = board
        .map(|b| {
            b.members
                .iter()
                .map(|m| ReportSigner {
                    delegate_id: m.delegate_id.clone(),
                    name: state
                        .delegates
                        .get(&m.delegate_id)
                        .map_or_else(|| m.delegate_id.clone(), |d| d.full_name.clone()),
                    role: m.role,
                    signed_at: signed.and_then(|s| {
                        s.iter()
                            .find(|x| x.delegate_id == m.delegate_id)
                            .map(|x| x.at)
                    }),
                })
                .collect()
        })
        .unwrap_or_default();
    r.signed_off = !r.board.is_empty() && r.board.iter().all(|m| m.signed_at.is_some());
    Some(r)
}
