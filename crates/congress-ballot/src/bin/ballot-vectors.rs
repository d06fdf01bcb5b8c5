//! `ballot-vectors [DIR]`: writes the Rust-side test vectors (deterministic) to
//! `DIR/rust-vectors.json` and the negative vectors to `DIR/invalid-vectors.json` (default: this crate's `vectors/`). The tests fail when the committed
//! file differs from what the code produces.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/vectors").to_string());
    let vectors = congress_ballot::testkit::rust_vectors()?;
    let path = std::path::Path::new(&dir).join("rust-vectors.json");
    std::fs::write(&path, serde_json::to_string_pretty(&vectors)? + "\n")?;
    println!("wrote {}", path.display());
    let invalid = congress_ballot::testkit::rust_invalid_vectors()?;
    let path = std::path::Path::new(&dir).join("invalid-vectors.json");
    std::fs::write(&path, serde_json::to_string_pretty(&invalid)? + "\n")?;
    println!("wrote {}", path.display());
    Ok(())
}
