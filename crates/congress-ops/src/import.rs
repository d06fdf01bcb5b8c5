//! Reading a congress from files: `congress.toml` (the congress, quorum and agenda) and a
//! delegates CSV (`id,full_name,unit,seat,group,roles`). Every bad row is reported with its line
//! number; an import with any bad row applies nothing.

use std::collections::HashSet;
use std::path::Path;

use congress_proto::{AgendaItem, Congress, Delegate, QuorumRule, Role};
use serde::Deserialize;

/// `congress.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CongressFile {
    pub name: String,
    pub venue: String,
    pub starts_on: String,
    pub ends_on: String,
    pub convened: u32,
    #[serde(default)]
    pub quorum: QuorumRule,
    #[serde(default)]
    pub agenda: Vec<AgendaItem>,
}

impl CongressFile {
    pub fn congress(&self) -> Congress {
        Congress {
            name: self.name.clone(),
            venue: self.venue.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            convened: self.convened,
            quorum: self.quorum,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is invalid: {reason}")]
    Toml { path: String, reason: String },
    #[error("{} bad row(s); nothing was imported:\n{}", .0.len(), .0.join("\n"))]
    Rows(Vec<String>),
}

pub fn read_congress(path: &Path) -> Result<CongressFile, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ImportError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    toml::from_str(&text).map_err(|e| ImportError::Toml {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

const COLUMNS: [&str; 6] = ["id", "full_name", "unit", "seat", "group", "roles"];

/// Parses a delegates CSV, calling `progress` after each row.
pub fn parse_delegates(
    bytes: &[u8],
    mut progress: impl FnMut(usize),
) -> Result<Vec<Delegate>, ImportError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut errors = Vec::new();
    let header = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(ImportError::Rows(vec![format!("line 1: {e}")])),
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).to_lowercase())
        .collect();
    if header != COLUMNS {
        return Err(ImportError::Rows(vec![format!(
            "line 1: the header must be exactly `{}` (found `{}`)",
            COLUMNS.join(","),
            header.join(",")
        )]));
    }
    let mut out = Vec::new();
    let mut ids = HashSet::new();
    for (i, rec) in reader.byte_records().enumerate() {
        let line = i + 2;
        progress(i + 1);
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        if rec.len() != COLUMNS.len() {
            errors.push(format!(
                "line {line}: {} fields, expected {}",
                rec.len(),
                COLUMNS.len()
            ));
            continue;
        }
        let mut fields = Vec::with_capacity(6);
        let mut bad = false;
        for (col, raw) in COLUMNS.iter().zip(rec.iter()) {
            match std::str::from_utf8(raw) {
                Ok(s) => fields.push(s.to_string()),
                Err(_) => {
                    errors.push(format!(
                        "line {line}: column {col} is not valid UTF-8 (save the file as UTF-8)"
                    ));
                    bad = true;
                    break;
                }
            }
        }
        if bad {
            continue;
        }
        for (col, f) in COLUMNS.iter().zip(&fields) {
            if f.is_empty() && matches!(*col, "id" | "full_name" | "roles") {
                errors.push(format!("line {line}: {col} is missing"));
                bad = true;
            }
        }
        if bad {
            continue;
        }
        let mut roles = Vec::new();
        for r in fields[5]
            .split(';')
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            match Role::parse(r) {
                Some(role) if !roles.contains(&role) => roles.push(role),
                Some(_) => {}
                None => {
                    errors.push(format!(
                        "line {line}: unknown role {r:?} (known: delegate, presidium, secretariat, credentials)"
                    ));
                    bad = true;
                }
            }
        }
        if bad {
            continue;
        }
        roles.sort();
        let d = Delegate {
            id: fields[0].clone(),
            full_name: fields[1].clone(),
            unit: fields[2].clone(),
            seat: fields[3].clone(),
            group: fields[4].clone(),
            roles,
        };
        if let Err(e) = congress_domain::congress::check_delegate(&d) {
            errors.push(format!("line {line}: {e}"));
            continue;
        }
        if !ids.insert(d.id.clone()) {
            errors.push(format!("line {line}: duplicate id {}", d.id));
            continue;
        }
        out.push(d);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ImportError::Rows(errors))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const HEAD: &str = "id,full_name,unit,seat,group,roles\n";

    #[test]
    fn good_rows_parse_with_names_intact() {
        let csv = format!(
            "{HEAD}D0001,Nguyễn Thị Ánh,Đảng bộ huyện,A-01-01,Tổ 1,delegate;presidium\n\
             D0002,فاطمة الزهراء,Khách,A-01-02,Tổ 2,delegate\n"
        );
        let ds = parse_delegates(csv.as_bytes(), |_| {}).unwrap();
        assert_eq!(ds[0].full_name, "Nguyễn Thị Ánh");
        assert_eq!(ds[0].roles, vec![Role::Delegate, Role::Presidium]);
        assert_eq!(ds[1].full_name, "فاطمة الزهراء");
    }

    #[test]
    fn every_bad_row_is_reported_and_nothing_is_returned() {
        let mut bytes = format!(
            "{HEAD}D0001,Nguyễn A,U,S,G,delegate\n\
             D0001,Trần B,U,S,G,delegate\n\
             D0003,,U,S,G,delegate\n\
             D0004,Lê C,U,S,G,delegate;king\n\
             D0005,Phạm D,U,S\n"
        )
        .into_bytes();
        bytes.extend_from_slice(b"D0006,\xff\xfe bad,U,S,G,delegate\n");
        let err = parse_delegates(&bytes, |_| {}).unwrap_err();
        let ImportError::Rows(rows) = err else {
            panic!("expected row errors")
        };
        assert_eq!(rows.len(), 5, "{rows:#?}");
        assert!(rows[0].starts_with("line 3: duplicate id D0001"));
        assert!(rows[1].contains("line 4: full_name is missing"));
        assert!(rows[2].contains("unknown role \"king\""));
        assert!(rows[3].contains("line 6: 4 fields"));
        assert!(rows[4].contains("line 7: column full_name is not valid UTF-8"));
    }

    #[test]
    fn wrong_header_is_refused() {
        let err = parse_delegates(b"id,name\nD1,x\n", |_| {}).unwrap_err();
        assert!(err.to_string().contains("header"));
    }

    #[test]
    fn demo_fixtures_parse() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo");
        let c = read_congress(&root.join("congress.toml")).unwrap();
        assert_eq!(c.convened, 450);
        let ds =
            parse_delegates(&std::fs::read(root.join("delegates.csv")).unwrap(), |_| {}).unwrap();
        assert_eq!(ds.len(), 450);
        let count = |r| ds.iter().filter(|d| d.roles.contains(&r)).count();
        assert_eq!(count(Role::Presidium), 19);
        assert_eq!(count(Role::Secretariat), 3);
        assert_eq!(count(Role::Credentials), 7);
    }
}
