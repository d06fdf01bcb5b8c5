//! The document search index: SQLite FTS5 tables in the congress database, on a connection of
//! their own (indexing happens after a version's event is committed, off the engine's thread).
//! Text folding, queries and snippets are `congress_docs::search`'s; this module holds the SQL.
//!
//! Storage layout (all names prefixed `doc_search_`, created by [`SearchIndex::open`]):
//! - `doc_search_pages(id, doc_id, version, page, body)`: the original page text, used to
//!   build snippets;
//! - `doc_search_fts(folded)`: a contentless FTS5 index (with `contentless_delete=1`) whose
//!   rowid is `doc_search_pages.id`.
//!
//! Only the latest indexed version of a document is searchable: [`SearchIndex::index_version`]
//! replaces what was there. The index is derived data: it is not part of the journal or of
//! `verify`, and it can be rebuilt from the stored documents.

use std::collections::HashSet;
use std::sync::Mutex;

use congress_docs::search::{Hit, Query, fold, is_word_char, make_snippet};
use rusqlite::{Connection, ToSql, params};

use crate::StoreError;

/// Above this many allowed documents the filter is applied in Rust instead of SQL.
const MAX_SQL_IN_LIST: usize = 10_000;

/// The search index of one congress database.
pub struct SearchIndex {
    conn: Mutex<Connection>,
}

impl SearchIndex {
    /// Opens the index in the database `db` (creating its tables if needed).
    pub fn open(db: &crate::Db) -> Result<Self, StoreError> {
        let conn = db.connect(crate::Access::ReadWrite)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        create_schema(&conn)?;
        Ok(SearchIndex {
            conn: Mutex::new(conn),
        })
    }

