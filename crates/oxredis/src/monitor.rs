//! Parsing `MONITOR` output lines (sans-I/O), shared by the blocking and async monitors.
//!
//! A line looks like `1700000000.123456 [0 127.0.0.1:53412] "SET" "key" "a\"b\x00"`: the
//! time, the database and client in brackets, then every argument quoted and escaped as the
//! server's `sdscatrepr` does.

use bytes::Bytes;

use crate::{Error, ErrorKind, Result, Value};

/// Who sent a monitored command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonitorClient {
    /// A TCP client.
    Tcp {
        /// Its address (an IPv6 address keeps its brackets, as the server writes it).
        address: String,
        /// Its port.
        port: String,
    },
    /// A unix socket client, with the socket path.
    Unix(String),
    /// A Lua script (`EVAL`) or function.
    Lua,
}

/// One parsed `MONITOR` line (redis-py's `Monitor.next_command()` dict, plus the arguments
/// split and unescaped).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MonitorEntry {
    /// Unix time of the command, with microseconds.
    pub time: f64,
    /// Database the command ran in.
    pub db: i64,
    /// Who sent it.
    pub client: MonitorClient,
    /// Command name and arguments, unescaped to the bytes that were sent.
    pub args: Vec<Bytes>,
}

impl MonitorEntry {
    /// The command name as sent (first argument), lossily as text.
    pub fn name(&self) -> String {
        self.args
            .first()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .unwrap_or_default()
    }

    /// The whole command as one string, arguments joined by spaces (redis-py's `command`).
    pub fn command(&self) -> String {
        self.args
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// redis-py's `client_type`: `tcp`, `unix` or `lua`.
    pub fn client_type(&self) -> &'static str {
        match self.client {
            MonitorClient::Tcp { .. } => "tcp",
            MonitorClient::Unix(_) => "unix",
            MonitorClient::Lua => "lua",
        }
    }

    /// redis-py's `client_address`: the IP address, or `unix` / `lua`.
    pub fn client_address(&self) -> &str {
        match &self.client {
            MonitorClient::Tcp { address, .. } => address,
            MonitorClient::Unix(_) => "unix",
            MonitorClient::Lua => "lua",
        }
    }

    /// redis-py's `client_port`: the TCP port, the unix socket path, or empty for Lua.
    pub fn client_port(&self) -> &str {
        match &self.client {
            MonitorClient::Tcp { port, .. } => port,
            MonitorClient::Unix(path) => path,
            MonitorClient::Lua => "",
        }
    }
}

fn bad(line: &[u8], why: &str) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!(
            "cannot parse MONITOR line ({why}): {:?}",
            String::from_utf8_lossy(line)
        ),
    )
}

fn hex(d: u8) -> Option<u8> {
    (d as char).to_digit(16).map(|v| v as u8)
}

/// Parses the quoted arguments after the `]`.
fn parse_args(line: &[u8], mut rest: &[u8]) -> Result<Vec<Bytes>> {
    let mut args = Vec::new();
    loop {
        while let [b' ', tail @ ..] = rest {
            rest = tail;
        }
        let [b'"', tail @ ..] = rest else {
            if rest.is_empty() {
                return Ok(args);
            }
            return Err(bad(line, "argument not quoted"));
        };
        rest = tail;
        let mut arg = Vec::new();
        loop {
            match rest {
                [b'"', tail @ ..] => {
                    rest = tail;
                    break;
                }
                [b'\\', b'x', h, l, tail @ ..] if hex(*h).is_some() && hex(*l).is_some() => {
                    arg.push((hex(*h).unwrap_or(0) << 4) | hex(*l).unwrap_or(0));
                    rest = tail;
                }
                [b'\\', c, tail @ ..] => {
                    arg.push(match c {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'a' => 0x07,
                        b'b' => 0x08,
                        other => *other,
                    });
                    rest = tail;
                }
                [c, tail @ ..] => {
                    arg.push(*c);
                    rest = tail;
                }
                [] => return Err(bad(line, "unterminated argument")),
            }
        }
        args.push(Bytes::from(arg));
    }
}

/// Parses one frame read from a connection in `MONITOR` mode: an error reply becomes `Err`,
/// a line is parsed by [`parse_monitor_line`]. Used by the blocking and async monitors alike.
///
/// # Errors
/// The server's error reply, a frame that is not a line, or an unparsable line
/// ([`ErrorKind::Protocol`]).
pub(crate) fn parse_monitor_frame(frame: Value) -> Result<MonitorEntry> {
    match frame {
        Value::Error(e) => Err(e.into()),
        other => match other.as_bytes() {
            Some(line) => parse_monitor_line(line),
            None => Err(Error::new(
                ErrorKind::Protocol,
                format!("MONITOR sent a {}, expected a line", other.type_name()),
            )),
        },
    }
}

