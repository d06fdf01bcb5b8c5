//! Transport security: the congress certificate authority and the server certificate.
//!
//! At first start the server creates a CA for this congress (`data/tls/ca.key`, mode 0600, never
//! served; `data/tls/ca.pem`, public, served at `/ca.pem`) and a server certificate signed by it
//! for every address of this machine (interface addresses, the hostname, `localhost`,
//! `127.0.0.1`, `::1`). The server certificate is made again when the address set changes or it
//! has less than [`RENEW_BEFORE_DAYS`] left; the CA stays for the life of the congress, so a
//! tablet trusts the CA once. Certificates are served through [`CertResolver`], which a
//! background task ([`Tls::refresh`]) can swap without a restart.
//!
//! Devices install the CA as a trusted root, so it is bounded (issue 13, finding 3): name
//! constraints (critical) permit only the hall server's own names and networks ([`Scope`]), and
//! it is valid for a congress ([`DEFAULT_CA_DAYS`], `tls_ca_days`), not for years. A CA made
//! before has neither: it is kept (devices trust it) with a warning at every start; moving the
//! `tls` folder away makes a bounded one, which every device must then trust anew.

mod scope;

pub use scope::{Permit, Scope};

use std::collections::BTreeSet;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use congress_keys::FileKey;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// How long a new CA is valid unless the configuration says otherwise (`tls_ca_days`): the
/// preparation, the congress and its aftermath, not years.
pub const DEFAULT_CA_DAYS: u32 = 90;
/// The longest CA validity the configuration may ask for.
pub const MAX_CA_DAYS: u32 = 400;
/// A CA with less than this left is warned about at every start.
pub const CA_WARN_DAYS: i64 = 14;
/// How long a server certificate is valid.
pub const SERVER_DAYS: i64 = 397;
/// A server certificate with less than this left is made again.
pub const RENEW_BEFORE_DAYS: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("certificate: {0}")]
    Cert(#[from] rcgen::Error),
    #[error("TLS: {0}")]
    Rustls(#[from] rustls::Error),
    #[error(
        "{path} is damaged: {reason}; move the tls folder away to make a new CA (every tablet must then trust the new one)"
    )]
    Damaged { path: String, reason: String },
    #[error(transparent)]
    Key(#[from] congress_keys::KeyError),
    #[error("tls_ca_days is {0}: a congress CA is valid from 1 to {MAX_CA_DAYS} days")]
    CaDays(u32),
    #[error("tls_names: {0}")]
    Names(String),
}

/// The configuration of the congress CA and the server certificate's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaOptions {
    /// Days a new CA is valid (`tls_ca_days`).
    pub days: u32,
    /// More names and networks (`tls_names`, see [`Permit::parse`]): a DNS name or an address
    /// is put in the server certificate and permitted by a new CA; a network (CIDR) is only
    /// permitted by a new CA (the hall's network, when the CA is made elsewhere).
    pub names: Vec<String>,
}

impl Default for CaOptions {
    fn default() -> Self {
        CaOptions {
            days: DEFAULT_CA_DAYS,
            names: Vec::new(),
        }
    }
}

/// Purposes the private keys are sealed for (bound into their encryption).
const CA_KEY: &str = "tls-ca-key";
const SERVER_KEY: &str = "tls-server-key";

/// Reads a sealed private key (PEM), sealing it in place when it was still in clear.
fn read_key(files: &FileKey, path: &Path, purpose: &str) -> Result<String, TlsError> {
    let opened = files.read(path, purpose)?;
    let pem = String::from_utf8(opened.bytes.to_vec()).map_err(|_| TlsError::Damaged {
        path: path.display().to_string(),
        reason: "not text".into(),
    })?;
    if opened.needs_sealing {
        files.write(path, purpose, pem.as_bytes())?;
        tracing::info!(path = %path.display(), "sealed a private key written before encryption at rest");
    }
    Ok(pem)
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> TlsError + '_ {
    move |source| TlsError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// `tls = "on" | "off"` in the configuration (`CONGRESS_TLS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    #[default]
    On,
    Off,
}

