//! Projections: how each event changes the state tables, and how the state is read back from
//! them, one module per feature of the domain. `apply` here and `CongressState::apply` must
//! agree; `verify` checks that they do.

mod access;
mod attendance;
mod board;
mod bodies;
mod congress;
mod credentials;
mod documents;
mod elections;
mod groups;
mod meeting;
mod notices;
pub(crate) mod votes;

use congress_domain::{CongressState, Event};
use rusqlite::Connection;

use crate::StoreError;

/// Applies `event` (journalled as `seq`) to the state tables.
pub fn apply(conn: &Connection, seq: u64, event: &Event) -> Result<(), StoreError> {
    match event {
        Event::Congress(e) => congress::apply(conn, e),
        Event::Attendance(e) => attendance::apply(conn, seq, e),
        Event::Access(e) => access::apply(conn, e),
        Event::Documents(e) => documents::apply(conn, e),
        Event::Votes(e) => votes::apply(conn, seq, e),
        Event::Meeting(e) => meeting::apply(conn, seq, e),
        Event::Notices(e) => notices::apply(conn, e),
        Event::Groups(e) => groups::apply(conn, e),
        Event::Board(e) => board::apply(conn, seq, e),
        Event::Credentials(e) => credentials::apply(conn, seq, e),
        Event::Bodies(e) => bodies::apply(conn, seq, e),
        Event::Elections(e) => elections::apply(conn, seq, e),
    }
}

/// Reads the whole state from the tables (the journal head is set by the caller). Delegates and
/// the agenda come first: the other features' state refers to them.
pub fn load(conn: &Connection) -> Result<CongressState, StoreError> {
    let mut s = CongressState::default();
    congress::load(conn, &mut s)?;
    meeting::load_agenda(conn, &mut s)?;
    attendance::load(conn, &mut s)?;
    access::load(conn, &mut s)?;
    documents::load(conn, &mut s.docs)?;
    board::load(conn, &mut s)?;
    votes::load(conn, &mut s)?;
    votes::load_encrypted(conn, &mut s)?;
    notices::load(conn, &mut s)?;
    groups::load(conn, &mut s)?;
    meeting::load(conn, &mut s)?;
    credentials::load(conn, &mut s)?;
    bodies::load(conn, &mut s)?;
    elections::load(conn, &mut s)?;
    Ok(s)
}

/// Whether `table` exists: `verify` reads a database read-only, without migrating it, so a
/// database written before a later migration lacks that migration's tables (read as empty).
pub(crate) fn table_exists(conn: &Connection, table: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")?
        .exists([table])?)
}
