//! What a liveness probe on every pool checkout would cost, next to the GET it would guard.
//!
//! Against a throwaway local server, times `n` calls (default 200,000) of:
//! - `probe`: [`oxredis::Connection::peer_closed`] on a live idle connection: today's probe,
//!   `set_nonblocking(true)` + `peek` + `set_nonblocking(false)` (three system calls);
//! - `peek1`: the same check in one system call, `recv(MSG_PEEK | MSG_DONTWAIT)` through
//!   socket2, on a `std::net::TcpStream` opened here (no library internals touched);
//! - `std3`: the three-call sequence on that same `TcpStream`, to compare like with like;
//! - `get`: sequential `GET k` round trips through the pool ([`oxredis::Redis::get`]); the
//!   connection comes back at once, so the pool does not probe it.
//!
//! Each round times every kind once (interleaved); the figures are medians over the rounds.
//!
//! `cargo run --release -p oxredis --example probe_cost [n] [rounds] [all|probe|peek1|std3|get]`
//!
//! The last argument runs one kind only, so `strace -c -f` can count its system calls.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::io::ErrorKind;
use std::mem::MaybeUninit;
use std::net::TcpStream;
use std::time::Instant;

use oxredis::{Connection, ConnectionConfig, Redis};
use oxredis_test_support::RedisServer;
use socket2::SockRef;

/// The kinds of operation timed, in the order they run within a round.
const KINDS: [&str; 4] = ["probe", "peek1", "std3", "get"];

/// The middle value (upper middle for an even count).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Nanoseconds per call of `f`, over `n` calls.
fn ns_per(n: usize, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_nanos() as f64 / n as f64
}

/// One-syscall liveness check: true when the peer closed (EOF) or the socket failed.
fn closed_one_call(s: &TcpStream) -> bool {
    let mut buf = [MaybeUninit::<u8>::uninit(); 1];
    match SockRef::from(s).recv_with_flags(&mut buf, libc::MSG_PEEK | libc::MSG_DONTWAIT) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != ErrorKind::WouldBlock,
    }
}

/// The library's three-call check, reproduced on a plain `TcpStream`.
fn closed_three_calls(s: &TcpStream) -> bool {
    let mut buf = [0u8; 1];
    if s.set_nonblocking(true).is_err() {
        return true;
    }
    let peeked = s.peek(&mut buf);
    if s.set_nonblocking(false).is_err() {
        return true;
    }
    match peeked {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != ErrorKind::WouldBlock,
    }
}

/// Times `n` operations of `kind`, in ns per operation; panics with the server's state if a
/// probe finds the (live, idle) connection closed.
fn run(
    kind: &str,
    n: usize,
    conn: &mut Connection,
    sock: &TcpStream,
    r: &Redis,
    server: &RedisServer,
) -> f64 {
    let mut closed = 0usize;
    let ns = match kind {
        "probe" => ns_per(n, || {
            closed += usize::from(black_box(&mut *conn).peer_closed())
        }),
        "peek1" => ns_per(n, || {
            closed += usize::from(closed_one_call(black_box(sock)))
        }),
        "std3" => ns_per(n, || {
            closed += usize::from(closed_three_calls(black_box(sock)))
        }),
        "get" => ns_per(n, || {
            let v: Option<Vec<u8>> = r.get("k").unwrap();
            assert!(black_box(v).is_some());
        }),
        other => panic!("unknown kind {other:?}; expected one of {KINDS:?}"),
    };
    if closed > 0 {
        let pid = server.pid().unwrap_or(0);
        let alive = std::path::Path::new(&format!("/proc/{pid}")).exists();
        panic!(
            "{kind}: {closed} of {n} probes saw the connection closed; server pid {pid} \
             alive: {alive}; log:\n{}",
            server.log()
        );
    }
    ns
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let only = args.next().unwrap_or_else(|| "all".to_owned());
    let kinds: Vec<&str> = KINDS
        .into_iter()
        .filter(|k| only == "all" || only == *k)
        .collect();
    assert!(!kinds.is_empty(), "unknown kind {only:?}");

    let server = RedisServer::new();
    server.cli(&["SET", "k", "v"]);
    let mut conn =
        Connection::connect(&ConnectionConfig::tcp(server.host(), server.port())).unwrap();
    let sock = TcpStream::connect(server.socket_addr()).unwrap();
    let r = Redis::from_url(&server.url()).unwrap();

    for kind in &kinds {
        run(kind, n / 10, &mut conn, &sock, &r, &server); // warm up
    }
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); kinds.len()];
    for _ in 0..rounds {
        for (i, kind) in kinds.iter().enumerate() {
            samples[i].push(run(kind, n, &mut conn, &sock, &r, &server));
        }
    }
    let medians: Vec<f64> = samples.into_iter().map(median).collect();
    let of = |k: &str| kinds.iter().position(|x| *x == k).map(|i| medians[i]);

    println!("{n} calls per kind per round, median of {rounds} interleaved rounds (ns per call)");
    for (kind, ns) in kinds.iter().zip(&medians) {
        println!("{kind:<6} {ns:>10.1}");
    }
    if let Some(get) = of("get") {
        for kind in ["probe", "peek1", "std3"] {
            if let Some(ns) = of(kind) {
                println!("{kind}/get {:>6.2}%", 100.0 * ns / get);
            }
        }
    }
}
