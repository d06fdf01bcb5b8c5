//! The journal after a session through the API: the chain verifies, replaying it rebuilds the
//! stored state, and tampering is found.

use congress_domain::CongressState;
use congress_proto::*;
use congress_store::{JournalStore, SqliteStore, verify};

use crate::util::*;

/// A session with a bit of everything; returns the stopped server's database path.
async fn a_session() -> (TestServer, congress_store::Db) {
    let mut s = TestServer::start().await;
    s.check_in(VIET).await;
    s.check_in(ARAB).await;
    s.credentials
        .set_attendance(&cid("out"), ARAB, AttendanceStatus::Left, "Về sớm")
        .await
        .unwrap();
    s.set_current(Some("A1")).await;
    s.set_current(Some("A2")).await;
    let (_, tablet) = s.pair(DeviceKind::Tablet).await;
    s.pair(DeviceKind::Kiosk).await;
    let _: Device = s
        .secretariat
        .delete(&format!("/api/devices/{}", tablet.id))
        .await
        .unwrap();
    let _: PairingCode = s
        .credentials
        .post(
            "/api/devices/pairing-codes",
            &CreatePairingCode {
                kind: DeviceKind::Projector,
                delegate_id: None,
                label: Some("Màn hình hội trường".into()),
                direction: None,
            },
        )
        .await
        .unwrap();
    let extra = s.anon.login("thuky", PASSWORD).await.unwrap();
    let _: Option<serde_json::Value> = extra.post("/api/logout", &()).await.unwrap();
    s.stop().await;
    let db = s.db();
    (s, db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_verifies_and_replays_into_the_stored_state() {
    let (_s, db) = a_session().await;
    let report = verify(&db).unwrap();
    assert!(report.ok(), "{:#?}", report.problems);
    let store = SqliteStore::open(&db).unwrap();
    let head = store.head().clone();
    assert_eq!(report.events, head.seq);
    assert_eq!(report.head_hash, head.hash);

    let events = store.events_after(0, usize::MAX).unwrap();
    assert_eq!(events.len() as u64, head.seq);
    // The chain links up, from the genesis hash.
    let mut prev = congress_store::GENESIS_HASH.to_string();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1);
        assert_eq!(e.prev_hash, prev);
        prev = e.hash.clone();
    }
    assert_eq!(prev, head.hash);

    let mut replayed = CongressState::replay(events.iter().map(|e| &e.event));
    let stored = store.load_state().unwrap();
    replayed.head = stored.head.clone();
    assert_eq!(replayed, stored);
    // And it is the state the session made.
    assert_eq!(stored.summary().present, 1);
    assert_eq!(stored.summary().left, 1);
    assert_eq!(stored.agenda.current.as_deref(), Some("A2"));
    assert_eq!(stored.devices.len(), 2);
    assert_eq!(
        stored.devices.values().filter(|d| d.device.revoked).count(),
        1
    );
    assert_eq!(stored.pairing_codes.len(), 1, "the unused projector code");
    assert_eq!(stored.delegates[ARAB].full_name, ARAB_NAME);
    // Journal actors name who did it.
    let actors: Vec<&str> = events.iter().map(|e| e.actor.as_str()).collect();
    assert!(actors.contains(&"operator:thamtra"));
    assert!(actors.contains(&"operator:thuky"));
    assert!(actors.contains(&"pairing"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_event_is_found() {
    let (_s, db) = a_session().await;
    {
        let conn = db.connect(congress_store::Access::ReadWrite).unwrap();
        // Change who was checked in, in the journal only.
        let n = conn
            .execute(
                "UPDATE journal SET body = replace(body, '\"D1\"', '\"D4\"')
                 WHERE seq = (SELECT min(seq) FROM journal WHERE kind = 'attendance_changed')",
                [],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    let report = verify(&db).unwrap();
    assert!(!report.ok());
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("hash does not match")),
        "{:#?}",
        report.problems
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_table_or_a_deleted_event_is_found() {
    let (_s, db) = a_session().await;
    let copy = db.at(db.path().with_extension("copy"));
    {
        let conn = db.connect(congress_store::Access::ReadWrite).unwrap();
        // A consistent copy, WAL included.
        conn.execute("VACUUM INTO ?1", [copy.path().to_str().unwrap()])
            .unwrap();
        conn.execute(
            "UPDATE attendance SET status = 'present' WHERE delegate_id = ?1",
            [ARAB],
        )
        .unwrap();
    }
    let report = verify(&db).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("table attendance differs")),
        "{:#?}",
        report.problems
    );
    // Deleting an event from the middle breaks the chain.
    {
        let conn = copy.connect(congress_store::Access::ReadWrite).unwrap();
        conn.execute(
            "DELETE FROM journal WHERE seq = (SELECT min(seq) FROM journal WHERE kind = 'current_item_set')",
            [],
        )
        .unwrap();
    }
    let report = verify(&copy).unwrap();
    assert!(
        report.problems.iter().any(|p| p.contains("gap")),
        "{:#?}",
        report.problems
    );
}
