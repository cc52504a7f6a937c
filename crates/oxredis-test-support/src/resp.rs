//! A tiny blocking RESP2/RESP3 client used for readiness checks, setup and assertions.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

/// Default connect / read / write timeout of a [`RawConn`].
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// One decoded RESP reply (RESP2 and the RESP3 types the server sends; attributes are skipped).
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `+OK` simple string.
    Status(String),
    /// `-ERR ...` simple error or `!` blob error, without the leading `-`.
    Error(String),
    /// `:` integer.
    Int(i64),
    /// `$` bulk string.
    Bulk(Vec<u8>),
    /// RESP2 `$-1` / `*-1` or RESP3 `_`.
    Nil,
    /// `*` array.
    Array(Vec<Reply>),
    /// RESP3 `%` map, in wire order.
    Map(Vec<(Reply, Reply)>),
    /// RESP3 `~` set, in wire order.
    Set(Vec<Reply>),
    /// RESP3 `>` push.
    Push(Vec<Reply>),
    /// RESP3 `#` boolean.
    Bool(bool),
    /// RESP3 `,` double, kept as its wire text (e.g. `3.14`, `inf`).
    Double(String),
    /// RESP3 `(` big number, kept as its wire text.
    BigNumber(String),
    /// RESP3 `=` verbatim string, without the `txt:` format prefix.
    Verbatim(String),
}

impl Reply {
    /// Renders the reply as text, similar to `redis-cli`:
    /// status/bulk/verbatim → their content (bulk lossily as UTF-8), integer → decimal,
    /// error → `"(error) <message>"`, nil → `"(nil)"`, booleans → `"true"`/`"false"`,
    /// aggregates → the elements' texts joined by `'\n'` (maps as `key\nvalue` pairs).
    pub fn to_text(&self) -> String {
        match self {
            Reply::Status(s) | Reply::Double(s) | Reply::BigNumber(s) | Reply::Verbatim(s) => {
                s.clone()
            }
            Reply::Error(e) => format!("(error) {e}"),
            Reply::Int(i) => i.to_string(),
            Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
            Reply::Nil => "(nil)".to_string(),
            Reply::Bool(b) => b.to_string(),
            Reply::Array(v) | Reply::Set(v) | Reply::Push(v) => {
                v.iter().map(Reply::to_text).collect::<Vec<_>>().join("\n")
            }
            Reply::Map(kv) => kv
                .iter()
                .flat_map(|(k, v)| [k.to_text(), v.to_text()])
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// True for `Reply::Error`.
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
        }
    }
}

/// A minimal blocking RESP connection over TCP or a unix socket (5 s timeouts by default).
///
/// It speaks whatever protocol the connection is in (RESP2 unless you send `HELLO 3`).
pub struct RawConn {
    reader: BufReader<Stream>,
}

impl fmt::Debug for RawConn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawConn").finish_non_exhaustive()
    }
}

impl Drop for RawConn {
    /// Says `QUIT` and waits (at most a second) for the server to close the connection, so a
    /// test that counts clients right after (CLIENT LIST, `connected_clients`) never sees this
    /// one: a plain close leaves the server to notice the EOF later, possibly after the test's
    /// next command (seen as flaky client counts).
    fn drop(&mut self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(1);
        if self
            .set_read_timeout(Some(Duration::from_millis(200)))
            .is_err()
            || self.send(&[b"QUIT"]).is_err()
        {
            return;
        }
        let mut buf = [0u8; 4096];
        while std::time::Instant::now() < deadline {
            match self.reader.get_mut().read(&mut buf) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return,
            }
        }
    }
}

