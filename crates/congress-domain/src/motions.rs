//! What the congress's procedures (credentials, bodies, elections) share about votes: a motion or
//! a round put to the congress in one step (the vote's own `VoteCreated`, and its link to an
//! agenda item), and what a closed vote's result causes.
//!
//! **Follow-ups.** When a command's events close a vote (`VoteClosed`, from whatever command
//! produced it: the console's close today, the encrypted tally's publication later), [`follow`]
//! asks each procedure what the result decides (a body approved, a withdrawal granted, a round's
//! outcome) and appends those events to the same batch, so the decision is journalled with the
//! result that made it and is pushed like any other event. The procedures consume only the
//! [`VoteResult`], never the ballots.

use congress_proto::vote::{
    MajorityRule, Secrecy, TurnoutRule, VoteId, VoteKind, VoteResult, VoteSpec,
};

use crate::command::Context;
use crate::error::DomainError;
use crate::event::Event;
use crate::meeting::MeetingEvent;
use crate::state::CongressState;
use crate::vote::VoteEvent;
use crate::vote::lifecycle::{check_new, next_vote_id};

/// A vote the procedures create.
pub struct NewVote<'a> {
    pub title: &'a str,
    pub kind: VoteKind,
    pub secrecy: Secrecy,
    pub rule: MajorityRule,
    pub turnout: TurnoutRule,
    pub duration_s: Option<u32>,
    pub item_id: Option<&'a str>,
}

impl<'a> NewVote<'a> {
    /// An open motion (for / against / abstain) by the default rules: more than half of the
    /// valid ballots, more than half of the delegates present voting.
    pub fn open_motion(title: &'a str, item_id: Option<&'a str>) -> Self {
        NewVote {
            title,
            kind: VoteKind::Motion,
            secrecy: Secrecy::Open,
            rule: MajorityRule::MORE_THAN_HALF_OF_VALID,
            turnout: TurnoutRule::MORE_THAN_HALF_OF_PRESENT,
            duration_s: None,
            item_id,
        }
    }
}

/// The events that create `v` (and link it to its agenda item), and the new vote's id.
pub fn create(
    state: &CongressState,
    v: NewVote<'_>,
    ctx: Context,
) -> Result<(u64, Vec<Event>), DomainError> {
    if let Some(item) = v.item_id
        && !state.agenda.items.iter().any(|i| i.id == item)
    {
        return Err(DomainError::UnknownAgendaItem(item.to_string()));
    }
    let id = next_vote_id(&state.votes);
    let mut spec = VoteSpec::new(VoteId(id), v.title.trim(), v.kind, v.secrecy);
    spec.rule = v.rule;
    spec.turnout = Some(v.turnout);
    check_new(&spec)?;
    let mut events: Vec<Event> = vec![
        VoteEvent::VoteCreated {
            spec,
            duration_s: v.duration_s,
        }
        .into(),
    ];
    if let Some(item) = v.item_id {
        events.push(
            MeetingEvent::VoteLinked {
                vote_id: id,
                item_id: Some(item.to_string()),
                at: ctx.now,
            }
            .into(),
        );
    }
    Ok((id, events))
}

/// Appends to `events` what each closed vote's result decides for the procedures.
pub(crate) fn follow(state: &CongressState, mut events: Vec<Event>, ctx: Context) -> Vec<Event> {
    let closed: Vec<(u64, VoteResult)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Votes(VoteEvent::VoteClosed {
                vote_id, result, ..
            }) => Some((*vote_id, result.clone())),
            _ => None,
        })
        .collect();
    for (vote_id, result) in closed {
        events.extend(crate::credentials::after_close(
            state, vote_id, &result, ctx,
        ));
        events.extend(crate::bodies::after_close(state, vote_id, &result, ctx));
        events.extend(crate::elections::after_close(state, vote_id, &result, ctx));
    }
    events
}

/// Whether a motion's result adopted it (an insufficient turnout adopts nothing).
pub fn adopted(result: &VoteResult) -> bool {
    matches!(result.outcome, congress_proto::vote::Outcome::Adopted)
}
