//! One encrypted ballot: its canonical byte encoding, how a tablet makes it (encrypt each slot,
//! prove each is 0 or 1, prove the weighted number of marks lies in [min, max], sign), and the
//! tracker the voter keeps as a receipt. Verification is in `verify.rs`.

use curve25519_dalek::ristretto::CompressedRistretto;
use curve25519_dalek::scalar::Scalar;
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::credential::Credential;
use crate::elgamal::Ciphertext;
use crate::encoding::{Reader, Writer, decode_point, to_base32, to_hex};
use crate::error::{Error, Result};
use crate::hash::{TAG_BALLOT_SIGNATURE, TAG_BIT, TAG_RANGE, challenge, signed_message, tagged};
use crate::params::{MAX_SLOTS, VoteContext};
use crate::proofs::{self, DisjunctiveProof};

/// The encoding's version byte.
pub const BALLOT_VERSION: u8 = 1;

/// What the voter marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// The options marked (0-based, each at most once); an empty list is "none kept".
    Options(Vec<u32>),
    /// A blank ballot (only if the question has a blank slot).
    Blank,
}

impl Selection {
    /// The 0/1 value of every slot, or why the selection is not allowed.
    pub fn slots(&self, ctx: &VoteContext) -> Result<Vec<u64>> {
        let q = ctx.question();
        let mut v = vec![0u64; q.slots()];
        match self {
            Selection::Blank => {
                if !q.blank {
                    return Err(Error::Range("this question has no blank slot".into()));
                }
                v[q.options as usize] = 1;
            }
            Selection::Options(marks) => {
                for &o in marks {
                    let slot = v
                        .get_mut(o as usize)
                        .filter(|_| o < q.options)
                        .ok_or_else(|| Error::Range(format!("option {o}")))?;
                    if *slot == 1 {
                        return Err(Error::Range(format!("option {o} marked twice")));
                    }
                    *slot = 1;
                }
                let n = marks.len() as u64;
                if n < u64::from(q.min) || n > u64::from(q.max) {
                    return Err(Error::Range(format!(
                        "{n} marks, allowed {}..={}",
                        q.min, q.max
                    )));
                }
            }
        }
        Ok(v)
    }
}

/// An encrypted, proved and signed ballot, as decoded from (and kept with) its canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    /// The vote's fingerprint ([`VoteContext::fingerprint`]).
    pub vote: [u8; 32],
    /// The voter's Ed25519 credential public key.
    pub credential: [u8; 32],
    /// (α, β) per slot, as encoded.
    pub ciphertexts: Vec<(CompressedRistretto, CompressedRistretto)>,
    /// Per slot: the proof that it encrypts 0 or 1.
    pub bits: Vec<DisjunctiveProof>,
    /// The proof that Σ weight·mark lies in [min, max].
    pub range: DisjunctiveProof,
    /// Ed25519 over `tag || body` (everything before the signature).
    pub signature: [u8; 64],
    bytes: Vec<u8>,
}

/// What the voter is shown: the full hash and a short code to compare by eye.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracker {
    /// SHA-256 of the ballot's canonical bytes.
    pub hash: [u8; 32],
}

impl Tracker {
    /// Of these ballot bytes.
    pub fn of(bytes: &[u8]) -> Self {
        Self {
            hash: Sha256::digest(bytes).into(),
        }
    }
    /// 64 hex characters.
    pub fn hex(&self) -> String {
        to_hex(&self.hash)
    }
    /// First 10 base32 characters (50 bits), e.g. `KQ4ZM-XB7TA`, grouped by five.
    pub fn short(&self) -> String {
        let b = to_base32(&self.hash);
        format!("{}-{}", &b[..5], &b[5..10])
    }
}

pub(crate) fn bit_challenge(
    vote: &[u8; 32],
    credential: &[u8; 32],
    slot: usize,
    ct: &(CompressedRistretto, CompressedRistretto),
    commitments: &[(CompressedRistretto, CompressedRistretto)],
) -> Scalar {
    let mut w = tagged(TAG_BIT);
    w.raw(vote)
        .raw(credential)
        .u32(slot as u32)
        .point(&ct.0)
        .point(&ct.1);
    DisjunctiveProof::write_commitments(commitments, &mut w);
    challenge(&w)
}

pub(crate) fn range_challenge(
    ctx: &VoteContext,
    credential: &[u8; 32],
    cts: &[(CompressedRistretto, CompressedRistretto)],
    commitments: &[(CompressedRistretto, CompressedRistretto)],
) -> Scalar {
    let q = ctx.question();
    let mut w = tagged(TAG_RANGE);
    w.raw(&ctx.fingerprint)
        .raw(credential)
        .u32(q.min)
        .u32(q.max)
        .u16(cts.len() as u16);
    for (a, b) in cts {
        w.point(a).point(b);
    }
    DisjunctiveProof::write_commitments(commitments, &mut w);
    challenge(&w)
}

