//! Votes in the server: what clients see of a vote, the pushes vote events cause, the ballot
//! from a tablet's websocket, and the coalesced live turnout. Encrypted secret votes (ballots
//! encrypted on the tablets to the counting board's key) have their own services in
//! [`encrypted`].

pub mod encrypted;
pub mod proofs;

use congress_domain::VoteCommand;
use std::collections::HashMap;
use std::time::Duration;

use congress_domain::vote::Secrecy;
use congress_domain::vote::lifecycle::{BallotRequest, VoteRecord};
use congress_domain::{CongressState, DomainError, VoteEvent};
use congress_proto::{AttendanceStatus, BallotAck, BallotChoice, Push, VoteInfo, VoteLive};

use crate::auth::sha256_hex;
use crate::engine::{Engine, Idempotency};
use crate::error::AppError;
use crate::hub::{Audience, Frame};

/// A vote as a client sees it; `delegate` is the tablet's delegate.
pub fn info(rec: &VoteRecord, delegate: Option<&str>) -> VoteInfo {
    let (voted, my_receipt) = match delegate {
        Some(d) => (
            Some(rec.has_voted(d)),
            rec.open_ballots.get(d).map(|(r, _)| r.clone()),
        ),
        None => (None, None),
    };
    VoteInfo {
        spec: rec.spec.clone(),
        phase: rec.phase,
        duration_s: rec.duration_s,
        cast: rec.cast(),
        result: rec.result.clone(),
        voted,
        my_receipt,
        encryption: rec.encrypted.as_ref().map(encrypted::encryption_of),
    }
}

/// Votes a client may see: tablets do not see drafts.
pub fn visible_votes(
    state: &CongressState,
    delegate: Option<&str>,
    operator: bool,
) -> Vec<VoteInfo> {
    state
        .votes
        .values()
        .filter(|v| operator || v.phase != congress_domain::vote::lifecycle::VotePhase::Draft)
        .map(|v| info(v, delegate))
        .collect()
}

/// The push a vote event causes (ballots cause none: turnout is coalesced, see [`start_live`]).
pub fn push_for(state: &CongressState, event: &VoteEvent) -> Option<(Audience, Push)> {
    let (id, audience) = match event {
        VoteEvent::VoteCreated { spec, .. } => (spec.id.0, Audience::Consoles),
        VoteEvent::VoteOpened { vote_id, .. }
        | VoteEvent::VoteClosed { vote_id, .. }
        | VoteEvent::EncryptedVoteClosed { vote_id, .. }
        | VoteEvent::EncryptedTallyRecorded { vote_id, .. }
        | VoteEvent::PartialDecryptionAccepted { vote_id, .. }
        | VoteEvent::EncryptedResultDeclared { vote_id, .. } => (*vote_id, Audience::Everyone),
        VoteEvent::EncryptedBallotRejected {
            vote_id,
            tracker,
            reason,
        } => {
            let delegate = state
                .votes
                .get(vote_id)?
                .encrypted
                .as_ref()?
                .rejected_from
                .get(tracker)?
                .clone();
            return Some((
                Audience::Delegate(delegate),
                Push::BallotRejected {
                    vote_id: *vote_id,
                    tracker: tracker.clone(),
                    reason: reason.clone(),
                },
            ));
        }
        _ => return None,
    };
    let rec = state.votes.get(&id)?;
    Some((
        audience,
        Push::Vote {
            vote: Box::new(info(rec, None)),
        },
    ))
}

/// The receipt of a ballot: derived from the tablet's random ballot id, so a retry gets the same
/// one and nothing stored elsewhere can be joined to it.
pub fn receipt(vote_id: u64, client_id: &str) -> String {
    let h = sha256_hex(&format!("receipt\n{vote_id}\n{client_id}"));
    h[..10].to_ascii_uppercase()
}

