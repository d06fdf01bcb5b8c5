//! The congress itself: its definition (name, dates, convened, quorum rule) and the delegate
//! list an import brings.

use congress_proto::{Congress, Delegate, Role};
use serde::{Deserialize, Serialize};

use crate::attendance::quorum;
use crate::error::DomainError;
use crate::event::Event;
use crate::state::CongressState;
use crate::text::{check_required, check_text};

#[derive(Debug, Clone, PartialEq)]
pub enum CongressCommand {
    DefineCongress(Congress),
    ImportDelegates(Vec<Delegate>),
}

#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum CongressEvent {
    /// The congress is set up (or its details corrected).
    CongressDefined { congress: Congress },
    /// Delegates added or updated by an import; ids not listed are kept.
    DelegatesImported { delegates: Vec<Delegate> },
}

/// Validates one delegate record (used by imports).
pub fn check_delegate(d: &Delegate) -> Result<(), DomainError> {
    check_required("id", &d.id)?;
    if !d
        .id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(DomainError::Invalid(format!(
            "id {:?} may hold only letters, digits, '-' and '_'",
            d.id
        )));
    }
    check_required("full_name", &d.full_name)?;
    check_text("unit", &d.unit)?;
    check_text("seat", &d.seat)?;
    check_text("group", &d.group)?;
    if !d.roles.contains(&Role::Delegate) {
        return Err(DomainError::Invalid(format!(
            "{} must have the role 'delegate'",
            d.id
        )));
    }
    Ok(())
}

pub(crate) fn decide(
    _state: &CongressState,
    cmd: &CongressCommand,
) -> Result<Vec<Event>, DomainError> {
    match cmd {
        CongressCommand::DefineCongress(c) => {
            check_required("name", &c.name)?;
            check_text("venue", &c.venue)?;
            if !quorum::rule_is_valid(c.quorum) {
                return Err(DomainError::Invalid(format!(
                    "the quorum rule {}/{} is not a fraction between 0 and 1",
                    c.quorum.numerator, c.quorum.denominator
                )));
            }
            if c.convened == 0 {
                return Err(DomainError::Invalid("convened must be at least 1".into()));
            }
            Ok(vec![
                CongressEvent::CongressDefined {
                    congress: c.clone(),
                }
                .into(),
            ])
        }
        CongressCommand::ImportDelegates(ds) => {
            let mut seen = std::collections::HashSet::new();
            for d in ds {
                check_delegate(d)?;
                if !seen.insert(d.id.as_str()) {
                    return Err(DomainError::Invalid(format!("duplicate id {}", d.id)));
                }
            }
            Ok(vec![
                CongressEvent::DelegatesImported {
                    delegates: ds.clone(),
                }
                .into(),
            ])
        }
    }
}

pub(crate) fn apply(state: &mut CongressState, event: &CongressEvent) {
    match event {
        CongressEvent::CongressDefined { congress } => state.congress = Some(congress.clone()),
        CongressEvent::DelegatesImported { delegates } => {
            for d in delegates {
                state.delegates.insert(d.id.clone(), d.clone());
            }
        }
    }
}
