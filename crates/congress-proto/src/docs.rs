//! Documents: metadata, versions, delivery to tablets, search. The content itself never
//! appears here; it travels as age ciphertext over `GET /api/documents/{id}/versions/{v}/content`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Who may read a document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DocAudience {
    /// Every delegate.
    AllDelegates,
    /// Members of the presidium only.
    Presidium,
    /// The delegates of one discussion group (`Delegate.group`).
    Group { group: String },
}

/// The copy of a version served to tablets: encrypted once to all allowed recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocDelivery {
    /// Ciphertext size in bytes.
    pub size: u64,
    /// Strong ETag of the ciphertext (quotes included).
    pub etag: String,
    /// The tablets (device ids) whose recipients it is encrypted to.
    pub devices: Vec<String>,
    pub at: i64,
}

/// One version of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocVersion {
    pub version: u32,
    /// Display file name (sanitised).
    pub file_name: String,
    /// Plaintext size in bytes.
    pub size: u64,
    pub pages: u32,
    /// Pages whose text differs from the previous version (None for the first version).
    pub changed_pages: Option<u32>,
    pub uploaded_at: i64,
    pub uploaded_by: String,
    /// None until the delivery copy is made.
    pub delivery: Option<DocDelivery>,
    /// When the content was deleted under the retention rules (metadata stays; downloads
    /// answer 410 Gone).
    #[serde(default)]
    pub purged_at: Option<i64>,
}

/// A document and its versions (newest last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Document {
    pub id: i64,
    pub title: String,
    pub agenda_item_id: Option<String>,
    pub audience: DocAudience,
    pub versions: Vec<DocVersion>,
}

impl Document {
    pub fn latest(&self) -> Option<&DocVersion> {
        self.versions.last()
    }
}

/// A tablet fetched (started downloading) a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocFetch {
    pub document_id: i64,
    pub version: u32,
    pub device_id: String,
    pub at: i64,
}

/// What the console sees about a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentAdmin {
    pub document: Document,
    pub fetches: Vec<DocFetch>,
}

/// Answer to an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadAck {
    pub seq: u64,
    pub document: Document,
}

/// Metadata change (title, agenda item, audience) of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateDocument {
    pub title: String,
    pub agenda_item_id: Option<String>,
    pub audience: DocAudience,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnippetPart {
    pub text: String,
    pub highlight: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    pub document_id: i64,
    pub title: String,
    pub version: u32,
    pub page: u32,
    pub snippet: Vec<SnippetPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    pub query: String,
    pub hits: Vec<SearchHit>,
}