impl Ballot {
    /// Encrypts, proves and signs a selection (the tablet's work).
    pub fn cast<R: RngCore + CryptoRng>(
        rng: &mut R,
        ctx: &VoteContext,
        credential: &Credential,
        selection: &Selection,
    ) -> Result<Self> {
        let marks = selection.slots(ctx)?;
        let q = *ctx.question();
        let cred = credential.public();
        let mut rs = Vec::with_capacity(marks.len());
        let mut cts = Vec::with_capacity(marks.len());
        for &m in &marks {
            let r = Scalar::random(rng);
            let ct = ctx.key.encrypt(m, &r);
            cts.push((ct.alpha.compress(), ct.beta.compress()));
            rs.push(r);
        }
        let mut bits = Vec::with_capacity(marks.len());
        for (i, (&m, r)) in marks.iter().zip(&rs).enumerate() {
            let ct = cts[i];
            bits.push(proofs::prove(rng, &ctx.key, r, m, 0, 1, |com| {
                bit_challenge(&ctx.fingerprint, &cred, i, &ct, com)
            }));
        }
        let mut r_sum = Scalar::ZERO;
        let mut m_sum = 0u64;
        for (i, (&m, r)) in marks.iter().zip(&rs).enumerate() {
            r_sum += Scalar::from(q.weight(i)) * r;
            m_sum += q.weight(i) * m;
        }
        let range = proofs::prove(
            rng,
            &ctx.key,
            &r_sum,
            m_sum,
            q.min.into(),
            q.max.into(),
            |com| range_challenge(ctx, &cred, &cts, com),
        );
        r_sum.zeroize();
        rs.zeroize();
        let mut ballot = Ballot {
            vote: ctx.fingerprint,
            credential: cred,
            ciphertexts: cts,
            bits,
            range,
            signature: [0; 64],
            bytes: Vec::new(),
        };
        let body = ballot.body();
        ballot.signature = credential.sign(&signed_message(TAG_BALLOT_SIGNATURE, &body));
        let mut bytes = body;
        bytes.extend_from_slice(&ballot.signature);
        ballot.bytes = bytes;
        Ok(ballot)
    }

    /// Everything but the signature: u8 version, vote, credential, u16 n, n × (α, β),
    /// n × bit proof (A0 B0 A1 B1 c0 s0 s1), u16 m, range proof.
    pub fn body(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u8(BALLOT_VERSION).raw(&self.vote).raw(&self.credential);
        w.u16(self.ciphertexts.len() as u16);
        for (a, b) in &self.ciphertexts {
            w.point(a).point(b);
        }
        for p in &self.bits {
            p.write(&mut w);
        }
        w.u16(self.range.branches() as u16);
        self.range.write(&mut w);
        w.finish()
    }

    /// The canonical bytes (body || signature).
    pub fn to_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Decodes the canonical bytes: lengths, counts and scalars are checked here; points, proofs
    /// and the signature by the verifier.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        let version = r.u8("ballot version")?;
        if version != BALLOT_VERSION {
            return Err(Error::Range(format!("ballot version {version}")));
        }
        let vote = r.bytes32("vote fingerprint")?;
        let credential = r.bytes32("credential")?;
        let n = usize::from(r.u16("slot count")?);
        if n == 0 || n > MAX_SLOTS as usize {
            return Err(Error::Range(format!("{n} slots")));
        }
        let mut ciphertexts = Vec::with_capacity(n);
        for _ in 0..n {
            ciphertexts.push((r.point("alpha")?, r.point("beta")?));
        }
        let mut bits = Vec::with_capacity(n);
        for _ in 0..n {
            bits.push(DisjunctiveProof::read(&mut r, 2)?);
        }
        let m = usize::from(r.u16("range branches")?);
        if m == 0 || m > MAX_SLOTS as usize + 1 {
            return Err(Error::Range(format!("{m} range branches")));
        }
        let range = DisjunctiveProof::read(&mut r, m)?;
        let signature = r.bytes64("signature")?;
        r.end("ballot")?;
        Ok(Ballot {
            vote,
            credential,
            ciphertexts,
            bits,
            range,
            signature,
            bytes: bytes.to_vec(),
        })
    }

    /// The tracker (receipt).
    pub fn tracker(&self) -> Tracker {
        Tracker::of(&self.bytes)
    }

    /// The ciphertexts as group elements (fails on a non-canonical point).
    pub fn decode_ciphertexts(&self) -> Result<Vec<Ciphertext>> {
        self.ciphertexts
            .iter()
            .map(|(a, b)| {
                Ok(Ciphertext {
                    alpha: decode_point(a, "alpha")?,
                    beta: decode_point(b, "beta")?,
                })
            })
            .collect()
    }
}

/// A ballot whose structure decoded and whose signature by the credential it names verified
/// (`crate::credential::verify`, strict rules); its proofs are not checked (that is
/// [`crate::verify_ballot`]). Made only by [`SignedBallot::check`], so holding one is the proof
/// that check ran: the server does it on a blocking thread and hands the result to the domain,
/// whose single thread then only compares the ballot with the vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBallot(Ballot);

impl SignedBallot {
    /// Decodes `bytes` and verifies the signature by the ballot's own credential.
    pub fn check(bytes: &[u8]) -> Result<SignedBallot> {
        let ballot = Ballot::from_bytes(bytes)?;
        crate::credential::verify(
            &ballot.credential,
            &signed_message(TAG_BALLOT_SIGNATURE, &ballot.body()),
            &ballot.signature,
        )?;
        Ok(SignedBallot(ballot))
    }

    /// The ballot.
    pub fn ballot(&self) -> &Ballot {
        &self.0
    }
}