impl std::str::FromStr for TlsMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "1" => Ok(TlsMode::On),
            "off" | "false" | "0" => Ok(TlsMode::Off),
            other => Err(format!("expected on or off, not {other:?}")),
        }
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, with `mode` (Unix).
fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), TlsError> {
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts.open(&tmp).map_err(io_err(&tmp))?;
    // The mode of an existing temporary file is not changed by `open`: set it explicitly.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(io_err(&tmp))?;
    }
    f.write_all(bytes).map_err(io_err(&tmp))?;
    f.sync_all().map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

/// The SHA-256 fingerprint of a DER certificate, as browsers show it (`AB:CD:…`).
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn hostname() -> Option<String> {
    for p in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
        if let Ok(s) = std::fs::read_to_string(p) {
            let s = s.trim().to_ascii_lowercase();
            if !s.is_empty() {
                return Some(s);
            }
        }
    }
    None
}

/// The names a server certificate must cover: every interface address (IPv6 link-local ones
/// need a zone and cannot be in a certificate), the listen address when it is a specific one,
/// the hostname (and `HOST.local` for mDNS), `localhost`, `127.0.0.1` and `::1`.
pub fn server_names(listen: IpAddr) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = ["localhost", "127.0.0.1", "::1"]
        .into_iter()
        .map(String::from)
        .collect();
    if !listen.is_unspecified() {
        names.insert(listen.to_string());
    }
    match if_addrs::get_if_addrs() {
        Ok(ifaces) => {
            for i in ifaces {
                let ip = i.ip();
                let link_local_v6 =
                    matches!(ip, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80);
                if !link_local_v6 {
                    names.insert(ip.to_string());
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot list the network interfaces"),
    }
    if let Some(h) = hostname()
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        if !h.contains('.') {
            names.insert(format!("{h}.local"));
        }
        names.insert(h);
    }
    names
}

/// How a new CA is made: its validity and what it may vouch for.
#[derive(Debug, Clone)]
pub struct CaSpec {
    pub days: u32,
    pub scope: Scope,
}

/// The congress CA: its certificate (public) and key (kept in the data folder, 0600).
pub struct Ca {
    pub cert_pem: String,
    pub cert_der: CertificateDer<'static>,
    key: KeyPair,
    pub path: PathBuf,
    /// The end of its validity.
    pub not_after: OffsetDateTime,
    /// What its name constraints permit; `None` for a CA made before they existed.
    pub scope: Option<Scope>,
}

impl Ca {
    /// Loads the CA from `dir`, or creates it by `spec` when neither file exists. Its key is
    /// sealed with `files`. A CA on disk is kept as it is (devices trust it), with a warning
    /// when it has no name constraints or nears its end.
    pub fn load_or_create(dir: &Path, files: &FileKey, spec: &CaSpec) -> Result<Ca, TlsError> {
        let key_path = dir.join("ca.key");
        let cert_path = dir.join("ca.pem");
        match (key_path.exists(), cert_path.exists()) {
            (true, true) => {
                let key_pem = read_key(files, &key_path, CA_KEY)?;
                let cert_pem = std::fs::read_to_string(&cert_path).map_err(io_err(&cert_path))?;
                let key = KeyPair::from_pem(&key_pem).map_err(|e| TlsError::Damaged {
                    path: key_path.display().to_string(),
                    reason: e.to_string(),
                })?;
                let der = pem_to_der(&cert_pem).ok_or_else(|| TlsError::Damaged {
                    path: cert_path.display().to_string(),
                    reason: "not a PEM certificate".into(),
                })?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = std::fs::metadata(&key_path)
                        .map_err(io_err(&key_path))?
                        .permissions()
                        .mode();
                    if mode & 0o077 != 0 {
                        tracing::warn!(path = %key_path.display(), "the CA key was readable by others; setting mode 0600");
                        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600))
                            .map_err(io_err(&key_path))?;
                    }
                }
                let damaged = |reason: String| TlsError::Damaged {
                    path: cert_path.display().to_string(),
                    reason,
                };
                let scope = Scope::of_cert(&der).map_err(damaged)?;
                let not_after = x509_parser::parse_x509_certificate(&der)
                    .map_err(|e| damaged(e.to_string()))?
                    .1
                    .validity()
                    .not_after
                    .to_datetime();
                let ca = Ca {
                    cert_pem,
                    cert_der: der,
                    key,
                    path: cert_path,
                    not_after,
                    scope,
                };
                ca.warn_if_unbounded();
                Ok(ca)
            }
            (false, false) => {
                let key = KeyPair::generate()?;
                let mut params = CertificateParams::default();
                let mut dn = DistinguishedName::new();
                let host = hostname().unwrap_or_else(|| "congress".into());
                dn.push(DnType::OrganizationName, "Paperless congress");
                dn.push(DnType::CommonName, format!("Congress CA ({host})"));
                params.distinguished_name = dn;
                params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
                params.name_constraints = Some(spec.scope.name_constraints());
                params.key_usages = vec![
                    KeyUsagePurpose::KeyCertSign,
                    KeyUsagePurpose::CrlSign,
                    KeyUsagePurpose::DigitalSignature,
                ];
                let now = OffsetDateTime::now_utc();
                params.not_before = now - Duration::days(1);
                params.not_after = now + Duration::days(i64::from(spec.days));
                let cert = params.self_signed(&key)?;
                files.write(&key_path, CA_KEY, key.serialize_pem().as_bytes())?;
                write_file(&cert_path, cert.pem().as_bytes(), 0o644)?;
                tracing::info!(
                    path = %cert_path.display(),
                    not_after = %params.not_after,
                    permits = ?spec.scope.permits(),
                    "created the congress certificate authority"
                );
                Ok(Ca {
                    cert_pem: cert.pem(),
                    cert_der: cert.der().clone(),
                    key,
                    path: cert_path,
                    not_after: params.not_after,
                    scope: Some(spec.scope.clone()),
                })
            }
            _ => Err(TlsError::Damaged {
                path: dir.display().to_string(),
                reason: "one of ca.key and ca.pem is missing".into(),
            }),
        }
    }

    pub fn sha256(&self) -> String {
        fingerprint(&self.cert_der)
    }

    /// The names of `names` this CA may vouch for (all of them for a CA without constraints),
    /// and those it may not: a server certificate with one name outside would fail on every
    /// device.
    pub fn cover(&self, names: BTreeSet<String>) -> (BTreeSet<String>, BTreeSet<String>) {
        match &self.scope {
            None => (names, BTreeSet::new()),
            Some(scope) => names.into_iter().partition(|n| scope.allows(n)),
        }
    }

    /// Warns when the CA has no name constraints (made before issue 13, finding 3) or nears its
    /// end of validity.
    fn warn_if_unbounded(&self) {
        if self.scope.is_none() {
            tracing::warn!(
                path = %self.path.display(),
                "the congress CA has no name constraints (made by an older version): a device that trusts it would trust any site it signs. Before the next congress move the tls folder away to make a bounded CA, and have every device trust the new one"
            );
        }
        let left = (self.not_after - OffsetDateTime::now_utc()).whole_days();
        if left < CA_WARN_DAYS {
            tracing::warn!(
                path = %self.path.display(),
                not_after = %self.not_after,
                "the congress CA ends in {left} days: move the tls folder away to make a new one, and have every device trust the new one"
            );
        }
    }
}

