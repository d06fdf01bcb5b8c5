//! Encrypted, verifiable secret ballots for the congress: exponential ElGamal on ristretto255
//! (curve25519-dalek), Fiat–Shamir zero-knowledge proofs in the style of Helios and Belenios,
//! Ed25519 voting credentials (ed25519-dalek), a Pedersen DKG for a t-of-n counting board,
//! threshold decryption with proofs, and a bulletin board that anyone can verify.
//!
//! Pure: no I/O, no clock; randomness is a parameter. The byte-exact design, shared with the
//! TypeScript implementation in `web-common/src/ballot/`, is `docs/ballot-crypto.md`.
//!
//! The server's path: [`VoteContext::new`] once per vote; [`Ballot::from_bytes`] and
//! [`verify_ballot`] per incoming ballot (or none and [`verify_and_tally`] at the close);
//! [`decrypt_tally`] over the members' [`PartialDecryption`]s; then a [`Board`], which
//! [`verify_board`] re-checks.

mod ballot;
mod batch;
mod board;
mod credential;
mod decrypt;
mod dkg;
mod elgamal;
pub mod encoding;
mod error;
pub mod hash;
mod invalid;
mod params;
mod proofs;
mod sigma;
pub mod testkit;
mod verify;
mod wire;

pub use ballot::{BALLOT_VERSION, Ballot, Selection, SignedBallot, Tracker};
pub use board::{
    BOARD_VERSION, Board, BoardBallot, Problem, Report, Verified, WireCiphertext, verify_board,
    verify_board_threads,
};
pub use credential::{Credential, check_public_key, verify as verify_signature};
/// Scalars modulo ℓ (curve25519-dalek's).
pub use curve25519_dalek::scalar::Scalar;
pub use decrypt::{
    Decrypted, MemberDecryption, PartialDecryption, combine, decrypt_tally, discrete_logs,
    lagrange_at_zero, partial_decrypt, partial_decrypt_ballots, verify_partial,
};
pub use dkg::{
    Complaint, Dealer, DealerMessage, DkgTranscript, Envelope, KeyShare, Qualified, check_dealer,
    open_envelope, qualify, receive_share,
};
pub use elgamal::{Ciphertext, PublicKey, sum_slots};
pub use error::{Error, Result};
pub use params::{BoardSetup, MAX_SLOTS, Member, Question, VoteContext, VoteParams};
pub use proofs::DisjunctiveProof;
pub use sigma::ChallengeResponse;
pub use verify::{verify_and_tally, verify_ballot};
pub use wire::{B64, Hex32, Hex64, HexBytes};
