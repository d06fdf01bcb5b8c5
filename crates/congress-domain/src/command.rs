//! Commands: what callers ask for, one variant per feature holding that feature's own command
//! enum, and [`decide`], which hands each to its feature's rules. Secrets (tokens, codes,
//! password hashes) and ids are made by the caller and passed in hashed.

use crate::access::AccessCommand;
use crate::attendance::AttendanceCommand;
use crate::board::BoardCommand;
use crate::bodies::BodiesCommand;
use crate::congress::CongressCommand;
use crate::credentials::CredentialsCommand;
use crate::documents::DocumentCommand;
use crate::elections::ElectionCommand;
use crate::error::DomainError;
use crate::event::Event;
use crate::groups::GroupCommand;
use crate::meeting::MeetingCommand;
use crate::notices::NoticeCommand;
use crate::state::CongressState;
use crate::vote::VoteCommand;

/// Facts about the moment a command is decided.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// Unix epoch milliseconds.
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Congress(CongressCommand),
    Attendance(AttendanceCommand),
    Access(AccessCommand),
    Documents(DocumentCommand),
    Votes(VoteCommand),
    Meeting(MeetingCommand),
    Notices(NoticeCommand),
    Groups(GroupCommand),
    Board(BoardCommand),
    Credentials(CredentialsCommand),
    Bodies(BodiesCommand),
    Elections(ElectionCommand),
}

/// Decides what `cmd` does to `state`: the events to journal, or why it is refused. An empty list
/// means the command is accepted and changes nothing (for example a second check-in). A vote
/// closed by these events brings what its result decides for the procedures
/// ([`crate::motions`]'s follow-ups) into the same batch.
pub fn decide(
    state: &CongressState,
    cmd: &Command,
    ctx: Context,
) -> Result<Vec<Event>, DomainError> {
    decide_feature(state, cmd, ctx).map(|events| crate::motions::follow(state, events, ctx))
}

fn decide_feature(
    state: &CongressState,
    cmd: &Command,
    ctx: Context,
) -> Result<Vec<Event>, DomainError> {
    match cmd {
        Command::Congress(c) => crate::congress::decide(state, c),
        Command::Attendance(c) => crate::attendance::decide(state, c, ctx),
        Command::Access(c) => crate::access::decide(state, c, ctx),
        Command::Documents(c) => crate::documents::decide(state, c, ctx),
        Command::Votes(c) => crate::vote::apply::decide(state, c, ctx),
        Command::Meeting(c) => crate::meeting::decide(state, c, ctx),
        Command::Notices(c) => crate::notices::decide(state, c, ctx),
        Command::Groups(c) => crate::groups::decide(state, c, ctx),
        Command::Board(c) => crate::board::decide(state, c),
        Command::Credentials(c) => crate::credentials::decide(state, c, ctx),
        Command::Bodies(c) => crate::bodies::decide(state, c, ctx),
        Command::Elections(c) => crate::elections::decide(state, c, ctx),
    }
}

impl From<CongressCommand> for Command {
    fn from(c: CongressCommand) -> Self {
        Command::Congress(c)
    }
}
impl From<AttendanceCommand> for Command {
    fn from(c: AttendanceCommand) -> Self {
        Command::Attendance(c)
    }
}
impl From<AccessCommand> for Command {
    fn from(c: AccessCommand) -> Self {
        Command::Access(c)
    }
}
impl From<DocumentCommand> for Command {
    fn from(c: DocumentCommand) -> Self {
        Command::Documents(c)
    }
}
impl From<VoteCommand> for Command {
    fn from(c: VoteCommand) -> Self {
        Command::Votes(c)
    }
}
impl From<MeetingCommand> for Command {
    fn from(c: MeetingCommand) -> Self {
        Command::Meeting(c)
    }
}
impl From<NoticeCommand> for Command {
    fn from(c: NoticeCommand) -> Self {
        Command::Notices(c)
    }
}
impl From<BoardCommand> for Command {
    fn from(c: BoardCommand) -> Self {
        Command::Board(c)
    }
}
impl From<GroupCommand> for Command {
    fn from(c: GroupCommand) -> Self {
        Command::Groups(c)
    }
}
impl From<CredentialsCommand> for Command {
    fn from(c: CredentialsCommand) -> Self {
        Command::Credentials(c)
    }
}
impl From<BodiesCommand> for Command {
    fn from(c: BodiesCommand) -> Self {
        Command::Bodies(c)
    }
}
impl From<ElectionCommand> for Command {
    fn from(c: ElectionCommand) -> Self {
        Command::Elections(c)
    }
}
