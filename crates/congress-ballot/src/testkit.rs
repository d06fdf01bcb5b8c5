//! A whole ceremony in one process, deterministic under a seeded RNG: the DKG of a simulated
//! counting board (optionally with a cheating dealer), voters casting ballots, the tally, the
//! partial decryptions and the published board. Used by the tests, the test-vector generator
//! and the benchmark; the server can use it in its own tests.

use std::collections::BTreeMap;

use rand_core::{CryptoRng, RngCore};

use crate::ballot::{Ballot, Selection};
use crate::board::{BOARD_VERSION, Board, BoardBallot, WireCiphertext};
use crate::credential::Credential;
use crate::decrypt::{decrypt_tally, partial_decrypt_ballots};
use crate::dkg::{Complaint, Dealer, DkgTranscript, KeyShare, Qualified, qualify, receive_share};
use crate::error::{Error, Result};
pub use crate::invalid::ballot_with_bad_proof;
use crate::params::{BoardSetup, Member, VoteContext, VoteParams};
use crate::verify::verify_and_tally;
use crate::wire::{Hex32, HexBytes};

/// A counting board after its key ceremony.
#[derive(Debug)]
pub struct SimBoard {
    /// The setup.
    pub setup: BoardSetup,
    /// The public transcript.
    pub transcript: DkgTranscript,
    /// Its outcome.
    pub qualified: Qualified,
    /// Each member's key share (index order; members whose shares were incomplete are absent).
    pub shares: BTreeMap<u16, KeyShare>,
}

/// Runs the DKG for `n` members with threshold `t`. If `cheat = Some((dealer, victim))`, that
/// dealer sends the victim a wrong (but signed) share; the victim complains and the dealer is
/// excluded.
pub fn run_dkg<R: RngCore + CryptoRng>(
    rng: &mut R,
    board_id: &str,
    n: u16,
    t: u16,
    cheat: Option<(u16, u16)>,
) -> Result<SimBoard> {
    let keys: Vec<Credential> = (0..n).map(|_| Credential::generate(rng)).collect();
    let setup = BoardSetup {
        board_id: board_id.into(),
        threshold: t,
        members: keys
            .iter()
            .enumerate()
            .map(|(i, k)| Member {
                index: i as u16 + 1,
                key: Hex32(k.public()),
            })
            .collect(),
    };
    let mut dealers = Vec::new();
    let mut transcript = DkgTranscript::default();
    for (i, k) in keys.iter().enumerate() {
        let (d, m) = Dealer::new(rng, &setup, i as u16 + 1, k)?;
        dealers.push(d);
        transcript.dealers.push(m);
    }
    // Every envelope, opened by its recipient.
    let mut received: BTreeMap<u16, BTreeMap<u16, crate::Scalar>> = BTreeMap::new();
    for (di, d) in dealers.iter().enumerate() {
        let from = di as u16 + 1;
        for to in 1..=n {
            let mut env = d.share_envelope(to, &keys[di]);
            if cheat == Some((from, to)) {
                // A wrong share, signed by the dealer: f(to) + 1.
                let s = crate::encoding::decode_scalar(
                    &env[69..101].try_into().map_err(|_| Error::Length("env"))?,
                    "s",
                )? + crate::Scalar::ONE;
                env[69..101].copy_from_slice(s.as_bytes());
                env.truncate(101);
                let sig = keys[di].sign(&crate::hash::signed_message(
                    crate::hash::TAG_DKG_SHARE,
                    &env,
                ));
                env.extend_from_slice(&sig);
            }
            match receive_share(&setup, &transcript.dealers[di], to, &env) {
                Ok(s) => {
                    received.entry(to).or_default().insert(from, s);
                }
                Err(Error::BadShare) => transcript.complaints.push(Complaint {
                    accuser: to,
                    envelope: HexBytes(env),
                }),
                Err(e) => return Err(e),
            }
        }
    }
    let qualified = qualify(&setup, &transcript)?;
    let mut shares = BTreeMap::new();
    for (to, got) in &received {
        if let Ok(k) = KeyShare::combine(&qualified, *to, got) {
            shares.insert(*to, k);
        }
    }
    Ok(SimBoard {
        setup,
        transcript,
        qualified,
        shares,
    })
}

