//! Configuration: one TOML file (every key optional), then `CONGRESS_*` environment overrides,
//! then command-line flags. The defaults run the demo.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on (HTTPS unless `tls = "off"`). The demo listens on loopback; a hall
    /// server on `0.0.0.0:443` or `0.0.0.0:8443`.
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
    /// The minutes (`[minutes]` table).
    pub minutes: MinutesConfig,
    /// How long biometric data and documents are kept (`[retention]` table).
    pub retention: RetentionConfig,
    /// HTTPS and WSS with the congress CA (`on`, the default) or plain HTTP (`off`: tests and
    /// benchmarks on loopback). `CONGRESS_TLS`.
    pub tls: congress_transport::tls::TlsMode,
    /// How many days a new congress CA is valid (1 to 400; 90 by default): devices trust it as a
    /// root, so it should not outlive the congress (issue 13, finding 3). A CA already in
    /// `data_dir/tls` keeps its own validity. `CONGRESS_TLS_CA_DAYS`.
    pub tls_ca_days: u32,
    /// More names and networks for HTTPS (`CONGRESS_TLS_NAMES`, comma-separated): a DNS name
    /// (e.g. the hall router's `congress.lan`) or an address goes into the server certificate
    /// and is permitted by a new CA; a network in CIDR (`10.20.0.0/16`) is only permitted by a
    /// new CA — the hall's network when the data folder is prepared elsewhere.
    pub tls_names: Vec<String>,
    /// With TLS on: a plain-HTTP listener that only redirects to HTTPS (308) and serves the
    /// public CA certificate at `/ca.pem`; `"off"` for none. `CONGRESS_HTTP_REDIRECT_LISTEN`.
    pub http_redirect_listen: RedirectListen,
    /// Connections served at once (each tablet holds one); more are answered 503 at once.
    /// `CONGRESS_MAX_CONNECTIONS`.
    pub max_connections: usize,
    /// Rate limits and timeouts (`[limits]` table; see [`congress_transport::limits::LimitsConfig`]).
    pub limits: congress_transport::limits::LimitsConfig,
    /// Scheduled online backups (`[backup]`; run by `congress-ops`).
    pub backup: BackupConfig,
    /// Encryption of the data folder (`[at_rest]`; see `docs/security.md`).
    pub at_rest: crate::keys::AtRestConfig,
    /// A secret vote can be created only once the counting board's key exists, so every secret
    /// ballot is encrypted on the tablets (`docs/ballot-crypto.md`); without it (the default, for
    /// a congress that elects no counting board) a secret vote created before the key falls back
    /// to the ballot box the server seals. `CONGRESS_SECRET_NEEDS_BOARD`.
    pub secret_needs_board: bool,
    /// How the data folder's key is unlocked: never in the file, only from the prompt,
    /// `CONGRESS_PASSPHRASE` or `CONGRESS_SHARES`. Taken out when the server opens.
    #[serde(skip)]
    pub unlock: Option<congress_keys::Unlock>,
}

/// `[minutes]`: rendering the minutes.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MinutesConfig {
    /// Headless Chromium used to print the minutes to PDF (`CONGRESS_CHROMIUM`).
    pub chromium: PathBuf,
    /// The hall's time zone as minutes east of UTC (Vietnam: 420), for the times in the minutes
    /// and the retention deadlines.
    pub utc_offset_minutes: i32,
    /// A PDF that takes longer is abandoned (the Chromium process is killed).
    pub pdf_timeout_seconds: u64,
}

impl Default for MinutesConfig {
    fn default() -> Self {
        MinutesConfig {
            chromium: PathBuf::from("/usr/bin/chromium"),
            utc_offset_minutes: 420,
            pdf_timeout_seconds: 60,
        }
    }
}

/// `[retention]`: what is deleted, and when, after the congress. Days count from the end of the
/// congress's `ends_on` day (midnight at the hall's offset). A key left out keeps that data
/// until it is purged by hand (`congress purge`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Face enrolments (embeddings and photos) are deleted this many days after the end.
    pub biometrics_days_after_end: Option<u32>,
    /// Document contents (encrypted files, delivery copies, search text) are deleted this many
    /// days after the end; titles, versions and the journal stay.
    pub documents_days_after_end: Option<u32>,
    /// How often the server checks, in minutes.
    pub check_minutes: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            biometrics_days_after_end: None,
            documents_days_after_end: None,
            check_minutes: 60,
        }
    }
}

/// An address for the plain-HTTP redirect listener, or `"off"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedirectListen(pub Option<SocketAddr>);

impl std::str::FromStr for RedirectListen {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "off" | "" => Ok(RedirectListen(None)),
            a => a
                .parse()
                .map(|a| RedirectListen(Some(a)))
                .map_err(|e| format!("{e} (an address like 0.0.0.0:80, or \"off\")")),
        }
    }
}

impl<'de> Deserialize<'de> for RedirectListen {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            data_dir: PathBuf::from("data"),
            web_root: PathBuf::from("."),
            max_body_bytes: 1024 * 1024,
            session_hours: 12,
            pairing_code_minutes: 15,
            resume_window: 8192,
            upload_max_bytes: 512 * 1024 * 1024,
            face_check_in: crate::face::FaceMode::Auto,
            face: congress_face::FaceConfig::default(),
            minutes: MinutesConfig::default(),
            retention: RetentionConfig::default(),
            tls: congress_transport::tls::TlsMode::On,
            tls_ca_days: congress_transport::tls::DEFAULT_CA_DAYS,
            tls_names: Vec::new(),
            http_redirect_listen: RedirectListen(Some(SocketAddr::from(([127, 0, 0, 1], 8080)))),
            max_connections: 4000,
            limits: congress_transport::limits::LimitsConfig::default(),
            backup: BackupConfig::default(),
            at_rest: crate::keys::AtRestConfig::default(),
            secret_needs_board: false,
            unlock: None,
        }
    }
}

