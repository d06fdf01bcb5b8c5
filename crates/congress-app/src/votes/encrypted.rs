//! Encrypted secret votes in the server (`docs/ballot-crypto.md`): a tablet's encrypted ballot
//! (its proofs verified off the engine's thread, before or just after the ack: `super::proofs`),
//! the tally worker that verifies and sums the ballots of a
//! closed vote, a board member's partial decryption, and the vote's bulletin board (everything a
//! delegate or observer needs to check the count with `congress verify-election`).
//!
//! The server holds ciphertexts, proofs, signatures and trackers, never a choice.

use std::time::Duration;

use base64::Engine as _;
use congress_ballot::{
    BOARD_VERSION, Ballot, Board, BoardBallot, Hex32, PartialDecryption, SignedBallot, Tracker,
    VoteParams, WireCiphertext,
};
use congress_domain::VoteCommand;
use congress_domain::vote::encrypted::{EncryptedVote, Rejected};
use congress_domain::vote::lifecycle::VoteError;
use congress_proto::{BallotAck, Secrecy, ServerMsg, VoteEncryption};
use congress_store::{Db, JournalReader};

use crate::auth::Caller;
use crate::engine::Engine;
use crate::error::AppError;
use crate::votes::proofs::ProofChecker;

/// A ballot larger than this is refused before it is decoded (a 250-slot election ballot is
/// about 60 KB in base64).
pub const MAX_BALLOT_B64: usize = 256 * 1024;

/// What a tablet needs to encrypt to the vote, and the decryption's progress.
pub fn encryption_of(e: &EncryptedVote) -> VoteEncryption {
    VoteEncryption {
        setup: serde_json::to_string(&e.setup).unwrap_or_default(),
        joint_key: hex::encode(e.joint_key),
        vote_key: e.vote_key.clone(),
        options: e.question.options,
        blank: e.question.blank,
        min: e.question.min,
        max: e.question.max,
        tally: e.tally.as_ref().and_then(|t| serde_json::to_string(t).ok()),
        decrypted_by: e.partials.keys().copied().collect(),
        counted: e.tally.as_ref().map(|_| e.counted),
    }
}

/// With `secret_needs_board`, a secret vote waits for the counting board's key (otherwise it
/// would fall back to the ballot box the server seals).
pub fn may_create(
    engine: &Engine,
    secret_needs_board: bool,
    secrecy: Secrecy,
) -> Result<(), AppError> {
    if secrecy == Secrecy::Secret && secret_needs_board && engine.read(|s| s.board.key.is_none()) {
        return Err(AppError::Conflict(
            congress_domain::vote::lifecycle::VoteError::NoBoardKey.to_string(),
        ));
    }
    Ok(())
}

/// A 32-byte key from its hex form.
fn parse_key(hex_key: &str) -> Option<[u8; 32]> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(hex_key, &mut key).ok()?;
    Some(key)
}

fn bad(why: impl Into<String>) -> AppError {
    AppError::Domain(congress_domain::DomainError::Vote(
        congress_domain::vote::lifecycle::VoteError::Encryption(why.into()),
    ))
}

/// The tablet's voting credential (registered at pairing).
fn credential_of(caller: &Caller) -> Result<[u8; 32], AppError> {
    let Caller::Device(d) = caller else {
        return Err(AppError::Forbidden);
    };
    let c = d.credential.as_deref().ok_or_else(|| {
        bad("this tablet has no voting credential: pair it again with the current app")
    })?;
    parse_key(c).ok_or_else(|| bad("the tablet's credential is malformed"))
}

