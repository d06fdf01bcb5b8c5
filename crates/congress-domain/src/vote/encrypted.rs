//! Secret votes with ballots encrypted on the tablets (`docs/ballot-crypto.md`): what the
//! domain keeps of them and the rules of their life. A ballot is accepted when its structure
//! and signature (checked off the engine's thread: `SignedBallot`), its binding to this vote
//! and its signer, the delegate's own registered credential, check (before the ack); its zero-knowledge proofs are verified off the engine's
//! thread by the server, which rejects a ballot whose proofs fail (the delegate may vote again)
//! and, at the close, records the homomorphic tally of the verified ballots. Board members
//! then each submit a partial decryption with its proof; once `threshold` are accepted the
//! counts are decrypted and the result follows the vote's rule, like a paper count.
//!
//! The server never holds a choice: only ciphertexts, proofs, signatures and trackers.

use std::collections::BTreeMap;

use congress_ballot::{
    B64, BoardSetup, Ciphertext, PartialDecryption, Question, SignedBallot, VoteContext,
    VoteParams, WireCiphertext, decrypt_tally,
};
use serde::{Deserialize, Serialize};

use super::lifecycle::VoteError;
use super::{BasisCounts, VoteKind, VoteResult, VoteSpec};
use crate::board::BoardState;

/// A ballot accepted into an encrypted vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedBallot {
    pub delegate_id: String,
}

/// What an encrypted vote keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct EncryptedVote {
    /// The board and key the ballots are encrypted to (fixed when the vote is created).
    pub setup: BoardSetup,
    pub joint_key: [u8; 32],
    /// The vote's id in the ballot protocol.
    pub vote_key: String,
    pub question: Question,
    /// The vote's fingerprint every ballot must carry.
    pub fingerprint: [u8; 32],
    /// Accepted ballots by tracker (hex).
    pub ballots: BTreeMap<String, EncryptedBallot>,
    /// Ballots whose proofs failed, by tracker, with the reason.
    pub rejected: BTreeMap<String, String>,
    /// Whose ballot each rejected one was (their tablet is told).
    pub rejected_from: BTreeMap<String, String>,
    /// Attendance when the vote closed (the result's bases).
    pub closed_with: Option<BasisCounts>,
    /// The homomorphic tally of the verified ballots, once recorded.
    pub tally: Option<Vec<WireCiphertext>>,
    /// Ballots counted in the tally.
    pub counted: u64,
    /// Accepted partial decryptions by member.
    pub partials: BTreeMap<u16, PartialDecryption>,
    /// The decrypted count per slot, once enough members took part.
    pub counts: Option<Vec<u64>>,
}

/// The ballot protocol's question for a vote: its options in order, then blank.
pub fn question_of(kind: &VoteKind) -> Question {
    match kind {
        VoteKind::Motion => Question::motion(),
        VoteKind::Choice { options } => Question::choice(options.len() as u32),
        VoteKind::Election { seats, candidates } => {
            let k = candidates.len() as u32;
            Question::election(k, (*seats).min(k))
        }
    }
}

/// The context a vote's ballots are bound to.
pub fn context(
    setup: &BoardSetup,
    joint_key: &[u8; 32],
    vote_key: &str,
    question: Question,
) -> Result<VoteContext, VoteError> {
    VoteContext::new(
        setup.clone(),
        VoteParams {
            vote_id: vote_key.to_string(),
            question,
        },
        joint_key,
    )
    .map_err(|e| VoteError::Encryption(format!("the vote's encryption: {e}")))
}

impl EncryptedVote {
    /// For a new vote, encrypted to the board's current key.
    pub fn new(board: &BoardState, spec: &VoteSpec) -> Result<Self, VoteError> {
        let (Some(setup), Some(key)) = (board.setup.as_ref(), board.key.as_ref()) else {
            return Err(VoteError::NoBoardKey);
        };
        let question = question_of(&spec.kind);
        let vote_key = format!("{}/vote-{}", setup.board_id, spec.id.0);
        let ctx = context(setup, &key.joint_key, &vote_key, question)?;
        Ok(EncryptedVote {
            setup: setup.clone(),
            joint_key: key.joint_key,
            vote_key,
            question,
            fingerprint: ctx.fingerprint,
            ballots: BTreeMap::new(),
            rejected: BTreeMap::new(),
            rejected_from: BTreeMap::new(),
            closed_with: None,
            tally: None,
            counted: 0,
            partials: BTreeMap::new(),
            counts: None,
        })
    }

    pub fn context(&self) -> Result<VoteContext, VoteError> {
        context(&self.setup, &self.joint_key, &self.vote_key, self.question)
    }