fn pem_to_der(pem: &str) -> Option<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes()).ok()
}

/// What `server.json` remembers about the server certificate on disk.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct ServerMeta {
    names: BTreeSet<String>,
    not_after: i64,
    ca_sha256: String,
}

/// The server certificate for `names`, signed by `ca`: the one on disk when it still fits,
/// otherwise a new one (written to disk). Returns the key and whether it was made anew.
pub fn server_cert(
    dir: &Path,
    ca: &Ca,
    names: &BTreeSet<String>,
    files: &FileKey,
) -> Result<(CertifiedKey, bool), TlsError> {
    let cert_path = dir.join("server.pem");
    let key_path = dir.join("server.key");
    let meta_path = dir.join("server.json");
    let now = OffsetDateTime::now_utc();
    let fits = std::fs::read(&meta_path)
        .ok()
        .and_then(|b| serde_json::from_slice::<ServerMeta>(&b).ok())
        .is_some_and(|m| {
            &m.names == names
                && m.ca_sha256 == ca.sha256()
                && (m.not_after - now.unix_timestamp() > RENEW_BEFORE_DAYS * 86_400
                    // A new one would end no later: the CA's end bounds it.
                    || m.not_after >= ca.not_after.unix_timestamp())
        });
    if fits
        && let (Ok(cert_pem), Ok(key_pem)) = (
            std::fs::read_to_string(&cert_path),
            read_key(files, &key_path, SERVER_KEY),
        )
        && let Some(der) = pem_to_der(&cert_pem)
        && let Ok(key) = certified(der, &key_pem)
    {
        return Ok((key, false));
    }
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(names.iter().cloned().collect::<Vec<_>>())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Paperless congress");
    dn.push(
        DnType::CommonName,
        hostname().unwrap_or_else(|| "congress".into()),
    );
    params.distinguished_name = dn;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params.not_before = now - Duration::days(1);
    // Never longer than the CA that signs it.
    params.not_after = (now + Duration::days(SERVER_DAYS)).min(ca.not_after);
    let issuer = Issuer::from_ca_cert_der(&ca.cert_der, &ca.key)?;
    let cert = params.signed_by(&key, &issuer)?;
    let key_pem = key.serialize_pem();
    files.write(&key_path, SERVER_KEY, key_pem.as_bytes())?;
    write_file(&cert_path, cert.pem().as_bytes(), 0o644)?;
    let meta = ServerMeta {
        names: names.clone(),
        not_after: params.not_after.unix_timestamp(),
        ca_sha256: ca.sha256(),
    };
    write_file(
        &meta_path,
        serde_json::to_string_pretty(&meta)
            .unwrap_or_default()
            .as_bytes(),
        0o644,
    )?;
    tracing::info!(names = ?names, "made a server certificate");
    Ok((certified(cert.der().clone(), &key_pem)?, true))
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn certified(der: CertificateDer<'static>, key_pem: &str) -> Result<CertifiedKey, TlsError> {
    use rustls::pki_types::pem::PemObject;
    let key =
        PrivatePkcs8KeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| TlsError::Damaged {
            path: "server.key".into(),
            reason: e.to_string(),
        })?;
    Ok(CertifiedKey::from_der(
        vec![der],
        PrivateKeyDer::Pkcs8(key),
        &provider(),
    )?)
}