/// Casts a tablet's encrypted ballot; resolves once it is on disk. Its proofs are verified
/// before the ack when a core is free, else just after it (`proofs`). A retry of the same
/// ballot (same bytes) gets the same answer, even after the close.
pub async fn cast(
    engine: &Engine,
    proofs: &ProofChecker,
    caller: &Caller,
    delegate_id: &str,
    client_id: String,
    vote_id: u64,
    ballot_b64: &str,
) -> Result<BallotAck, AppError> {
    if client_id.len() < 16 || client_id.len() > 100 || !client_id.is_ascii() {
        return Err(AppError::BadJson(
            "a ballot's client_id must be 16 to 100 random ASCII characters".into(),
        ));
    }
    if ballot_b64.len() > MAX_BALLOT_B64 {
        return Err(bad("the ballot is too large"));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(ballot_b64)
        .map_err(|_| bad("the ballot is not base64"))?;
    let credential = credential_of(caller)?;
    let tracker = Tracker::of(&bytes);
    let ack = BallotAck {
        client_id,
        vote_id,
        receipt: tracker.short(),
        tracker: Some(tracker.hex()),
    };
    // Under the engine's lock only what is cheap to copy: the context is made (or found) after.
    let found = engine.read(|s| {
        let e = s.votes.get(&vote_id)?.encrypted.as_ref()?;
        Some(match e.ballots.get(&tracker.hex()) {
            Some(b) if b.delegate_id == delegate_id => None,
            _ => Some((
                e.fingerprint,
                e.setup.clone(),
                e.joint_key,
                e.vote_key.clone(),
                e.question,
            )),
        })
    });
    let ctx = match found {
        // Not an encrypted vote (or none): say which, as the domain would.
        None => {
            let why = engine.read(|s| match s.votes.get(&vote_id) {
                None => VoteError::UnknownVote(vote_id),
                Some(_) => VoteError::NotEncrypted,
            });
            return Err(AppError::Domain(why.into()));
        }
        // This very ballot was accepted before: a retry.
        Some(None) => return Ok(ack),
        Some(Some((fingerprint, setup, key, vote_key, question))) => proofs
            .context(fingerprint, || {
                congress_domain::vote::encrypted::context(&setup, &key, &vote_key, question)
            })
            .map_err(|e| AppError::Domain(e.into()))?,
    };
    // Structure and signature off the engine's thread: the engine only compares.
    let checked = bytes.clone();
    let signed = tokio::task::spawn_blocking(move || SignedBallot::check(&checked))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| bad(format!("the ballot: {e}")))?;
    let later = match proofs.verify_now(&ctx, &bytes).await {
        Ok(true) => None,
        Ok(false) => Some((ctx, bytes)),
        Err(why) => return Err(bad(why)),
    };
    let ack = engine
        .execute(
            VoteCommand::CastEncrypted {
                vote_id,
                delegate_id: delegate_id.to_string(),
                credential,
                ballot: Box::new(signed),
            },
            caller.actor(),
            None,
            move |_| ack,
        )
        .await?;
    if let Some((ctx, bytes)) = later {
        proofs.verify_later(ctx, bytes, vote_id, tracker.hex());
    }
    Ok(ack)
}

/// A board member's partial decryption from its tablet (`submit_partial`).
pub async fn partial_from_tablet(
    engine: &Engine,
    caller: &Caller,
    client_id: &str,
    vote_id: u64,
    partial: &str,
) -> ServerMsg {
    let parsed: Result<PartialDecryption, _> = serde_json::from_str(partial);
    let request = ("submit_partial", vote_id, partial);
    match parsed {
        Ok(partial) => {
            crate::tablet::acked(engine, caller, client_id, &request, |delegate_id| {
                VoteCommand::SubmitPartial {
                    vote_id,
                    delegate_id,
                    partial,
                }
            })
            .await
        }
        Err(e) => crate::board::bad_json(client_id, "partial decryption", e),
    }
}

/// How often the tally worker looks for closed encrypted votes.
const TALLY_POLL: Duration = Duration::from_millis(250);

/// Starts the worker that, for every closed encrypted vote without a tally, verifies every
/// ballot again (all cores), sums the valid ones and records the tally (with the ballots that
/// failed, which do not count). Survives a restart: a vote closed before a crash is tallied
/// when the server is back.
pub fn start_tally_worker(engine: Engine, db: Db) -> Result<(), AppError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    std::thread::Builder::new()
        .name("congress-tally".into())
        .spawn(move || {
            crate::background::lower_this_thread();
            loop {
                std::thread::sleep(TALLY_POLL);
                let due: Vec<u64> = engine.read(|s| {
                    s.votes
                        .iter()
                        .filter(|(_, v)| {
                            v.encrypted
                                .as_ref()
                                .is_some_and(|e| e.closed_with.is_some() && e.tally.is_none())
                        })
                        .map(|(id, _)| *id)
                        .collect()
                });
                for vote_id in due {
                    if let Err(e) = tally_one(&engine, &rt, &db, vote_id) {
                        tracing::error!(vote_id, error = %e, "tallying an encrypted vote failed");
                        std::thread::sleep(Duration::from_secs(2));
                    }
                }
            }
        })
        .map_err(|e| AppError::Internal(format!("cannot start the tally worker: {e}")))?;
    Ok(())
}

