//! Elections in the server: the push every election event causes (the whole procedures view, to
//! everyone), a tablet's nomination, answer, request to withdraw and a counting-board member's
//! sign-off (acked after the commit), and candidates' photos kept as files beside the database
//! (only their SHA-256 is journalled, like documents).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use congress_domain::elections::{Actor, ElectionCommand};
use congress_domain::{CongressState, ElectionEvent};
use congress_proto::{ClientMsg, NewCandidate, Push, ServerMsg};
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::engine::Engine;
use crate::error::AppError;
use crate::hub::Audience;

/// Largest photo upload, in bytes.
pub const PHOTO_MAX_BYTES: usize = 4 * 1024 * 1024;
/// Longest side of a stored photo, in pixels.
pub const PHOTO_SIDE: u32 = 480;

/// The push an election event causes: the procedures view, to everyone.
pub fn push_for(state: &CongressState, _event: &ElectionEvent) -> Option<(Audience, Push)> {
    Some((
        Audience::Everyone,
        Push::Procedures {
            procedures: Box::new(congress_domain::elections::procedures(state)),
        },
    ))
}

/// Runs a tablet's election message (`nominate`, `answer_nomination`, `ask_withdrawal`,
/// `sign_tally_report`); the answer is `acked` after the commit or `refused`.
pub async fn from_tablet(engine: &Engine, caller: &Caller, msg: ClientMsg) -> ServerMsg {
    let request = msg.clone();
    let device_id = match caller {
        Caller::Device(d) => d.id.clone(),
        Caller::Operator { .. } => String::new(),
    };
    match msg {
        ClientMsg::Nominate {
            client_id,
            election_id,
            delegate_id,
        } => {
            crate::tablet::acked(engine, caller, &client_id, &request, move |me| {
                ElectionCommand::Nominate {
                    election_id,
                    candidate: NewCandidate {
                        name: String::new(),
                        delegate_id,
                        profile: String::new(),
                    },
                    by: Actor::Delegate(me),
                    nominated_by: None,
                }
            })
            .await
        }
        ClientMsg::AnswerNomination {
            client_id,
            election_id,
            candidate_id,
            consent,
        } => {
            crate::tablet::acked(engine, caller, &client_id, &request, move |me| {
                ElectionCommand::AnswerNomination {
                    election_id,
                    candidate_id,
                    consent,
                    by: Actor::Delegate(me),
                }
            })
            .await
        }
        ClientMsg::AskWithdrawal {
            client_id,
            election_id,
            candidate_id,
            reason,
        } => {
            crate::tablet::acked(engine, caller, &client_id, &request, move |me| {
                ElectionCommand::RequestWithdrawal {
                    election_id,
                    candidate_id,
                    reason,
                    by: Actor::Delegate(me),
                }
            })
            .await
        }
        ClientMsg::SignTallyReport {
            client_id,
            vote_id,
            report_sha256,
        } => {
            crate::tablet::acked(engine, caller, &client_id, &request, move |me| {
                ElectionCommand::SignReport {
                    vote_id,
                    delegate_id: me,
                    device_id,
                    report_sha256,
                }
            })
            .await
        }
        other => ServerMsg::Error {
            error: "invalid".into(),
            message: format!("not an election message: {other:?}"),
            fatal: false,
        },
    }
}

/// Where candidates' photos are kept.
pub fn photos_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("photos")
}

/// The stored photo with this SHA-256 (64 hex digits), if the name is one.
pub fn photo_path(data_dir: &Path, sha256: &str) -> Option<PathBuf> {
    (sha256.len() == 64 && sha256.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| photos_dir(data_dir).join(format!("{}.jpg", sha256.to_ascii_lowercase())))
}

/// Decodes an uploaded photo (JPEG or PNG), scales it to at most [`PHOTO_SIDE`] pixels, encodes
/// it again as JPEG (so nothing but pixels is kept: no metadata, no payload), writes it under its
/// SHA-256 and returns that. Blocking: call from a blocking thread.
pub fn store_photo(data_dir: &Path, bytes: &[u8]) -> Result<String, AppError> {
    if bytes.len() > PHOTO_MAX_BYTES {
        return Err(AppError::UploadTooLarge(PHOTO_MAX_BYTES as u64));
    }
    let format = image::guess_format(bytes)
        .map_err(|_| AppError::BadRequest("the photo is not a JPEG or PNG image".into()))?;
    if !matches!(format, image::ImageFormat::Jpeg | image::ImageFormat::Png) {
        return Err(AppError::BadRequest(
            "the photo is not a JPEG or PNG image".into(),
        ));
    }
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(8_000);
    limits.max_image_height = Some(8_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| AppError::BadRequest(format!("the photo cannot be read: {e}")))?;
    let img = if img.width() > PHOTO_SIDE || img.height() > PHOTO_SIDE {
        img.thumbnail(PHOTO_SIDE, PHOTO_SIDE)
    } else {
        img
    };
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img.to_rgb8())
        .map_err(|e| AppError::Internal(format!("cannot encode the photo: {e}")))?;
    let sha = hex::encode(Sha256::digest(&out));
    let dir = photos_dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(|e| AppError::Internal(e.to_string()))?;
    let path = dir.join(format!("{sha}.jpg"));
    if !path.is_file() {
        let tmp = dir.join(format!("{sha}.tmp"));
        let mut f = std::fs::File::create(&tmp).map_err(|e| AppError::Internal(e.to_string()))?;
        f.write_all(&out)
            .and_then(|()| f.sync_all())
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| AppError::Internal(format!("cannot store the photo: {e}")))?;
    }
    Ok(sha)
}
