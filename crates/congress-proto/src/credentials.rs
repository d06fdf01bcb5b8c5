//! The congress's own procedures, first part: delegates' credentials (status, substitutes, the
//! composition the delegate list carries, the credentials committee's report) and the bodies the
//! congress elects by approving a list (presidium, secretariat, credentials committee, counting
//! board).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a delegate's credentials stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CredentialStatus {
    /// Not examined yet: the delegate sits and votes meanwhile.
    Pending,
    /// Recognised by the credentials committee.
    Recognised,
    /// Questioned: the delegate sits and votes until the congress decides.
    Contested,
    /// Not recognised: the seat is withdrawn (convened goes down by one); no check-in, no vote.
    NotRecognised,
    /// Replaced by a substitute delegate, who took the seat.
    Replaced,
}

impl CredentialStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialStatus::Pending => "pending",
            CredentialStatus::Recognised => "recognised",
            CredentialStatus::Contested => "contested",
            CredentialStatus::NotRecognised => "not_recognised",
            CredentialStatus::Replaced => "replaced",
        }
    }

    /// Whether a delegate with this status may be checked in and vote.
    pub fn may_sit(self) -> bool {
        !matches!(
            self,
            CredentialStatus::NotRecognised | CredentialStatus::Replaced
        )
    }
}

/// The composition fields a delegate list may carry (each optional, as the CSV gives them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Composition {
    pub gender: Option<String>,
    pub age_band: Option<String>,
    pub ethnicity: Option<String>,
    /// E.g. the level of the unit (province, district, commune).
    pub level: Option<String>,
    pub sector: Option<String>,
}

impl Composition {
    /// The fields in report order, with their stable names.
    pub const FIELDS: [&'static str; 5] = ["gender", "age_band", "ethnicity", "level", "sector"];

    /// The value of field `name` (one of [`Composition::FIELDS`]).
    pub fn get(&self, name: &str) -> Option<&str> {
        match name {
            "gender" => self.gender.as_deref(),
            "age_band" => self.age_band.as_deref(),
            "ethnicity" => self.ethnicity.as_deref(),
            "level" => self.level.as_deref(),
            "sector" => self.sector.as_deref(),
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        Self::FIELDS.iter().all(|f| self.get(f).is_none())
    }
}

/// A delegate's composition, as imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DelegateComposition {
    pub delegate_id: String,
    pub composition: Composition,
}

/// One delegate's credentials as the console sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialInfo {
    pub delegate_id: String,
    pub status: CredentialStatus,
    /// Why (required for every decision).
    pub reason: Option<String>,
    /// `operator:NAME` who recorded the decision.
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    /// The substitute who took this delegate's seat.
    pub replaced_by: Option<String>,
    /// For a substitute: whose seat they took.
    pub substitute_for: Option<String>,
    pub composition: Composition,
}

/// `POST /api/credentials/decide`: one decision for one or more delegates (e.g. "recognise
/// every delegate examined today").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecideCredentials {
    pub client_id: String,
    /// 1 to 2,000 delegate ids.
    pub delegate_ids: Vec<String>,
    /// `recognised`, `contested` or `not_recognised` (a substitute is seated with
    /// `POST /api/credentials/substitute`).
    pub status: CredentialStatus,
    pub reason: String,
}

/// The substitute delegate who takes a seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSubstitute {
    /// A new delegate id (letters, digits, '-', '_').
    pub id: String,
    pub full_name: String,
    pub unit: String,
    #[serde(default)]
    pub composition: Composition,
}

/// `POST /api/credentials/substitute`: a substitute takes `replaced`'s seat, group, tablet and
/// document audience; the replaced delegate can no longer check in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SeatSubstitute {
    pub client_id: String,
    pub replaced: String,
    pub substitute: NewSubstitute,
    pub reason: String,
}

/// Counts for one value of one composition field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompositionRow {
    /// The value as the list gives it; empty when the list has none for these delegates.
    pub value: String,
    /// Delegates who hold a seat (not withdrawn, not replaced).
    pub seated: u32,
    pub present: u32,
    pub recognised: u32,
}

/// One composition field of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompositionTable {
    /// `gender`, `age_band`, `ethnicity`, `level` or `sector`.
    pub field: String,
    pub rows: Vec<CompositionRow>,
}

/// The credentials committee's report, generated from the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialsReport {
    pub congress: String,
    /// Delegates convened as the congress was defined.
    pub convened_defined: u32,
    /// Convened now: less the seats withdrawn (credentials not recognised).
    pub convened: u32,
    /// Delegates holding a seat (substitutes included, replaced and withdrawn excluded).
    pub seated: u32,
    pub present: u32,
    pub recognised: u32,
    pub pending: u32,
    pub contested: u32,
    pub not_recognised: u32,
    pub replaced: u32,
    /// Substitutes who took a seat.
    pub substitutes: u32,
    /// Quorum now.
    pub quorum: crate::QuorumState,
    /// Only fields the list carries.
    pub composition: Vec<CompositionTable>,
    /// Delegates whose credentials are contested, not recognised or replaced, with the reason.
    pub exceptions: Vec<CredentialInfo>,
    /// The vote on the report, once put to the congress.
    pub vote_id: Option<u64>,
    /// Whether the congress adopted it (once the vote closed).
    pub adopted: Option<bool>,
    /// When these numbers were taken.
    pub at: i64,
}

/// `POST /api/credentials/report/vote`: put the report to an open vote of the congress, linked
/// to an agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PutReportToVote {
    pub client_id: String,
    /// The motion's title as delegates read it.
    pub title: String,
    pub item_id: Option<String>,
}

/// `GET /api/credentials`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialsOverview {
    /// Every delegate's credentials, by delegate id.
    pub records: Vec<CredentialInfo>,
    pub report: CredentialsReport,
}

/// A body the congress elects by approving a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Body {
    Presidium,
    Secretariat,
    CredentialsCommittee,
    /// Ban kiểm phiếu: counts the secret ballots and signs the report (and, with encrypted
    /// ballots, holds the tally key together).
    CountingBoard,
}

impl Body {
    pub const ALL: [Body; 4] = [
        Body::Presidium,
        Body::Secretariat,
        Body::CredentialsCommittee,
        Body::CountingBoard,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Body::Presidium => "presidium",
            Body::Secretariat => "secretariat",
            Body::CredentialsCommittee => "credentials_committee",
            Body::CountingBoard => "counting_board",
        }
    }
}

/// A member's role in a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BodyRole {
    /// Chairs the body (trưởng ban, chủ tịch đoàn).
    Head,
    Deputy,
    Secretary,
    Member,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BodyMember {
    pub delegate_id: String,
    pub role: BodyRole,
}

/// Where a body's list stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BodyStatus {
    /// Put to the vote, not decided yet.
    Proposed,
    Approved,
    /// The congress did not approve the list; a new one may be proposed.
    Rejected,
}

/// A body as clients see it (members only count once approved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BodyInfo {
    pub body: Body,
    pub members: Vec<BodyMember>,
    pub status: BodyStatus,
    /// The vote on the list.
    pub vote_id: u64,
    pub decided_at: Option<i64>,
}

/// `POST /api/bodies`: propose a body's list and put it to an open vote in one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProposeBody {
    pub client_id: String,
    pub body: Body,
    /// 1 to 100 delegates, each once.
    pub members: Vec<BodyMember>,
    /// The motion's title as delegates read it.
    pub title: String,
    pub item_id: Option<String>,
}
