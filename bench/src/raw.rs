//! The zero-parse client: the ceiling of the figures redis-benchmark cannot run as the clients
//! do ((2) a pipeline of 10k SETs to fresh keys, (3) LRANGE of 10k). Its request is encoded once,
//! ahead of time, and its reply is read as bytes and counted, never parsed, so its time is the
//! server's and the loopback's alone: no client can be faster on the same placement.

use std::io::{Read, Write};
use std::net::TcpStream;

/// A plain RESP2 connection that writes pre-encoded requests and reads replies of known length.
pub(crate) struct RawClient {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl RawClient {
    /// Connects to the bench server on 127.0.0.1 (RESP2, no handshake).
    pub(crate) fn connect(port: u16) -> RawClient {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_nodelay(true).unwrap();
        RawClient {
            stream,
            buf: vec![0; 64 * 1024],
        }
    }

    /// Writes `request` and reads exactly `reply_len` bytes of reply.
    pub(crate) fn round_trip(&mut self, request: &[u8], reply_len: usize) {
        self.stream.write_all(request).unwrap();
        let mut got = 0;
        while got < reply_len {
            let want = (reply_len - got).min(self.buf.len());
            let n = self.stream.read(&mut self.buf[..want]).unwrap();
            assert!(n > 0, "the server closed the connection");
            got += n;
        }
    }
}

/// Appends one command in RESP2's request form to `out`.
pub(crate) fn encode(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// The length of the RESP2 reply to an LRANGE that returns `items`.
pub(crate) fn array_reply_len(items: &[String]) -> usize {
    let header = format!("*{}\r\n", items.len()).len();
    header
        + items
            .iter()
            .map(|i| format!("${}\r\n", i.len()).len() + i.len() + 2)
            .sum::<usize>()
}

/// How the ceiling of (2) and (3) is measured, for the report's footnote.
pub(crate) const DESCRIPTION: &str =
    "zero-parse client (bench/src/raw.rs): request encoded ahead of time, reply bytes counted, not parsed";
