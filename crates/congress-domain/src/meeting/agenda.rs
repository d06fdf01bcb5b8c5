//! Agenda changes during the congress: an item added, moved or renamed, each journalled with
//! its reason and who made it. Tablets and the projector follow from the agenda's push.

use congress_proto::AgendaItem;

use super::{MeetingCommand, MeetingEvent};
use crate::error::DomainError;
use crate::state::CongressState;
use crate::text::{check_required, check_text};

/// Most items an agenda may have.
pub const MAX_ITEMS: usize = 200;

fn position_of(items: &[AgendaItem], id: &str) -> Option<usize> {
    items.iter().position(|i| i.id == id)
}

fn as_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub(super) fn decide(
    state: &CongressState,
    cmd: &MeetingCommand,
    now: i64,
) -> Result<Vec<MeetingEvent>, DomainError> {
    let items = &state.agenda.items;
    match cmd {
        MeetingCommand::AddItem {
            item,
            position,
            reason,
            by,
        } => {
            check_required("agenda id", &item.id)?;
            if !item
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                || item.id.len() > 40
            {
                return Err(DomainError::Invalid(
                    "an agenda id holds 1 to 40 letters, digits, '-' and '_'".into(),
                ));
            }
            check_required("agenda title", &item.title)?;
            check_required("reason", reason)?;
            if position_of(items, &item.id).is_some() {
                return Err(DomainError::Invalid(format!(
                    "duplicate agenda item {}",
                    item.id
                )));
            }
            if items.len() >= MAX_ITEMS {
                return Err(DomainError::Invalid(format!(
                    "an agenda has at most {MAX_ITEMS} items"
                )));
            }
            let at = position.map_or(items.len(), |p| (p as usize).min(items.len()));
            let mut item = item.clone();
            item.title = item.title.trim().to_string();
            Ok(vec![MeetingEvent::AgendaItemAdded {
                item,
                position: as_u32(at),
                reason: reason.trim().to_string(),
                by: by.clone(),
                at: now,
            }])
        }
        MeetingCommand::MoveItem {
            item_id,
            position,
            reason,
            by,
        } => {
            let from = position_of(items, item_id)
                .ok_or_else(|| DomainError::UnknownAgendaItem(item_id.clone()))?;
            check_required("reason", reason)?;
            let to = (*position as usize).min(items.len().saturating_sub(1));
            if to == from {
                return Ok(vec![]);
            }
            Ok(vec![MeetingEvent::AgendaItemMoved {
                item_id: item_id.clone(),
                from: as_u32(from),
                to: as_u32(to),
                reason: reason.trim().to_string(),
                by: by.clone(),
                at: now,
            }])
        }
        MeetingCommand::RenameItem {
            item_id,
            title,
            reason,
            by,
        } => {
            let i = position_of(items, item_id)
                .ok_or_else(|| DomainError::UnknownAgendaItem(item_id.clone()))?;
            check_required("agenda title", title)?;
            check_text("agenda title", title)?;
            check_required("reason", reason)?;
            let old = items[i].title.clone();
            if old == title.trim() {
                return Ok(vec![]);
            }
            Ok(vec![MeetingEvent::AgendaItemRenamed {
                item_id: item_id.clone(),
                from: old,
                title: title.trim().to_string(),
                reason: reason.trim().to_string(),
                by: by.clone(),
                at: now,
            }])
        }
        _ => Ok(vec![]),
    }
}

