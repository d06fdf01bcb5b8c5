//! The journal against a real SQLite file: chain, durability across reopen, replay, tampering.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use congress_domain::{AttendanceCommand, CongressCommand, CongressEvent, MeetingCommand};
use congress_domain::{Command, CongressState, Context, decide};
use congress_proto::*;
use congress_store::{Db, JournalStore, Remembered, SqliteStore, Write, verify};

fn congress() -> Congress {
    Congress {
        name: "Đại hội đại biểu Đảng bộ tỉnh".into(),
        venue: "Hội trường".into(),
        starts_on: "2026-12-01".into(),
        ends_on: "2026-12-03".into(),
        convened: 4,
        quorum: QuorumRule::default(),
    }
}

fn delegates() -> Vec<Delegate> {
    [
        "Nguyễn Thị Ánh",
        "Trần Văn Đức",
        "Lê Ngọc Hường",
        "عبد الله بن محمد",
    ]
    .iter()
    .enumerate()
    .map(|(i, n)| Delegate {
        id: format!("D{:04}", i + 1),
        full_name: n.to_string(),
        unit: "Đảng bộ huyện".into(),
        seat: format!("A-01-{:02}", i + 1),
        group: "Tổ 1".into(),
        roles: vec![Role::Delegate],
    })
    .collect()
}

/// Decides and commits one command per batch, like the server does.
fn run(store: &mut SqliteStore, state: &mut CongressState, cmd: Command, now: i64) {
    let events = decide(state, &cmd, Context { now }).unwrap();
    let writes: Vec<Write> = events
        .iter()
        .map(|e| Write::Event {
            at: now,
            actor: "cli".into(),
            event: e.clone(),
        })
        .collect();
    store.commit(&writes).unwrap();
    for e in &events {
        state.apply(e);
    }
}

fn desk(id: &str, status: AttendanceStatus) -> Command {
    Command::Attendance(AttendanceCommand::SetAttendance {
        delegate_id: id.into(),
        status,
        source: AttendanceSource::Operator {
            username: "admin".into(),
        },
        kiosk: None,
        reason: Some("ID checked".into()),
    })
}

fn populated(path: &std::path::Path) -> CongressState {
    let mut store = SqliteStore::open(&Db::plain(path)).unwrap();
    let mut state = store.load_state().unwrap();
    run(
        &mut store,
        &mut state,
        Command::Congress(CongressCommand::DefineCongress(congress())),
        1,
    );
    run(
        &mut store,
        &mut state,
        Command::Congress(CongressCommand::ImportDelegates(delegates())),
        2,
    );
    run(
        &mut store,
        &mut state,
        Command::Meeting(MeetingCommand::DefineAgenda(vec![AgendaItem {
            id: "A1".into(),
            title: "Khai mạc".into(),
            planned_start: None,
            planned_minutes: Some(30),
        }])),
        3,
    );
    run(
        &mut store,
        &mut state,
        Command::Meeting(MeetingCommand::SetCurrentItem(Some("A1".into()))),
        4,
    );
    run(
        &mut store,
        &mut state,
        desk("D0001", AttendanceStatus::Present),
        5,
    );
    run(
        &mut store,
        &mut state,
        desk("D0004", AttendanceStatus::Present),
        6,
    );
    run(
        &mut store,
        &mut state,
        desk("D0001", AttendanceStatus::Left),
        7,
    );
    run(
        &mut store,
        &mut state,
        desk("D0002", AttendanceStatus::Present),
        8,
    );
    state.head = store.head().clone();
    state
}

#[test]
fn state_survives_reopen_and_names_round_trip_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("congress.sqlite");
    let state = populated(&path);
    let store = SqliteStore::open(&Db::plain(&path)).unwrap();
    let loaded = store.load_state().unwrap();
    assert_eq!(loaded, state);
    assert_eq!(loaded.delegates["D0004"].full_name, "عبد الله بن محمد");
    assert_eq!(loaded.delegates["D0002"].full_name, "Trần Văn Đức");
    assert_eq!(loaded.summary().present, 2);
    assert_eq!(loaded.summary().left, 1);
    assert_eq!(store.head().seq, 8);
}

#[test]
fn verify_passes_and_replay_rebuilds_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("congress.sqlite");
    let state = populated(&path);
    let report = verify(&Db::plain(&path)).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.events, 8);
    assert_eq!(report.head_hash, state.head.hash);

    let store = SqliteStore::open(&Db::plain(&path)).unwrap();
    let events = store.events_after(0, 1000).unwrap();
    let mut replayed = CongressState::replay(events.iter().map(|e| &e.event));
    replayed.head = state.head.clone();
    assert_eq!(replayed, state);
}

#[test]
fn verify_detects_a_tampered_event_and_a_tampered_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("congress.sqlite");
    populated(&path);
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute(
            "UPDATE attendance SET status = 'present' WHERE delegate_id = 'D0001'",
            [],
        )
        .unwrap();
    }
    let report = verify(&Db::plain(&path)).unwrap();
    assert!(!report.ok());
    assert!(
        report.problems.iter().any(|p| p.contains("attendance")),
        "{:?}",
        report.problems
    );

    let path2 = dir.path().join("b.sqlite");
    populated(&path2);
    {
        let c = rusqlite::Connection::open(&path2).unwrap();
        c.execute(
            "UPDATE journal SET body = replace(body, 'D0002', 'D0003') WHERE seq = 8",
            [],
        )
        .unwrap();
    }
    let report = verify(&Db::plain(&path2)).unwrap();
    assert!(
        report.problems.iter().any(|p| p.contains("seq 8")),
        "{:?}",
        report.problems
    );
}

