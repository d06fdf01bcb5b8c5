//! An election as the congress runs it (e.g. the provincial party committee): the nomination
//! round, withdrawals decided by open votes, the final list approved by an open vote, the secret
//! rounds, and the counting board's report with its members' sign-offs.
//!
//! # Decisions
//!
//! * **Candidates.** The presidium's list is typed at the console (consent given: the presidium
//!   asked beforehand). While the round is open (and before its `closes_at`), a checked-in
//!   delegate nominates another delegate (the nominee must consent on their own tablet) or
//!   themselves (consent given). The console may record floor nominations made aloud, and a
//!   non-delegate nominee's answer, on their behalf (the journal names the operator).
//! * **Withdrawals** are asked by the nominee (tablet, or the console on their behalf) and each
//!   is decided by an open vote of the congress, created in one step. Granted: the nominee leaves
//!   the list; refused: the nominee stays.
//! * **The list** is put to an open vote once the round is closed, no consent is pending and no
//!   withdrawal undecided; approved, it is frozen, and the first round is made from it in one
//!   step: a secret election of `seats` with exactly the standing candidates, by the election's
//!   rule (threshold over basis, and the turnout rule).
//! * **Rounds.** Each round's result is read through [`crate::vote`]'s rules (whatever produced
//!   the [`VoteResult`]: the plain tally today, the decrypted tally later): elected are those
//!   meeting the threshold, the highest first; a tie at the last seat and unfilled seats are
//!   recorded (`round_closed`). The next round is made in one step with exactly the candidates
//!   the rule allows ([`next_round`]): the tied candidates for the seats left; or, for unfilled
//!   seats, the last round's candidates not elected; or, when the turnout rule was not met, the
//!   same round again.
//! * **The counting board's report** ([`tally_report`]) is generated from the result, the
//!   attendance at the close and the ballot counts; each member of the approved counting board
//!   confirms its SHA-256 from their own tablet (`tally_report_signed`: who, which device, when).

mod decide;
mod report;
mod rounds;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use congress_proto::vote::{MajorityRule, TurnoutRule};
use congress_proto::{
    CandidateInfo, CandidateSource, Consent, ListStatus, NominationPhase, RoundInfo, RoundOutcome,
    TallySignature, Withdrawal,
};
use serde::{Deserialize, Serialize};

pub(crate) use decide::{after_close, decide};
pub use report::{report_content_sha256, tally_report};
pub use rounds::{elected, next_round, procedures, view};

/// Longest nomination round, in minutes.
pub const MAX_ROUND_MINUTES: u32 = 240;
/// Most candidates one election may have.
pub const MAX_CANDIDATES: usize = 500;
/// Longest profile, in characters.
pub const MAX_PROFILE_CHARS: usize = 2_000;

/// Who answers for a nominee, or asks for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The delegate's own tablet.
    Delegate(String),
    /// An operator at the console (`operator:NAME`).
    Operator(String),
}

