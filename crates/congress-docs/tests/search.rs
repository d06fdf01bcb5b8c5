//! The FTS5 search helpers on a real SQLite database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use congress_docs::search::{self, fold};
use rusqlite::Connection;

fn db() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    search::create_schema(&conn).unwrap();
    search::create_schema(&conn).unwrap(); // idempotent
    conn
}

fn pages(p: &[&str]) -> Vec<String> {
    p.iter().map(|s| s.to_string()).collect()
}

fn seed(conn: &Connection) {
    search::index_version(
        conn,
        1,
        1,
        &pages(&[
            "BÁO CÁO CHÍNH TRỊ\n\nĐại hội đại biểu Đảng bộ tỉnh lần thứ XV",
            "Phương hướng, nhiệm vụ nhiệm kỳ 2025–2030.\nNghị quyết về công tác cán bộ.",
        ]),
    )
    .unwrap();
    search::index_version(
        conn,
        2,
        3,
        &pages(&["Danh sách ứng cử viên Ban Chấp hành (dự thảo, MẬT)"]),
    )
    .unwrap();
    search::index_version(conn, 3, 1, &pages(&["التقرير السياسي للمؤتمر"])).unwrap();
}

#[test]
fn folding_vietnamese() {
    assert_eq!(fold("Nghị quyết"), "nghi quyet");
    assert_eq!(fold("ĐẠI HỘI ĐẢNG"), "dai hoi dang");
    assert_eq!(fold("Ứng cử viên"), "ung cu vien");
    assert_eq!(fold("thứ XV"), "thu xv");
    assert_eq!(fold("mười một"), "muoi mot");
    // every Vietnamese vowel with every tone folds to its base letter
    for (base, forms) in [
        ('a', "aàáảãạăằắẳẵặâầấẩẫậAÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"),
        ('e', "eèéẻẽẹêềếểễệEÈÉẺẼẸÊỀẾỂỄỆ"),
        ('i', "iìíỉĩịIÌÍỈĨỊ"),
        ('o', "oòóỏõọôồốổỗộơờớởỡợOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"),
        ('u', "uùúủũụưừứửữựUÙÚỦŨỤƯỪỨỬỮỰ"),
        ('y', "yỳýỷỹỵYỲÝỶỸỴ"),
        ('d', "dđDĐ"),
    ] {
        for c in forms.chars() {
            assert_eq!(fold(&c.to_string()), base.to_string(), "{c}");
        }
    }
}

