//! The bulletin board of one vote (serde JSON) and `verify_board`, which re-checks everything
//! from the board alone: the DKG and joint key, the registered credentials, every ballot's
//! tracker, signature and proofs, one ballot per credential, the count against the
//! participation, the tally against the sum, every partial decryption, and the claimed result.

use std::collections::{BTreeMap, BTreeSet};

use curve25519_dalek::ristretto::CompressedRistretto;
use curve25519_dalek::scalar::Scalar;
use serde::{Deserialize, Serialize};

use crate::ballot::{Ballot, Tracker};
use crate::credential;
use crate::decrypt::{PartialDecryption, combine, verify_partial};
use crate::dkg::{DkgTranscript, qualify};
use crate::elgamal::{Ciphertext, g_mul};
use crate::encoding::decode_point;
use crate::params::{BoardSetup, VoteContext, VoteParams};
use crate::verify::verify_and_tally;
use crate::wire::{B64, Hex32};

/// The board format's version.
pub const BOARD_VERSION: u32 = 1;

/// A ciphertext in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireCiphertext {
    /// α.
    pub alpha: Hex32,
    /// β.
    pub beta: Hex32,
}

impl From<&Ciphertext> for WireCiphertext {
    fn from(c: &Ciphertext) -> Self {
        let b = c.to_bytes();
        let (mut a, mut bb) = ([0u8; 32], [0u8; 32]);
        a.copy_from_slice(&b[..32]);
        bb.copy_from_slice(&b[32..]);
        Self {
            alpha: Hex32(a),
            beta: Hex32(bb),
        }
    }
}

impl WireCiphertext {
    /// The group elements.
    pub fn decode(&self) -> crate::Result<Ciphertext> {
        Ok(Ciphertext {
            alpha: decode_point(&CompressedRistretto(self.alpha.0), "tally alpha")?,
            beta: decode_point(&CompressedRistretto(self.beta.0), "tally beta")?,
        })
    }
}

/// A ballot on the board: its tracker (for the voter's lookup) and its canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardBallot {
    /// SHA-256 of `ballot`.
    pub tracker: Hex32,
    /// The canonical encoding, base64.
    pub ballot: B64,
}

impl From<&Ballot> for BoardBallot {
    fn from(b: &Ballot) -> Self {
        Self {
            tracker: Hex32(b.tracker().hash),
            ballot: B64(b.to_bytes().to_vec()),
        }
    }
}

/// Everything published about one secret vote after its close.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Board {
    /// [`BOARD_VERSION`].
    pub version: u32,
    /// The counting board.
    pub setup: BoardSetup,
    /// The public DKG messages and complaints.
    pub dkg: DkgTranscript,
    /// The joint public key the ballots were encrypted to.
    pub joint_public_key: Hex32,
    /// The vote.
    pub vote: VoteParams,
    /// Registered credential public keys, ascending and distinct.
    pub credentials: Vec<Hex32>,
    /// How many delegates the server recorded as having voted.
    pub participation: u64,
    /// The ballots, ascending by tracker (an order that says nothing about time or voter).
    pub ballots: Vec<BoardBallot>,
    /// The homomorphic sum of the ballots, per slot.
    pub tally: Vec<WireCiphertext>,
    /// The partial decryptions used (each valid, distinct members, at least t).
    pub partials: Vec<PartialDecryption>,
    /// The count per slot: the options in order, then blank (if the question has it).
    pub result: Vec<u64>,
}

/// A board that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The vote's fingerprint.
    pub fingerprint: [u8; 32],
    /// Number of ballots.
    pub ballots: usize,
    /// The count per slot.
    pub result: Vec<u64>,
    /// Dealers in the joint key.
    pub qualified: Vec<u16>,
    /// Dealers excluded, with the reason.
    pub excluded: Vec<(u16, String)>,
    /// Members whose partial decryptions were combined.
    pub decryptors: Vec<u16>,
}

/// One thing wrong with a board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: e.g. `ballots[12]`, `partials[1]`, `result`.
    pub at: String,
    /// What.
    pub what: String,
}

/// Everything wrong with a board that could be found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("board does not verify: {} problem(s), first: {}", .problems.len(), .problems.first().map(|p| format!("{}: {}", p.at, p.what)).unwrap_or_default())]
pub struct Report {
    /// The problems, in the order found.
    pub problems: Vec<Problem>,
}

impl Report {
    fn add(&mut self, at: impl Into<String>, what: impl ToString) {
        self.problems.push(Problem {
            at: at.into(),
            what: what.to_string(),
        });
    }
    fn stop(mut self, at: &str, what: impl ToString) -> Report {
        self.add(at, what);
        self
    }
}

/// Verifies a board from its content alone, using all cores.
pub fn verify_board(board: &Board) -> Result<Verified, Report> {
    verify_board_threads(board, 0)
}