impl Actor {
    fn name(&self) -> String {
        match self {
            Actor::Delegate(_) => "tablet".into(),
            Actor::Operator(o) => o.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ElectionCommand {
    Create {
        title: String,
        seats: u32,
        rule: MajorityRule,
        turnout: TurnoutRule,
        item_id: Option<String>,
        /// The presidium's list.
        candidates: Vec<congress_proto::NewCandidate>,
    },
    /// A nominee added. From a tablet (`by: Delegate`): the nominee is `candidate.delegate_id`,
    /// or the nominator when `None`. From the console: the presidium's list
    /// (`nominated_by: None`) or a floor nomination made aloud by `nominated_by`.
    Nominate {
        election_id: u64,
        candidate: congress_proto::NewCandidate,
        by: Actor,
        nominated_by: Option<String>,
    },
    SetPhoto {
        election_id: u64,
        candidate_id: u32,
        sha256: String,
    },
    OpenNominations {
        election_id: u64,
        minutes: u32,
    },
    CloseNominations {
        election_id: u64,
    },
    AnswerNomination {
        election_id: u64,
        candidate_id: u32,
        consent: bool,
        by: Actor,
    },
    RequestWithdrawal {
        election_id: u64,
        candidate_id: u32,
        reason: String,
        by: Actor,
    },
    PutWithdrawalToVote {
        election_id: u64,
        candidate_id: u32,
        title: String,
    },
    PutListToVote {
        election_id: u64,
        title: String,
    },
    SetRule {
        election_id: u64,
        seats: u32,
        rule: MajorityRule,
        turnout: TurnoutRule,
    },
    /// The next round the rule allows, in one step.
    CreateRound {
        election_id: u64,
        title: String,
        duration_s: Option<u32>,
    },
    /// A counting-board member confirms a closed secret vote's report.
    SignReport {
        vote_id: u64,
        delegate_id: String,
        device_id: String,
        report_sha256: String,
    },
}

#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum ElectionEvent {
    ElectionCreated {
        election_id: u64,
        title: String,
        seats: u32,
        rule: MajorityRule,
        turnout: TurnoutRule,
        item_id: Option<String>,
        at: i64,
    },
    /// A nominee, numbered by the domain.
    CandidateNominated {
        election_id: u64,
        candidate: CandidateInfo,
    },
    CandidatePhotoSet {
        election_id: u64,
        candidate_id: u32,
        sha256: String,
    },
    NominationsOpened {
        election_id: u64,
        at: i64,
        closes_at: i64,
    },
    NominationsClosed {
        election_id: u64,
        at: i64,
    },
    ConsentRecorded {
        election_id: u64,
        candidate_id: u32,
        consent: bool,
        by: String,
        at: i64,
    },
    WithdrawalRequested {
        election_id: u64,
        candidate_id: u32,
        reason: String,
        by: String,
        at: i64,
    },
    WithdrawalPutToVote {
        election_id: u64,
        candidate_id: u32,
        vote_id: u64,
        at: i64,
    },
    /// Follow-up of the vote's close.
    WithdrawalDecided {
        election_id: u64,
        candidate_id: u32,
        vote_id: u64,
        granted: bool,
        at: i64,
    },
    ListPutToVote {
        election_id: u64,
        vote_id: u64,
        candidates: Vec<u32>,
        at: i64,
    },
    /// Follow-up of the vote's close.
    ListDecided {
        election_id: u64,
        vote_id: u64,
        approved: bool,
        at: i64,
    },
    ElectionRuleSet {
        election_id: u64,
        seats: u32,
        rule: MajorityRule,
        turnout: TurnoutRule,
        at: i64,
    },
    RoundCreated {
        election_id: u64,
        round: u32,
        vote_id: u64,
        seats: u32,
        candidates: Vec<u32>,
        at: i64,
    },
    /// Follow-up of the round's close: what the result decided.
    RoundClosed {
        election_id: u64,
        round: u32,
        vote_id: u64,
        outcome: RoundOutcome,
        at: i64,
    },
    TallyReportSigned {
        vote_id: u64,
        delegate_id: String,
        device_id: String,
        report_sha256: String,
        at: i64,
    },
}

/// Why an election command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElectionError {
    #[error("unknown election {0}")]
    UnknownElection(u64),
    #[error("unknown candidate {0}")]
    UnknownCandidate(u32),
    #[error("nominations are not open")]
    NominationsClosed,
    #[error("only a delegate who is checked in may nominate")]
    NotPresent,
    #[error("{0} is already a candidate")]
    AlreadyCandidate(String),
    #[error("only the nominee may answer or ask for themselves")]
    NotNominee,
    #[error("the nominee has already answered")]
    AlreadyAnswered,
    #[error("the nominee does not stand (no consent, or withdrawn)")]
    NotStanding,
    #[error("a request to withdraw is already waiting for the congress's vote")]
    WithdrawalPending,
    #[error("there is no request to withdraw to put to the vote")]
    NoWithdrawal,
    #[error("the list is not ready for the vote: {0}")]
    ListNotReady(String),
    #[error("the list is already approved or being voted on")]
    ListFrozen,
    #[error("no round is allowed now: {0}")]
    NoRound(String),
    #[error("a round's vote is open: close it first")]
    RoundOpen,
    #[error("seats are set before the first round")]
    SeatsFixed,
    #[error("{0}")]
    Invalid(String),
    #[error("only a member of the approved counting board may sign its report")]
    NotBoardMember,
    #[error("there is no counting board report for this vote (closed secret elections only)")]
    NoReport,
    #[error("the report has changed since it was read: read it again before signing")]
    StaleReport,
    #[error("this member has already signed the report")]
    AlreadySigned,
}

impl ElectionError {
    pub fn status(&self) -> u16 {
        match self {
            ElectionError::UnknownElection(_) | ElectionError::UnknownCandidate(_) => 404,
            ElectionError::NotNominee | ElectionError::NotBoardMember => 403,
            ElectionError::Invalid(_) => 422,
            _ => 409,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ElectionError::UnknownElection(_) | ElectionError::UnknownCandidate(_) => "not_found",
            ElectionError::NotNominee => "not_nominee",
            ElectionError::NotBoardMember => "not_member",
            ElectionError::NominationsClosed => "nominations_closed",
            ElectionError::NotPresent => "not_present",
            ElectionError::AlreadyCandidate(_) => "already_candidate",
            ElectionError::StaleReport => "stale_report",
            ElectionError::AlreadySigned => "already_signed",
            ElectionError::Invalid(_) => "invalid",
            _ => "conflict",
        }
    }
}

/// One election's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Election {
    pub id: u64,
    pub title: String,
    pub seats: u32,
    pub rule: MajorityRule,
    pub turnout: TurnoutRule,
    pub item_id: Option<String>,
    pub nominations: NominationPhase,
    pub candidates: Vec<CandidateInfo>,
    pub list: ListStatus,
    pub approved_list: Vec<u32>,
    pub rounds: Vec<RoundInfo>,
}