/// One vote: each selection is cast by a fresh credential (plus `extra_registered` credentials
/// that do not vote), tallied, decrypted by `decryptors`, and published as a board.
pub fn run_vote<R: RngCore + CryptoRng>(
    rng: &mut R,
    board: &SimBoard,
    vote: VoteParams,
    selections: &[Selection],
    extra_registered: usize,
    decryptors: &[u16],
) -> Result<(Board, Vec<Credential>)> {
    let joint = board.qualified.joint_key().compress().to_bytes();
    let ctx = VoteContext::new(board.setup.clone(), vote.clone(), &joint)?;
    let voters: Vec<Credential> = (0..selections.len() + extra_registered)
        .map(|_| Credential::generate(rng))
        .collect();
    let mut ballots = Vec::with_capacity(selections.len());
    for (s, c) in selections.iter().zip(&voters) {
        ballots.push(Ballot::cast(rng, &ctx, c, s)?);
    }
    ballots.sort_by_key(|b| b.tracker().hash);
    let refs: Vec<&Ballot> = ballots.iter().collect();
    let tally = verify_and_tally(&ctx, &refs, 0)
        .map_err(|bad| Error::Proof(format!("{} bad ballots", bad.len())))?;
    let registered: std::collections::BTreeSet<[u8; 32]> =
        voters.iter().map(Credential::public).collect();
    let mut partials = Vec::new();
    for d in decryptors {
        let share = board
            .shares
            .get(d)
            .ok_or_else(|| Error::NotEnough(format!("member {d} has no share")))?;
        // As a member's device does: it verifies and sums the ballots itself.
        let (own, p) = partial_decrypt_ballots(rng, &ctx, share, &refs, &registered, 0)
            .map_err(|bad| Error::Proof(format!("{} bad ballots", bad.len())))?;
        if own != tally {
            return Err(Error::Proof("the member's tally differs".into()));
        }
        partials.push(p);
    }
    let decrypted = decrypt_tally(
        &ctx,
        &board.qualified,
        &tally,
        &partials,
        ballots.len() as u64,
    )?;
    let mut credentials: Vec<Hex32> = voters.iter().map(|c| Hex32(c.public())).collect();
    credentials.sort();
    Ok((
        Board {
            version: BOARD_VERSION,
            setup: board.setup.clone(),
            dkg: board.transcript.clone(),
            joint_public_key: Hex32(joint),
            vote,
            credentials,
            participation: ballots.len() as u64,
            ballots: ballots.iter().map(BoardBallot::from).collect(),
            tally: tally.iter().map(WireCiphertext::from).collect(),
            partials,
            result: decrypted.counts,
        },
        voters,
    ))
}

/// A committed test vector: a board and the values both implementations must derive from it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vector {
    /// What it exercises.
    pub name: String,
    /// The board.
    pub board: Board,
    /// What a verifier must find.
    pub expected: Expected,
}

/// The values a verifier derives from a vector's board.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// Setup fingerprint, hex.
    pub setup_fingerprint: String,
    /// Vote fingerprint, hex.
    pub vote_fingerprint: String,
    /// Short trackers of the ballots, in board order.
    pub short_trackers: Vec<String>,
    /// Dealers in QUAL.
    pub qualified: Vec<u16>,
    /// The result per slot.
    pub result: Vec<u64>,
}

/// What a verifier derives from a board (fails if the board does not verify).
pub fn expected_of(board: &Board) -> Result<Expected> {
    let v = crate::board::verify_board(board).map_err(|r| Error::Proof(r.to_string()))?;
    let mut short_trackers = Vec::new();
    for b in &board.ballots {
        short_trackers.push(crate::ballot::Tracker { hash: b.tracker.0 }.short());
    }
    Ok(Expected {
        setup_fingerprint: hex::encode(board.setup.fingerprint()),
        vote_fingerprint: hex::encode(v.fingerprint),
        short_trackers,
        qualified: v.qualified,
        result: v.result,
    })
}

/// The Rust-side vectors, deterministic: an election (5 candidates, 2 seats, a dealer excluded
/// by a complaint, members 1, 3, 5 decrypt) and a motion (members 2, 4, 5 decrypt).
pub fn rust_vectors() -> Result<Vec<Vector>> {
    Ok(rust_scenario()?.0)
}

/// The vectors, the election's voters' credentials and the RNG state after them.
pub(crate) fn rust_scenario() -> Result<(Vec<Vector>, Vec<Credential>, rand_chacha::ChaCha20Rng)> {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;
    let mut rng = ChaCha20Rng::from_seed(*b"congress-ballot/v1 test vectors!");
    let sim = run_dkg(&mut rng, "vectors/rust", 5, 3, Some((4, 2)))?;
    let o = |v: &[u32]| Selection::Options(v.to_vec());
    let election = VoteParams {
        vote_id: "vectors/rust/election".into(),
        question: crate::Question::election(5, 2),
    };
    let selections = [
        o(&[0, 2]),
        o(&[2]),
        o(&[]),
        Selection::Blank,
        o(&[1, 4]),
        o(&[0, 4]),
    ];
    let (b1, voters) = run_vote(&mut rng, &sim, election, &selections, 2, &[1, 3, 5])?;
    let motion = VoteParams {
        vote_id: "vectors/rust/motion".into(),
        question: crate::Question::motion(),
    };
    let selections = [o(&[0]), o(&[0]), o(&[1]), o(&[2]), Selection::Blank];
    let (b2, _) = run_vote(&mut rng, &sim, motion, &selections, 0, &[2, 4, 5])?;
    let mut out = Vec::new();
    for (name, board) in [
        ("rust election 5 candidates 2 seats, dealer 4 excluded", b1),
        ("rust motion", b2),
    ] {
        let expected = expected_of(&board)?;
        out.push(Vector {
            name: name.into(),
            board,
            expected,
        });
    }
    Ok((out, voters, rng))
}

pub use crate::invalid::{
    InvalidBallot, InvalidVectors, KeyCase, invalid_vectors, rust_invalid_vectors,
};
