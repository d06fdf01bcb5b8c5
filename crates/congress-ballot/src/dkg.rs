//! The counting board's distributed key generation (Pedersen's DKG with Feldman commitments, as
//! in Gennaro–Jarecki–Krawczyk–Rabin): each dealer's signed commitments and proof of knowledge,
//! the signed share envelopes (the caller encrypts them to the recipient with age), verifiable
//! complaints, the qualified set, the joint key, each member's verification key and key share.

use std::collections::BTreeMap;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, IsIdentity};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::credential::{self, Credential};
use crate::elgamal::g_mul;
use crate::encoding::{Reader, Writer, decode_key};
use crate::error::{Error, Result};
use crate::hash::{TAG_DKG_COMMITMENTS, TAG_DKG_SHARE, TAG_POK, challenge, signed_message, tagged};
use crate::params::BoardSetup;
use crate::sigma::{self, ChallengeResponse, put};
use crate::wire::{Hex32, Hex64, HexBytes};

/// A dealer's public message: Feldman commitments C_k = g^{a_k}, k < t, a proof of knowledge of
/// a_0, and the dealer's signature over both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealerMessage {
    /// The dealer's member index.
    pub dealer: u16,
    /// C_0..C_{t−1}.
    pub commitments: Vec<Hex32>,
    /// Schnorr proof of knowledge of log_g C_0.
    pub pok: ChallengeResponse,
    /// Ed25519 by the dealer's member key over tag || setup fp || u16 dealer || u16 t || C_k* ||
    /// c || s.
    pub signature: Hex64,
}

/// A member's complaint: the signed share envelope it received, which does not match the
/// dealer's commitments. Anyone can check it; a valid one disqualifies the dealer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Complaint {
    /// The member complaining (the envelope's recipient).
    pub accuser: u16,
    /// The envelope's plaintext bytes, as received.
    pub envelope: HexBytes,
}

/// Everything public about the DKG, as published on the board.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DkgTranscript {
    /// One message per dealer that took part.
    pub dealers: Vec<DealerMessage>,
    /// Complaints, if any.
    pub complaints: Vec<Complaint>,
}

fn pok_challenge(
    setup_fp: &[u8; 32],
    dealer: u16,
    c0: &RistrettoPoint,
    r: &RistrettoPoint,
) -> Scalar {
    let mut w = tagged(TAG_POK);
    w.raw(setup_fp).u16(dealer);
    put(&mut w, c0);
    put(&mut w, r);
    challenge(&w)
}

fn commitments_body(setup_fp: &[u8; 32], m: &DealerMessage) -> Vec<u8> {
    let mut w = Writer::new();
    w.raw(setup_fp)
        .u16(m.dealer)
        .u16(m.commitments.len() as u16);
    for c in &m.commitments {
        w.raw(&c.0);
    }
    w.raw(&m.pok.c.0).raw(&m.pok.s.0);
    signed_message(TAG_DKG_COMMITMENTS, &w.finish())
}

/// SHA-256 of the message a dealer signs over its commitments: what each of its share envelopes
/// names, so that an envelope is evidence about these commitments only.
fn dealer_fingerprint(setup_fp: &[u8; 32], m: &DealerMessage) -> [u8; 32] {
    Sha256::digest(commitments_body(setup_fp, m)).into()
}

/// A dealer's secret polynomial f(x) = a_0 + a_1·x + … + a_{t−1}·x^{t−1}.
pub struct Dealer {
    index: u16,
    setup_fp: [u8; 32],
    message_fp: [u8; 32],
    coefficients: Vec<Scalar>,
}

impl std::fmt::Debug for Dealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dealer({})", self.index)
    }
}

impl Drop for Dealer {
    fn drop(&mut self) {
        self.coefficients.zeroize();
    }
}

fn member_key(setup: &BoardSetup, index: u16) -> Result<[u8; 32]> {
    setup
        .member(index)
        .map(|m| m.key.0)
        .ok_or_else(|| Error::Range(format!("member {index}")))
}