/// `[backup]` in the configuration.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// Where scheduled backups go (another disk); none: no scheduled backups.
    pub dir: Option<PathBuf>,
    /// Seconds between scheduled backups (a backup is skipped when nothing was journalled).
    pub interval_s: u64,
    /// How many backups to keep (older ones are deleted).
    pub keep: usize,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig {
            dir: None,
            interval_s: 300,
            keep: 24,
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
        if let Some(v) = env("CONGRESS_CHROMIUM") {
            self.minutes.chromium = PathBuf::from(v);
        }
        if let Some(v) = env("CONGRESS_TLS") {
            self.tls = parse("CONGRESS_TLS", v)?;
        }
        if let Some(v) = env("CONGRESS_TLS_CA_DAYS") {
            self.tls_ca_days = parse("CONGRESS_TLS_CA_DAYS", v)?;
        }
        if let Some(v) = env("CONGRESS_TLS_NAMES") {
            self.tls_names = v
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .collect();
        }
        if let Some(v) = env("CONGRESS_HTTP_REDIRECT_LISTEN") {
            self.http_redirect_listen = parse("CONGRESS_HTTP_REDIRECT_LISTEN", v)?;
        }
        if let Some(v) = env("CONGRESS_MAX_CONNECTIONS") {
            self.max_connections = parse("CONGRESS_MAX_CONNECTIONS", v)?;
        }
        if let Some(v) = env("CONGRESS_MAX_CONNECTIONS_PER_ADDRESS") {
            self.limits.max_connections_per_address =
                parse("CONGRESS_MAX_CONNECTIONS_PER_ADDRESS", v)?;
        }
        if let Some(v) = env("CONGRESS_SOCKETS_PER_DEVICE") {
            self.limits.sockets_per_device = parse("CONGRESS_SOCKETS_PER_DEVICE", v)?;
        }
        if let Some(v) = env("CONGRESS_SOCKETS_PER_SESSION") {
            self.limits.sockets_per_session = parse("CONGRESS_SOCKETS_PER_SESSION", v)?;
        }
        if let Some(v) = env("CONGRESS_LOGIN_PER_MINUTE") {
            self.limits.login_per_minute = parse("CONGRESS_LOGIN_PER_MINUTE", v)?;
        }
        if let Some(v) = env("CONGRESS_PAIR_PER_MINUTE") {
            self.limits.pair_per_minute = parse("CONGRESS_PAIR_PER_MINUTE", v)?;
        }
        if let Some(v) = env("CONGRESS_PAIR_FAILURES_PER_MINUTE") {
            self.limits.pair_failures_per_minute = parse("CONGRESS_PAIR_FAILURES_PER_MINUTE", v)?;
        }
        if let Some(v) = env("CONGRESS_BACKUP_DIR") {
            self.backup.dir = (!v.is_empty()).then(|| PathBuf::from(v));
        }
        if let Some(v) = env("CONGRESS_BACKUP_INTERVAL_S") {
            self.backup.interval_s = parse("CONGRESS_BACKUP_INTERVAL_S", v)?;
        }
        if let Some(v) = env("CONGRESS_SECRET_NEEDS_BOARD") {
            self.secret_needs_board = parse("CONGRESS_SECRET_NEEDS_BOARD", v)?;
        }
        if let Some(v) = env("CONGRESS_AT_REST") {
            self.at_rest.encryption = parse("CONGRESS_AT_REST", v)?;
        }
        if let Some(v) = env("CONGRESS_SHARES").filter(|v| !v.trim().is_empty()) {
            self.unlock = Some(crate::keys::parse_shares(&v));
        }
        if let Some(v) = env("CONGRESS_PASSPHRASE").filter(|v| !v.is_empty()) {
            self.unlock = Some(congress_keys::Unlock::Passphrase(
                congress_keys::Passphrase::new(v),
            ));
        }
        Ok(())
    }

    pub fn database_path(&self) -> PathBuf {
        crate::keys::database_path(&self.data_dir)
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
        assert_eq!(cfg.minutes, MinutesConfig::default());
        assert_eq!(cfg.retention, RetentionConfig::default());
        let on = Config::parse(
            "[retention]\nbiometrics_days_after_end = 30\ndocuments_days_after_end = 365\n",
        )
        .unwrap();
        assert_eq!(on.retention.biometrics_days_after_end, Some(30));
        assert_eq!(on.retention.documents_days_after_end, Some(365));
        assert!(Config::parse("[retention]\nbiometrics_days = 3\n").is_err());
        assert_eq!(
            cfg,
            Config::default(),
            "congress.example.toml documents the defaults"
        );
    }

    #[test]
    fn tls_and_redirect_parse() {
        let cfg = Config::parse("tls = \"off\"\nhttp_redirect_listen = \"off\"").unwrap();
        assert_eq!(cfg.tls, congress_transport::tls::TlsMode::Off);
        assert_eq!(cfg.http_redirect_listen, RedirectListen(None));
        assert!(Config::parse("tls = \"maybe\"").is_err());
        assert!(Config::parse("http_redirect_listen = \"nowhere\"").is_err());
        let env = |k: &str| (k == "CONGRESS_TLS").then(|| "off".to_string());
        assert_eq!(
            Config::load(None, env).unwrap().tls,
            congress_transport::tls::TlsMode::Off
        );
        assert_eq!(cfg.backup, BackupConfig::default());
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
