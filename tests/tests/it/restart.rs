//! Stopping and opening the same data folder again: everything is still there; a second server
//! on the same folder is refused.

use congress_proto::*;
use congress_server::OpenError;

use crate::util::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_a_restart() {
    let s = TestServer::start().await;
    let ack = s
        .credentials
        .set_attendance("before-restart", VIET, AttendanceStatus::Present, "CCCD")
        .await
        .unwrap();
    s.set_current(Some("A3")).await;
    let (tablet, device) = s.pair(DeviceKind::Tablet).await;
    let (kiosk, kiosk_dev) = s.pair(DeviceKind::Kiosk).await;
    let _: Device = s
        .admin
        .delete(&format!("/api/devices/{}", kiosk_dev.id))
        .await
        .unwrap();
    let head = s.head().await;
    let delegates: Vec<Delegate> = s.admin.get("/api/delegates").await.unwrap();

    let s = s.restart().await;
    // Sessions: the same operator tokens still work.
    assert_eq!(s.head().await, head);
    let again: Vec<Delegate> = s.observer.get("/api/delegates").await.unwrap();
    assert_eq!(again, delegates);
    // Attendance.
    let list: AttendanceList = s.credentials.get("/api/attendance").await.unwrap();
    assert_eq!(list.records, vec![ack.record.clone()]);
    assert_eq!(list.summary, ack.summary);
    // The agenda.
    let agenda: Agenda = s.observer.get("/api/agenda").await.unwrap();
    assert_eq!(agenda.current.as_deref(), Some("A3"));
    // Devices: the tablet's token works, the revoked kiosk's does not.
    let tablet = s.rebase(&tablet);
    let me: Me = tablet.get("/api/me").await.unwrap();
    assert!(matches!(me, Me::Device { device: d, .. } if d.id == device.id));
    let kiosk = s.rebase(&kiosk);
    assert_eq!(status_of(kiosk.get::<Me>("/api/me").await).0, 401);
    // A retry after the restart still gets the first answer (idempotency is on disk).
    let retry = s
        .credentials
        .set_attendance("before-restart", VIET, AttendanceStatus::Present, "CCCD")
        .await
        .unwrap();
    assert_eq!(retry, ack);
    let r = s
        .credentials
        .set_attendance("before-restart", ARAB, AttendanceStatus::Present, "CCCD")
        .await;
    assert_eq!(status_of(r), (409, "conflict".into()));
    // Websockets resume across the restart with a snapshot.
    let (_, start) = live(&s.observer, "console", Some(head.seq - 3)).await;
    assert!(matches!(start, congress_client::Start::Snapshot(_)));
    // And the server goes on journalling after the old head.
    let next = s.check_in(ARAB).await;
    assert_eq!(next.seq, head.seq + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_the_same_folder_is_refused() {
    let s = TestServer::start().await;
    let head = s.head().await;
    let second = congress_server::open(s.config.clone());
    assert!(
        matches!(second, Err(OpenError::Locked { .. })),
        "{:?}",
        second.err()
    );
    // The first one is unharmed.
    assert_eq!(s.head().await, head);
    s.check_in(VIET).await;
}
