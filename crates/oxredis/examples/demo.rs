//! A tour of the blocking client against a throwaway local redis-server that it starts itself:
//! set/get, a pool shared by threads, and decoded versus raw replies.
//!
//! Run with `bash scripts/demo.sh` (installs redis-server when missing).
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use oxredis::{Redis, SetOptions, Value};
use oxredis_test_support::RedisServer;

fn main() -> oxredis::Result<()> {
    let server = RedisServer::new();
    println!("started redis-server on {}", server.addr());

    // set / get
    let r = Redis::from_url(&server.url())?;
    r.set("greeting", "hello, oxredis")?;
    let greeting: Option<String> = r.get("greeting")?;
    println!("GET greeting -> {greeting:?}");
    let opts = SetOptions::default().ex(Duration::from_secs(60)).nx();
    let set_again: bool = r.set_options("greeting", "ignored", &opts)?;
    println!(
        "SET greeting NX EX 60 -> {set_again} (key already existed), TTL {}",
        r.ttl("greeting")?
    );

    // A pool shared by threads: 8 threads x 1,000 INCRs on one client.
    let r = Redis::builder()
        .url(&server.url())?
        .max_connections(4)
        .build();
    let start = Instant::now();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let r = r.clone();
            std::thread::spawn(move || -> oxredis::Result<()> {
                for _ in 0..1_000 {
                    r.incr("counter")?;
                }
                Ok(())
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread panicked")?;
    }
    let counter: i64 = r.get("counter")?;
    println!(
        "8 threads x 1,000 INCR -> counter = {counter} in {:?}, pool opened {} connections (max 4)",
        start.elapsed(),
        r.connection_pool().open_connections()
    );

    // Decoded versus raw replies.
    r.set("utf8", "héllo")?;
    let raw: Vec<u8> = r.get("utf8")?;
    let text: String = r.get("utf8")?;
    let value: Value = r.get("utf8")?;
    println!("raw bytes {raw:?}\ndecoded   {text:?}\nValue     {value:?}");
    r.execute_command::<()>(("SET", "binary", &b"\xff\xfe"[..]))?;
    match r.get::<String>("binary") {
        Ok(s) => println!("unexpected: {s}"),
        Err(e) => println!("GET binary as String -> {e}"),
    }
    let decoded = Redis::from_url(&format!("{}?decode_responses=true", server.url()))?;
    let hash_set: i64 = decoded.hset_mapping("user:1", [("name", "Ada"), ("lang", "Rust")])?;
    let user: std::collections::BTreeMap<String, String> = decoded.hgetall("user:1")?;
    println!("HSET -> {hash_set}, HGETALL user:1 -> {user:?}");
    Ok(())
}