/// Parses one `MONITOR` line.
///
/// # Errors
/// [`ErrorKind::Protocol`] when the line does not have the expected shape.
pub(crate) fn parse_monitor_line(line: &[u8]) -> Result<MonitorEntry> {
    let text_until = |s: &[u8], stop: u8| -> Option<usize> { s.iter().position(|&c| c == stop) };
    let sp = text_until(line, b' ').ok_or_else(|| bad(line, "no time"))?;
    let time = std::str::from_utf8(&line[..sp])
        .ok()
        .and_then(|t| t.parse::<f64>().ok())
        .ok_or_else(|| bad(line, "bad time"))?;
    let rest = &line[sp + 1..];
    let [b'[', rest @ ..] = rest else {
        return Err(bad(line, "no '['"));
    };
    let sp = text_until(rest, b' ').ok_or_else(|| bad(line, "no client"))?;
    let db = std::str::from_utf8(&rest[..sp])
        .ok()
        .and_then(|t| t.parse::<i64>().ok())
        .ok_or_else(|| bad(line, "bad db"))?;
    let rest = &rest[sp + 1..];
    // The client part may itself hold brackets (IPv6 `[::1]:6379`): take the last `]` before
    // the first quoted argument.
    let args_start = text_until(rest, b'"').unwrap_or(rest.len());
    let close = rest[..args_start]
        .iter()
        .rposition(|&c| c == b']')
        .ok_or_else(|| bad(line, "no ']'"))?;
    let client = std::str::from_utf8(&rest[..close]).map_err(|_| bad(line, "bad client"))?;
    let client = if client == "lua" {
        MonitorClient::Lua
    } else if let Some(path) = client.strip_prefix("unix:") {
        MonitorClient::Unix(path.to_owned())
    } else {
        let (address, port) = client
            .rsplit_once(':')
            .ok_or_else(|| bad(line, "client without port"))?;
        MonitorClient::Tcp {
            address: address.to_owned(),
            port: port.to_owned(),
        }
    };
    let args = parse_args(line, &rest[close + 1..])?;
    if args.is_empty() {
        return Err(bad(line, "no command"));
    }
    Ok(MonitorEntry {
        time,
        db,
        client,
        args,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines() {
        let e = parse_monitor_line(br#"1339518083.107412 [0 127.0.0.1:60866] "keys" "*""#).unwrap();
        assert_eq!(e.time, 1339518083.107412);
        assert_eq!(e.db, 0);
        assert_eq!(e.client_type(), "tcp");
        assert_eq!(e.client_address(), "127.0.0.1");
        assert_eq!(e.client_port(), "60866");
        assert_eq!(e.name(), "keys");
        assert_eq!(e.command(), "keys *");

        let e = parse_monitor_line(br#"1.5 [3 unix:/tmp/r.sock] "GET" "k""#).unwrap();
        assert_eq!(e.client, MonitorClient::Unix("/tmp/r.sock".into()));
        assert_eq!(
            (e.client_type(), e.client_address(), e.client_port()),
            ("unix", "unix", "/tmp/r.sock")
        );
        assert_eq!(e.db, 3);

        let e = parse_monitor_line(br#"2.25 [0 lua] "set" "foo" "bar""#).unwrap();
        assert_eq!(e.client, MonitorClient::Lua);
        assert_eq!((e.client_address(), e.client_port()), ("lua", ""));

        let e = parse_monitor_line(br#"2.0 [0 [::1]:6379] "PING""#).unwrap();
        assert_eq!(e.client_address(), "[::1]");
        assert_eq!(e.client_port(), "6379");
    }

    #[test]
    fn unescapes_arguments() {
        let e = parse_monitor_line(
            br#"1.0 [0 127.0.0.1:1] "SET" "a\"b" "back\\slash" "nl\n\r\t\a\b" "\x00\xff\x7F" "sp ace" """#,
        )
        .unwrap();
        assert_eq!(
            e.args,
            vec![
                Bytes::from_static(b"SET"),
                Bytes::from_static(b"a\"b"),
                Bytes::from_static(b"back\\slash"),
                Bytes::from_static(b"nl\n\r\t\x07\x08"),
                Bytes::from_static(b"\x00\xff\x7f"),
                Bytes::from_static(b"sp ace"),
                Bytes::from_static(b""),
            ]
        );
        assert_eq!(
            e.command(),
            "SET a\"b back\\slash nl\n\r\t\x07\x08 \0\u{fffd}\x7f sp ace "
        );
    }

    #[test]
    fn rejects_garbage() {
        for line in [
            &b"OK"[..],
            b"x [0 127.0.0.1:1] \"a\"",
            b"1.0 0 127.0.0.1:1] \"a\"",
            b"1.0 [x 127.0.0.1:1] \"a\"",
            b"1.0 [0 127.0.0.1:1] a",
            b"1.0 [0 127.0.0.1:1] \"unterminated",
            b"1.0 [0 127.0.0.1:1]",
            b"1.0 [0 nohost] \"a\"",
        ] {
            let e = parse_monitor_line(line).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Protocol);
        }
    }

    #[test]
    fn parses_a_tcp_line_with_escapes() {
        let e =
            parse_monitor_line(br#"1700000000.5 [2 127.0.0.1:6000] "SET" "k" "a\"b\x00""#).unwrap();
        assert_eq!((e.time, e.db), (1700000000.5, 2));
        assert_eq!(
            e.client,
            MonitorClient::Tcp {
                address: "127.0.0.1".into(),
                port: "6000".into()
            }
        );
        assert_eq!(e.args, ["SET", "k", "a\"b\0"]);
    }
}
