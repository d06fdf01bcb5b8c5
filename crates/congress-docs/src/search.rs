//! Full-text search over document pages, with Vietnamese matching with or without
//! diacritics.
//!
//! Text is [`fold`]ed (lowercased, Latin diacritics removed, `đ` → `d`) before it is
//! indexed in an SQLite FTS5 table, and queries are folded the same way, so `nghi quyet`,
//! `Nghị quyết` and `NGHỊ QUYẾT` all find each other. Arabic and other scripts are only
//! lowercased (their marks are kept).
//!
//! Storage layout (created by [`create_schema`], all names prefixed `doc_search_`):
//! - `doc_search_pages(id, doc_id, version, page, body)`: the original page text, used
//!   to build snippets;
//! - `doc_search_fts(folded)`: a contentless FTS5 index (with `contentless_delete=1`)
//!   whose rowid is `doc_search_pages.id`.
//!
//! Only the latest indexed version of a document is searchable: [`index_version`]
//! replaces what was there. Every function takes a `&Connection`, so the storage crate
//! can call them inside its own transaction (a `rusqlite::Transaction` derefs to one).
//!
//! Queries never reach FTS5 syntax: they are folded and split into words, each word is
//! quoted, and the words are ANDed (the last word also matches as a prefix, for
//! search-as-you-type). Snippets are built in Rust from the original text, with the
//! matching words marked.

use std::collections::HashSet;

use rusqlite::{Connection, ToSql, params};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// At most this many words of a query are used.
const MAX_QUERY_WORDS: usize = 16;
/// Words of context before the first match in a snippet.
const SNIPPET_WORDS_BEFORE: usize = 6;
/// Total words in a snippet.
const SNIPPET_WORDS: usize = 24;
/// Above this many allowed documents the filter is applied in Rust instead of SQL.
const MAX_SQL_IN_LIST: usize = 10_000;

/// Errors from the search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// SQLite failed.
    #[error("search index error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A page number does not fit the index.
    #[error("too many pages in one document")]
    TooManyPages,
}

/// The Combining Diacritical Marks block: every Vietnamese tone and vowel mark after
/// canonical decomposition (grave, acute, tilde, hook above, dot below, circumflex,
/// breve, horn), as well as other Latin accents.
fn is_latin_diacritic(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Folds text for matching: lowercase, canonical decomposition, removal of the
/// combining diacritical marks U+0300–U+036F, `đ`/`Đ` → `d`, then NFC again (so other
/// scripts, e.g. Arabic letters with hamza, come out as they went in, lowercased).
///
/// `fold("Nghị quyết Đại hội") == "nghi quyet dai hoi"`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        for l in c.to_lowercase() {
            decompose_canonical(l, |d| {
                if is_latin_diacritic(d) {
                    return;
                }
                out.push(if d == 'đ' { 'd' } else { d });
            });
        }
    }
    if out.is_ascii() {
        out
    } else {
        out.nfc().collect()
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Byte ranges of the words of `s` (runs of letters, digits and combining marks), the
/// same notion of word as the FTS5 tokenizer's categories `L* N* Co M*`.
fn word_ranges(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(st)) => {
                out.push((st, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

/// A parsed query: folded words; the last one also matches as a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Query {
    words: Vec<String>,
}

impl Query {
    fn parse(q: &str) -> Self {
        let folded = fold(q);
        let mut words: Vec<String> = Vec::new();
        for (s, e) in word_ranges(&folded) {
            let w = &folded[s..e];
            if !words.iter().any(|x| x == w) {
                words.push(w.to_string());
            }
            if words.len() == MAX_QUERY_WORDS {
                break;
            }
        }
        Query { words }
    }

    /// The FTS5 MATCH expression: every word quoted (quotes doubled), ANDed, the last
    /// one as a prefix.
    fn to_fts(&self) -> String {
        let n = self.words.len();
        self.words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let quoted = format!("\"{}\"", w.replace('"', "\"\""));
                if i + 1 == n { quoted + "*" } else { quoted }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn matches_word(&self, folded_word: &str) -> bool {
        let n = self.words.len();
        self.words
            .iter()
            .enumerate()
            .any(|(i, w)| folded_word == w || (i + 1 == n && folded_word.starts_with(w.as_str())))
    }
}

/// Creates the search tables if they do not exist (idempotent).
pub fn create_schema(conn: &Connection) -> Result<(), SearchError> {
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
pub fn index_version(
    conn: &Connection,
    doc_id: i64,
    version: i64,
    pages: &[String],
) -> Result<(), SearchError> {
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
        let page = i64::try_from(i + 1).map_err(|_| SearchError::TooManyPages)?;
        let id = insert_page.insert(params![doc_id, version, page, body])?;
        insert_fts.execute(params![id, fold(body)])?;
    }
    Ok(())
}

/// Removes a document from the index (all its pages).
pub fn remove(conn: &Connection, doc_id: i64) -> Result<(), SearchError> {
    conn.prepare_cached(
        "DELETE FROM doc_search_fts WHERE rowid IN
             (SELECT id FROM doc_search_pages WHERE doc_id = ?1)",
    )?
    .execute([doc_id])?;
    conn.prepare_cached("DELETE FROM doc_search_pages WHERE doc_id = ?1")?
        .execute([doc_id])?;
    Ok(())
}

/// One piece of a snippet: text, and whether it matched the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnippetPart {
    /// Original (not folded) text.
    pub text: String,
    /// `true` for a matching word.
    pub highlight: bool,
}

/// An excerpt of the original page text around the first match, as parts to render
/// (plain text: the client escapes it, no markup is ever produced from document text).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct Snippet {
    /// Consecutive parts; adjacent parts differ in `highlight`.
    pub parts: Vec<SnippetPart>,
}

impl Snippet {
    fn push(&mut self, text: &str, highlight: bool) {
        if text.is_empty() {
            return;
        }
        match self.parts.last_mut() {
            Some(last) if last.highlight == highlight => last.text.push_str(text),
            _ => self.parts.push(SnippetPart {
                text: text.to_string(),
                highlight,
            }),
        }
    }

    /// The plain text of the snippet.
    pub fn text(&self) -> String {
        self.parts.iter().map(|p| p.text.as_str()).collect()
    }

    /// The snippet with matches wrapped in `open`/`close` (e.g. `[`, `]`). The text is
    /// not escaped: do not use this to build HTML.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut s = String::new();
        for p in &self.parts {
            if p.highlight {
                s.push_str(open);
                s.push_str(&p.text);
                s.push_str(close);
            } else {
                s.push_str(&p.text);
            }
        }
        s
    }
}

/// A page that matches a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Document id.
    pub doc_id: i64,
    /// Indexed version of that document.
    pub version: i64,
    /// Page number, from 1.
    pub page: u32,
    /// Excerpt of the original text with the matches marked.
    pub snippet: Snippet,
}