/// [`verify_board`] on `threads` threads (0 = all cores).
pub fn verify_board_threads(board: &Board, threads: usize) -> Result<Verified, Report> {
    let mut report = Report {
        problems: Vec::new(),
    };
    if board.version != BOARD_VERSION {
        return Err(report.stop("version", format!("version {}", board.version)));
    }
    let q = match qualify(&board.setup, &board.dkg) {
        Ok(q) => q,
        Err(e) => return Err(report.stop("dkg", e)),
    };
    if q.joint_key().compress().to_bytes() != board.joint_public_key.0 {
        return Err(report.stop(
            "joint_public_key",
            "not the sum of the qualified dealers' commitments",
        ));
    }
    let ctx = match VoteContext::new(
        board.setup.clone(),
        board.vote.clone(),
        &board.joint_public_key.0,
    ) {
        Ok(c) => c,
        Err(e) => return Err(report.stop("vote", e)),
    };

    let mut registered = BTreeSet::new();
    for (i, c) in board.credentials.iter().enumerate() {
        if let Err(e) = credential::check_public_key(&c.0) {
            report.add(format!("credentials[{i}]"), e);
        }
        if registered
            .last()
            .is_some_and(|last: &[u8; 32]| *last >= c.0)
        {
            report.add(format!("credentials[{i}]"), "not ascending or repeated");
        }
        registered.insert(c.0);
    }

    let mut ballots = Vec::with_capacity(board.ballots.len());
    let mut positions = Vec::with_capacity(board.ballots.len());
    let mut used = BTreeMap::new();
    for (i, entry) in board.ballots.iter().enumerate() {
        let at = format!("ballots[{i}]");
        if i > 0 && board.ballots[i - 1].tracker.0 >= entry.tracker.0 {
            report.add(&at, "not in ascending tracker order, or repeated");
        }
        if Tracker::of(&entry.ballot.0).hash != entry.tracker.0 {
            report.add(&at, "tracker is not the hash of the ballot");
        }
        let b = match Ballot::from_bytes(&entry.ballot.0) {
            Ok(b) => b,
            Err(e) => {
                report.add(&at, e);
                continue;
            }
        };
        if !registered.contains(&b.credential) {
            report.add(&at, "credential not registered");
        }
        if let Some(first) = used.insert(b.credential, i) {
            report.add(&at, format!("credential already used by ballots[{first}]"));
        }
        ballots.push(b);
        positions.push(i);
    }
    if board.ballots.len() as u64 != board.participation {
        report.add(
            "participation",
            format!(
                "{} ballots, {} participations",
                board.ballots.len(),
                board.participation
            ),
        );
    }

    let refs: Vec<&Ballot> = ballots.iter().collect();
    let sum = match verify_and_tally(&ctx, &refs, threads) {
        Ok(s) => Some(s),
        Err(bad) => {
            for (k, e) in bad {
                let at = positions
                    .get(k)
                    .map_or("ballots".to_string(), |p| format!("ballots[{p}]"));
                report.add(at, e);
            }
            None
        }
    };
    if let Some(sum) = &sum {
        let expected: Vec<WireCiphertext> = sum.iter().map(WireCiphertext::from).collect();
        if ballots.len() == board.ballots.len() && expected != board.tally {
            report.add("tally", "not the sum of the ballots");
        }
    }
    let tally = match board
        .tally
        .iter()
        .map(WireCiphertext::decode)
        .collect::<crate::Result<Vec<_>>>()
    {
        Ok(t) if t.len() == ctx.question().slots() => t,
        Ok(_) => return Err(report.stop("tally", "wrong number of slots")),
        Err(e) => return Err(report.stop("tally", e)),
    };

    let mut factors = BTreeMap::new();
    for (i, p) in board.partials.iter().enumerate() {
        let at = format!("partials[{i}]");
        match verify_partial(&ctx, &q, &tally, p) {
            Ok(f) => {
                if factors.insert(p.member, f).is_some() {
                    report.add(&at, format!("member {} listed twice", p.member));
                }
            }
            Err(e) => report.add(&at, format!("member {}: {e}", p.member)),
        }
    }
    if board.result.len() != tally.len() {
        report.add("result", "wrong number of slots");
    } else if report.problems.is_empty() {
        match combine(&tally, &factors, board.setup.threshold) {
            Ok(points) => {
                for (i, (p, &m)) in points.iter().zip(&board.result).enumerate() {
                    if *p != g_mul(&Scalar::from(m)) {
                        report.add("result", format!("slot {i}: the decryption is not {m}"));
                    }
                }
            }
            Err(e) => report.add("partials", e),
        }
    }
    if !report.problems.is_empty() {
        return Err(report);
    }
    Ok(Verified {
        fingerprint: ctx.fingerprint,
        ballots: ballots.len(),
        result: board.result.clone(),
        qualified: q.dealers.clone(),
        excluded: q.excluded.clone(),
        decryptors: factors.keys().copied().collect(),
    })
}
