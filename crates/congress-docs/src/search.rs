//! Full-text search over document pages, with Vietnamese matching with or without
//! diacritics.
//!
//! Text is [`fold`]ed (lowercased, Latin diacritics removed, `đ` → `d`) before it is
//! indexed in an SQLite FTS5 table, and queries are folded the same way, so `nghi quyet`,
//! `Nghị quyết` and `NGHỊ QUYẾT` all find each other. Arabic and other scripts are only
//! lowercased (their marks are kept).
//!
//! This module is the text side only: folding, queries ([`Query::to_fts`]) and snippets. The
//! index itself (SQLite FTS5 tables) is the store's (`congress_store::SearchIndex`).
//!
//! Queries never reach FTS5 syntax: they are folded and split into words, each word is
//! quoted, and the words are ANDed (the last word also matches as a prefix, for
//! search-as-you-type). Snippets are built in Rust from the original text, with the
//! matching words marked.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// At most this many words of a query are used.
const MAX_QUERY_WORDS: usize = 16;
/// Words of context before the first match in a snippet.
const SNIPPET_WORDS_BEFORE: usize = 6;
/// Total words in a snippet.
const SNIPPET_WORDS: usize = 24;

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

/// Whether `c` belongs to a word (letters, digits, marks).
pub fn is_word_char(c: char) -> bool {
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
pub struct Query {
    words: Vec<String>,
}

impl Query {
    /// Folds `q` and splits it into (at most 16, distinct) words.
    pub fn parse(q: &str) -> Self {
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
    pub fn to_fts(&self) -> String {
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

    /// No word to look for.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    fn matches_word(&self, folded_word: &str) -> bool {
        let n = self.words.len();
        self.words
            .iter()
            .enumerate()
            .any(|(i, w)| folded_word == w || (i + 1 == n && folded_word.starts_with(w.as_str())))
    }
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

/// An excerpt of `body` around the first word that matches `query`, matches marked.
pub fn make_snippet(body: &str, query: &Query) -> Snippet {
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
