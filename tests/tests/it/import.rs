//! Importing delegates from CSV (the library the `congress import` command uses): every bad row
//! is reported, and nothing of a bad file is applied.

use congress_domain::CongressCommand;
use std::path::Path;

use congress_domain::Command;
use congress_proto::*;
use congress_server::import::{ImportError, parse_delegates, read_congress};

use crate::util::*;

const HEAD: &str = "id,full_name,unit,seat,group,roles\n";

fn rows(bytes: &[u8]) -> Vec<String> {
    match parse_delegates(bytes, |_| {}) {
        Err(ImportError::Rows(r)) => r,
        other => panic!("expected row errors, got {other:?}"),
    }
}

#[test]
fn every_bad_row_is_reported_with_its_line() {
    let mut bytes = format!(
        "{HEAD}\
         D10,Nguyễn Văn Một,U,S,G,delegate\n\
         D11,,U,S,G,delegate\n\
         ,Trần Thị Hai,U,S,G,delegate\n\
         D10,Lê Văn Ba,U,S,G,delegate\n\
         D12,Phạm Thị Bốn,U,S,G,delegate;emperor\n\
         D13,Hoàng Văn Năm,U,S\n\
         D14,Vũ Thị Sáu,U,S,G,\n\
         D15,Đỗ Văn Bảy,U,S,G,presidium\n\
         D 16,Bùi Thị Tám,U,S,G,delegate\n"
    )
    .into_bytes();
    // Latin-1 "Nguyễn" is not UTF-8.
    bytes.extend_from_slice(b"D17,Nguy\xe9n,U,S,G,delegate\n");
    bytes.extend_from_slice("D18,Ngô Thị Mười,U,S,G,delegate\n".as_bytes());
    let r = rows(&bytes);
    let want = [
        ("line 3", "full_name is missing"),
        ("line 4", "id is missing"),
        ("line 5", "duplicate id D10"),
        ("line 6", "unknown role \"emperor\""),
        ("line 7", "4 fields"),
        ("line 8", "roles is missing"),
        ("line 9", "role 'delegate'"),
        ("line 10", "letters, digits"),
        ("line 11", "not valid UTF-8"),
    ];
    assert_eq!(r.len(), want.len(), "{r:#?}");
    for (got, (line, what)) in r.iter().zip(want) {
        assert!(got.starts_with(&format!("{line}:")), "{got} (want {line})");
        assert!(got.contains(what), "{got} (want {what})");
    }
    let all = ImportError::Rows(r).to_string();
    assert!(
        all.starts_with("9 bad row(s); nothing was imported"),
        "{all}"
    );
}

#[test]
fn good_files_parse_exactly() {
    // A BOM, CRLF line ends, quoted commas, spaces around fields, roles in any order.
    let csv = "\u{feff}id,full_name,unit,seat,group,roles\r\n\
               D1 , Nguyễn Thị Ngọc Ánh ,\"Đảng bộ Quân sự, tỉnh\",A-01,Tổ 1,presidium;delegate\r\n\
               D2,عبد الله بن محمد,Khách mời,A-02,Tổ 2,delegate\r\n";
    let ds = parse_delegates(csv.as_bytes(), |_| {}).unwrap();
    assert_eq!(ds.len(), 2);
    assert_eq!(ds[0].id, "D1");
    assert_eq!(ds[0].full_name, "Nguyễn Thị Ngọc Ánh");
    assert_eq!(ds[0].unit, "Đảng bộ Quân sự, tỉnh");
    assert_eq!(ds[0].roles, vec![Role::Delegate, Role::Presidium]);
    assert_eq!(ds[1].full_name, "عبد الله بن محمد");
    // Progress is reported per row.
    let mut seen = Vec::new();
    parse_delegates(csv.as_bytes(), |n| seen.push(n)).unwrap();
    assert_eq!(seen, vec![1, 2]);
}

#[test]
fn a_wrong_header_or_an_empty_file_is_refused() {
    let r = rows(b"id,name,unit\nD1,x,u\n");
    assert_eq!(r.len(), 1);
    assert!(
        r[0].starts_with("line 1:") && r[0].contains("header"),
        "{r:?}"
    );
    let r = rows(b"");
    assert!(r[0].starts_with("line 1:"), "{r:?}");
}

/// Through the engine: an import with a bad record is refused whole and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_import_applies_nothing() {
    let s = TestServer::start().await;
    let head = s.head().await;
    let good = Delegate {
        id: "D50".into(),
        full_name: "Người Mới".into(),
        unit: String::new(),
        seat: String::new(),
        group: String::new(),
        roles: vec![Role::Delegate],
    };
    let dup = vec![good.clone(), good.clone()];
    let no_delegate_role = vec![
        good.clone(),
        Delegate {
            id: "D51".into(),
            roles: vec![Role::Presidium],
            ..good.clone()
        },
    ];
    for batch in [dup, no_delegate_role] {
        let r = s
            .engine()
            .run(
                Command::Congress(CongressCommand::ImportDelegates(batch)),
                "test",
            )
            .await;
        assert!(r.is_err());
    }
    assert_eq!(s.head().await, head);
    let all: Vec<Delegate> = s.admin.get("/api/delegates").await.unwrap();
    assert_eq!(all.len(), 4);
}

/// The demo fixtures load into a server: 450 delegates, quorum 300.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_congress_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/demo");
    let file = read_congress(&root.join("congress.toml")).unwrap();
    let ds = parse_delegates(&std::fs::read(root.join("delegates.csv")).unwrap(), |_| {}).unwrap();
    assert_eq!(ds.len(), 450);
    let s = TestServer::start().await;
    congress_server::setup::define_congress(s.engine(), &file, "test")
        .await
        .unwrap();
    s.engine()
        .run(
            Command::Congress(CongressCommand::ImportDelegates(ds.clone())),
            "test",
        )
        .await
        .unwrap();
    let all: Vec<Delegate> = s.admin.get("/api/delegates").await.unwrap();
    // The test congress's 4 are kept; the demo's 450 are added.
    assert_eq!(all.len(), 454);
    let sum: AttendanceSummary = s.observer.get("/api/attendance/summary").await.unwrap();
    assert_eq!(sum.quorum.convened, 450);
    assert_eq!(sum.quorum.required, 300);
    let agenda: Agenda = s.observer.get("/api/agenda").await.unwrap();
    assert_eq!(agenda.items.len(), file.agenda.len());
    let first = &ds[0];
    let d: Delegate = s
        .admin
        .get(&format!("/api/delegates/{}", first.id))
        .await
        .unwrap();
    assert_eq!(&d, first);
}