/// Applies an agenda edit to the items (the store's projection does the same to its rows).
pub fn edit(items: &mut Vec<AgendaItem>, event: &MeetingEvent) {
    match event {
        MeetingEvent::AgendaItemAdded { item, position, .. } => {
            let at = (*position as usize).min(items.len());
            items.insert(at, item.clone());
        }
        MeetingEvent::AgendaItemMoved { item_id, to, .. } => {
            if let Some(from) = position_of(items, item_id) {
                let item = items.remove(from);
                let to = (*to as usize).min(items.len());
                items.insert(to, item);
            }
        }
        MeetingEvent::AgendaItemRenamed { item_id, title, .. } => {
            if let Some(i) = items.iter_mut().find(|i| &i.id == item_id) {
                i.title = title.clone();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::testkit::{CTX, congress_with, run};
    use crate::{Command, MeetingCommand};

    fn agenda() -> CongressState {
        let mut s = congress_with(2);
        let item = |id: &str| AgendaItem {
            id: id.into(),
            title: format!("Mục {id}"),
            planned_start: None,
            planned_minutes: None,
        };
        run(
            &mut s,
            &MeetingCommand::DefineAgenda(vec![item("A1"), item("A2"), item("A3")]).into(),
        )
        .unwrap();
        s
    }

    fn ids(s: &CongressState) -> Vec<&str> {
        s.agenda.items.iter().map(|i| i.id.as_str()).collect()
    }

    #[test]
    fn items_are_added_moved_and_renamed_with_a_reason() {
        let mut s = agenda();
        let add = |pos: Option<u32>, id: &str, reason: &str| -> Command {
            MeetingCommand::AddItem {
                item: AgendaItem {
                    id: id.into(),
                    title: "Bầu Ban kiểm phiếu".into(),
                    planned_start: None,
                    planned_minutes: Some(15),
                },
                position: pos,
                reason: reason.into(),
                by: "operator:thuky".into(),
            }
            .into()
        };
        run(&mut s, &add(Some(1), "N1", "Đoàn Chủ tịch đề nghị")).unwrap();
        assert_eq!(ids(&s), ["A1", "N1", "A2", "A3"]);
        run(&mut s, &add(None, "N2", "bổ sung")).unwrap();
        assert_eq!(ids(&s), ["A1", "N1", "A2", "A3", "N2"]);
        run(
            &mut s,
            &MeetingCommand::MoveItem {
                item_id: "N2".into(),
                position: 0,
                reason: "đổi thứ tự".into(),
                by: "operator:thuky".into(),
            }
            .into(),
        )
        .unwrap();
        assert_eq!(ids(&s), ["N2", "A1", "N1", "A2", "A3"]);
        let evs = crate::decide(
            &s,
            &MeetingCommand::RenameItem {
                item_id: "A2".into(),
                title: "Báo cáo chính trị (sửa đổi)".into(),
                reason: "sửa tên".into(),
                by: "operator:thuky".into(),
            }
            .into(),
            CTX,
        )
        .unwrap();
        assert!(matches!(
            &evs[0],
            crate::Event::Meeting(MeetingEvent::AgendaItemRenamed { from, .. }) if from == "Mục A2"
        ));
        for e in &evs {
            s.apply(e);
        }
        assert_eq!(s.agenda.items[3].title, "Báo cáo chính trị (sửa đổi)");
        // Refusals: no reason, duplicate id, unknown item, bad id.
        assert!(matches!(
            run(&mut s, &add(None, "N3", " ")),
            Err(DomainError::Invalid(_))
        ));
        assert!(matches!(
            run(&mut s, &add(None, "A1", "r")),
            Err(DomainError::Invalid(_))
        ));
        assert!(matches!(
            run(&mut s, &add(None, "bad id", "r")),
            Err(DomainError::Invalid(_))
        ));
        assert_eq!(
            run(
                &mut s,
                &MeetingCommand::MoveItem {
                    item_id: "X".into(),
                    position: 0,
                    reason: "r".into(),
                    by: "o".into()
                }
                .into()
            ),
            Err(DomainError::UnknownAgendaItem("X".into()))
        );
        // Replay gives the same agenda.
        let mut again = agenda();
        for e in [crate::decide(&again, &add(Some(1), "N1", "r"), CTX).unwrap()].concat() {
            again.apply(&e);
        }
        assert_eq!(again.agenda.items[1].id, "N1");
    }
}