/// Casts a ballot from a tablet; resolves once it is on disk.
pub async fn cast(
    engine: &Engine,
    actor: String,
    delegate_id: &str,
    client_id: String,
    vote_id: u64,
    choice: BallotChoice,
) -> Result<BallotAck, AppError> {
    if client_id.len() < 16 || client_id.len() > 100 || !client_id.is_ascii() {
        return Err(AppError::BadJson(
            "a ballot's client_id must be 16 to 100 random ASCII characters".into(),
        ));
    }
    let choice_json =
        serde_json::to_string(&choice).map_err(|e| AppError::Internal(e.to_string()))?;
    let secret = engine.read(|s| {
        s.votes
            .get(&vote_id)
            .map(|v| v.spec.secrecy == Secrecy::Secret)
    });
    let receipt = receipt(vote_id, &client_id);
    let req = BallotRequest {
        vote_id,
        delegate_id: delegate_id.to_string(),
        choice,
        receipt: receipt.clone(),
        id_hash: sha256_hex(&format!("ballot-id\n{vote_id}\n{client_id}")),
        check_hash: sha256_hex(&format!(
            "ballot-check\n{vote_id}\n{client_id}\n{choice_json}"
        )),
    };
    // Open votes use the engine's idempotency; secret votes must not store the ballot id next to
    // the actor, so the domain recognises their retries by the participation hashes instead.
    let idem = match secret {
        Some(false) => Some(Idempotency {
            client_id: format!("ballot:{client_id}"),
            request_hash: sha256_hex(&format!("{actor}\n{vote_id}\n{choice_json}")),
        }),
        _ => None,
    };
    let ack = BallotAck {
        client_id,
        vote_id,
        receipt,
        tracker: None,
    };
    engine
        .execute(VoteCommand::CastBallot(req), actor, idem, move |_| ack)
        .await
}

/// A stable code and message for a refused ballot.
pub fn refusal(e: &AppError) -> (String, String) {
    let code = match e {
        AppError::Domain(DomainError::Vote(v)) => v.code(),
        AppError::Conflict(_) => "conflict",
        other => other.code(),
    };
    (code.to_string(), e.to_string())
}

/// How often live turnout is sent at most.
pub const LIVE_EVERY: Duration = Duration::from_millis(300);

fn live_of(state: &CongressState, rec: &VoteRecord) -> VoteLive {
    let present = state.summary().present;
    let counts = if rec.spec.show_running_tally {
        rec.result
            .as_ref()
            .map(|r| r.counts.clone())
            .or_else(|| Some(rec.count(congress_domain::vote::apply_basis(state)).counts))
    } else {
        None
    };
    let not_voted = (rec.spec.secrecy == Secrecy::Open).then(|| {
        state
            .attendance
            .values()
            .filter(|a| a.status == AttendanceStatus::Present && !rec.has_voted(&a.delegate_id))
            .map(|a| a.delegate_id.clone())
            .collect::<Vec<_>>()
    });
    VoteLive {
        vote_id: rec.spec.id.0,
        cast: rec.cast(),
        present,
        counts,
        not_voted,
    }
}

/// Starts the thread that sends the live turnout of open votes to operators (with who has not
/// voted) and the public turnout to tablets and the projector, at most every [`LIVE_EVERY`] and
/// only when it changed.
pub fn start_live(engine: Engine) {
    let _ = std::thread::Builder::new()
        .name("congress-vote-live".into())
        .spawn(move || {
            let mut last: HashMap<u64, VoteLive> = HashMap::new();
            loop {
                std::thread::sleep(LIVE_EVERY);
                let lives: Vec<VoteLive> = engine.read(|s| {
                    s.votes
                        .values()
                        .filter(|v| v.is_open())
                        .map(|v| live_of(s, v))
                        .collect()
                });
                for live in lives {
                    if last.get(&live.vote_id) == Some(&live) {
                        continue;
                    }
                    last.insert(live.vote_id, live.clone());
                    let public = VoteLive {
                        not_voted: None,
                        ..live.clone()
                    };
                    engine.hub.publish_live(vec![
                        Frame::live(Audience::Consoles, live),
                        Frame::live(Audience::Screens, public),
                    ]);
                }
            }
        });
}