/// Collapses whitespace runs to one space.
fn push_collapsed(snippet: &mut Snippet, text: &str) {
    let mut buf = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            if !in_space {
                buf.push(' ');
            }
            in_space = true;
        } else {
            buf.push(c);
            in_space = false;
        }
    }
    snippet.push(&buf, false);
}

fn make_snippet(body: &str, query: &Query) -> Snippet {
    let words = word_ranges(body);
    let hits: Vec<bool> = words
        .iter()
        .map(|&(s, e)| query.matches_word(&fold(&body[s..e])))
        .collect();
    let first = hits.iter().position(|h| *h).unwrap_or(0);
    let lo = first.saturating_sub(SNIPPET_WORDS_BEFORE);
    let hi = (lo + SNIPPET_WORDS).min(words.len());
    let mut snippet = Snippet::default();
    if words.is_empty() {
        return snippet;
    }
    if lo > 0 {
        snippet.push("… ", false);
    }
    for i in lo..hi {
        let (s, e) = words[i];
        snippet.push(&body[s..e], hits[i]);
        // separator up to the next word (or a short tail after the last one)
        let sep_end = if i + 1 < hi {
            words[i + 1].0
        } else {
            e + body[e..]
                .char_indices()
                .take_while(|(_, c)| !c.is_whitespace() && !is_word_char(*c))
                .map(|(j, c)| j + c.len_utf8())
                .last()
                .unwrap_or(0)
        };
        push_collapsed(&mut snippet, &body[e..sep_end]);
    }
    if hi < words.len() {
        snippet.push(" …", false);
    }
    snippet
}

/// Searches for `query` among the documents in `allowed_doc_ids` only (an empty list
/// finds nothing). Best matches first (bm25), at most `limit` pages. An empty query or
/// one without any word finds nothing.
pub fn search(
    conn: &Connection,
    query: &str,
    allowed_doc_ids: &[i64],
    limit: usize,
) -> Result<Vec<Hit>, SearchError> {
    if allowed_doc_ids.is_empty() {
        return Ok(Vec::new());
    }
    if allowed_doc_ids.len() > MAX_SQL_IN_LIST {
        let allowed: HashSet<i64> = allowed_doc_ids.iter().copied().collect();
        return search_filtered(conn, query, limit, |id| allowed.contains(&id));
    }
    let q = Query::parse(query);
    if q.words.is_empty() || limit == 0 {
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
pub fn search_filtered(
    conn: &Connection,
    query: &str,
    limit: usize,
    allow: impl FnMut(i64) -> bool,
) -> Result<Vec<Hit>, SearchError> {
    let q = Query::parse(query);
    if q.words.is_empty() || limit == 0 {
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
) -> Result<Vec<Hit>, SearchError> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("Nghị quyết Đại hội"), "nghi quyet dai hoi");
        assert_eq!(
            fold("ĐẢNG CỘNG SẢN VIỆT NAM ơ ư ă â ê ô"),
            "dang cong san viet nam o u a a e o"
        );
        // already-decomposed input folds the same
        assert_eq!(fold("Nghi\u{0323} quye\u{0302}\u{0301}t"), "nghi quyet");
        assert_eq!(fold("Hello World 123"), "hello world 123");
        // Arabic: unchanged (marks kept, letters with hamza recomposed)
        let ar = "التقرير السياسي أُمّة";
        assert_eq!(fold(ar), ar);
        assert_eq!(fold("ΑΒΓ"), "αβγ");
    }

    #[test]
    fn query_quoting() {
        let q = Query::parse("\"nghị\" OR quyết* NEAR(a b) -x ^y");
        assert_eq!(
            q.to_fts(),
            "\"nghi\" \"or\" \"quyet\" \"near\" \"a\" \"b\" \"x\" \"y\"*"
        );
        assert!(Query::parse("  \"*()  ").words.is_empty());
    }
}