impl Dealer {
    /// Draws the polynomial and makes the signed public message. `key` must be the member's
    /// registered key.
    pub fn new<R: RngCore + CryptoRng>(
        rng: &mut R,
        setup: &BoardSetup,
        index: u16,
        key: &Credential,
    ) -> Result<(Self, DealerMessage)> {
        setup.check()?;
        if member_key(setup, index)? != key.public() {
            return Err(Error::Params(
                "signing key is not the member's registered key".into(),
            ));
        }
        let setup_fp = setup.fingerprint();
        let coefficients: Vec<Scalar> = (0..setup.threshold).map(|_| Scalar::random(rng)).collect();
        let points: Vec<RistrettoPoint> = coefficients.iter().map(g_mul).collect();
        let pok = sigma::prove_pok(rng, &coefficients[0], |r| {
            pok_challenge(&setup_fp, index, &points[0], r)
        });
        let mut msg = DealerMessage {
            dealer: index,
            commitments: points
                .iter()
                .map(|p| Hex32(p.compress().to_bytes()))
                .collect(),
            pok,
            signature: Hex64([0; 64]),
        };
        msg.signature = Hex64(key.sign(&commitments_body(&setup_fp, &msg)));
        let message_fp = dealer_fingerprint(&setup_fp, &msg);
        Ok((
            Self {
                index,
                setup_fp,
                message_fp,
                coefficients,
            },
            msg,
        ))
    }

    /// f(j).
    pub fn evaluate(&self, j: u16) -> Scalar {
        let x = Scalar::from(u64::from(j));
        self.coefficients
            .iter()
            .rev()
            .fold(Scalar::ZERO, |acc, a| acc * x + a)
    }

    /// The signed envelope carrying f(to) to member `to`: u8 version 1 || setup fp || u16 from ||
    /// u16 to || SHA-256 of the dealer's signed commitments message || share || Ed25519
    /// signature over tag || everything before it. Encrypt it to the recipient (age) before it
    /// leaves the device.
    pub fn share_envelope(&self, to: u16, key: &Credential) -> Vec<u8> {
        let mut w = Writer::new();
        w.u8(1)
            .raw(&self.setup_fp)
            .u16(self.index)
            .u16(to)
            .raw(&self.message_fp)
            .scalar(&self.evaluate(to));
        let mut body = w.finish();
        let sig = key.sign(&signed_message(TAG_DKG_SHARE, &body));
        body.extend_from_slice(&sig);
        body
    }
}

/// A share envelope, opened and its signature checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope {
    /// The dealer.
    pub from: u16,
    /// The recipient.
    pub to: u16,
    /// SHA-256 of the dealer's signed commitments message the share belongs to.
    pub commitments: [u8; 32],
    /// f_from(to).
    pub share: Scalar,
}

/// Opens an envelope: checks the layout, the setup and the dealer's signature.
pub fn open_envelope(setup: &BoardSetup, bytes: &[u8]) -> Result<Envelope> {
    let mut r = Reader::new(bytes);
    if r.u8("envelope version")? != 1 {
        return Err(Error::Range("envelope version".into()));
    }
    if r.bytes32("setup fingerprint")? != setup.fingerprint() {
        return Err(Error::Params("envelope for another board".into()));
    }
    let from = r.u16("from")?;
    let to = r.u16("to")?;
    let commitments = r.bytes32("commitments fingerprint")?;
    let share = r.scalar("share")?;
    let sig = r.bytes64("envelope signature")?;
    r.end("envelope")?;
    member_key(setup, to)?;
    credential::verify(
        &member_key(setup, from)?,
        &signed_message(TAG_DKG_SHARE, &bytes[..bytes.len() - 64]),
        &sig,
    )?;
    Ok(Envelope {
        from,
        to,
        commitments,
        share,
    })
}

/// Checks that a dealer's message is signed by that dealer's member key. A message that fails
/// this proves nothing about the dealer (anyone, the relaying server included, can make one).
fn check_dealer_signature(
    setup: &BoardSetup,
    setup_fp: &[u8; 32],
    m: &DealerMessage,
) -> Result<()> {
    credential::verify(
        &member_key(setup, m.dealer)?,
        &commitments_body(setup_fp, m),
        &m.signature.0,
    )
}