    /// An index in memory (tests).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()?;
        create_schema(&conn)?;
        Ok(SearchIndex {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }

    /// Replaces the indexed text of `doc_id` with `pages` of `version` (`pages[0]` is page 1),
    /// in one transaction. Pages without any word are not stored.
    pub fn index_version(
        &self,
        doc_id: i64,
        version: u32,
        pages: &[String],
    ) -> Result<(), StoreError> {
        self.with(|conn| {
            let tx = conn.transaction()?;
            index_version(&tx, doc_id, i64::from(version), pages)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Removes a document from the index (all its pages).
    pub fn remove(&self, doc_id: i64) -> Result<(), StoreError> {
        self.with(|conn| remove(conn, doc_id))
    }

    /// The indexed text of a document's pages (page number → text).
    pub fn pages(&self, doc_id: i64) -> Result<Vec<(u32, String)>, StoreError> {
        self.with(|conn| {
            let mut st =
                conn.prepare_cached("SELECT page, body FROM doc_search_pages WHERE doc_id = ?1")?;
            let rows = st.query_map([doc_id], |r| {
                Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The version of a document whose text is indexed, if any.
    pub fn indexed_version(&self, doc_id: i64) -> Result<Option<u32>, StoreError> {
        self.with(|conn| {
            Ok(conn.query_row(
                "SELECT MAX(version) FROM doc_search_pages WHERE doc_id = ?1",
                [doc_id],
                |r| r.get::<_, Option<u32>>(0),
            )?)
        })
    }

    /// Searches for `query` among the documents in `allowed_doc_ids` only (an empty list finds
    /// nothing). Best matches first (bm25), at most `limit` pages.
    pub fn search(
        &self,
        query: &str,
        allowed_doc_ids: &[i64],
        limit: usize,
    ) -> Result<Vec<Hit>, StoreError> {
        self.with(|conn| search(conn, query, allowed_doc_ids, limit))
    }
}

/// Creates the search tables if they do not exist (idempotent).
fn create_schema(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS doc_search_pages (
             id INTEGER PRIMARY KEY,
             doc_id INTEGER NOT NULL,
             version INTEGER NOT NULL,
             page INTEGER NOT NULL,
             body TEXT NOT NULL,
             UNIQUE (doc_id, page)
         );
         CREATE VIRTUAL TABLE IF NOT EXISTS doc_search_fts USING fts5(
             folded,
             content = '',
             contentless_delete = 1,
             tokenize = \"unicode61 remove_diacritics 0 categories 'L* N* Co M*'\"
         );",
    )?;
    Ok(())
}

/// Replaces the indexed text of `doc_id` with `pages` of `version` (`pages[0]` is
/// page 1). Pages without any word are not stored. Run it in the same transaction as
/// the version's other changes.
fn index_version(
    conn: &Connection,
    doc_id: i64,
    version: i64,
    pages: &[String],
) -> Result<(), StoreError> {
    remove(conn, doc_id)?;
    let mut insert_page = conn.prepare_cached(
        "INSERT INTO doc_search_pages (doc_id, version, page, body) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut insert_fts =
        conn.prepare_cached("INSERT INTO doc_search_fts (rowid, folded) VALUES (?1, ?2)")?;
    for (i, body) in pages.iter().enumerate() {
        if !body.chars().any(is_word_char) {
            continue;
        }
        let page = i64::try_from(i + 1).map_err(|_| StoreError::Corrupt {
            seq: 0,
            reason: "too many pages in one document".into(),
        })?;
        let id = insert_page.insert(params![doc_id, version, page, body])?;
        insert_fts.execute(params![id, fold(body)])?;
    }
    Ok(())
}

/// Removes a document from the index (all its pages).
fn remove(conn: &Connection, doc_id: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "DELETE FROM doc_search_fts WHERE rowid IN
             (SELECT id FROM doc_search_pages WHERE doc_id = ?1)",
    )?
    .execute([doc_id])?;
    conn.prepare_cached("DELETE FROM doc_search_pages WHERE doc_id = ?1")?
        .execute([doc_id])?;
    Ok(())
}

/// Searches for `query` among the documents in `allowed_doc_ids` only (an empty list
/// finds nothing). Best matches first (bm25), at most `limit` pages. An empty query or
/// one without any word finds nothing.
fn search(
    conn: &Connection,
    query: &str,
    allowed_doc_ids: &[i64],
    limit: usize,
) -> Result<Vec<Hit>, StoreError> {
    if allowed_doc_ids.is_empty() {
        return Ok(Vec::new());
    }
    if allowed_doc_ids.len() > MAX_SQL_IN_LIST {
        let allowed: HashSet<i64> = allowed_doc_ids.iter().copied().collect();
        return search_filtered(conn, query, limit, |id| allowed.contains(&id));
    }
    let q = Query::parse(query);
    if q.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let placeholders = vec!["?"; allowed_doc_ids.len()].join(",");
    let sql = format!(
        "SELECT p.doc_id, p.version, p.page, p.body
           FROM doc_search_fts f JOIN doc_search_pages p ON p.id = f.rowid
          WHERE doc_search_fts MATCH ? AND p.doc_id IN ({placeholders})
          ORDER BY f.rank
          LIMIT ?"
    );
    let fts = q.to_fts();
    let lim = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut args: Vec<&dyn ToSql> = Vec::with_capacity(allowed_doc_ids.len() + 2);
    args.push(&fts);
    args.extend(allowed_doc_ids.iter().map(|id| id as &dyn ToSql));
    args.push(&lim);
    run_query(conn, &sql, &args, &q, limit, |_| true)
}

/// Like [`search`], with the access decision made by `allow(doc_id)` for each matching
/// document (called once per matching page, in rank order, until `limit` hits).
fn search_filtered(
    conn: &Connection,
    query: &str,
    limit: usize,
    allow: impl FnMut(i64) -> bool,
) -> Result<Vec<Hit>, StoreError> {
    let q = Query::parse(query);
    if q.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let fts = q.to_fts();
    let sql = "SELECT p.doc_id, p.version, p.page, p.body
                 FROM doc_search_fts f JOIN doc_search_pages p ON p.id = f.rowid
                WHERE doc_search_fts MATCH ?
                ORDER BY f.rank";
    run_query(conn, sql, &[&fts], &q, limit, allow)
}

fn run_query(
    conn: &Connection,
    sql: &str,
    args: &[&dyn ToSql],
    q: &Query,
    limit: usize,
    mut allow: impl FnMut(i64) -> bool,
) -> Result<Vec<Hit>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query(args)?;
    let mut hits = Vec::new();
    while let Some(row) = rows.next()? {
        let doc_id: i64 = row.get(0)?;
        if !allow(doc_id) {
            continue;
        }
        let body: String = row.get(3)?;
        hits.push(Hit {
            doc_id,
            version: row.get(1)?,
            page: row.get(2)?,
            snippet: make_snippet(&body, q),
        });
        if hits.len() >= limit {
            break;
        }
    }
    Ok(hits)
}

/// The FTS5 tables on a real SQLite database (moved here from congress-docs with the SQL).
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        create_schema(&conn).unwrap();
        create_schema(&conn).unwrap(); // idempotent
        conn
    }

    fn pages(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    fn seed(conn: &Connection) {
        index_version(
            conn,
            1,
            1,
            &pages(&[
                "BÁO CÁO CHÍNH TRỊ\n\nĐại hội đại biểu Đảng bộ tỉnh lần thứ XV",
                "Phương hướng, nhiệm vụ nhiệm kỳ 2025–2030.\nNghị quyết về công tác cán bộ.",
            ]),
        )
        .unwrap();
        index_version(
            conn,
            2,
            3,
            &pages(&["Danh sách ứng cử viên Ban Chấp hành (dự thảo, MẬT)"]),
        )
        .unwrap();
        index_version(conn, 3, 1, &pages(&["التقرير السياسي للمؤتمر"])).unwrap();
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
            let hits = search(&conn, q, &[1, 2, 3], 10).unwrap();
            assert_eq!(hits.len(), 1, "{q}");
            assert_eq!((hits[0].doc_id, hits[0].version, hits[0].page), (1, 1, 2));
            assert_eq!(
                hits[0].snippet.marked("[", "]"),
                "… nhiệm vụ nhiệm kỳ 2025–2030. [Nghị] [quyết] về công tác cán bộ.",
                "{q}"
            );
        }
        let hits = search(&conn, "dai hoi", &[1, 2, 3], 10).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(
            hits[0].snippet.marked("<", ">"),
            "BÁO CÁO CHÍNH TRỊ <Đại> <hội> <đại> biểu Đảng bộ tỉnh lần thứ XV"
        );
        // prefix on the last word (search as you type)
        let hits = search(&conn, "ung cu vi", &[1, 2, 3], 10).unwrap();
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
        let hits = search(&conn, "السياسي", &[1, 2, 3], 10).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].doc_id, 3);
        assert!(hits[0].snippet.marked("[", "]").contains("[السياسي]"));
        // all words must match
        assert!(
            search(&conn, "nghị quyết arabic", &[1, 2, 3], 10)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn only_allowed_documents_are_answered() {
        let conn = db();
        seed(&conn);
        assert_eq!(
            search(&conn, "ban chap hanh", &[1, 2], 10).unwrap().len(),
            1
        );
        assert!(
            search(&conn, "ban chap hanh", &[1, 3], 10)
                .unwrap()
                .is_empty()
        );
        assert!(search(&conn, "ban chap hanh", &[], 10).unwrap().is_empty());
        let hits = search_filtered(&conn, "ban", 10, |id| id != 2).unwrap();
        assert!(hits.is_empty());
        let hits = search_filtered(&conn, "ban", 10, |_| true).unwrap();
        assert_eq!(hits.len(), 1);
        // a very long allow-list takes the in-Rust path and still filters
        let many: Vec<i64> = (100..20_100).collect();
        assert!(search(&conn, "ban", &many, 10).unwrap().is_empty());
        let mut many = many;
        many.push(2);
        assert_eq!(search(&conn, "ban", &many, 10).unwrap().len(), 1);
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
            search(&conn, q, &[1, 2, 3], 10).unwrap();
            search_filtered(&conn, q, 10, |_| true).unwrap();
        }
        // operators are just words: "dai OR nothing" requires the word "or"
        assert!(search(&conn, "dai OR zzz", &[1], 10).unwrap().is_empty());
        assert_eq!(search(&conn, "NEAR(dai hoi)", &[1], 10).unwrap().len(), 0);
        assert_eq!(search(&conn, "(dai) \"hoi\"", &[1], 10).unwrap().len(), 1);
        // the table survived
        assert_eq!(search(&conn, "dai hoi", &[1], 10).unwrap().len(), 1);
    }

    #[test]
    fn new_version_replaces_old_and_remove_deletes() {
        let conn = db();
        seed(&conn);
        index_version(&conn, 1, 2, &pages(&["Bản sửa đổi: nghị quyết mới"])).unwrap();
        assert!(search(&conn, "dai hoi", &[1], 10).unwrap().is_empty());
        let hits = search(&conn, "nghi quyet", &[1], 10).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].version, hits[0].page), (2, 1));
        remove(&conn, 1).unwrap();
        assert!(search(&conn, "nghi quyet", &[1], 10).unwrap().is_empty());
        let count: i64 = conn
            .query_row(
                "SELECT count(*) FROM doc_search_pages WHERE doc_id = 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(count, 0);
        // document 2 untouched
        assert_eq!(search(&conn, "ban", &[2], 10).unwrap().len(), 1);
    }

    #[test]
    fn works_inside_a_transaction_that_rolls_back() {
        let mut conn = db();
        seed(&conn);
        {
            let tx = conn.transaction().unwrap();
            index_version(&tx, 9, 1, &pages(&["Thông báo khẩn"])).unwrap();
            assert_eq!(search(&tx, "thong bao", &[9], 10).unwrap().len(), 1);
            remove(&tx, 2).unwrap();
            // dropped without commit: rolled back
        }
        assert!(search(&conn, "thong bao", &[9], 10).unwrap().is_empty());
        assert_eq!(search(&conn, "ban", &[2], 10).unwrap().len(), 1);
    }

    #[test]
    fn ranking_limit_and_long_pages() {
        let conn = db();
        let long: String = (0..2000).map(|i| format!("từ{i} ")).collect::<String>() + "bầu cử";
        index_version(
            &conn,
            5,
            1,
            &pages(&["bầu cử bầu cử bầu cử", &long, "", "   \n\u{c}  "]),
        )
        .unwrap();
        let hits = search(&conn, "bau cu", &[5], 10).unwrap();
        assert_eq!(hits.iter().map(|h| h.page).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(search(&conn, "bau cu", &[5], 1).unwrap().len(), 1);
        assert_eq!(search(&conn, "bau cu", &[5], 0).unwrap().len(), 0);
        let text = hits[1].snippet.text();
        assert!(text.starts_with("… ") && text.ends_with("bầu cử"), "{text}");
        assert!(text.chars().count() < 200);
        // empty pages were not stored
        let count: i64 = conn
            .query_row("SELECT count(*) FROM doc_search_pages", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 2);
    }
}
