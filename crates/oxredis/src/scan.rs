//! Sans-I/O state of the SCAN-family iterators (`scan_iter`, `hscan_iter`, `sscan_iter`,
//! `zscan_iter`): which command to send next, and the buffered page. The blocking iterator
//! ([`crate::blocking::ScanIter`]) drives it with a connection; the async client can drive the same
//! state with its own I/O.
//!
//! The cursor is lazy: a page is requested only when the buffered one is used up, so walking the
//! first items of a huge keyspace costs one round trip.

use std::collections::VecDeque;

use crate::commands::build;
use crate::commands::options::ScanOptions;
use crate::{Cmd, Error, ErrorKind, Result, ToArgs, Value};

/// Which SCAN-family command a cursor walks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ScanKind {
    /// SCAN over the keyspace; items are keys.
    Keys,
    /// HSCAN over a hash; items are `[field, value]` arrays.
    Hash(Vec<u8>),
    /// SSCAN over a set; items are members.
    Set(Vec<u8>),
    /// ZSCAN over a sorted set; items are `[member, score]` arrays, the score a double.
    SortedSet(Vec<u8>),
}

/// What the driver must do next.
#[derive(Debug)]
pub(crate) enum ScanStep {
    /// Hand this item to the caller.
    Item(Value),
    /// Send this command and [`feed`](ScanCursor::feed) its (normalised) reply.
    Fetch(Cmd),
    /// The walk is over.
    Done,
}

/// A SCAN-family walk in progress.
#[derive(Debug, Clone)]
pub(crate) struct ScanCursor {
    kind: ScanKind,
    options: ScanOptions,
    cursor: u64,
    started: bool,
    finished: bool,
    page: VecDeque<Value>,
    pages: usize,
}

impl ScanCursor {
    /// A walk from the start.
    pub(crate) fn new(kind: ScanKind, options: ScanOptions) -> ScanCursor {
        ScanCursor {
            kind,
            options,
            cursor: 0,
            started: false,
            finished: false,
            page: VecDeque::new(),
            pages: 0,
        }
    }

    /// The next buffered item, or the command fetching the next page, or the end.
    pub(crate) fn step(&mut self) -> ScanStep {
        if let Some(item) = self.page.pop_front() {
            return ScanStep::Item(item);
        }
        if self.finished || (self.started && self.cursor == 0) {
            self.finished = true;
            return ScanStep::Done;
        }
        ScanStep::Fetch(self.command())
    }

    /// The command that fetches the page at the current cursor.
    pub(crate) fn command(&self) -> Cmd {
        let (c, o) = (self.cursor, &self.options);
        match &self.kind {
            ScanKind::Keys => build::scan(c, o),
            ScanKind::Hash(key) => build::hscan(key, c, o),
            ScanKind::Set(key) => build::sscan(key, c, o),
            ScanKind::SortedSet(key) => build::zscan(key, c, o),
        }
    }

    /// Takes a page reply `[cursor, items]` (normalised by the command's reply shape).
    ///
    /// # Errors
    /// [`ErrorKind::Protocol`] for a reply that is not a page; the walk then ends.
    pub(crate) fn feed(&mut self, reply: Value) -> Result<()> {
        self.started = true;
        self.pages += 1;
        let parsed = parse_page(reply);
        match parsed {
            Some((cursor, items)) => {
                self.cursor = cursor;
                self.page.extend(items);
                Ok(())
            }
            None => {
                self.finished = true;
                Err(Error::new(ErrorKind::Protocol, "malformed SCAN page"))
            }
        }
    }

    /// Ends the walk early (e.g. after an I/O error).
    pub(crate) fn finish(&mut self) {
        self.finished = true;
        self.page.clear();
    }

    /// How many pages were fetched so far.
    pub(crate) fn pages_fetched(&self) -> usize {
        self.pages
    }
}

/// The single argument `key` writes, as bytes (a walk owns its key across pages).
pub(crate) fn key_bytes(key: impl ToArgs) -> Vec<u8> {
    let mut cmd = Cmd::empty();
    cmd.arg(key);
    cmd.args().next().map(<[u8]>::to_vec).unwrap_or_default()
}

fn parse_page(reply: Value) -> Option<(u64, Vec<Value>)> {
    let Value::Array(mut parts) = reply else {
        return None;
    };
    if parts.len() != 2 {
        return None;
    }
    let items = parts.pop()?;
    let cursor = parts
        .pop()?
        .as_bytes()
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|s| s.parse().ok())?;
    let items = match items {
        Value::Array(items) | Value::Set(items) => items,
        // HSCAN pages are normalised to maps; each field becomes a `[field, value]` item.
        Value::Map(pairs) => pairs
            .into_iter()
            .map(|(k, v)| Value::Array(vec![k, v]))
            .collect(),
        _ => return None,
    };
    Some((cursor, items))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::Bulk(s.to_owned().into())
    }

    #[test]
    fn walks_pages_lazily_until_cursor_zero() {
        let mut c = ScanCursor::new(ScanKind::Keys, ScanOptions::default().count(2));
        let ScanStep::Fetch(cmd) = c.step() else {
            panic!("expected a fetch")
        };
        assert_eq!(format!("{cmd:?}"), r#"["SCAN", "0", "COUNT", "2"]"#);
        c.feed(Value::Array(vec![
            bulk("7"),
            Value::Array(vec![bulk("a"), bulk("b")]),
        ]))
        .unwrap();
        assert!(matches!(c.step(), ScanStep::Item(v) if v == bulk("a")));
        assert!(matches!(c.step(), ScanStep::Item(v) if v == bulk("b")));
        let ScanStep::Fetch(cmd) = c.step() else {
            panic!("expected a fetch")
        };
        assert_eq!(format!("{cmd:?}"), r#"["SCAN", "7", "COUNT", "2"]"#);
        c.feed(Value::Array(vec![bulk("0"), Value::Array(vec![])]))
            .unwrap();
        assert!(matches!(c.step(), ScanStep::Done));
        assert_eq!(c.pages_fetched(), 2);
    }

    #[test]
    fn malformed_pages_end_the_walk() {
        let mut c = ScanCursor::new(ScanKind::Set(b"s".to_vec()), ScanOptions::default());
        assert!(c.feed(Value::Int(3)).is_err());
        assert!(matches!(c.step(), ScanStep::Done));
    }
}
