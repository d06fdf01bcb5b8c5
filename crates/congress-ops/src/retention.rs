//! Retention: personal data is deleted after the congress, by a periodic task of the server
//! (`[retention]` in the configuration) or by hand (`congress purge`). Every purge is a journal
//! event, so it shows in the audit log and the minutes:
//!
//! - **Biometrics**: the face enrolments go through the same path as `purge-biometrics`
//!   (`BiometricsPurged` + deletion of the rows, one transaction).
//! - **Documents**: `DocumentsPurged` marks the versions (metadata, page counts and the journal
//!   stay, so the minutes still list them); then their stored files (the original encrypted to
//!   the storage key and the delivery copies) and the search text are deleted. The event comes
//!   first: a crash between the two leaves files that the next check deletes ([`sweep_files`]),
//!   never a document the state says is there while its file is gone. Downloads of a purged
//!   version answer 410 Gone.

use congress_domain::DocumentCommand;
use std::sync::Arc;
use std::time::Duration;

use congress_domain::Command;
use congress_domain::documents::unpurged_versions;
use congress_proto::Congress;

use congress_app::AppError;
use congress_app::config::RetentionConfig;
use congress_app::documents::DocService;
use congress_app::engine::Engine;
use congress_app::face::FaceService;

/// What the retention task needs (not the whole `AppState`, which holds the data folder's lock).
#[derive(Clone)]
pub struct Retention {
    pub engine: Engine,
    pub docs: Arc<DocService>,
    pub face: Option<Arc<FaceService>>,
    pub config: RetentionConfig,
    pub utc_offset_minutes: i32,
    pub db_path: congress_store::Db,
}

/// What is due at a moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Due {
    pub biometrics: bool,
    pub documents: bool,
}

/// What a run deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Delegates whose face enrolment was deleted.
    pub enrolments: u32,
    /// Document versions whose content was deleted.
    pub versions: u32,
    /// Files removed.
    pub files: u32,
}

/// The moment (epoch ms) `days` after the end of the congress's `ends_on` day at the hall's
/// offset; `None` if the date does not parse.
pub fn deadline(congress: &Congress, days: u32, utc_offset_minutes: i32) -> Option<i64> {
    let end_day = congress_minutes::time::parse_iso_date(&congress.ends_on)?;
    let local_midnight = (end_day + 1 + i64::from(days)) * 86_400;
    Some((local_midnight - i64::from(utc_offset_minutes) * 60) * 1000)
}

/// What is due at `now` under `cfg`.
pub fn due(
    cfg: &RetentionConfig,
    congress: Option<&Congress>,
    now: i64,
    utc_offset_minutes: i32,
) -> Due {
    let Some(c) = congress else {
        return Due::default();
    };
    let past = |days: Option<u32>| {
        days.and_then(|d| deadline(c, d, utc_offset_minutes))
            .is_some_and(|t| now >= t)
    };
    Due {
        biometrics: past(cfg.biometrics_days_after_end),
        documents: past(cfg.documents_days_after_end),
    }
}

impl Retention {
    pub fn from_app(app: &congress_app::AppState) -> Retention {
        Retention {
            engine: app.engine.clone(),
            docs: app.docs.clone(),
            face: app.face.clone(),
            config: app.config.retention.clone(),
            utc_offset_minutes: app.config.minutes.utc_offset_minutes,
            db_path: app.keys.db.clone(),
        }
    }

    /// Deletes every face enrolment and journals it (nothing is journalled when there is none).
    pub async fn purge_biometrics(&self, actor: &str) -> Result<u32, AppError> {
        let n = congress_store::SqliteStore::open(&self.db_path)?.face_enrolment_count()?;
        if n > 0 {
            congress_app::face::purge_biometrics_with(&self.engine, self.face.as_deref(), n, actor)
                .await?;
        }
        Ok(n)
    }

    /// Deletes the content of every document version still stored, journalled first.
    pub async fn purge_documents(&self, actor: &str, reason: &str) -> Result<Purged, AppError> {
        let versions = self.engine.read(unpurged_versions);
        let n = versions.len() as u32;
        if n > 0 {
            self.engine
                .run(
                    Command::Documents(DocumentCommand::PurgeDocuments {
                        versions,
                        reason: reason.to_string(),
                    }),
                    actor,
                )
                .await?;
        }
        let files = sweep_files(&self.engine, &self.docs);
        Ok(Purged {
            versions: n,
            files,
            ..Default::default()
        })
    }