/// Hands rustls the current server certificate; [`Tls::refresh`] swaps it.
#[derive(Debug)]
pub struct CertResolver(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for CertResolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.read().ok().map(|k| k.clone())
    }
}

fn warn_outside(outside: &BTreeSet<String>) {
    if !outside.is_empty() {
        tracing::warn!(
            names = ?outside,
            "these names are outside the congress CA's scope and are left out of the server certificate; devices must use another of its names (or list the hall's network in tls_names before the CA is made)"
        );
    }
}

/// Everything the server needs for HTTPS.
pub struct Tls {
    pub ca: Ca,
    pub dir: PathBuf,
    listen: IpAddr,
    /// Names and addresses of `tls_names` the server certificate holds besides its own.
    extra_names: BTreeSet<String>,
    /// The names of the current server certificate: the only hosts the plain-HTTP port
    /// redirects to.
    names: RwLock<BTreeSet<String>>,
    resolver: Arc<CertResolver>,
    pub acceptor: tokio_rustls::TlsAcceptor,
    files: FileKey,
}

impl Tls {
    /// Loads or creates the CA (by `options` when new) and the server certificate in
    /// `data_dir/tls`.
    pub fn open(
        data_dir: &Path,
        listen: SocketAddr,
        files: &FileKey,
        options: &CaOptions,
    ) -> Result<Tls, TlsError> {
        if !(1..=MAX_CA_DAYS).contains(&options.days) {
            return Err(TlsError::CaDays(options.days));
        }
        let extra: Vec<Permit> = options
            .names
            .iter()
            .map(|n| Permit::parse(n))
            .collect::<Result<_, _>>()
            .map_err(TlsError::Names)?;
        let extra_names: BTreeSet<String> = options
            .names
            .iter()
            .map(|n| n.trim().to_ascii_lowercase())
            .filter(|n| !n.contains('/'))
            .collect();
        let dir = data_dir.join("tls");
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                .map_err(io_err(&dir))?;
        }
        let mut names = server_names(listen.ip());
        names.extend(extra_names.iter().cloned());
        let spec = CaSpec {
            days: options.days,
            scope: Scope::of_hall(listen.ip(), &names, &extra),
        };
        let ca = Ca::load_or_create(&dir, files, &spec)?;
        let (names, outside) = ca.cover(names);
        warn_outside(&outside);
        let (key, _) = server_cert(&dir, &ca, &names, files)?;
        let resolver = Arc::new(CertResolver(RwLock::new(Arc::new(key))));
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(resolver.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            ca,
            dir,
            listen: listen.ip(),
            extra_names,
            names: RwLock::new(names),
            resolver,
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            files: files.clone(),
        })
    }

    /// Makes a new server certificate when the addresses changed or it nears expiry; returns
    /// whether it did.
    pub fn refresh(&self) -> Result<bool, TlsError> {
        let mut names = server_names(self.listen);
        names.extend(self.extra_names.iter().cloned());
        let (names, outside) = self.ca.cover(names);
        let (key, fresh) = server_cert(&self.dir, &self.ca, &names, &self.files)?;
        if fresh {
            warn_outside(&outside);
        }
        if fresh && let Ok(mut cur) = self.resolver.0.write() {
            *cur = Arc::new(key);
        }
        if let Ok(mut cur) = self.names.write() {
            *cur = names;
        }
        Ok(fresh)
    }

    /// Whether `host` (a name or an address, IPv6 with or without brackets, any case) is one of
    /// the server certificate's names: the plain-HTTP port redirects only to those (issue 13,
    /// finding 14), never to whatever a request's `Host` header says.
    pub fn serves(&self, host: &str) -> bool {
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        self.names
            .read()
            .is_ok_and(|n| n.iter().any(|name| name.eq_ignore_ascii_case(host)))
    }

    /// Checks the addresses every few minutes for the life of the process.
    pub fn start_refresh(self: &Arc<Self>) {
        let me = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(tls) = me.upgrade() else { return };
                match tokio::task::spawn_blocking(move || tls.refresh()).await {
                    Ok(Ok(true)) => tracing::info!("the server certificate was renewed"),
                    Ok(Ok(false)) => {}
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "cannot renew the server certificate")
                    }
                    Err(_) => return,
                }
            }
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// A CA of the default validity for this machine's names.
    fn spec() -> CaSpec {
        let listen: IpAddr = "0.0.0.0".parse().unwrap();
        CaSpec {
            days: DEFAULT_CA_DAYS,
            scope: Scope::of_hall(listen, &server_names(listen), &[]),
        }
    }

    #[test]
    fn the_ca_is_made_once_and_the_server_cert_follows_the_names() {
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::load_or_create(dir.path(), &FileKey::plain(), &spec()).unwrap();
        let again = Ca::load_or_create(dir.path(), &FileKey::plain(), &spec()).unwrap();
        assert_eq!(ca.sha256(), again.sha256());
        let names: BTreeSet<String> = ["localhost", "127.0.0.1"].map(String::from).into();
        let (_, fresh) = server_cert(dir.path(), &ca, &names, &FileKey::plain()).unwrap();
        assert!(fresh);
        let (_, fresh) = server_cert(dir.path(), &ca, &names, &FileKey::plain()).unwrap();
        assert!(!fresh, "same names: the certificate on disk is reused");
        let more: BTreeSet<String> = ["localhost", "127.0.0.1", "10.0.0.5"]
            .map(String::from)
            .into();
        let (_, fresh) = server_cert(dir.path(), &ca, &more, &FileKey::plain()).unwrap();
        assert!(fresh, "a new address makes a new certificate");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for f in ["ca.key", "server.key"] {
                let mode = std::fs::metadata(dir.path().join(f))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600, "{f}");
            }
        }
    }

    #[test]
    fn a_half_missing_ca_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        Ca::load_or_create(dir.path(), &FileKey::plain(), &spec()).unwrap();
        std::fs::remove_file(dir.path().join("ca.key")).unwrap();
        let err = Ca::load_or_create(dir.path(), &FileKey::plain(), &spec())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("missing"), "{err}");
    }

    /// Verifies `der` for `name` with rustls's WebPKI verifier, `ca` the only root.
    fn verify(ca: &Ca, der: &CertificateDer<'static>, name: &str) -> Result<(), rustls::Error> {
        use rustls::client::danger::ServerCertVerifier;
        use rustls::pki_types::{ServerName, UnixTime};
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.cert_der.clone()).unwrap();
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            provider(),
        )
        .build()
        .unwrap();
        verifier
            .verify_server_cert(
                der,
                &[],
                &ServerName::try_from(name.to_string()).unwrap(),
                &[],
                UnixTime::now(),
            )
            .map(|_| ())
    }

    /// A certificate for `names` signed with the CA's key directly, as a thief of the key would.
    fn forged(ca: &Ca, names: &[&str]) -> CertificateDer<'static> {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        params.is_ca = IsCa::ExplicitNoCa;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let issuer = Issuer::from_ca_cert_der(&ca.cert_der, &ca.key).unwrap();
        params.signed_by(&key, &issuer).unwrap().der().clone()
    }

    /// Issue 13, finding 3: devices install the congress CA as a trusted root, so whoever holds
    /// its key must not be able to vouch for a public web site through it.
    #[test]
    fn the_congress_ca_cannot_vouch_for_a_public_web_domain() {
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::load_or_create(dir.path(), &FileKey::plain(), &spec()).unwrap();
        let own = forged(&ca, &["localhost", "127.0.0.1"]);
        verify(&ca, &own, "localhost").expect("the server's own name verifies");
        verify(&ca, &own, "127.0.0.1").expect("loopback verifies");
        let google = forged(&ca, &["www.google.com"]);
        let err = verify(&ca, &google, "www.google.com").expect_err("a public domain is refused");
        assert!(format!("{err:?}").contains("NameConstraint"), "{err:?}");
        let ip = forged(&ca, &["8.8.8.8"]);
        assert!(
            verify(&ca, &ip, "8.8.8.8").is_err(),
            "a public address is refused"
        );
    }

    #[test]
    fn a_loaded_ca_keeps_its_scope_and_covers_only_its_names() {
        let dir = tempfile::tempdir().unwrap();
        let made = Ca::load_or_create(dir.path(), &FileKey::plain(), &spec()).unwrap();
        let loaded = Ca::load_or_create(dir.path(), &FileKey::plain(), &spec()).unwrap();
        assert_eq!(
            made.scope, loaded.scope,
            "the scope is read back from the certificate"
        );
        assert_eq!(
            made.not_after.unix_timestamp(),
            loaded.not_after.unix_timestamp()
        );
        let names: BTreeSet<String> = ["localhost", "127.0.0.1", "www.google.com", "8.8.8.8"]
            .map(String::from)
            .into();
        let (covered, outside) = loaded.cover(names);
        assert_eq!(
            covered,
            ["localhost", "127.0.0.1"].map(String::from).into(),
            "names outside the CA's scope stay out of the server certificate"
        );
        assert_eq!(
            outside,
            ["www.google.com", "8.8.8.8"].map(String::from).into()
        );
    }

    #[test]
    fn configured_names_reach_the_ca_and_the_certificate_and_bad_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let listen: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let options = CaOptions {
            days: 30,
            names: vec!["congress.lan".into(), "10.20.0.0/16".into()],
        };
        let tls = Tls::open(dir.path(), listen, &FileKey::plain(), &options).unwrap();
        assert!(
            tls.serves("congress.lan"),
            "a configured name is in the certificate"
        );
        assert!(!tls.serves("10.20.0.0/16"), "a network is not a name");
        let scope = tls.ca.scope.clone().unwrap();
        assert!(scope.allows("10.20.7.7") && scope.allows("congress.lan"));
        assert!(!scope.allows("www.google.com"));
        let days = (tls.ca.not_after - OffsetDateTime::now_utc()).whole_days();
        assert!((29..=30).contains(&days), "{days}");
        for bad in [
            CaOptions {
                days: 0,
                names: vec![],
            },
            CaOptions {
                days: 30,
                names: vec!["*.google.com".into()],
            },
        ] {
            let other = tempfile::tempdir().unwrap();
            let err = Tls::open(other.path(), listen, &FileKey::plain(), &bad)
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains("tls_"), "{err}");
        }
    }

    /// Issue 13, finding 3: the CA is valid for about a congress, not ten years.
    #[test]
    fn the_congress_ca_is_valid_for_a_congress_not_a_decade() {
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::load_or_create(dir.path(), &FileKey::plain(), &spec()).unwrap();
        let (_, cert) = x509_parser::parse_x509_certificate(&ca.cert_der).unwrap();
        let validity = cert.validity();
        let days = (validity.not_after.timestamp() - validity.not_before.timestamp()) / 86_400;
        assert!(days <= 92, "the CA is valid for {days} days");
    }

    #[test]
    fn names_include_loopback_and_localhost() {
        let n = server_names("0.0.0.0".parse().unwrap());
        for want in ["localhost", "127.0.0.1", "::1"] {
            assert!(n.contains(want), "{n:?}");
        }
    }
}