/// Checks the content of a message already known to be signed by its dealer (t commitments,
/// none the identity, proof of knowledge): a failure here is the dealer's own doing.
fn check_dealer_content(
    setup: &BoardSetup,
    setup_fp: &[u8; 32],
    m: &DealerMessage,
) -> Result<Vec<RistrettoPoint>> {
    if m.commitments.len() != usize::from(setup.threshold) {
        return Err(Error::Range(format!(
            "{} commitments, threshold {}",
            m.commitments.len(),
            setup.threshold
        )));
    }
    let points = m
        .commitments
        .iter()
        .map(|c| {
            decode_key(
                &curve25519_dalek::ristretto::CompressedRistretto(c.0),
                "commitment",
            )
        })
        .collect::<Result<Vec<_>>>()?;
    sigma::verify_pok(&m.pok, &points[0], |r| {
        pok_challenge(setup_fp, m.dealer, &points[0], r)
    })?;
    Ok(points)
}

/// Checks a dealer's message (signature, t commitments, none the identity, proof of knowledge)
/// and returns the commitments.
pub fn check_dealer(setup: &BoardSetup, m: &DealerMessage) -> Result<Vec<RistrettoPoint>> {
    let setup_fp = setup.fingerprint();
    check_dealer_signature(setup, &setup_fp, m)?;
    check_dealer_content(setup, &setup_fp, m)
}

/// Σ_k j^k·C_k: what g^{f(j)} must be.
fn eval_commitments(commitments: &[RistrettoPoint], j: u16) -> RistrettoPoint {
    let x = Scalar::from(u64::from(j));
    commitments
        .iter()
        .rev()
        .fold(RistrettoPoint::identity(), |acc, c| acc * x + c)
}

/// What a member does with a received envelope from `dealer`: open it, check it is for `me`
/// and matches the commitments. `Err(BadShare)` means: publish a [`Complaint`] with these bytes.
pub fn receive_share(
    setup: &BoardSetup,
    dealer: &DealerMessage,
    me: u16,
    envelope: &[u8],
) -> Result<Scalar> {
    let commitments = check_dealer(setup, dealer)?;
    let e = open_envelope(setup, envelope)?;
    if e.from != dealer.dealer || e.to != me {
        return Err(Error::Params(format!(
            "envelope from {} to {}",
            e.from, e.to
        )));
    }
    if e.commitments != dealer_fingerprint(&setup.fingerprint(), dealer) {
        return Err(Error::Params(format!(
            "envelope for other commitments of dealer {}",
            e.from
        )));
    }
    if g_mul(&e.share) != eval_commitments(&commitments, me) {
        return Err(Error::BadShare);
    }
    Ok(e.share)
}

/// The outcome of the DKG, computed from the public transcript alone.
#[derive(Debug, Clone)]
pub struct Qualified {
    /// Dealers whose contribution counts (QUAL), ascending.
    pub dealers: Vec<u16>,
    /// Dealers left out, and why (bad message, duplicate message, valid complaint).
    pub excluded: Vec<(u16, String)>,
    /// Complaints that were not valid evidence (by position), and why.
    pub ignored_complaints: Vec<(usize, String)>,
    /// Dealer messages not signed by the dealer they name (by position), and why: they prove
    /// nothing about that member and are left out.
    pub ignored_messages: Vec<(usize, String)>,
    /// A_k = Σ_{i ∈ QUAL} C_{i,k}.
    aggregate: Vec<RistrettoPoint>,
}

impl Qualified {
    /// y = Σ_{i ∈ QUAL} C_{i,0}.
    pub fn joint_key(&self) -> RistrettoPoint {
        self.aggregate[0]
    }
    /// Member j's verification key g^{x_j} = Σ_k j^k·A_k.
    pub fn verification_key(&self, j: u16) -> RistrettoPoint {
        eval_commitments(&self.aggregate, j)
    }
}