impl Election {
    pub fn candidate(&self, id: u32) -> Option<&CandidateInfo> {
        self.candidates.iter().find(|c| c.id == id)
    }

    fn candidate_mut(&mut self, id: u32) -> Option<&mut CandidateInfo> {
        self.candidates.iter_mut().find(|c| c.id == id)
    }

    /// The standing candidates, in nomination order.
    pub fn standing(&self) -> Vec<u32> {
        self.candidates
            .iter()
            .filter(|c| c.standing)
            .map(|c| c.id)
            .collect()
    }
}

/// Every election, and the sign-offs of closed secret votes' reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ElectionsState {
    pub elections: BTreeMap<u64, Election>,
    pub signoffs: BTreeMap<u64, Vec<TallySignature>>,
}

impl ElectionsState {
    /// The election and round whose vote is `vote_id`.
    pub fn round_of(&self, vote_id: u64) -> Option<(&Election, &RoundInfo)> {
        self.elections.values().find_map(|e| {
            e.rounds
                .iter()
                .find(|r| r.vote_id == vote_id)
                .map(|r| (e, r))
        })
    }
}

fn standing(c: &CandidateInfo) -> bool {
    c.consent == Consent::Given
        && c.withdrawal
            .as_ref()
            .is_none_or(|w| w.granted != Some(true))
}

