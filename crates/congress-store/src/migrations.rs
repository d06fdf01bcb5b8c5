//! Schema migrations, applied in order and recorded in `PRAGMA user_version`.

use rusqlite::Connection;

use crate::StoreError;

const MIGRATIONS: &[&str] = &[
    // 1: journal, projections of the congress, idempotency.
    r#"
    CREATE TABLE journal (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    ) STRICT;
    CREATE TABLE congress (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        body TEXT NOT NULL
    ) STRICT;
    CREATE TABLE delegates (
        id TEXT PRIMARY KEY,
        full_name TEXT NOT NULL,
        unit TEXT NOT NULL,
        seat TEXT NOT NULL,
        grp TEXT NOT NULL,
        roles TEXT NOT NULL
    ) STRICT;
    CREATE TABLE attendance (
        delegate_id TEXT PRIMARY KEY REFERENCES delegates(id),
        status TEXT NOT NULL,
        at INTEGER NOT NULL,
        source TEXT NOT NULL,
        reason TEXT,
        seq INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE agenda_items (
        pos INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL
    ) STRICT;
    CREATE TABLE agenda_current (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        item_id TEXT
    ) STRICT;
    CREATE TABLE operators (
        username TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        roles TEXT NOT NULL,
        password_hash TEXT NOT NULL
    ) STRICT;
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE pairing_codes (
        code_hash TEXT PRIMARY KEY,
        body TEXT NOT NULL
    ) STRICT;
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL
    ) STRICT;
    CREATE TABLE idempotency (
        client_id TEXT PRIMARY KEY,
        actor TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        response TEXT NOT NULL
    ) STRICT;
    "#,
    // 2: documents (metadata and versions as JSON) and who fetched which version.
    r#"
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        body TEXT NOT NULL
    ) STRICT;
    CREATE TABLE document_fetches (
        document_id INTEGER NOT NULL,
        version INTEGER NOT NULL,
        device_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (document_id, version, device_id)
    ) STRICT;
    "#,
    // 3: face enrolments (biometric data: kept out of the journal, deleted by purge-biometrics).
    r#"
    CREATE TABLE face_enrolments (
        id INTEGER PRIMARY KEY,
        delegate_id TEXT NOT NULL,
        embedding BLOB NOT NULL,
        photo_thumb BLOB,
        source TEXT NOT NULL,
        at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX face_enrolments_delegate ON face_enrolments (delegate_id);
    "#,
    // 4: votes. Ballots of secret votes are keyed by their random receipt (WITHOUT ROWID: no
    // insertion order), with no delegate and no time; participation is a separate table.
    r#"
    CREATE TABLE votes (
        id INTEGER PRIMARY KEY,
        spec TEXT NOT NULL,
        duration_s INTEGER,
        phase TEXT NOT NULL,
        result TEXT
    ) STRICT;
    CREATE TABLE vote_ballots_open (
        vote_id INTEGER NOT NULL,
        delegate_id TEXT NOT NULL,
        receipt TEXT NOT NULL,
        choice TEXT NOT NULL,
        PRIMARY KEY (vote_id, delegate_id)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE vote_ballots_secret (
        vote_id INTEGER NOT NULL,
        receipt TEXT NOT NULL,
        choice TEXT NOT NULL,
        PRIMARY KEY (vote_id, receipt)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE vote_participation (
        vote_id INTEGER NOT NULL,
        delegate_id TEXT NOT NULL,
        id_hash TEXT NOT NULL,
        check_hash TEXT NOT NULL,
        PRIMARY KEY (vote_id, delegate_id)
    ) STRICT, WITHOUT ROWID;
    "#,
    // 5: the meeting (agenda control, speakers, projector): its events, replayed at load.
    r#"
    CREATE TABLE meeting_events (
        seq INTEGER PRIMARY KEY,
        body TEXT NOT NULL
    ) STRICT;
    "#,
    // 6: notices with read receipts; discussion groups (secretaries, opinions, summaries).
    r#"
    CREATE TABLE notices (
        id INTEGER PRIMARY KEY,
        body TEXT NOT NULL
    ) STRICT;
    CREATE TABLE notice_reads (
        notice_id INTEGER NOT NULL,
        delegate_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (notice_id, delegate_id)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE group_secretaries (
        grp TEXT PRIMARY KEY,
        delegate_id TEXT NOT NULL
    ) STRICT;
    CREATE TABLE group_opinions (
        item_id TEXT NOT NULL,
        delegate_id TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (item_id, delegate_id)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE group_summaries (
        grp TEXT NOT NULL,
        item_id TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (grp, item_id)
    ) STRICT, WITHOUT ROWID;
    "#,
    // 7: the counting board's key ceremony and encrypted secret votes.
    r#"
    CREATE TABLE board_events (
        seq INTEGER PRIMARY KEY,
        body TEXT NOT NULL
    ) STRICT;
    CREATE TABLE vote_ballots_encrypted (
        vote_id INTEGER NOT NULL,
        tracker TEXT NOT NULL,
        delegate_id TEXT NOT NULL,
        ballot TEXT NOT NULL,
        rejected TEXT,
        PRIMARY KEY (vote_id, tracker)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE vote_encrypted_events (
        seq INTEGER PRIMARY KEY,
        vote_id INTEGER NOT NULL,
        body TEXT NOT NULL
    ) STRICT;
    "#,
    // 8: the congress's procedures (credentials, bodies, elections): each feature's events in
    // journal order, replayed at load (small: a few hundred events in a congress).
    r#"
    CREATE TABLE credentials_events (
        seq INTEGER PRIMARY KEY,
        body TEXT NOT NULL
    ) STRICT;
    CREATE TABLE bodies_events (
        seq INTEGER PRIMARY KEY,
        body TEXT NOT NULL
    ) STRICT;
    CREATE TABLE elections_events (
        seq INTEGER PRIMARY KEY,
        body TEXT NOT NULL
    ) STRICT;
    "#,
    // 9: an unused pairing code remembers who made it (issue 13, finding 7: two operators for
    // marking present and pairing). Older rows get it from their `pairing_code_created` event;
    // the body is rebuilt with its keys in the order the projection writes them (sorted).
    r#"
    UPDATE pairing_codes SET body = json_object(
        'created_by', COALESCE((
            SELECT json_extract(j.body, '$.created_by') FROM journal j
            WHERE j.kind = 'pairing_code_created'
              AND json_extract(j.body, '$.code_hash') = pairing_codes.code_hash
            ORDER BY j.seq DESC LIMIT 1), ''),
        'delegate_id', json_extract(body, '$.delegate_id'),
        'direction', json_extract(body, '$.direction'),
        'expires_at', json_extract(body, '$.expires_at'),
        'kind', json_extract(body, '$.kind'),
        'label', json_extract(body, '$.label'))
    WHERE json_extract(body, '$.created_by') IS NULL;
    "#,
    // 10: encrypted ballots move to a rowid table with a unique index on (vote, tracker). In the
    // WITHOUT ROWID table of migration 7 every ballot (tens of kilobytes for an election) was
    // the B-tree's key: each insert's binary search read whole ballots from overflow pages,
    // which made the engine's commit the bottleneck of an election storm. The order of rows
    // says nothing here that the row does not (each row names its delegate: the ballot is
    // secret by its encryption, not by where it is stored).
    r#"
    CREATE TABLE vote_ballots_encrypted_v10 (
        vote_id INTEGER NOT NULL,
        tracker TEXT NOT NULL,
        delegate_id TEXT NOT NULL,
        ballot TEXT NOT NULL,
        rejected TEXT
    ) STRICT;
    INSERT INTO vote_ballots_encrypted_v10 (vote_id, tracker, delegate_id, ballot, rejected)
        SELECT vote_id, tracker, delegate_id, ballot, rejected FROM vote_ballots_encrypted;
    DROP TABLE vote_ballots_encrypted;
    ALTER TABLE vote_ballots_encrypted_v10 RENAME TO vote_ballots_encrypted;
    CREATE UNIQUE INDEX vote_ballots_encrypted_key ON vote_ballots_encrypted (vote_id, tracker);
    "#,
];

/// The tables that hold state projected from the journal (compared by `verify`).
pub const STATE_TABLES: &[&str] = &[
    "congress",
    "delegates",
    "attendance",
    "agenda_items",
    "agenda_current",
    "operators",
    "sessions",
    "pairing_codes",
    "devices",
    "documents",
    "document_fetches",
    "votes",
    "vote_ballots_open",
    "vote_ballots_secret",
    "vote_participation",
    "notices",
    "notice_reads",
    "group_secretaries",
    "group_opinions",
    "group_summaries",
    "meeting_events",
    "board_events",
    "vote_ballots_encrypted",
    "vote_encrypted_events",
    "credentials_events",
    "bodies_events",
    "elections_events",
];

pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > latest() {
        return Err(StoreError::TooNew {
            found: current,
            known: latest(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "applied schema migration");
    }
    Ok(())
}