    /// One check: purges what is due at the engine's clock.
    pub async fn run_once(&self) -> Result<Purged, AppError> {
        let now = self.engine.now();
        let d = self.engine.read(|s| {
            due(
                &self.config,
                s.congress.as_ref(),
                now,
                self.utc_offset_minutes,
            )
        });
        let mut out = Purged::default();
        if d.biometrics {
            out.enrolments = self.purge_biometrics("system").await?;
        }
        if d.documents {
            let p = self.purge_documents("system", "retention").await?;
            out.versions = p.versions;
            out.files = p.files;
        } else {
            out.files = sweep_files(&self.engine, &self.docs);
        }
        if out != Purged::default() {
            tracing::info!(
                enrolments = out.enrolments,
                versions = out.versions,
                files = out.files,
                "retention: expired data deleted"
            );
        }
        Ok(out)
    }
}

/// Deletes the files and search text of every purged version still on disk; returns the number
/// of files removed. Idempotent.
pub fn sweep_files(engine: &Engine, docs: &DocService) -> u32 {
    let purged: Vec<(i64, u32, bool)> = engine.read(|s| {
        s.docs
            .documents
            .values()
            .flat_map(|d| {
                let latest = d.latest().map(|v| v.version);
                d.versions
                    .iter()
                    .filter(|v| v.purged_at.is_some())
                    .map(move |v| (d.id, v.version, Some(v.version) == latest))
            })
            .collect()
    });
    let mut removed = 0;
    for (id, version, is_latest) in purged {
        let dir = docs.doc_dir(id);
        let prefix = format!("v{version}.");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with(&prefix) {
                match std::fs::remove_file(e.path()) {
                    Ok(()) => removed += 1,
                    Err(err) => {
                        tracing::warn!(path = %e.path().display(), error = %err, "cannot delete a purged file")
                    }
                }
            }
        }
        if is_latest && let Err(e) = docs.remove_from_index(id) {
            tracing::warn!(document = id, error = %e, "cannot remove purged text from the index");
        }
    }
    removed
}

/// Starts the periodic check (a thread with its own small runtime, like the other workers);
/// it stops when `shutdown` flips or its sender is gone.
pub fn start(r: Retention, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let every = Duration::from_secs(u64::from(r.config.check_minutes.max(1)) * 60);
    let spawned = std::thread::Builder::new()
        .name("congress-retention".into())
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                tracing::error!("retention: cannot start its runtime");
                return;
            };
            rt.block_on(async move {
                loop {
                    if let Err(e) = r.run_once().await {
                        tracing::error!(error = %e, "retention check failed");
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(every) => {}
                        c = shutdown.changed() => if c.is_err() || *shutdown.borrow() { break },
                    }
                }
            });
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the retention task");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use congress_proto::QuorumRule;

    #[test]
    fn deadlines_count_from_the_end_of_the_last_day_at_the_hall() {
        let c = Congress {
            name: "x".into(),
            venue: "y".into(),
            starts_on: "2026-12-01".into(),
            ends_on: "2026-12-03".into(),
            convened: 3,
            quorum: QuorumRule::default(),
        };
        // 2026-12-04 00:00 at UTC+7 = 2026-12-03 17:00 UTC.
        let end = deadline(&c, 0, 420).unwrap();
        assert_eq!(
            congress_minutes::time::date_time(end, 0),
            "2026-12-03 17:00"
        );
        let cfg = RetentionConfig {
            biometrics_days_after_end: Some(0),
            documents_days_after_end: Some(30),
            check_minutes: 60,
        };
        assert_eq!(due(&cfg, Some(&c), end - 1, 420), Due::default());
        assert_eq!(
            due(&cfg, Some(&c), end, 420),
            Due {
                biometrics: true,
                documents: false
            }
        );
        let later = end + 30 * 86_400_000;
        assert!(due(&cfg, Some(&c), later, 420).documents);
        assert_eq!(
            due(&RetentionConfig::default(), Some(&c), later, 420),
            Due::default()
        );
        assert_eq!(due(&cfg, None, later, 420), Due::default());
        let bad = Congress {
            ends_on: "someday".into(),
            ..c
        };
        assert_eq!(due(&cfg, Some(&bad), later, 420), Due::default());
    }
}