#[test]
fn remembered_answers_survive_reopen_and_ids_are_unique() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let r = Remembered {
        client_id: "c-1".into(),
        actor: "operator:admin".into(),
        request_hash: "h".into(),
        response: "{\"ok\":1}".into(),
    };
    {
        let mut s = SqliteStore::open(&Db::plain(&path)).unwrap();
        s.commit(&[Write::Remember(r.clone())]).unwrap();
        // The same id twice in one batch fails the whole batch.
        assert!(s.commit(&[Write::Remember(r.clone())]).is_err());
    }
    let s = SqliteStore::open(&Db::plain(&path)).unwrap();
    assert_eq!(s.remembered("c-1").unwrap(), Some(r));
    assert_eq!(s.remembered("c-2").unwrap(), None);
}

#[test]
fn a_failed_batch_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.sqlite");
    let mut s = SqliteStore::open(&Db::plain(&path)).unwrap();
    let dup = Write::Remember(Remembered {
        client_id: "x".into(),
        actor: "a".into(),
        request_hash: "h".into(),
        response: "{}".into(),
    });
    let ev = Write::Event {
        at: 1,
        actor: "cli".into(),
        event: CongressEvent::CongressDefined {
            congress: congress(),
        }
        .into(),
    };
    assert!(s.commit(&[ev, dup.clone(), dup]).is_err());
    assert_eq!(s.head().seq, 0);
    drop(s);
    let s = SqliteStore::open(&Db::plain(&path)).unwrap();
    assert_eq!(s.head().seq, 0);
    assert!(s.load_state().unwrap().congress.is_none());
}

/// Migration 9 (issue 13, finding 7): an unused pairing code stored before it remembered who
/// made it gets its maker from the journal, exactly as today's projection writes it.
#[test]
fn an_older_unused_pairing_code_learns_its_maker_from_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let mut state = populated(&path);
    {
        let mut store = SqliteStore::open(&Db::plain(&path)).unwrap();
        let cmd = Command::Access(congress_domain::AccessCommand::CreatePairingCode {
            code_hash: "hash-1".into(),
            kind: DeviceKind::Tablet,
            delegate_id: Some("D0004".into()),
            label: Some("Máy «bàn 4» \"A\"".into()),
            direction: None,
            expires_at: 99_000,
            created_by: "thamtra".into(),
        });
        run(&mut store, &mut state, cmd, 5_000);
    }
    {
        // As a server before migration 9 stored it.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "UPDATE pairing_codes SET body = json_remove(body, '$.created_by');
             PRAGMA user_version = 8;",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&Db::plain(&path)).unwrap();
    let loaded = store.load_state().unwrap();
    assert_eq!(loaded.pairing_codes["hash-1"].created_by, "thamtra");
    drop(store);
    let report = verify(&Db::plain(&path)).unwrap();
    assert!(report.ok(), "{:#?}", report.problems);
}

#[test]
fn encrypted_ballots_stored_before_migration_10_are_kept_and_stay_unique() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    drop(SqliteStore::open(&Db::plain(&path)).unwrap());
    {
        // As a server before migration 10 stored them: the ballot inside the table's key.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP INDEX vote_ballots_encrypted_key;
             DROP TABLE vote_ballots_encrypted;
             CREATE TABLE vote_ballots_encrypted (
                 vote_id INTEGER NOT NULL, tracker TEXT NOT NULL, delegate_id TEXT NOT NULL,
                 ballot TEXT NOT NULL, rejected TEXT, PRIMARY KEY (vote_id, tracker)
             ) STRICT, WITHOUT ROWID;
             INSERT INTO vote_ballots_encrypted VALUES (3, 'bb', 'D0002', 'QkFMTE9UMg==', NULL);
             INSERT INTO vote_ballots_encrypted VALUES (3, 'aa', 'D0001', 'QkFMTE9UMQ==', 'bad proof');
             PRAGMA user_version = 9;",
        )
        .unwrap();
    }
    drop(SqliteStore::open(&Db::plain(&path)).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert!(version >= 10, "migrated to {version}");
    let rows: Vec<(String, String, Option<String>)> = conn
        .prepare("SELECT tracker, ballot, rejected FROM vote_ballots_encrypted ORDER BY tracker")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows,
        vec![
            ("aa".into(), "QkFMTE9UMQ==".into(), Some("bad proof".into())),
            ("bb".into(), "QkFMTE9UMg==".into(), None),
        ]
    );
    // The key is still unique: the same tracker twice in one vote is refused.
    assert!(
        conn.execute(
            "INSERT INTO vote_ballots_encrypted VALUES (3, 'aa', 'D0009', 'eA', NULL)",
            []
        )
        .is_err()
    );
    let reader = congress_store::JournalReader::open(&Db::plain(&path)).unwrap();
    assert_eq!(reader.encrypted_ballots(3).unwrap().len(), 1);
}