/// Determines QUAL: dealers with exactly one valid message and no valid complaint. Needs at
/// least t of them.
pub fn qualify(setup: &BoardSetup, transcript: &DkgTranscript) -> Result<Qualified> {
    setup.check()?;
    let setup_fp = setup.fingerprint();
    // Only messages signed by their dealer count as the dealer's: a message the relay made up
    // is ignored, never held against the member it names. The same signed message relayed
    // twice is one message; two different signed messages are an equivocation.
    let mut signed: BTreeMap<u16, Vec<&DealerMessage>> = BTreeMap::new();
    let mut ignored_messages = Vec::new();
    for (k, m) in transcript.dealers.iter().enumerate() {
        match check_dealer_signature(setup, &setup_fp, m) {
            Ok(()) => {
                let seen = signed.entry(m.dealer).or_default();
                if seen
                    .iter()
                    .all(|s| commitments_body(&setup_fp, s) != commitments_body(&setup_fp, m))
                {
                    seen.push(m);
                }
            }
            Err(e) => ignored_messages.push((k, e.to_string())),
        }
    }
    // Per qualified dealer: its commitments and the fingerprint of its message.
    let mut good: BTreeMap<u16, (Vec<RistrettoPoint>, [u8; 32])> = BTreeMap::new();
    let mut excluded: BTreeMap<u16, String> = BTreeMap::new();
    for (dealer, messages) in &signed {
        if messages.len() > 1 {
            excluded.insert(*dealer, "more than one message".into());
            continue;
        }
        match check_dealer_content(setup, &setup_fp, messages[0]) {
            Ok(c) => {
                good.insert(*dealer, (c, dealer_fingerprint(&setup_fp, messages[0])));
            }
            Err(e) => {
                excluded.insert(*dealer, format!("message: {e}"));
            }
        }
    }
    let mut ignored = Vec::new();
    for (k, c) in transcript.complaints.iter().enumerate() {
        let verdict = open_envelope(setup, &c.envelope.0).and_then(|e| {
            if e.to != c.accuser {
                return Err(Error::Params(
                    "envelope is not addressed to the accuser".into(),
                ));
            }
            let (com, fp) = good
                .get(&e.from)
                .ok_or_else(|| Error::Params(format!("dealer {} not in play", e.from)))?;
            if e.commitments != *fp {
                return Err(Error::Params(
                    "envelope for other commitments of this dealer".into(),
                ));
            }
            if g_mul(&e.share) == eval_commitments(com, e.to) {
                return Err(Error::Params("the share is correct".into()));
            }
            Ok(e.from)
        });
        match verdict {
            Ok(dealer) => {
                good.remove(&dealer);
                excluded.insert(dealer, format!("valid complaint by member {}", c.accuser));
            }
            Err(e) => ignored.push((k, e.to_string())),
        }
    }
    if good.len() < usize::from(setup.threshold) {
        return Err(Error::NotEnough(format!(
            "{} qualified dealers, threshold {}",
            good.len(),
            setup.threshold
        )));
    }
    let t = usize::from(setup.threshold);
    let mut aggregate = vec![RistrettoPoint::identity(); t];
    for (c, _) in good.values() {
        for (a, ck) in aggregate.iter_mut().zip(c) {
            *a += ck;
        }
    }
    if aggregate[0].is_identity() {
        return Err(Error::Identity("joint public key"));
    }
    Ok(Qualified {
        dealers: good.keys().copied().collect(),
        excluded: excluded.into_iter().collect(),
        ignored_complaints: ignored,
        ignored_messages,
        aggregate,
    })
}

/// A member's secret key share x_j = Σ_{i ∈ QUAL} f_i(j).
pub struct KeyShare {
    /// j.
    pub index: u16,
    secret: Scalar,
}

impl std::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyShare({})", self.index)
    }
}

impl Drop for KeyShare {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl KeyShare {
    /// Sums the shares received from every qualified dealer (`shares[dealer] = f_dealer(j)`,
    /// including the member's own f_j(j)), and checks the result against the public
    /// verification key.
    pub fn combine(q: &Qualified, index: u16, shares: &BTreeMap<u16, Scalar>) -> Result<Self> {
        let mut secret = Scalar::ZERO;
        for d in &q.dealers {
            secret += shares
                .get(d)
                .ok_or_else(|| Error::NotEnough(format!("no share from dealer {d}")))?;
        }
        if g_mul(&secret) != q.verification_key(index) {
            return Err(Error::BadShare);
        }
        Ok(Self { index, secret })
    }
    /// The secret (for partial decryption within the crate).
    pub(crate) fn secret(&self) -> &Scalar {
        &self.secret
    }
    /// u16 index || 32-byte scalar: for the device's encrypted storage.
    pub fn to_bytes(&self) -> [u8; 34] {
        let mut out = [0u8; 34];
        out[..2].copy_from_slice(&self.index.to_be_bytes());
        out[2..].copy_from_slice(self.secret.as_bytes());
        out
    }
    /// From [`KeyShare::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        let index = r.u16("index")?;
        let secret = r.scalar("key share")?;
        r.end("key share")?;
        Ok(Self { index, secret })
    }
}