pub(crate) fn apply(state: &mut crate::CongressState, event: &ElectionEvent) {
    let els = &mut state.elections;
    fn election<'a>(els: &'a mut ElectionsState, id: &u64) -> Option<&'a mut Election> {
        els.elections.get_mut(id)
    }
    match event {
        ElectionEvent::ElectionCreated {
            election_id,
            title,
            seats,
            rule,
            turnout,
            item_id,
            ..
        } => {
            els.elections.insert(
                *election_id,
                Election {
                    id: *election_id,
                    title: title.clone(),
                    seats: *seats,
                    rule: *rule,
                    turnout: *turnout,
                    item_id: item_id.clone(),
                    nominations: NominationPhase::NotOpen,
                    candidates: Vec::new(),
                    list: ListStatus::Draft,
                    approved_list: Vec::new(),
                    rounds: Vec::new(),
                },
            );
        }
        ElectionEvent::CandidateNominated {
            election_id,
            candidate,
        } => {
            if let Some(e) = election(els, election_id) {
                let mut c = candidate.clone();
                c.standing = standing(&c);
                e.candidates.push(c);
            }
        }
        ElectionEvent::CandidatePhotoSet {
            election_id,
            candidate_id,
            sha256,
        } => {
            if let Some(c) = election(els, election_id).and_then(|e| e.candidate_mut(*candidate_id))
            {
                c.photo = Some(sha256.clone());
            }
        }
        ElectionEvent::NominationsOpened {
            election_id,
            at,
            closes_at,
        } => {
            if let Some(e) = election(els, election_id) {
                e.nominations = NominationPhase::Open {
                    opened_at: *at,
                    closes_at: *closes_at,
                };
            }
        }
        ElectionEvent::NominationsClosed { election_id, at } => {
            if let Some(e) = election(els, election_id) {
                e.nominations = NominationPhase::Closed { closed_at: *at };
            }
        }
        ElectionEvent::ConsentRecorded {
            election_id,
            candidate_id,
            consent,
            ..
        } => {
            if let Some(c) = election(els, election_id).and_then(|e| e.candidate_mut(*candidate_id))
            {
                c.consent = if *consent {
                    Consent::Given
                } else {
                    Consent::Declined
                };
                c.standing = standing(c);
            }
        }
        ElectionEvent::WithdrawalRequested {
            election_id,
            candidate_id,
            reason,
            by,
            at,
        } => {
            if let Some(c) = election(els, election_id).and_then(|e| e.candidate_mut(*candidate_id))
            {
                c.withdrawal = Some(Withdrawal {
                    reason: reason.clone(),
                    requested_at: *at,
                    by: by.clone(),
                    vote_id: None,
                    granted: None,
                });
            }
        }
        ElectionEvent::WithdrawalPutToVote {
            election_id,
            candidate_id,
            vote_id,
            ..
        } => {
            if let Some(w) = election(els, election_id)
                .and_then(|e| e.candidate_mut(*candidate_id))
                .and_then(|c| c.withdrawal.as_mut())
            {
                w.vote_id = Some(*vote_id);
            }
        }
        ElectionEvent::WithdrawalDecided {
            election_id,
            candidate_id,
            granted,
            ..
        } => {
            if let Some(c) = election(els, election_id).and_then(|e| e.candidate_mut(*candidate_id))
            {
                if let Some(w) = c.withdrawal.as_mut() {
                    w.granted = Some(*granted);
                }
                c.standing = standing(c);
            }
        }
        ElectionEvent::ListPutToVote {
            election_id,
            vote_id,
            candidates,
            ..
        } => {
            if let Some(e) = election(els, election_id) {
                e.list = ListStatus::Voting { vote_id: *vote_id };
                e.approved_list = candidates.clone();
            }
        }
        ElectionEvent::ListDecided {
            election_id,
            vote_id,
            approved,
            ..
        } => {
            if let Some(e) = election(els, election_id) {
                if *approved {
                    e.list = ListStatus::Approved { vote_id: *vote_id };
                } else {
                    e.list = ListStatus::Rejected { vote_id: *vote_id };
                    e.approved_list.clear();
                }
            }
        }
        ElectionEvent::ElectionRuleSet {
            election_id,
            seats,
            rule,
            turnout,
            ..
        } => {
            if let Some(e) = election(els, election_id) {
                e.seats = *seats;
                e.rule = *rule;
                e.turnout = *turnout;
            }
        }
        ElectionEvent::RoundCreated {
            election_id,
            round,
            vote_id,
            seats,
            candidates,
            ..
        } => {
            if let Some(e) = election(els, election_id) {
                e.rounds.push(RoundInfo {
                    round: *round,
                    vote_id: *vote_id,
                    seats: *seats,
                    candidates: candidates.clone(),
                    outcome: None,
                });
            }
        }
        ElectionEvent::RoundClosed {
            election_id,
            vote_id,
            outcome,
            ..
        } => {
            if let Some(r) = election(els, election_id)
                .and_then(|e| e.rounds.iter_mut().find(|r| r.vote_id == *vote_id))
            {
                r.outcome = Some(outcome.clone());
            }
        }
        ElectionEvent::TallyReportSigned {
            vote_id,
            delegate_id,
            device_id,
            report_sha256,
            at,
        } => {
            els.signoffs
                .entry(*vote_id)
                .or_default()
                .push(TallySignature {
                    delegate_id: delegate_id.clone(),
                    device_id: device_id.clone(),
                    at: *at,
                    report_sha256: report_sha256.clone(),
                });
        }
    }
}

/// A candidate record as nominated (the domain numbers it).
pub(crate) fn new_candidate(
    id: u32,
    c: &congress_proto::NewCandidate,
    source: CandidateSource,
    consent: Consent,
    at: i64,
) -> CandidateInfo {
    CandidateInfo {
        id,
        name: c.name.trim().to_string(),
        delegate_id: c.delegate_id.clone(),
        profile: c.profile.trim().to_string(),
        photo: None,
        source,
        consent,
        withdrawal: None,
        nominated_at: at,
        standing: consent == Consent::Given,
    }
}