fn tally_one(
    engine: &Engine,
    rt: &tokio::runtime::Runtime,
    db: &Db,
    vote_id: u64,
) -> Result<(), AppError> {
    let Some(ctx) = engine.read(|s| {
        s.votes
            .get(&vote_id)
            .and_then(|v| v.encrypted.as_ref())
            .map(|e| e.context())
    }) else {
        return Ok(());
    };
    let ctx = ctx.map_err(|e| AppError::Domain(e.into()))?;
    let stored = JournalReader::open(db)?.encrypted_ballots(vote_id)?;
    let (tally, rejected) = verify_and_sum(&ctx, &stored);
    rt.block_on(engine.execute(
        VoteCommand::RecordTally {
            vote_id,
            tally,
            rejected,
        },
        "server".to_string(),
        None,
        |_| (),
    ))
}

/// Verifies every stored ballot and sums those that verify.
fn verify_and_sum(
    ctx: &congress_ballot::VoteContext,
    stored: &[(String, Vec<u8>)],
) -> (Vec<WireCiphertext>, Vec<Rejected>) {
    let mut rejected = Vec::new();
    let mut ballots = Vec::with_capacity(stored.len());
    for (tracker, bytes) in stored {
        match Ballot::from_bytes(bytes) {
            Ok(b) => ballots.push((tracker, b)),
            Err(e) => rejected.push(Rejected {
                tracker: tracker.clone(),
                reason: format!("the ballot: {e}"),
            }),
        }
    }
    loop {
        let refs: Vec<&Ballot> = ballots.iter().map(|(_, b)| b).collect();
        match congress_ballot::verify_and_tally(ctx, &refs, 0) {
            Ok(sum) => {
                return (sum.iter().map(WireCiphertext::from).collect(), rejected);
            }
            Err(bad) => {
                let mut drop: Vec<usize> = bad.iter().map(|(i, _)| *i).collect();
                drop.sort_unstable();
                drop.dedup();
                if drop.iter().any(|i| *i >= ballots.len()) {
                    // A verifier thread failed: retry on one thread.
                    let one = congress_ballot::verify_and_tally(ctx, &refs, 1);
                    if let Ok(sum) = one {
                        return (sum.iter().map(WireCiphertext::from).collect(), rejected);
                    }
                    continue;
                }
                for (i, e) in bad {
                    if let Some((t, _)) = ballots.get(i) {
                        rejected.push(Rejected {
                            tracker: (*t).clone(),
                            reason: e.to_string(),
                        });
                    }
                }
                for i in drop.into_iter().rev() {
                    ballots.remove(i);
                }
            }
        }
    }
}

/// The vote's bulletin board: every ballot (by tracker), the tally, the partial decryptions and
/// the counts, with the board's key ceremony, in `congress_ballot::Board` form. Available once
/// the result is declared.
pub fn bulletin_board(engine: &Engine, db: &Db, vote_id: u64) -> Result<Board, AppError> {
    let (e, dkg, credentials) = engine.read(|s| {
        let e = s
            .votes
            .get(&vote_id)
            .and_then(|v| v.encrypted.clone())
            .ok_or_else(|| AppError::NotFound(format!("no encrypted vote {vote_id}")))?;
        if s.board.setup.as_ref() != Some(&e.setup) {
            return Err(AppError::Conflict(
                "a newer counting board replaced this vote's: its ceremony is in the journal"
                    .into(),
            ));
        }
        let mut credentials: Vec<[u8; 32]> = s
            .devices
            .values()
            .filter_map(|d| d.device.credential.as_deref())
            .filter_map(parse_key)
            .collect();
        credentials.sort_unstable();
        credentials.dedup();
        Ok((e, s.board.transcript(), credentials))
    })?;
    let counts = e
        .counts
        .clone()
        .ok_or_else(|| AppError::Conflict("the vote is not decrypted yet".into()))?;
    let ballots = JournalReader::open(db)?
        .encrypted_ballots(vote_id)?
        .into_iter()
        .map(|(_, bytes)| {
            Ballot::from_bytes(&bytes)
                .map(|b| BoardBallot::from(&b))
                .map_err(|err| AppError::Internal(format!("a stored ballot: {err}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Board {
        version: BOARD_VERSION,
        setup: e.setup.clone(),
        dkg,
        joint_public_key: Hex32(e.joint_key),
        vote: VoteParams {
            vote_id: e.vote_key.clone(),
            question: e.question,
        },
        credentials: credentials.into_iter().map(Hex32).collect(),
        participation: ballots.len() as u64,
        ballots,
        tally: e.tally.clone().unwrap_or_default(),
        partials: e.partials.values().cloned().collect(),
        result: counts,
    })
}