    /// Whether the delegate has a ballot that counts (or is being verified).
    pub fn has_voted(&self, delegate_id: &str) -> bool {
        self.ballots.values().any(|b| b.delegate_id == delegate_id)
    }

    /// A ballot's proofs failed: it no longer counts and its delegate may vote again.
    pub fn reject(&mut self, tracker: &str, reason: &str) {
        if let Some(b) = self.ballots.remove(tracker) {
            self.rejected_from
                .insert(tracker.to_string(), b.delegate_id);
        }
        self.rejected
            .insert(tracker.to_string(), reason.to_string());
    }

    /// The tracker of the delegate's accepted ballot.
    pub fn tracker_of(&self, delegate_id: &str) -> Option<&String> {
        self.ballots
            .iter()
            .find(|(_, b)| b.delegate_id == delegate_id)
            .map(|(t, _)| t)
    }
}

/// Checks a ballot a tablet sent against the vote (cheap: its signature was verified off the
/// engine's thread, its proofs are verified before or after the ack) and returns its tracker.
pub fn accept(
    vote: &EncryptedVote,
    credential: &[u8; 32],
    signed: &SignedBallot,
) -> Result<String, VoteError> {
    let bad = |why: &str| VoteError::Encryption(why.to_string());
    let ballot = signed.ballot();
    if ballot.vote != vote.fingerprint {
        return Err(bad("the ballot is for another vote"));
    }
    if &ballot.credential != credential {
        return Err(bad("the ballot is not signed by this tablet's credential"));
    }
    if ballot.ciphertexts.len() != vote.question.slots() {
        return Err(bad("the ballot does not have this vote's slots"));
    }
    let tracker = ballot.tracker().hex();
    if vote.ballots.contains_key(&tracker) || vote.rejected.contains_key(&tracker) {
        return Err(bad("this ballot was sent before"));
    }
    Ok(tracker)
}

/// Decrypts the tally when enough valid partials are in; `None` while too few.
pub fn try_decrypt(
    vote: &EncryptedVote,
    board: &BoardState,
) -> Result<Option<Vec<u64>>, VoteError> {
    let Some(tally) = &vote.tally else {
        return Ok(None);
    };
    if vote.partials.len() < usize::from(vote.setup.threshold) {
        return Ok(None);
    }
    let ctx = vote.context()?;
    let q = board
        .qualified()
        .ok_or_else(|| VoteError::Encryption("the board's transcript does not qualify".into()))?;
    let tally = decode_tally(tally)?;
    let partials: Vec<PartialDecryption> = vote.partials.values().cloned().collect();
    let bound = vote.counted * u64::from(vote.question.max.max(1));
    let d = decrypt_tally(&ctx, &q, &tally, &partials, bound.max(1))
        .map_err(|e| VoteError::Encryption(format!("decryption: {e}")))?;
    Ok(Some(d.counts))
}

pub fn decode_tally(tally: &[WireCiphertext]) -> Result<Vec<Ciphertext>, VoteError> {
    tally
        .iter()
        .map(|c| c.decode())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| VoteError::Encryption(format!("the tally: {e}")))
}

/// The result of an encrypted vote from its decrypted counts (the options in order, then blank).
pub fn result(
    spec: &VoteSpec,
    counts: &[u64],
    counted: u64,
    attendance: BasisCounts,
) -> Result<VoteResult, VoteError> {
    super::tally::from_slot_counts(spec, counts, counted, attendance)
        .map_err(|e| VoteError::Encryption(format!("the result: {e}")))
}

/// A ballot's bytes as journalled (base64).
pub fn encode(bytes: &[u8]) -> B64 {
    B64(bytes.to_vec())
}

/// The accepted partial decryption's check against the board's verification keys.
pub fn check_partial(
    vote: &EncryptedVote,
    board: &BoardState,
    p: &PartialDecryption,
) -> Result<(), VoteError> {
    let tally = vote
        .tally
        .as_ref()
        .ok_or_else(|| VoteError::Encryption("the tally is not recorded yet".into()))?;
    let ctx = vote.context()?;
    let q = board
        .qualified()
        .ok_or_else(|| VoteError::Encryption("the board's transcript does not qualify".into()))?;
    congress_ballot::verify_partial(&ctx, &q, &decode_tally(tally)?, p)
        .map(|_| ())
        .map_err(|e| VoteError::Encryption(format!("the partial decryption: {e}")))
}

/// JSON forms used in events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejected {
    pub tracker: String,
    pub reason: String,
}
