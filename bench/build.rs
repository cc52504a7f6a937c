//! Puts the versions of the peer crates, as resolved in the workspace's Cargo.lock, into
//! `PEER_*` environment variables for the report header.

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let lock = std::path::Path::new(&dir).join("../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    for (name, var) in [
        ("redis", "PEER_REDIS"),
        ("fred", "PEER_FRED"),
        ("redis-protocol", "PEER_REDIS_PROTOCOL"),
        ("tokio", "PEER_TOKIO"),
    ] {
        // Every resolved version of `name` (normally one), joined by "/".
        let mut versions = Vec::new();
        let mut lines = text.lines();
        while let Some(l) = lines.next() {
            if l.trim() == format!("name = \"{name}\"") {
                if let Some(v) = lines
                    .next()
                    .and_then(|v| v.trim().strip_prefix("version = \""))
                    .and_then(|v| v.strip_suffix('"'))
                {
                    versions.push(v.to_string());
                }
            }
        }
        let v = if versions.is_empty() {
            "?".to_string()
        } else {
            versions.join("/")
        };
        println!("cargo:rustc-env={var}={v}");
    }
}