impl RawConn {
    /// Connects over TCP (5 s connect, read and write timeouts).
    pub fn connect(addr: impl ToSocketAddrs) -> io::Result<RawConn> {
        let mut last = io::Error::new(io::ErrorKind::InvalidInput, "no address to connect to");
        for a in addr.to_socket_addrs()? {
            match Self::connect_addr(a) {
                Ok(c) => return Ok(c),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn connect_addr(addr: SocketAddr) -> io::Result<RawConn> {
        Self::connect_timeout(addr, DEFAULT_TIMEOUT)
    }

    /// Connects over TCP using `timeout` for the connect and for every read and write.
    pub fn connect_timeout(addr: SocketAddr, timeout: Duration) -> io::Result<RawConn> {
        let s = TcpStream::connect_timeout(&addr, timeout)?;
        s.set_read_timeout(Some(timeout))?;
        s.set_write_timeout(Some(timeout))?;
        s.set_nodelay(true)?;
        Ok(RawConn {
            reader: BufReader::new(Stream::Tcp(s)),
        })
    }

    /// Connects to a unix socket (5 s read and write timeouts).
    pub fn connect_unix(path: impl AsRef<Path>) -> io::Result<RawConn> {
        let s = UnixStream::connect(path)?;
        s.set_read_timeout(Some(DEFAULT_TIMEOUT))?;
        s.set_write_timeout(Some(DEFAULT_TIMEOUT))?;
        Ok(RawConn {
            reader: BufReader::new(Stream::Unix(s)),
        })
    }

    /// Changes the read timeout (`None` blocks forever).
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self.reader.get_ref() {
            Stream::Tcp(s) => s.set_read_timeout(timeout),
            Stream::Unix(s) => s.set_read_timeout(timeout),
        }
    }

    /// Sends one command and reads its reply. Server errors are `Ok(Reply::Error(..))`;
    /// `Err` means an I/O or protocol failure.
    pub fn cmd(&mut self, args: &[&str]) -> io::Result<Reply> {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.cmd_bytes(&args)
    }

    /// Like [`RawConn::cmd`] with binary arguments.
    pub fn cmd_bytes(&mut self, args: &[&[u8]]) -> io::Result<Reply> {
        self.send(args)?;
        self.read_reply()
    }

    /// Sends one command without reading a reply (for pipelining, pub/sub, MONITOR).
    pub fn send(&mut self, args: &[&[u8]]) -> io::Result<()> {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        for a in args {
            buf.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            buf.extend_from_slice(a);
            buf.extend_from_slice(b"\r\n");
        }
        let w = self.reader.get_mut();
        w.write_all(&buf)?;
        w.flush()
    }

    /// Reads the next reply (including RESP3 pushes) from the connection.
    pub fn read_reply(&mut self) -> io::Result<Reply> {
        loop {
            let (attr, r) = self.read_value()?;
            if !attr {
                return Ok(r);
            }
        }
    }

    fn line(&mut self) -> io::Result<String> {
        let mut v = Vec::new();
        let n = self.reader.read_until(b'\n', &mut v)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed",
            ));
        }
        if !v.ends_with(b"\r\n") {
            return Err(proto("line without CRLF"));
        }
        v.truncate(v.len() - 2);
        String::from_utf8(v).map_err(|_| proto("non UTF-8 line"))
    }

    fn len(s: &str) -> io::Result<i64> {
        s.parse::<i64>()
            .map_err(|_| proto(&format!("bad length {s:?}")))
    }

    fn blob(&mut self, n: i64) -> io::Result<Vec<u8>> {
        let n = usize::try_from(n).map_err(|_| proto("negative length"))?;
        let mut v = vec![0u8; n + 2];
        self.reader.read_exact(&mut v)?;
        if !v.ends_with(b"\r\n") {
            return Err(proto("blob without CRLF"));
        }
        v.truncate(n);
        Ok(v)
    }

    fn items(&mut self, n: i64) -> io::Result<Vec<Reply>> {
        let mut v = Vec::new();
        for _ in 0..n {
            v.push(self.read_reply()?);
        }
        Ok(v)
    }

    /// Returns (is_attribute, value).
    fn read_value(&mut self) -> io::Result<(bool, Reply)> {
        let line = self.line()?;
        let (t, rest) = line
            .split_at_checked(1)
            .ok_or_else(|| proto("empty line"))?;
        let r = match t {
            "+" => Reply::Status(rest.to_string()),
            "-" => Reply::Error(rest.to_string()),
            ":" => Reply::Int(Self::len(rest)?),
            "$" => match Self::len(rest)? {
                -1 => Reply::Nil,
                n => Reply::Bulk(self.blob(n)?),
            },
            "!" => {
                let n = Self::len(rest)?;
                Reply::Error(String::from_utf8_lossy(&self.blob(n)?).into_owned())
            }
            "=" => {
                let n = Self::len(rest)?;
                let b = String::from_utf8_lossy(&self.blob(n)?).into_owned();
                Reply::Verbatim(b.get(4..).unwrap_or("").to_string())
            }
            "*" => match Self::len(rest)? {
                -1 => Reply::Nil,
                n => Reply::Array(self.items(n)?),
            },
            "~" => Reply::Set(self.items(Self::len(rest)?)?),
            ">" => Reply::Push(self.items(Self::len(rest)?)?),
            "%" | "|" => {
                let n = Self::len(rest)?;
                let mut kv = Vec::new();
                for _ in 0..n {
                    let k = self.read_reply()?;
                    let v = self.read_reply()?;
                    kv.push((k, v));
                }
                if t == "|" {
                    return Ok((true, Reply::Map(kv)));
                }
                Reply::Map(kv)
            }
            "_" => Reply::Nil,
            "#" => Reply::Bool(rest == "t"),
            "," => Reply::Double(rest.to_string()),
            "(" => Reply::BigNumber(rest.to_string()),
            _ => return Err(proto(&format!("unknown RESP type in {line:?}"))),
        };
        Ok((false, r))
    }
}

fn proto(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("RESP: {msg}"))
}
