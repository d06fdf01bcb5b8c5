//! Why a command is refused: the errors every feature shares, and one variant per feature that
//! has its own error type. [`DomainError::status`] and [`DomainError::code`] are what clients
//! see (the server turns them into HTTP statuses and websocket refusals without knowing the
//! features).

use crate::access::AccessError;
use crate::attendance::AttendanceError;
use crate::board::BoardError;
use crate::bodies::BodiesError;
use crate::credentials::CredentialsError;
use crate::elections::ElectionError;
use crate::groups::GroupError;
use crate::meeting::MeetingError;
use crate::vote::lifecycle::VoteError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("there is no congress yet")]
    NoCongress,
    #[error("unknown delegate {0}")]
    UnknownDelegate(String),
    #[error("unknown agenda item {0}")]
    UnknownAgendaItem(String),
    #[error("{field} is too long (at most {max} characters)")]
    TooLong { field: &'static str, max: usize },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Attendance(#[from] AttendanceError),
    #[error("{0}")]
    Access(#[from] AccessError),
    #[error("{0}")]
    Vote(#[from] VoteError),
    #[error("{0}")]
    Groups(#[from] GroupError),
    #[error("{0}")]
    Meeting(#[from] MeetingError),
    #[error("{0}")]
    Board(#[from] BoardError),
    #[error("{0}")]
    Credentials(#[from] CredentialsError),
    #[error("{0}")]
    Bodies(#[from] BodiesError),
    #[error("{0}")]
    Elections(#[from] ElectionError),
}

impl DomainError {
    /// The HTTP status of the refusal: 404 for an unknown thing, 409 when the state is in the
    /// way, 403 when the caller may not, 422 for anything malformed or not allowed.
    pub fn status(&self) -> u16 {
        match self {
            DomainError::UnknownDelegate(_) | DomainError::UnknownAgendaItem(_) => 404,
            DomainError::Access(e) => e.status(),
            DomainError::Groups(e) => e.status(),
            DomainError::Meeting(e) => e.status(),
            DomainError::Board(e) => e.status(),
            DomainError::Credentials(e) => e.status(),
            DomainError::Bodies(e) => e.status(),
            DomainError::Elections(e) => e.status(),
            DomainError::NoCongress
            | DomainError::TooLong { .. }
            | DomainError::Invalid(_)
            | DomainError::Attendance(_)
            | DomainError::Vote(_) => 422,
        }
    }

    /// A stable code for clients (`ApiError.error`).
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::UnknownDelegate(_) | DomainError::UnknownAgendaItem(_) => "not_found",
            DomainError::Access(e) => e.code(),
            DomainError::Groups(e) => e.code(),
            DomainError::Meeting(e) => e.code(),
            DomainError::Board(e) => e.code(),
            DomainError::Credentials(e) => e.code(),
            DomainError::Bodies(e) => e.code(),
            DomainError::Elections(e) => e.code(),
            DomainError::NoCongress
            | DomainError::TooLong { .. }
            | DomainError::Invalid(_)
            | DomainError::Attendance(_)
            | DomainError::Vote(_) => "invalid",
        }
    }
}
