//! Transport security as the console shows it: what a tablet or kiosk must trust.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `GET /api/tls`: whether the server speaks HTTPS, and the congress CA a device must trust.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TlsInfo {
    /// `false` when the server runs with `tls = "off"` (plain HTTP).
    pub enabled: bool,
    /// SHA-256 of the CA certificate (DER), as `AB:CD:…`, to compare on the device.
    pub ca_sha256: Option<String>,
    /// Where the CA certificate can be downloaded (`/ca.pem`; also on the plain-HTTP port).
    pub ca_url: Option<String>,
    /// The plain-HTTP port that redirects to HTTPS and serves `/ca.pem`, if any.
    pub http_port: Option<u16>,
}
