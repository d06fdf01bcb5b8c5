//! What a vote is, cryptographically: the counting board's setup (members and threshold), the
//! question (options, blank slot, [min, max] marks), and the fingerprints that bind every proof
//! and signature to exactly one vote.

use serde::{Deserialize, Serialize};

use crate::credential::check_public_key;
use crate::elgamal::PublicKey;
use crate::error::{Error, Result};
use crate::hash::{TAG_SETUP, TAG_VOTE, fingerprint, tagged};
use crate::wire::Hex32;

/// Most slots (options plus blank) a question may have.
pub const MAX_SLOTS: u32 = 1024;

/// One member of the counting board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// 1..=n; the member's x-coordinate in the secret sharing.
    pub index: u16,
    /// Ed25519 public key of the member's device: signs its DKG messages and shares.
    pub key: Hex32,
}

/// The counting board: who holds the key, and how many must act together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardSetup {
    /// Names this board (e.g. the congress and the board's election), at most 255 bytes.
    pub board_id: String,
    /// t: the number of members needed to decrypt (1 ≤ t ≤ n).
    pub threshold: u16,
    /// The members, with indices exactly 1, 2, …, n in this order.
    pub members: Vec<Member>,
}

impl BoardSetup {
    /// Checks the shape: indices 1..=n in order, 1 ≤ t ≤ n ≤ 255, id ≤ 255 bytes, member keys
    /// distinct strict Ed25519 keys.
    pub fn check(&self) -> Result<()> {
        let n = self.members.len();
        if n == 0 || n > 255 {
            return Err(Error::Params(format!("board of {n} members (1..=255)")));
        }
        if self.threshold == 0 || usize::from(self.threshold) > n {
            return Err(Error::Params(format!(
                "threshold {} of {n}",
                self.threshold
            )));
        }
        if self.board_id.len() > 255 {
            return Err(Error::Params("board id longer than 255 bytes".into()));
        }
        let mut keys = std::collections::BTreeSet::new();
        for (i, m) in self.members.iter().enumerate() {
            if usize::from(m.index) != i + 1 {
                return Err(Error::Params(format!(
                    "member {} listed at position {}",
                    m.index,
                    i + 1
                )));
            }
            // One device, one share: a key listed twice would hold two shares, and t − 1 others
            // would then be enough to decrypt.
            if !keys.insert(m.key) {
                return Err(Error::Params(format!(
                    "member {} has the same key as another member",
                    m.index
                )));
            }
            check_public_key(&m.key.0)
                .map_err(|e| Error::Params(format!("member {}: {e}", m.index)))?;
        }
        Ok(())
    }

    /// The member with this index.
    pub fn member(&self, index: u16) -> Option<&Member> {
        self.members.get(usize::from(index).checked_sub(1)?)
    }

    /// n.
    pub fn n(&self) -> u16 {
        u16::try_from(self.members.len()).unwrap_or(u16::MAX)
    }

    /// SHA-256(tag || str(board_id) || u16 n || u16 t || (u16 index || key)*).
    pub fn fingerprint(&self) -> [u8; 32] {
        let mut w = tagged(TAG_SETUP);
        w.str(self.board_id.as_bytes())
            .u16(self.n())
            .u16(self.threshold);
        for m in &self.members {
            w.u16(m.index).raw(&m.key.0);
        }
        fingerprint(&w)
    }
}

/// One question: `options` options each marked 0 or 1, an optional blank slot, and the number
/// of marks allowed. The blank slot counts `max` marks, so a blank ballot has no other mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Options on the ballot (motion: 3 = for, against, abstain; election: the candidates).
    pub options: u32,
    /// Whether the ballot has a blank slot (slot index `options`).
    pub blank: bool,
    /// Fewest marks among the options on a non-blank ballot.
    pub min: u32,
    /// Most marks among the options (an election: the seats); at least 1.
    pub max: u32,
}

impl Question {
    /// A motion: for, against, abstain, and blank; exactly one mark.
    pub fn motion() -> Self {
        Self {
            options: 3,
            blank: true,
            min: 1,
            max: 1,
        }
    }
    /// A choice of exactly one of `options`, or blank.
    pub fn choice(options: u32) -> Self {
        Self {
            options,
            blank: true,
            min: 1,
            max: 1,
        }
    }
    /// An election of `seats` from `candidates`: keep 0..=seats names (0 strikes everyone), or
    /// cast a blank ballot.
    pub fn election(candidates: u32, seats: u32) -> Self {
        Self {
            options: candidates,
            blank: true,
            min: 0,
            max: seats,
        }
    }
    /// Slots on the ballot: the options, plus one if blank is allowed.
    pub fn slots(&self) -> usize {
        self.options as usize + usize::from(self.blank)
    }
    /// The weight of each slot in the range proof: 1 per option, `max` for blank.
    pub fn weight(&self, slot: usize) -> u64 {
        if slot < self.options as usize {
            1
        } else {
            u64::from(self.max)
        }
    }
    /// Checks 1 ≤ options, slots ≤ 1024, 0 ≤ min ≤ max ≤ options, max ≥ 1.
    pub fn check(&self) -> Result<()> {
        // In u64: `options` comes from a board's JSON and may be anything up to u32::MAX.
        if self.options == 0
            || u64::from(self.options) + u64::from(self.blank) > u64::from(MAX_SLOTS)
        {
            return Err(Error::Params(format!("{} options", self.options)));
        }
        if self.max == 0 || self.min > self.max || self.max > self.options {
            return Err(Error::Params(format!(
                "marks in [{}, {}] of {} options",
                self.min, self.max, self.options
            )));
        }
        Ok(())
    }
}

/// One vote: its id and question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteParams {
    /// Unique among all votes using this board's key (e.g. "congress-2026/vote-12"), ≤ 255 bytes.
    pub vote_id: String,
    /// The question.
    pub question: Question,
}

/// Everything a ballot is bound to, ready to use: setup, vote, joint key, fingerprint.
#[derive(Debug, Clone)]
pub struct VoteContext {
    /// The counting board.
    pub setup: BoardSetup,
    /// The vote.
    pub vote: VoteParams,
    /// The joint public key (from the DKG).
    pub key: PublicKey,
    /// SHA-256 fingerprint of all the above (see [`VoteContext::new`]).
    pub fingerprint: [u8; 32],
}

impl VoteContext {
    /// Checks the parameters and computes the fingerprint:
    /// SHA-256(tag || setup fingerprint || str(vote_id) || u32 options || u8 blank || u32 min ||
    /// u32 max || joint key).
    pub fn new(setup: BoardSetup, vote: VoteParams, joint_key: &[u8; 32]) -> Result<Self> {
        setup.check()?;
        vote.question.check()?;
        if vote.vote_id.len() > 255 {
            return Err(Error::Params("vote id longer than 255 bytes".into()));
        }
        let key = PublicKey::from_bytes(joint_key)?;
        let q = vote.question;
        let mut w = tagged(TAG_VOTE);
        w.raw(&setup.fingerprint())
            .str(vote.vote_id.as_bytes())
            .u32(q.options)
            .u8(u8::from(q.blank))
            .u32(q.min)
            .u32(q.max)
            .point(key.compressed());
        let fingerprint = fingerprint(&w);
        Ok(Self {
            setup,
            vote,
            key,
            fingerprint,
        })
    }

    /// The question.
    pub fn question(&self) -> &Question {
        &self.vote.question
    }
}