#[test]
fn matches_with_and_without_diacritics() {
    let conn = db();
    seed(&conn);
    for q in ["nghị quyết", "nghi quyet", "NGHỊ QUYẾT", "Nghi Quyet"] {
        let hits = search::search(&conn, q, &[1, 2, 3], 10).unwrap();
        assert_eq!(hits.len(), 1, "{q}");
        assert_eq!((hits[0].doc_id, hits[0].version, hits[0].page), (1, 1, 2));
        assert_eq!(
            hits[0].snippet.marked("[", "]"),
            "… nhiệm vụ nhiệm kỳ 2025–2030. [Nghị] [quyết] về công tác cán bộ.",
            "{q}"
        );
    }
    let hits = search::search(&conn, "dai hoi", &[1, 2, 3], 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        hits[0].snippet.marked("<", ">"),
        "BÁO CÁO CHÍNH TRỊ <Đại> <hội> <đại> biểu Đảng bộ tỉnh lần thứ XV"
    );
    // prefix on the last word (search as you type)
    let hits = search::search(&conn, "ung cu vi", &[1, 2, 3], 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].doc_id, 2);
    assert_eq!(hits[0].version, 3);
    assert!(
        hits[0]
            .snippet
            .marked("[", "]")
            .contains("[ứng] [cử] [viên]")
    );
    // Arabic
    let hits = search::search(&conn, "السياسي", &[1, 2, 3], 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].doc_id, 3);
    assert!(hits[0].snippet.marked("[", "]").contains("[السياسي]"));
    // all words must match
    assert!(
        search::search(&conn, "nghị quyết arabic", &[1, 2, 3], 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn only_allowed_documents_are_answered() {
    let conn = db();
    seed(&conn);
    assert_eq!(
        search::search(&conn, "ban chap hanh", &[1, 2], 10)
            .unwrap()
            .len(),
        1
    );
    assert!(
        search::search(&conn, "ban chap hanh", &[1, 3], 10)
            .unwrap()
            .is_empty()
    );
    assert!(
        search::search(&conn, "ban chap hanh", &[], 10)
            .unwrap()
            .is_empty()
    );
    let hits = search::search_filtered(&conn, "ban", 10, |id| id != 2).unwrap();
    assert!(hits.is_empty());
    let hits = search::search_filtered(&conn, "ban", 10, |_| true).unwrap();
    assert_eq!(hits.len(), 1);
    // a very long allow-list takes the in-Rust path and still filters
    let many: Vec<i64> = (100..20_100).collect();
    assert!(search::search(&conn, "ban", &many, 10).unwrap().is_empty());
    let mut many = many;
    many.push(2);
    assert_eq!(search::search(&conn, "ban", &many, 10).unwrap().len(), 1);
}

#[test]
fn fts_syntax_in_queries_is_harmless() {
    let conn = db();
    seed(&conn);
    for q in [
        "\"",
        "\"\"\"",
        "*",
        "a OR b",
        "NEAR(dai hoi)",
        "folded:dai",
        "^dai",
        "dai AND",
        "(",
        ")",
        "-",
        "{folded}: x",
        "'; DROP TABLE doc_search_pages; --",
        "",
        "   ",
    ] {
        search::search(&conn, q, &[1, 2, 3], 10).unwrap();
        search::search_filtered(&conn, q, 10, |_| true).unwrap();
    }
    // operators are just words: "dai OR nothing" requires the word "or"
    assert!(
        search::search(&conn, "dai OR zzz", &[1], 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        search::search(&conn, "NEAR(dai hoi)", &[1], 10)
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        search::search(&conn, "(dai) \"hoi\"", &[1], 10)
            .unwrap()
            .len(),
        1
    );
    // the table survived
    assert_eq!(search::search(&conn, "dai hoi", &[1], 10).unwrap().len(), 1);
}

#[test]
fn new_version_replaces_old_and_remove_deletes() {
    let conn = db();
    seed(&conn);
    search::index_version(&conn, 1, 2, &pages(&["Bản sửa đổi: nghị quyết mới"])).unwrap();
    assert!(
        search::search(&conn, "dai hoi", &[1], 10)
            .unwrap()
            .is_empty()
    );
    let hits = search::search(&conn, "nghi quyet", &[1], 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!((hits[0].version, hits[0].page), (2, 1));
    search::remove(&conn, 1).unwrap();
    assert!(
        search::search(&conn, "nghi quyet", &[1], 10)
            .unwrap()
            .is_empty()
    );
    let count: i64 = conn
        .query_row(
            "SELECT count(*) FROM doc_search_pages WHERE doc_id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(count, 0);
    // document 2 untouched
    assert_eq!(search::search(&conn, "ban", &[2], 10).unwrap().len(), 1);
}

#[test]
fn works_inside_a_transaction_that_rolls_back() {
    let mut conn = db();
    seed(&conn);
    {
        let tx = conn.transaction().unwrap();
        search::index_version(&tx, 9, 1, &pages(&["Thông báo khẩn"])).unwrap();
        assert_eq!(search::search(&tx, "thong bao", &[9], 10).unwrap().len(), 1);
        search::remove(&tx, 2).unwrap();
        // dropped without commit: rolled back
    }
    assert!(
        search::search(&conn, "thong bao", &[9], 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(search::search(&conn, "ban", &[2], 10).unwrap().len(), 1);
}

#[test]
fn ranking_limit_and_long_pages() {
    let conn = db();
    let long: String = (0..2000).map(|i| format!("từ{i} ")).collect::<String>() + "bầu cử";
    search::index_version(
        &conn,
        5,
        1,
        &pages(&["bầu cử bầu cử bầu cử", &long, "", "   \n\u{c}  "]),
    )
    .unwrap();
    let hits = search::search(&conn, "bau cu", &[5], 10).unwrap();
    assert_eq!(hits.iter().map(|h| h.page).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(search::search(&conn, "bau cu", &[5], 1).unwrap().len(), 1);
    assert_eq!(search::search(&conn, "bau cu", &[5], 0).unwrap().len(), 0);
    let text = hits[1].snippet.text();
    assert!(text.starts_with("… ") && text.ends_with("bầu cử"), "{text}");
    assert!(text.chars().count() < 200);
    // empty pages were not stored
    let count: i64 = conn
        .query_row("SELECT count(*) FROM doc_search_pages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 2);
}
