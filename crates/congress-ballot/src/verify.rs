//! Verifying ballots: the checks on one ballot (vote, counts, credential signature, every proof),
//! and the batch path the server and the board verifier use for thousands of ballots: proofs
//! folded into one multiscalar multiplication per group of ballots, spread over threads, with a
//! fallback that names each failing ballot. Both return the homomorphic sum of what verified.

use curve25519_dalek::scalar::Scalar;

use crate::ballot::{Ballot, bit_challenge, range_challenge};
use crate::batch::Msm;
use crate::credential;
use crate::elgamal::{Ciphertext, sum_slots};
use crate::error::{Error, Result};
use crate::hash::{TAG_BALLOT_SIGNATURE, signed_message};
use crate::params::VoteContext;
use crate::proofs;

/// A chunk's sum and its failing ballots.
type ChunkResult = (Vec<Ciphertext>, Vec<(usize, Error)>);

/// Ballots per multiscalar multiplication in the batch path.
const GROUP: usize = 32;

/// Checks that the ballot is for this vote and has the right shape.
fn check_shape(ctx: &VoteContext, b: &Ballot) -> Result<()> {
    if b.vote != ctx.fingerprint {
        return Err(Error::WrongVote);
    }
    let q = ctx.question();
    if b.ciphertexts.len() != q.slots() {
        return Err(Error::Range(format!(
            "{} slots, the question has {}",
            b.ciphertexts.len(),
            q.slots()
        )));
    }
    let m = (q.max - q.min + 1) as usize;
    if b.range.branches() != m {
        return Err(Error::Range(format!(
            "{} range branches, expected {m}",
            b.range.branches()
        )));
    }
    Ok(())
}

/// Checks that the fields are exactly the bytes (the tracker, the stored bytes and the batch
/// weights come from the bytes), then the credential's signature over the body.
fn check_signature(b: &Ballot) -> Result<()> {
    let body = b.body();
    let bytes = b.to_bytes();
    if bytes.len() != body.len() + 64
        || bytes[..body.len()] != body[..]
        || bytes[body.len()..] != b.signature[..]
    {
        return Err(Error::Params(
            "the ballot's fields are not its bytes (changed after decoding)".into(),
        ));
    }
    credential::verify(
        &b.credential,
        &signed_message(TAG_BALLOT_SIGNATURE, &body),
        &b.signature,
    )
}

/// Adds all of a ballot's proof equations to `msm`; returns its ciphertexts.
fn add_ballot(msm: &mut Msm, ctx: &VoteContext, b: &Ballot) -> Result<Vec<Ciphertext>> {
    check_shape(ctx, b)?;
    let q = ctx.question();
    let cts = b.decode_ciphertexts()?;
    let mut ca = vec![Scalar::ZERO; cts.len()];
    let mut cb = vec![Scalar::ZERO; cts.len()];
    for (i, proof) in b.bits.iter().enumerate() {
        let c = bit_challenge(
            &b.vote,
            &b.credential,
            i,
            &b.ciphertexts[i],
            &proof.commitments,
        );
        let (a, bb) = proofs::add_to_batch(msm, proof, &c, 0)?;
        ca[i] += a;
        cb[i] += bb;
    }
    let c = range_challenge(ctx, &b.credential, &b.ciphertexts, &b.range.commitments);
    let (a, bb) = proofs::add_to_batch(msm, &b.range, &c, q.min.into())?;
    for i in 0..cts.len() {
        let w = Scalar::from(q.weight(i));
        ca[i] += a * w;
        cb[i] += bb * w;
    }
    for (i, ct) in cts.iter().enumerate() {
        msm.push(ca[i], ct.alpha);
        msm.push(cb[i], ct.beta);
    }
    Ok(cts)
}

/// Verifies a group as one equation; `Ok(None)` if the equation fails (someone's proof is bad).
fn verify_group(
    ctx: &VoteContext,
    group: &[&Ballot],
) -> Result<Option<Vec<Ciphertext>>, (usize, Error)> {
    let seeds = std::iter::once(&ctx.fingerprint[..]).chain(group.iter().map(|b| b.to_bytes()));
    let per = 6 * ctx.question().slots() + 2 * ctx.question().max as usize + 2;
    let mut msm = Msm::new(seeds, per * group.len());
    let mut all = Vec::with_capacity(group.len());
    for (i, b) in group.iter().enumerate() {
        check_signature(b).map_err(|e| (i, e))?;
        all.push(add_ballot(&mut msm, ctx, b).map_err(|e| (i, e))?);
    }
    if !msm.holds(ctx.key.point()) {
        return Ok(None);
    }
    Ok(Some(sum_slots(
        ctx.question().slots(),
        all.iter().map(Vec::as_slice),
    )))
}

/// Verifies one ballot completely (shape, signature, every proof). Deterministic: the batch
/// weights are derived from the ballot itself.
pub fn verify_ballot(ctx: &VoteContext, ballot: &Ballot) -> Result<()> {
    match verify_group(ctx, &[ballot]) {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(Error::Proof("ballot proofs".into())),
        Err((_, e)) => Err(e),
    }
}

/// Verifies one group, and if it fails, each ballot on its own to name the bad ones.
fn verify_chunk(
    ctx: &VoteContext,
    offset: usize,
    chunk: &[&Ballot],
) -> (Vec<Ciphertext>, Vec<(usize, Error)>) {
    let slots = ctx.question().slots();
    let mut sum = vec![Ciphertext::zero(); slots];
    let mut bad = Vec::new();
    for (g, group) in chunk.chunks(GROUP).enumerate() {
        let base = offset + g * GROUP;
        match verify_group(ctx, group) {
            Ok(Some(s)) => sum = sum_slots(slots, [sum.as_slice(), s.as_slice()]),
            _ => {
                for (i, b) in group.iter().enumerate() {
                    match verify_group(ctx, &[b]) {
                        Ok(Some(s)) => sum = sum_slots(slots, [sum.as_slice(), s.as_slice()]),
                        Ok(None) => bad.push((base + i, Error::Proof("ballot proofs".into()))),
                        Err((_, e)) => bad.push((base + i, e)),
                    }
                }
            }
        }
    }
    (sum, bad)
}

/// Verifies many ballots of one vote on `threads` threads (0 = all cores) and returns the
/// homomorphic tally of all of them, or every failing ballot's position and reason. Duplicate
/// credentials are not checked here (see [`crate::board`]): it is a property of a set.
pub fn verify_and_tally(
    ctx: &VoteContext,
    ballots: &[&Ballot],
    threads: usize,
) -> Result<Vec<Ciphertext>, Vec<(usize, Error)>> {
    let threads = if threads == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    } else {
        threads
    };
    let per = ballots.len().div_ceil(threads.max(1)).max(1);
    let slots = ctx.question().slots();
    let results: Vec<ChunkResult> = std::thread::scope(|s| {
        let handles: Vec<_> = ballots
            .chunks(per)
            .enumerate()
            .map(|(k, chunk)| s.spawn(move || verify_chunk(ctx, k * per, chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    (
                        Vec::new(),
                        vec![(usize::MAX, Error::Proof("verifier thread panicked".into()))],
                    )
                })
            })
            .collect()
    });
    let mut bad = Vec::new();
    let mut sum = vec![Ciphertext::zero(); slots];
    for (s, b) in results {
        bad.extend(b);
        if s.len() == slots {
            sum = sum_slots(slots, [sum.as_slice(), s.as_slice()]);
        }
    }
    if bad.is_empty() { Ok(sum) } else { Err(bad) }
}
