//! Shared test helpers: external tool checks and a hand-written PDF generator.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::process::Command;

/// Returns true if `tool` can be run. If it cannot and `CONGRESS_REQUIRE_TOOLS=1`, panics;
/// otherwise prints why the test is skipped.
pub fn have_tool(tool: &str, package: &str) -> bool {
    let ok = Command::new(tool)
        .arg(if tool == "age" || tool == "qpdf" {
            "--version"
        } else {
            "-v"
        })
        .output()
        .is_ok();
    if !ok {
        if std::env::var("CONGRESS_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("`{tool}` is required (CONGRESS_REQUIRE_TOOLS=1): apt-get install {package}");
        }
        eprintln!("SKIPPED: `{tool}` not installed (apt-get install {package})");
    }
    ok
}

/// Builds a small valid PDF. Each page is a list of text lines. Any non-ASCII
/// characters (e.g. Vietnamese) are given single-byte codes 0x80.. and mapped back to
/// Unicode with a /ToUnicode CMap, so text extraction yields the original strings.
/// With `encrypt`, the trailer gets a Standard security handler whose (random) /U
/// entry does not match the empty password, i.e. a password-protected PDF.
pub fn make_pdf(pages: &[&[&str]], encrypt: bool) -> Vec<u8> {
    let mut codes: BTreeMap<char, u8> = BTreeMap::new();
    for line in pages.iter().flat_map(|p| p.iter()) {
        for c in line.chars() {
            if !c.is_ascii() && !codes.contains_key(&c) {
                let code = 0x80 + u8::try_from(codes.len()).expect("at most 128 distinct chars");
                codes.insert(c, code);
            }
        }
    }
    let mut objs: Vec<Vec<u8>> = Vec::new();
    let n = pages.len();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
    objs.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objs.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes());
    let widths = vec!["500"; 255].join(" ");
    objs.push(
        format!(
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 1 /LastChar 255 \
             /Widths [{widths}] /ToUnicode 4 0 R >>"
        )
        .into_bytes(),
    );
    let mut bfchar = String::new();
    for (c, code) in &codes {
        let mut utf16 = [0u16; 2];
        let hex: String = c
            .encode_utf16(&mut utf16)
            .iter()
            .map(|u| format!("{u:04X}"))
            .collect();
        bfchar.push_str(&format!("<{code:02X}> <{hex}> "));
    }
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap \
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def \
         /CMapName /Adobe-Identity-UCS def /CMapType 2 def \
         1 begincodespacerange <00> <FF> endcodespacerange \
         1 beginbfrange <20> <7E> <0020> endbfrange ",
    );
    if !codes.is_empty() {
        cmap.push_str(&format!("{} beginbfchar {bfchar}endbfchar ", codes.len()));
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end");
    objs.push(stream_obj(cmap.as_bytes()));
    for (i, lines) in pages.iter().enumerate() {
        objs.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
                 /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                6 + 2 * i
            )
            .into_bytes(),
        );
        let mut body = b"BT /F1 12 Tf 72 720 Td 14 TL ".to_vec();
        for line in lines.iter() {
            body.push(b'(');
            for c in line.chars() {
                match c {
                    '(' | ')' | '\\' => {
                        body.push(b'\\');
                        body.push(c as u8);
                    }
                    c if c.is_ascii() => body.push(c as u8),
                    c => body.push(codes[&c]),
                }
            }
            body.extend_from_slice(b") Tj T* ");
        }
        body.extend_from_slice(b"ET");
        objs.push(stream_obj(&body));
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let mut trailer = String::new();
    if encrypt {
        offsets.push(out.len());
        let id = objs.len() + 1;
        out.extend_from_slice(
            format!(
                "{id} 0 obj\n<< /Filter /Standard /V 1 /R 2 /O <{}> /U <{}> /P -4 >>\nendobj\n",
                "11".repeat(32),
                "22".repeat(32)
            )
            .as_bytes(),
        );
        trailer = format!(" /Encrypt {id} 0 R /ID [<{0}> <{0}>]", "ab".repeat(16));
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{trailer} >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream_obj(data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}
