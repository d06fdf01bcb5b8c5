//! Configuration: one TOML file (every key optional), then `CONGRESS_*` environment overrides,
//! then command-line flags. The defaults run the demo.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on. The demo listens on loopback; a hall server on `0.0.0.0:8080`.
    pub listen: SocketAddr,
    /// Where the database (and later documents, keys, backups) live.
    pub data_dir: PathBuf,
    /// The repository root: web apps are served from `console/dist`, `tablet-app/dist`,
    /// `kiosk/dist` under it.
    pub web_root: PathBuf,
    /// Largest accepted request body, in bytes (uploads have their own limit).
    pub max_body_bytes: usize,
    /// How long an operator stays logged in.
    pub session_hours: u32,
    /// How long a pairing code stays valid.
    pub pairing_code_minutes: u32,
    /// Pushes kept for clients that reconnect; older clients get a snapshot.
    pub resume_window: usize,
    /// Largest document upload in bytes (`CONGRESS_UPLOAD_MAX_BYTES`).
    pub upload_max_bytes: u64,
    /// Face check-in at the kiosks: `auto` (on when the model files are present), `on`
    /// (a missing or corrupt model stops the server with the fix), `off`.
    pub face_check_in: crate::face::FaceMode,
    /// The face pipeline (`[face]` table; see `congress_face::FaceConfig`).
    pub face: congress_face::FaceConfig,
    /// Scheduled online backups (`[backup]`; see `crate::backup`).
    pub backup: crate::backup::BackupConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            web_root: PathBuf::from("."),
            max_body_bytes: 1024 * 1024,
            session_hours: 12,
            pairing_code_minutes: 15,
            resume_window: 8192,
            upload_max_bytes: 512 * 1024 * 1024,
            face_check_in: crate::face::FaceMode::Auto,
            face: congress_face::FaceConfig::default(),
            backup: crate::backup::BackupConfig::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path} is invalid: {source}")]
    Parse {
        path: String,
        source: Box<toml::de::Error>,
    },
    #[error("environment variable {name}={value:?} is invalid: {reason}")]
    Env {
        name: &'static str,
        value: String,
        reason: String,
    },
}

impl Config {
    /// Reads `path` (if given), then applies environment overrides from `env`.
    pub fn load(
        path: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut cfg = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.display().to_string(),
                    source,
                })?;
                Self::parse(&text).map_err(|source| ConfigError::Parse {
                    path: p.display().to_string(),
                    source: Box::new(source),
                })?
            }
            None => Config::default(),
        };
        cfg.apply_env(env)?;
        Ok(cfg)
    }

    pub fn parse(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(name: &'static str, v: String) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            v.parse().map_err(|e: T::Err| ConfigError::Env {
                name,
                reason: e.to_string(),
                value: v,
            })
        }
        if let Some(v) = env("CONGRESS_LISTEN") {
            self.listen = parse("CONGRESS_LISTEN", v)?;
        }
        if let Some(v) = env("CONGRESS_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = env("CONGRESS_WEB_ROOT") {
            self.web_root = PathBuf::from(v);
        }
        if let Some(v) = env("CONGRESS_MAX_BODY_BYTES") {
            self.max_body_bytes = parse("CONGRESS_MAX_BODY_BYTES", v)?;
        }
        if let Some(v) = env("CONGRESS_SESSION_HOURS") {
            self.session_hours = parse("CONGRESS_SESSION_HOURS", v)?;
        }
        if let Some(v) = env("CONGRESS_FACE") {
            self.face_check_in = parse("CONGRESS_FACE", v)?;
        }
        if let Some(v) = env("CONGRESS_MODELS_DIR") {
            self.face.models_dir = PathBuf::from(v);
        }
        if let Some(v) = env("CONGRESS_PAIRING_CODE_MINUTES") {
            self.pairing_code_minutes = parse("CONGRESS_PAIRING_CODE_MINUTES", v)?;
        }
        if let Some(v) = env("CONGRESS_UPLOAD_MAX_BYTES") {
            self.upload_max_bytes = parse("CONGRESS_UPLOAD_MAX_BYTES", v)?;
        }
        if let Some(v) = env("CONGRESS_BACKUP_DIR") {
            self.backup.dir = (!v.is_empty()).then(|| PathBuf::from(v));
        }
        if let Some(v) = env("CONGRESS_BACKUP_INTERVAL_S") {
            self.backup.interval_s = parse("CONGRESS_BACKUP_INTERVAL_S", v)?;
        }
        Ok(())
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("congress.sqlite")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn example_file_parses_and_equals_the_defaults_it_documents() {
        let text = include_str!("../../../congress.example.toml");
        let cfg = Config::parse(text).unwrap();
        assert_eq!(cfg.max_body_bytes, Config::default().max_body_bytes);
        assert_eq!(cfg.session_hours, 12);
        assert_eq!(cfg.backup, crate::backup::BackupConfig::default());
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(Config::parse("listn = \"1.2.3.4:5\"").is_err());
    }

    #[test]
    fn environment_overrides_the_file() {
        let env = |k: &str| match k {
            "CONGRESS_LISTEN" => Some("0.0.0.0:9000".to_string()),
            "CONGRESS_DATA_DIR" => Some("/tmp/x".to_string()),
            _ => None,
        };
        let cfg = Config::load(None, env).unwrap();
        assert_eq!(cfg.listen.port(), 9000);
        assert_eq!(cfg.data_dir, PathBuf::from("/tmp/x"));
        let bad = |k: &str| (k == "CONGRESS_SESSION_HOURS").then(|| "soon".to_string());
        let err = Config::load(None, bad).unwrap_err().to_string();
        assert!(err.contains("CONGRESS_SESSION_HOURS"), "{err}");
    }
}
