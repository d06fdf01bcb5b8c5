//! The life of a vote in the congress: created (draft), opened (only while quorum holds),
//! ballots cast by checked-in delegates, closed with the result computed by [`tally`].
//!
//! # Secrecy
//!
//! An *open* vote records who voted what ([`crate::Event::BallotCast`] names the delegate).
//! A *secret* vote splits every ballot in two events that share nothing but the vote id:
//! [`crate::Event::VoteParticipated`] (the delegate, and two salted hashes of the tablet's
//! random ballot id, used only to answer a retry) and [`crate::Event::SecretBallotCast`] (a
//! receipt code and the marks, no delegate). The receipt is derived by the server from the
//! tablet's random ballot id with another salt, so neither hash can be joined to it without that
//! id, which only the tablet knows. The engine does not journal `SecretBallotCast`: it writes it
//! to the sealed ballot box in the same transaction as the participation, and the journal gets
//! the whole box, sorted by receipt, in [`crate::Event::VoteClosed`] (see `docs/votes.md`).
//! Changing a ballot is not offered in secret votes: it would need the link.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use congress_proto::vote::VotePhase;

use super::{
    BallotChoice, BallotError, BasisCounts, CastBallot, RunningTally, Secrecy, SpecError,
    SpecRules, VoteId, VoteResult, VoteSpec, runoff, validate,
};

/// A secret vote's record that a delegate took part (no link to the ballot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    /// SHA-256 of a salted ballot id: recognises a retry of the same ballot.
    pub id_hash: String,
    /// SHA-256 of a salted ballot id and the marks: tells a retry from other content.
    pub check_hash: String,
}

/// One vote and its ballots.
#[derive(Debug, Clone, PartialEq)]
pub struct VoteRecord {
    pub spec: VoteSpec,
    pub phase: VotePhase,
    /// Seconds the vote stays open once opened (a countdown; closing stays an operator's act).
    pub duration_s: Option<u32>,
    /// Open votes: delegate id → (receipt, ballot).
    pub open_ballots: BTreeMap<String, (String, CastBallot)>,
    /// Secret votes: receipt → ballot.
    pub secret_ballots: BTreeMap<String, CastBallot>,
    /// Secret votes: delegate id → participation.
    pub participation: BTreeMap<String, Participation>,
    pub tally: RunningTally,
    pub result: Option<VoteResult>,
    /// An encrypted secret vote's ballots, tally and decryption (`super::encrypted`).
    pub encrypted: Option<super::encrypted::EncryptedVote>,
}

impl VoteRecord {
    pub fn new(spec: VoteSpec, duration_s: Option<u32>) -> Result<Self, SpecError> {
        let tally = RunningTally::new(&spec)?;
        Ok(Self {
            spec,
            phase: VotePhase::Draft,
            duration_s,
            open_ballots: BTreeMap::new(),
            secret_ballots: BTreeMap::new(),
            participation: BTreeMap::new(),
            tally,
            result: None,
            encrypted: None,
        })
    }

    pub fn is_open(&self) -> bool {
        matches!(self.phase, VotePhase::Open { .. })
    }

    /// Whether `delegate_id` has cast a ballot.
    pub fn has_voted(&self, delegate_id: &str) -> bool {
        self.open_ballots.contains_key(delegate_id)
            || self.participation.contains_key(delegate_id)
            || self
                .encrypted
                .as_ref()
                .is_some_and(|e| e.has_voted(delegate_id))
    }

    /// Ballots cast so far (turnout).
    pub fn cast(&self) -> u64 {
        match &self.encrypted {
            Some(e) => e.ballots.len() as u64,
            None => self.tally.ballots().cast,
        }
    }

    /// Delegates who have voted.
    pub fn voters(&self) -> impl Iterator<Item = &String> {
        self.open_ballots
            .keys()
            .chain(self.participation.keys())
            .chain(
                self.encrypted
                    .iter()
                    .flat_map(|e| e.ballots.values().map(|b| &b.delegate_id)),
            )
    }

    /// Every ballot as published after the close: (receipt, ballot), sorted by receipt.
    pub fn published_ballots(&self) -> Vec<(&String, &CastBallot)> {
        let mut v: Vec<_> = self
            .open_ballots
            .values()
            .map(|(r, b)| (r, b))
            .chain(self.secret_ballots.iter())
            .collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    /// Counts the recorded ballots by the vote's rule.
    pub fn count(&self, attendance: BasisCounts) -> VoteResult {
        self.tally.result(attendance)
    }

    /// Counts one more recorded ballot (replacing `delegate`'s earlier one on an open vote).
    pub(crate) fn record_open(&mut self, delegate_id: &str, receipt: &str, choice: &BallotChoice) {
        let Ok(ballot) = validate(&self.spec, choice) else {
            return;
        };
        let old = self.open_ballots.insert(
            delegate_id.to_string(),
            (receipt.to_string(), ballot.clone()),
        );
        let _ = match old {
            Some((_, old)) => self.tally.replace(&old, &ballot),
            None => self.tally.add(&ballot),
        };
    }

    pub(crate) fn record_secret(&mut self, receipt: &str, choice: &BallotChoice) {
        let Ok(ballot) = validate(&self.spec, choice) else {
            return;
        };
        if self
            .secret_ballots
            .insert(receipt.to_string(), ballot.clone())
            .is_none()
        {
            let _ = self.tally.add(&ballot);
        }
    }
}

/// Why a vote command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoteError {
    #[error("unknown vote {0}")]
    UnknownVote(u64),
    #[error("the vote is not open")]
    NotOpen,
    #[error("the vote was already opened")]
    AlreadyOpened,
    #[error(
        "the vote can be opened only while the quorum holds ({present} present, {required} required)"
    )]
    NoQuorum { present: u32, required: u32 },
    #[error("only a delegate who is checked in may vote")]
    NotPresent,
    #[error("this delegate has already voted in this vote")]
    AlreadyVoted,
    #[error("this ballot id was already used for a different ballot")]
    ReplayedId,
    #[error("{0}")]
    Ballot(#[from] BallotError),
    #[error("{0}")]
    Spec(#[from] SpecError),
    #[error("a secret vote cannot allow changing a ballot (that would link ballot and voter)")]
    SecretChange,
    #[error("the vote is not closed yet")]
    NotClosed,
    #[error("the result calls for no runoff")]
    NoRunoff,
    #[error("the title and every option need 1 to 500 characters")]
    BadTitle,
    #[error(
        "a secret vote needs the counting board's key: elect the board and run its key ceremony first"
    )]
    NoBoardKey,
    #[error("this vote takes encrypted ballots only")]
    EncryptedOnly,
    #[error("this is not an encrypted vote")]
    NotEncrypted,
    #[error("{0}")]
    Encryption(String),
}

