//! The counting board on the wire: its members and key ceremony as clients see it, and the
//! encryption context of a secret vote. The cryptographic payloads (dealer messages, share
//! envelopes, complaints, partial decryptions, ballots, the bulletin board) travel in the
//! byte-exact JSON or base64 forms of `docs/ballot-crypto.md`, carried here as text and decoded
//! by `congress-ballot` on the server and `web-common/src/ballot` on the devices.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where the key ceremony is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum BoardPhase {
    /// Members publish their commitments and the shares they deal.
    Dealing,
    /// Every member dealt: each checks the shares it received (and complains about a bad one).
    Checking,
    /// The joint key exists; secret votes can be created.
    Ready,
    /// Fewer than `threshold` members qualified: the ceremony must run again (a new board).
    Failed { reason: String },
}

/// One member of the counting board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardMember {
    /// 1..=n: the member's index in the secret sharing.
    pub index: u16,
    pub delegate_id: String,
    pub full_name: String,
    /// The member tablet's Ed25519 key (hex): it signs the member's ceremony messages.
    pub key: String,
    /// The age X25519 recipient (`age1…`) of the member's tablet (the one holding `key`):
    /// the other members seal the shares they deal to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub recipient: Option<String>,
    /// The member has published its commitments and dealt its shares.
    pub dealt: bool,
    /// The member checked the shares it received (or complained).
    pub checked: bool,
}

/// The counting board as every client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardView {
    /// New for every run of the ceremony.
    pub board_id: String,
    /// Members needed to decrypt.
    pub threshold: u16,
    pub members: Vec<BoardMember>,
    pub phase: BoardPhase,
    /// The joint public key (hex), once ready.
    pub joint_key: Option<String>,
    /// Dealers excluded by a valid complaint or a bad message.
    pub excluded: Vec<u16>,
}

/// `POST /api/board`: the counting board the congress elected, and how many must decrypt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DefineBoard {
    pub client_id: String,
    /// Delegate ids, in the order that gives their indices 1..=n. Each needs a paired tablet.
    pub members: Vec<String>,
    pub threshold: u16,
}

/// One share dealt to a member, age-encrypted to that member's tablet (base64 of the age file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SealedShare {
    /// The dealer's index (in what a member receives) or the recipient's (in what it deals).
    pub member: u16,
    pub age: String,
}

/// `GET /api/board/transcript`: what a member needs to check its shares and compute its key
/// share: the dealers' messages and the complaints (JSON of `congress_ballot::DkgTranscript`),
/// and, for a member's tablet, the shares dealt to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardTranscript {
    pub board: BoardView,
    /// `congress_ballot::BoardSetup` as JSON.
    pub setup: String,
    /// `congress_ballot::DkgTranscript` as JSON.
    pub transcript: String,
    /// The caller's index when it is a member's tablet.
    pub my_index: Option<u16>,
    /// The shares dealt to the caller (a member's tablet), one per dealer.
    pub my_shares: Vec<SealedShare>,
}

/// What a tablet needs to encrypt a ballot for a secret vote (and the board to check it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteEncryption {
    /// `congress_ballot::BoardSetup` as JSON.
    pub setup: String,
    /// The joint public key (hex).
    pub joint_key: String,
    /// The vote's id in the ballot protocol (e.g. `hall/board-1/vote-12`).
    pub vote_key: String,
    /// Slots: the options in order, then `blank`.
    pub options: u32,
    pub blank: bool,
    pub min: u32,
    pub max: u32,
    /// After the close: the encrypted tally (`[{alpha, beta}]` JSON) the members decrypt.
    pub tally: Option<String>,
    /// Members whose partial decryption was accepted.
    pub decrypted_by: Vec<u16>,
    /// Ballots counted in the tally (every one verified).
    pub counted: Option<u64>,
}
