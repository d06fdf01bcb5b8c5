//! Operations on a congress's data, beside the serving path: online [`backup`]s with their
//! manifest and their [`restore`]; [`retention`] (personal data purged after the congress, journalled);
//! [`import`] of the congress file and the delegate list; [`setup`] of a new congress and its
//! operators; [`photo_import`] of enrolment photos in bulk.

pub mod backup;
pub mod import;
pub mod photo_import;
pub mod restore;
pub mod retention;
pub mod setup;