impl VoteError {
    /// A stable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            VoteError::UnknownVote(_) => "unknown_vote",
            VoteError::NotOpen => "vote_not_open",
            VoteError::AlreadyOpened => "already_opened",
            VoteError::NoQuorum { .. } => "no_quorum",
            VoteError::NotPresent => "not_present",
            VoteError::AlreadyVoted => "already_voted",
            VoteError::ReplayedId => "conflict",
            VoteError::Ballot(_) => "invalid_ballot",
            VoteError::Spec(_) => "invalid_vote",
            VoteError::SecretChange => "invalid_vote",
            VoteError::NotClosed => "not_closed",
            VoteError::NoRunoff => "no_runoff",
            VoteError::BadTitle => "invalid_vote",
            VoteError::NoBoardKey => "no_board_key",
            VoteError::EncryptedOnly | VoteError::NotEncrypted => "wrong_ballot",
            VoteError::Encryption(_) => "invalid_ballot",
        }
    }
}

/// A ballot as decided: who, what, and the hashes the caller derived from its ballot id.
#[derive(Debug, Clone, PartialEq)]
pub struct BallotRequest {
    pub vote_id: u64,
    pub delegate_id: String,
    pub choice: BallotChoice,
    pub receipt: String,
    pub id_hash: String,
    pub check_hash: String,
}

/// The id the next vote gets.
pub fn next_vote_id(votes: &BTreeMap<u64, VoteRecord>) -> u64 {
    votes.keys().next_back().map(|k| k + 1).unwrap_or(1)
}

/// Checks a new vote's spec (its id is replaced by the caller).
pub fn check_new(spec: &VoteSpec) -> Result<(), VoteError> {
    spec.check()?;
    if spec.secrecy == Secrecy::Secret && spec.allow_change {
        return Err(VoteError::SecretChange);
    }
    if spec.title.trim().is_empty() || spec.title.chars().count() > 500 {
        return Err(VoteError::BadTitle);
    }
    if spec
        .kind
        .options()
        .iter()
        .any(|o| o.label.trim().is_empty() || o.label.chars().count() > 500)
    {
        return Err(VoteError::BadTitle);
    }
    Ok(())
}

/// What a ballot does.
pub enum BallotDecision {
    Retry,
    Open,
    Secret,
}

/// Decides a ballot against the vote.
pub fn decide_ballot(
    vote: &VoteRecord,
    req: &BallotRequest,
    present: bool,
) -> Result<BallotDecision, VoteError> {
    // A retry of an acknowledged secret ballot is acknowledged again, even after the close (the
    // delegate must not be told "refused" for a ballot that counted).
    if vote.spec.secrecy == Secrecy::Secret
        && vote
            .participation
            .get(&req.delegate_id)
            .is_some_and(|p| p.id_hash == req.id_hash && p.check_hash == req.check_hash)
    {
        return Ok(BallotDecision::Retry);
    }
    if !vote.is_open() {
        return Err(VoteError::NotOpen);
    }
    if !present {
        return Err(VoteError::NotPresent);
    }
    let cast = validate(&vote.spec, &req.choice)?;
    if let super::ballot::BallotStatus::Invalid {
        reason: super::ballot::InvalidReason::TooManyKept { kept, seats },
    } = cast.status()
    {
        return Err(super::ballot::BallotError::TooManyKept { kept, seats }.into());
    }
    match vote.spec.secrecy {
        Secrecy::Open => {
            if vote.open_ballots.contains_key(&req.delegate_id) && !vote.spec.allow_change {
                return Err(VoteError::AlreadyVoted);
            }
            Ok(BallotDecision::Open)
        }
        Secrecy::Secret => match vote.participation.get(&req.delegate_id) {
            Some(p) if p.id_hash == req.id_hash && p.check_hash == req.check_hash => {
                Ok(BallotDecision::Retry)
            }
            Some(p) if p.id_hash == req.id_hash => Err(VoteError::ReplayedId),
            Some(_) => Err(VoteError::AlreadyVoted),
            None if vote.secret_ballots.contains_key(&req.receipt) => Err(VoteError::ReplayedId),
            None => Ok(BallotDecision::Secret),
        },
    }
}

/// The runoff spec for a closed vote, with id `new_id`.
pub fn runoff_of(vote: &VoteRecord, new_id: u64) -> Result<VoteSpec, VoteError> {
    let result = vote.result.as_ref().ok_or(VoteError::NotClosed)?;
    runoff(&vote.spec, result, VoteId(new_id)).ok_or(VoteError::NoRunoff)
}
