//! Incremental, sans-I/O RESP2/RESP3 decoder.
//!
//! Decoding runs in two passes over the front of the read buffer:
//!
//! 1. A *scan* pass validates the frame and finds where it ends, without allocating any values.
//!    The scan is resumable: when the buffer ends mid-frame, the decoder remembers the offset of
//!    the first unfinished element and the stack of open aggregates, plus the minimum buffer length
//!    needed before anything new can be learned (for a bulk string, the end of its payload). The
//!    next call returns `Ok(None)` at once while the buffer is shorter than that, and otherwise
//!    resumes where it stopped, so a large reply arriving in many chunks is scanned once overall.
//! 2. Once the whole frame is present it is split off the buffer once (`split_to(..).freeze()`) and
//!    a *build* pass turns it into a [`Value`], with bulk payloads as zero-copy [`Bytes`] slices of
//!    the frame.
//!
//! Both passes share one parser (generic over a [`Sink`]) that uses an explicit stack instead of
//! recursion, so nesting depth is bounded only by [`DecoderLimits::max_depth`], never by the
//! thread's stack. Limits are checked before anything is allocated.

use bytes::{Buf, Bytes, BytesMut};

use crate::error::ServerError;
use crate::{Error, ErrorKind, Result, Value};

/// Limits that bound what a (possibly hostile) server can make the decoder allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecoderLimits {
    /// Deepest nesting of aggregates.
    pub max_depth: usize,
    /// Longest bulk string payload, in bytes (also bounds simple-string lines and the total of a
    /// streamed string).
    pub max_bulk_len: usize,
    /// Most elements in one aggregate (pairs, for maps and attributes).
    pub max_elements: usize,
}

impl Default for DecoderLimits {
    fn default() -> Self {
        DecoderLimits {
            max_depth: 512,
            max_bulk_len: 512 * 1024 * 1024,
            max_elements: 1 << 32,
        }
    }
}

/// Incremental RESP2/RESP3 decoder.
///
/// Feed it the connection's read buffer; each successful call removes exactly one frame from the
/// front. Between calls that returned `Ok(None)` the buffer must only be appended to. After an
/// error the connection is out of sync and should be dropped; the decoder itself is reset.
///
/// # Examples
/// ```
/// use bytes::BytesMut;
/// use oxredis::resp::Decoder;
/// use oxredis::Value;
///
/// let mut dec = Decoder::default();
/// let mut buf = BytesMut::from(&b"*2\r\n$3\r\nfoo\r\n:4"[..]);
/// assert_eq!(dec.decode(&mut buf).unwrap(), None);
/// buf.extend_from_slice(b"2\r\n+OK\r\n");
/// let v = dec.decode(&mut buf).unwrap().unwrap();
/// assert_eq!(v, Value::Array(vec![Value::Bulk("foo".into()), Value::Int(42)]));
/// assert_eq!(&buf[..], b"+OK\r\n");
/// ```
#[derive(Debug, Default)]
pub struct Decoder {
    limits: DecoderLimits,
    /// Resumable state of the scan pass over the current (incomplete) frame.
    scan: Parser,
    /// The buffer must be at least this long before scanning again can make progress.
    need: usize,
}

impl Decoder {
    /// A decoder with the given limits.
    pub fn new(limits: DecoderLimits) -> Self {
        Decoder {
            limits,
            scan: Parser::default(),
            need: 0,
        }
    }

    /// The limits this decoder enforces.
    pub fn limits(&self) -> &DecoderLimits {
        &self.limits
    }

    /// Decodes one frame from the front of `buf`, consuming it; `Ok(None)` when more bytes are needed.
    ///
    /// On `Ok(None)` nothing is consumed; append more bytes and call again. Errors are
    /// [`ErrorKind::Protocol`]: malformed input or an exceeded [`DecoderLimits`] value.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Value>> {
        match self.decode_frame(buf)? {
            Some(frame) => frame.into_value().map(Some),
            None => Ok(None),
        }
    }

    /// Like [`decode`](Self::decode), but returns the whole frame validated and split off the
    /// buffer, not yet turned into a [`Value`]: [`Frame::into_value`] does that, and a typed
    /// conversion may read the frame directly instead (a flat array of bulk strings into a
    /// `Vec<Vec<u8>>` without a `Value` per element).
    ///
    /// # Errors
    /// As [`decode`](Self::decode): malformed input or an exceeded [`DecoderLimits`] value.
    pub fn decode_frame(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>> {
        if buf.len() < self.need {
            return Ok(None);
        }
        if self.scan.pos == 0 {
            // The reply of a GET and its kind: one whole bulk string, taken without the
            // general scan (`bulk_span` accepts only what the scan would).
            if let Some((start, end)) = bulk_span(buf, 0, self.limits.max_bulk_len) {
                self.need = 0;
                let bytes = buf.split_to(end + 2).freeze();
                return Ok(Some(Frame(Repr::Leaf {
                    bytes,
                    leaf: Leaf::Bulk(start, end),
                })));
            }
            if !matches!(buf.first(), Some(b'*' | b'~' | b'%' | b'>' | b'|')) {
                return self.decode_leaf(buf);
            }
        }
        match self.scan.run(&buf[..], &self.limits, &mut Scan) {
            Ok(Status::Incomplete(need)) => {
                self.need = need;
                Ok(None)
            }
            Ok(Status::Done(len)) => {
                self.reset();
                Ok(Some(Frame(Repr::Raw {
                    bytes: buf.split_to(len).freeze(),
                    limits: self.limits,
                })))
            }
            Err(e) => {
                self.reset();
                Err(e)
            }
        }
    }

    /// [`decode_frame`](Self::decode_frame) of a frame that starts with no aggregate (a bulk
    /// or simple string, an integer, an error...): the scan keeps the one leaf it parses, so
    /// the frame needs no second parse to become a [`Value`].
    fn decode_leaf(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>> {
        let mut sink = FirstLeaf::default();
        match self.scan.run(&buf[..], &self.limits, &mut sink) {
            Ok(Status::Incomplete(need)) => {
                self.need = need;
                Ok(None)
            }
            Ok(Status::Done(len)) => {
                self.reset();
                // `+OK`, the reply of most writes (every SET of a pipeline): no reference to
                // the read buffer taken, so nothing to count up and down.
                if let Some(Leaf::Simple(1, 3)) = sink.leaf {
                    if buf.get(..len) == Some(b"+OK\r\n") {
                        buf.advance(len);
                        return Ok(Some(Frame(Repr::Value(Value::Simple(Bytes::from_static(
                            b"OK",
                        ))))));
                    }
                }
                let bytes = buf.split_to(len).freeze();
                Ok(Some(Frame(match sink.leaf {
                    Some(leaf) if !sink.nested => Repr::Leaf { bytes, leaf },
                    _ => Repr::Raw {
                        bytes,
                        limits: self.limits,
                    },
                })))
            }
            Err(e) => {
                self.reset();
                Err(e)
            }
        }
    }

    /// Forgets any partially scanned frame (e.g. after the buffer was cleared on reconnect).
    pub fn reset(&mut self) {
        self.scan.pos = 0;
        self.scan.stack.clear();
        self.need = 0;
    }
}

/// Decodes a complete frame that was split off the buffer.
fn build(frame: Bytes, limits: &DecoderLimits) -> Result<Value> {
    let mut parser = Parser::default();
    let mut builder = Builder {
        frame: frame.clone(),
        stack: Vec::new(),
        result: None,
    };
    match parser.run(&frame, limits, &mut builder)? {
        Status::Done(len) if len == frame.len() => {}
        _ => return Err(proto("frame changed between scan and build")),
    }
    builder
        .result
        .ok_or_else(|| proto("frame produced no value"))
}

/// One whole RESP frame as received, validated by the decoder's scan, or already made a
/// [`Value`] (see [`Decoder::decode_frame`]).
#[derive(Debug, Clone)]
pub struct Frame(Repr);

#[derive(Debug, Clone)]
enum Repr {
    /// The frame's bytes, exactly one complete frame that the scan accepted under `limits`.
    Raw { bytes: Bytes, limits: DecoderLimits },
    /// A frame that is one leaf (no aggregate), parsed by the scan.
    Leaf { bytes: Bytes, leaf: Leaf },
    /// Already decoded (e.g. to check its text before handing it on).
    Value(Value),
}

/// The scan sink of [`Decoder::decode_leaf`]: keeps the leaf of a frame that is just one.
#[derive(Default)]
struct FirstLeaf {
    leaf: Option<Leaf>,
    /// An aggregate or a streamed string was met: the frame is not one leaf.
    nested: bool,
}

impl Sink for FirstLeaf {
    #[inline(always)]
    fn leaf(&mut self, leaf: Leaf) -> Result<()> {
        self.leaf = Some(leaf);
        Ok(())
    }
    #[inline(always)]
    fn open(&mut self, _: Kind, _: usize, _: usize) -> Result<()> {
        self.nested = true;
        Ok(())
    }
    #[inline(always)]
    fn chunk(&mut self, _: usize, _: usize) -> Result<()> {
        self.nested = true;
        Ok(())
    }
    #[inline(always)]
    fn close(&mut self) -> Result<()> {
        Ok(())
    }
}

/// One element of a flat aggregate read by [`Frame::for_each_flat`].
#[derive(Debug)]
pub enum FlatElement<'a> {
    /// A bulk string: its payload, a sub-slice of `frame` (`frame.slice_ref(payload)` makes it
    /// a zero-copy [`Bytes`]).
    Bulk {
        /// The string's bytes.
        payload: &'a [u8],
        /// The whole frame's bytes, which `payload` is part of.
        frame: &'a Bytes,
    },
    /// Any other element that is not an aggregate (nil, integer, simple string, error...).
    Other(Value),
}

impl Frame {
    /// A frame holding an already decoded value.
    pub fn from_value(value: Value) -> Frame {
        Frame(Repr::Value(value))
    }

    /// The frame as a [`Value`] (bulk payloads are zero-copy slices of the frame).
    ///
    /// # Errors
    /// [`ErrorKind::Protocol`] if the bytes do not decode as they did in the scan (never for a
    /// frame from [`Decoder::decode_frame`]).
    pub fn into_value(self) -> Result<Value> {
        match self.0 {
            Repr::Raw { bytes, limits } => build(bytes, &limits),
            Repr::Leaf { bytes, leaf } => leaf_into_value(bytes, leaf),
            Repr::Value(v) => Ok(v),
        }
    }

    /// Whether this is a RESP3 push frame (`>`).
    pub fn is_push(&self) -> bool {
        match &self.0 {
            Repr::Raw { bytes, .. } => bytes.first() == Some(&b'>'),
            Repr::Leaf { .. } => false,
            Repr::Value(v) => matches!(v, Value::Push(_)),
        }
    }

    /// Whether this is a RESP3 set (`~`), which [`for_each_flat`](Self::for_each_flat) reads
    /// like an array.
    pub fn is_set(&self) -> bool {
        match &self.0 {
            Repr::Raw { bytes, .. } => bytes.first() == Some(&b'~'),
            Repr::Leaf { .. } => false,
            Repr::Value(v) => matches!(v, Value::Set(_)),
        }
    }

    /// Whether this is an error reply (`-` or `!`).
    pub fn is_error(&self) -> bool {
        match &self.0 {
            Repr::Raw { bytes, .. } | Repr::Leaf { bytes, .. } => {
                matches!(bytes.first(), Some(b'-' | b'!'))
            }
            Repr::Value(v) => matches!(v, Value::Error(_)),
        }
    }

    /// For a not yet decoded frame that is an array or a set (counted or streamed): its
    /// elements in order, each handed to `f`, without building a [`Value`] for the aggregate
    /// or for its bulk strings. `None` (after `f` may have seen some elements) when the frame
    /// is anything else or holds a nested aggregate or a streamed string: the caller then
    /// falls back to [`into_value`](Self::into_value). `Some(Err(e))`: `f` failed with `e`,
    /// and reading stopped there.
    ///
    /// This is how a language binding builds its own objects straight from the bytes read,
    /// one per element, with no [`Value`] tree in between.
    ///
    /// # Examples
    /// ```
    /// use bytes::BytesMut;
    /// use oxredis::resp::{Decoder, FlatElement};
    ///
    /// let mut buf = BytesMut::from(&b"*3\r\n$1\r\na\r\n$-1\r\n$2\r\nbc\r\n"[..]);
    /// let frame = Decoder::default().decode_frame(&mut buf)?.unwrap();
    /// let mut seen = Vec::new();
    /// frame
    ///     .for_each_flat(|element| {
    ///         seen.push(match element {
    ///             FlatElement::Bulk { payload, .. } => Some(payload.to_vec()),
    ///             FlatElement::Other(_nil) => None,
    ///         });
    ///         Ok(())
    ///     })
    ///     .unwrap()?;
    /// assert_eq!(seen, [Some(b"a".to_vec()), None, Some(b"bc".to_vec())]);
    /// # Ok::<(), oxredis::Error>(())
    /// ```
    pub fn for_each_flat(
        &self,
        mut f: impl FnMut(FlatElement<'_>) -> Result<()>,
    ) -> Option<Result<()>> {
        let Repr::Raw { bytes, limits } = &self.0 else {
            return None;
        };
        if !matches!(bytes.first(), Some(b'*' | b'~')) {
            return None;
        }
        match flat_counted(bytes, limits, &mut f) {
            FastFlat::Done(result) => return Some(result),
            FastFlat::GaveUp => return None,
            FastFlat::NotCounted => {}
        }
        let mut sink = Flat {
            frame: bytes,
            depth: 0,
            f,
            failed: None,
            fallback: false,
        };
        let status = Parser::default().run(bytes, limits, &mut sink);
        if let Some(e) = sink.failed {
            return Some(Err(e));
        }
        match status {
            Ok(Status::Done(len)) if len == bytes.len() && !sink.fallback => Some(Ok(())),
            _ => None,
        }
    }

    /// For a frame that is one bulk string: its payload and the frame it is a slice of.
    pub(crate) fn as_bulk(&self) -> Option<(&[u8], &Bytes)> {
        match &self.0 {
            Repr::Leaf {
                bytes,
                leaf: Leaf::Bulk(s, e),
            } => Some((bytes.get(*s..*e)?, bytes)),
            _ => None,
        }
    }

    /// Reads the frame as a flat array of `T`s when it is one, converting each element with
    /// [`FromValue::from_bulk`] or [`FromValue::from_value`]; `None` when it is not one (see
    /// [`for_each_flat`](Self::for_each_flat)).
    pub(crate) fn flat_vec<T: crate::FromValue>(&self) -> Option<Result<Vec<T>>> {
        let Repr::Raw { bytes, .. } = &self.0 else {
            return None;
        };
        if !matches!(bytes.first(), Some(b'*' | b'~')) {
            return None;
        }
        // Each element takes at least 3 bytes, so the frame bounds what is reserved.
        let mut out = Vec::with_capacity(declared_len(bytes).min(bytes.len() / MIN_ELEMENT_LEN));
        let done = self.for_each_flat(|e| {
            out.push(match e {
                FlatElement::Bulk { payload, frame } => T::from_bulk(payload, frame)?,
                FlatElement::Other(v) => T::from_value(v)?,
            });
            Ok(())
        })?;
        Some(done.map(|()| out))
    }
}

/// What [`flat_counted`] made of a frame.
enum FastFlat {
    /// Every element was handed on (or `f` failed, and reading stopped there).
    Done(Result<()>),
    /// A nested aggregate or a streamed string was met, after `f` may have seen elements.
    GaveUp,
    /// Not a counted aggregate (`*?` streamed, `*-1` nil): nothing was handed on.
    NotCounted,
}

/// The elements of a counted flat aggregate frame handed to `f` by a loop made for the common
/// case, an array of bulk strings (LRANGE, MGET, SMEMBERS...): a bulk string or a nil is read
/// in place, without the general parser; any other element is parsed alone by it. Gives the
/// same elements as [`Frame::for_each_flat`]'s general path (the decode fuzz target checks
/// that); the frame was validated by the scan, so the checks here only keep it safe.
#[inline]
fn flat_counted<F: FnMut(FlatElement<'_>) -> Result<()>>(
    frame: &Bytes,
    limits: &DecoderLimits,
    f: &mut F,
) -> FastFlat {
    let Ok(Some((count, mut pos))) = read_int(frame, 1) else {
        return FastFlat::NotCounted;
    };
    let Ok(Some(count)) = to_len(count) else {
        return FastFlat::NotCounted;
    };
    for _ in 0..count {
        let element = if let Some((start, end)) = bulk_span(frame, pos, usize::MAX) {
            pos = end + 2;
            match frame.get(start..end) {
                Some(payload) => FlatElement::Bulk { payload, frame },
                None => return FastFlat::GaveUp,
            }
        } else if frame.get(pos) == Some(&b'$') {
            let Ok(Some((len, next))) = read_int(frame, pos + 1) else {
                return FastFlat::GaveUp;
            };
            match to_len(len) {
                Ok(None) => {
                    pos = next;
                    FlatElement::Other(Value::Nil)
                }
                Ok(Some(len)) => {
                    let end = match next.checked_add(len) {
                        Some(end) if frame.get(end..end.saturating_add(2)) == Some(b"\r\n") => end,
                        _ => return FastFlat::GaveUp,
                    };
                    let Some(payload) = frame.get(next..end) else {
                        return FastFlat::GaveUp;
                    };
                    pos = end + 2;
                    FlatElement::Bulk { payload, frame }
                }
                Err(_) => return FastFlat::GaveUp,
            }
        } else {
            // Any other element, alone: a leaf is handed on, an aggregate ends the fast read.
            let rest = frame.slice(pos.min(frame.len())..);
            let mut sink = FirstLeaf::default();
            let len = match Parser::default().run(&rest, limits, &mut sink) {
                Ok(Status::Done(len)) if !sink.nested => len,
                _ => return FastFlat::GaveUp,
            };
            let Some(Ok(value)) = sink.leaf.map(|leaf| leaf_value(&rest, leaf)) else {
                return FastFlat::GaveUp;
            };
            pos += len;
            FlatElement::Other(value)
        };
        if let Err(e) = f(element) {
            return FastFlat::Done(Err(e));
        }
    }
    if pos == frame.len() {
        FastFlat::Done(Ok(()))
    } else {
        FastFlat::GaveUp
    }
}

/// The element count in an aggregate header (`*3\r\n`), or 0 when there is none to read.
fn declared_len(frame: &[u8]) -> usize {
    match read_int(frame, 1) {
        Ok(Some((n, _))) => usize::try_from(n).unwrap_or(0),
        _ => 0,
    }
}

/// The sink of [`Frame::for_each_flat`]: hands the top aggregate's elements on; anything
/// nested sets `fallback` and stops the parse.
struct Flat<'a, F> {
    frame: &'a Bytes,
    depth: usize,
    f: F,
    /// The error `f` returned.
    failed: Option<Error>,
    fallback: bool,
}

impl<F> Flat<'_, F> {
    /// Stops the parse for the fallback (the error itself is never seen).
    #[cold]
    fn give_up(&mut self) -> Result<()> {
        self.fallback = true;
        Err(proto("not a flat aggregate"))
    }
}

impl<F: FnMut(FlatElement<'_>) -> Result<()>> Sink for Flat<'_, F> {
    #[inline]
    fn leaf(&mut self, leaf: Leaf) -> Result<()> {
        if self.depth != 1 {
            return self.give_up();
        }
        let element = match leaf {
            Leaf::Bulk(s, e) => match self.frame.get(s..e) {
                Some(payload) => FlatElement::Bulk {
                    payload,
                    frame: self.frame,
                },
                None => return self.give_up(),
            },
            other => match leaf_value(self.frame, other) {
                Ok(v) => FlatElement::Other(v),
                Err(_) => return self.give_up(),
            },
        };
        match (self.f)(element) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.failed = Some(e);
                Err(proto("conversion failed"))
            }
        }
    }

    #[inline]
    fn open(&mut self, kind: Kind, _: usize, _: usize) -> Result<()> {
        self.depth += 1;
        if self.depth == 1 && matches!(kind, Kind::Array | Kind::Set) {
            Ok(())
        } else {
            self.give_up()
        }
    }

    fn chunk(&mut self, _: usize, _: usize) -> Result<()> {
        self.give_up()
    }

    #[inline]
    fn close(&mut self) -> Result<()> {
        self.depth = self.depth.saturating_sub(1);
        Ok(())
    }
}

/// The [`Value`] of a frame that is the single `leaf`: a string payload keeps the frame's
/// memory, narrowed to the payload (no reference count taken).
fn leaf_into_value(mut frame: Bytes, leaf: Leaf) -> Result<Value> {
    let mut narrow = |s: usize, e: usize| {
        if s <= e && e <= frame.len() {
            frame.truncate(e);
            frame.advance(s);
            Ok(std::mem::take(&mut frame))
        } else {
            Err(proto("slice out of range"))
        }
    };
    Ok(match leaf {
        Leaf::Bulk(s, e) => Value::Bulk(narrow(s, e)?),
        Leaf::Simple(s, e) => Value::Simple(narrow(s, e)?),
        Leaf::BigNumber(s, e) => Value::BigNumber(narrow(s, e)?),
        Leaf::Verbatim(format, s, e) => Value::Verbatim {
            format,
            text: narrow(s, e)?,
        },
        other => leaf_value(&frame, other)?,
    })
}

/// The [`Value`] of a non-aggregate leaf of `frame`.
#[inline]
fn leaf_value(frame: &Bytes, leaf: Leaf) -> Result<Value> {
    let slice = |s: usize, e: usize| {
        if s <= e && e <= frame.len() {
            Ok(frame.slice(s..e))
        } else {
            Err(proto("slice out of range"))
        }
    };
    Ok(match leaf {
        Leaf::Nil => Value::Nil,
        Leaf::Int(i) => Value::Int(i),
        Leaf::Double(d) => Value::Double(d),
        Leaf::Boolean(b) => Value::Boolean(b),
        Leaf::Bulk(s, e) => Value::Bulk(slice(s, e)?),
        Leaf::Simple(s, e) => Value::Simple(slice(s, e)?),
        Leaf::BigNumber(s, e) => Value::BigNumber(slice(s, e)?),
        Leaf::Verbatim(format, s, e) => Value::Verbatim {
            format,
            text: slice(s, e)?,
        },
        Leaf::Error(s, e) => {
            let line = frame.get(s..e).ok_or_else(|| proto("slice out of range"))?;
            Value::Error(ServerError::from_line(line))
        }
    })
}

fn proto(message: &str) -> Error {
    Error::new(ErrorKind::Protocol, message)
}

/// Smallest encoding of one element (`_\r\n`), used to bound pre-allocation by the bytes present.
const MIN_ELEMENT_LEN: usize = 3;

/// Kind of an open aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Array,
    Set,
    Push,
    Map,
    Attribute,
    StreamedString,
}

/// An open aggregate in the parser's explicit stack.
#[derive(Debug, Clone, Copy)]
struct Level {
    kind: Kind,
    /// Elements still expected (for counted aggregates; maps count keys and values separately,
    /// attributes add one for the annotated value).
    remaining: usize,
    /// Elements (or, for streamed strings, bytes) seen so far, for streamed aggregates.
    seen: usize,
    streamed: bool,
}

/// A leaf value, with payloads as offsets into the frame.
#[derive(Debug, Clone, Copy)]
enum Leaf {
    Nil,
    Int(i64),
    Double(f64),
    Boolean(bool),
    Bulk(usize, usize),
    Simple(usize, usize),
    Error(usize, usize),
    BigNumber(usize, usize),
    Verbatim([u8; 3], usize, usize),
}

/// Receives parse events. The scan pass ignores them; the build pass makes values.
trait Sink {
    /// Whether the sink ignores leaves (the scan pass): then a run of bulk strings inside a
    /// counted aggregate is skipped by a tight loop instead of one parse step per element.
    const IGNORES_LEAVES: bool = false;
    fn leaf(&mut self, leaf: Leaf) -> Result<()>;
    /// An aggregate opens; `n` is its declared element count (pairs for maps/attributes) or 0
    /// when streamed, `room` the bytes left in the input (to bound pre-allocation).
    fn open(&mut self, kind: Kind, n: usize, room: usize) -> Result<()>;
    /// A streamed-string chunk.
    fn chunk(&mut self, start: usize, end: usize) -> Result<()>;
    fn close(&mut self) -> Result<()>;
}

/// The scan pass: validation only.
struct Scan;

impl Sink for Scan {
    const IGNORES_LEAVES: bool = true;
    #[inline(always)]
    fn leaf(&mut self, _: Leaf) -> Result<()> {
        Ok(())
    }
    #[inline(always)]
    fn open(&mut self, _: Kind, _: usize, _: usize) -> Result<()> {
        Ok(())
    }
    #[inline(always)]
    fn chunk(&mut self, _: usize, _: usize) -> Result<()> {
        Ok(())
    }
    #[inline(always)]
    fn close(&mut self) -> Result<()> {
        Ok(())
    }
}

/// A partially built aggregate.
enum Building {
    Seq(Kind, Vec<Value>),
    /// Map or attribute; for an attribute the last element (the annotated value) ends up in `key`.
    Map {
        attribute: bool,
        pairs: Vec<(Value, Value)>,
        key: Option<Value>,
    },
    Str(Vec<Bytes>),
}

/// The build pass: makes the [`Value`].
struct Builder {
    frame: Bytes,
    stack: Vec<Building>,
    result: Option<Value>,
}

impl Builder {
    #[inline]
    fn slice(&self, start: usize, end: usize) -> Result<Bytes> {
        if start <= end && end <= self.frame.len() {
            Ok(self.frame.slice(start..end))
        } else {
            Err(proto("slice out of range"))
        }
    }

    #[inline]
    fn push(&mut self, v: Value) -> Result<()> {
        match self.stack.last_mut() {
            None => {
                self.result = Some(v);
                Ok(())
            }
            Some(Building::Seq(_, items)) => {
                items.push(v);
                Ok(())
            }
            Some(Building::Map { pairs, key, .. }) => {
                match key.take() {
                    None => *key = Some(v),
                    Some(k) => pairs.push((k, v)),
                }
                Ok(())
            }
            Some(Building::Str(_)) => Err(proto("value inside a streamed string")),
        }
    }
}

impl Sink for Builder {
    #[inline]
    fn leaf(&mut self, leaf: Leaf) -> Result<()> {
        let v = leaf_value(&self.frame, leaf)?;
        self.push(v)
    }

    #[inline]
    fn open(&mut self, kind: Kind, n: usize, room: usize) -> Result<()> {
        // The frame is complete here, so `n` elements really are present; still never reserve
        // more than the remaining bytes could hold.
        let cap = n.min(room / MIN_ELEMENT_LEN);
        let b = match kind {
            Kind::Array | Kind::Set | Kind::Push => Building::Seq(kind, Vec::with_capacity(cap)),
            Kind::Map | Kind::Attribute => Building::Map {
                attribute: kind == Kind::Attribute,
                pairs: Vec::with_capacity(cap / 2),
                key: None,
            },
            Kind::StreamedString => Building::Str(Vec::new()),
        };
        self.stack.push(b);
        Ok(())
    }

    fn chunk(&mut self, start: usize, end: usize) -> Result<()> {
        let bytes = self.slice(start, end)?;
        match self.stack.last_mut() {
            Some(Building::Str(parts)) => {
                parts.push(bytes);
                Ok(())
            }
            _ => Err(proto("chunk outside a streamed string")),
        }
    }

    fn close(&mut self) -> Result<()> {
        let v = match self.stack.pop() {
            Some(Building::Seq(Kind::Set, items)) => Value::Set(items),
            Some(Building::Seq(Kind::Push, items)) => Value::Push(items),
            Some(Building::Seq(_, items)) => Value::Array(items),
            Some(Building::Map {
                attribute: false,
                pairs,
                key: None,
            }) => Value::Map(pairs),
            Some(Building::Map {
                attribute: true,
                pairs,
                key: Some(data),
            }) => Value::Attribute {
                data: Box::new(data),
                attributes: pairs,
            },
            Some(Building::Map { .. }) => return Err(proto("map with an odd number of elements")),
            Some(Building::Str(parts)) => {
                if parts.len() == 1 {
                    Value::Bulk(parts.into_iter().next().unwrap_or_default())
                } else {
                    let total = parts.iter().map(Bytes::len).sum();
                    let mut joined = Vec::with_capacity(total);
                    for p in &parts {
                        joined.extend_from_slice(p);
                    }
                    Value::Bulk(Bytes::from(joined))
                }
            }
            None => return Err(proto("close without open")),
        };
        self.push(v)
    }
}

/// Outcome of running the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// A whole frame of this many bytes is at the front of the input.
    Done(usize),
    /// Incomplete; nothing new can be learned until the input is at least this long.
    Incomplete(usize),
}

/// The shared parser: a position and an explicit stack of open aggregates.
#[derive(Debug, Default)]
struct Parser {
    /// Offset of the next element to parse.
    pos: usize,
    stack: Vec<Level>,
}

/// Result of reading a number terminated by CRLF: `None` if the input ends first.
type Num = Option<(i64, usize)>;

/// Most decimal digits that always fit in a `u64`.
const MAX_DIGITS: usize = 19;

/// Parses an optionally signed decimal integer starting at `from` and ending with CRLF.
/// Returns the value and the offset just past the LF.
#[inline(always)]
fn read_int(data: &[u8], from: usize) -> Result<Num> {
    let mut i = from;
    let neg = match data.get(i) {
        None => return Ok(None),
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        Some(_) => false,
    };
    let digits = i;
    let mut v: u64 = 0;
    // Up to 19 decimal digits always fit in a u64, so accumulate without overflow checks and
    // reject longer numbers (as soon as they are seen, so an endless number cannot grow the buffer).
    loop {
        match data.get(i) {
            Some(&c) if c.is_ascii_digit() => {
                v = v.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                i += 1;
            }
            Some(b'\r') => break,
            Some(_) => return Err(proto("invalid integer")),
            None => {
                return if i - digits > MAX_DIGITS {
                    Err(proto("integer overflow"))
                } else {
                    Ok(None)
                };
            }
        }
    }
    if i == digits {
        return Err(proto("empty integer"));
    }
    if i - digits > MAX_DIGITS {
        return Err(proto("integer overflow"));
    }
    match data.get(i + 1) {
        None => Ok(None),
        Some(b'\n') => {
            let n = if neg {
                0i64.checked_sub_unsigned(v)
            } else {
                i64::try_from(v).ok()
            };
            let n = n.ok_or_else(|| proto("integer overflow"))?;
            Ok(Some((n, i + 2)))
        }
        Some(_) => Err(proto("expected CRLF")),
    }
}

/// Finds the CRLF ending a line that starts at `from`; returns the offset of the CR, or `None` if
/// the input ends first. Lines longer than `max` bytes are an error.
#[inline]
fn find_crlf(data: &[u8], from: usize, max: usize) -> Result<Option<usize>> {
    let rest = data.get(from..).unwrap_or_default();
    match memchr::memchr(b'\r', rest) {
        Some(off) => {
            if off > max {
                return Err(proto("line too long"));
            }
            let cr = from + off;
            match data.get(cr + 1) {
                None => Ok(None),
                Some(b'\n') => Ok(Some(cr)),
                Some(_) => Err(proto("expected CRLF")),
            }
        }
        None if rest.len() > max => Err(proto("line too long")),
        None => Ok(None),
    }
}

/// A declared length: `-1` (null) or a non-negative count.
#[inline]
fn to_len(n: i64) -> Result<Option<usize>> {
    if n == -1 {
        Ok(None)
    } else {
        usize::try_from(n)
            .map(Some)
            .map_err(|_| proto("negative length"))
    }
}

/// The payload of a whole, well-formed, non-null bulk string starting at `pos`
/// (`$<digits>\r\n<payload>\r\n`, at most `max` bytes of payload): its start and end
/// offsets. `None` for anything else (another type, a nil, a sign, a length or CRLF out of
/// place, too few bytes yet): the general parser then decides, so this only ever agrees with it.
#[inline(always)]
fn bulk_span(data: &[u8], pos: usize, max: usize) -> Option<(usize, usize)> {
    let (&ty, rest) = data.get(pos..)?.split_first()?;
    if ty != b'$' {
        return None;
    }
    // At most MAX_DIGITS digits: their value always fits in a u64, so no overflow checks.
    let mut n: u64 = 0;
    let mut digits = 0;
    while let Some(&c) = rest.get(digits) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        if digits == MAX_DIGITS {
            return None;
        }
        n = n * 10 + u64::from(d);
        digits += 1;
    }
    if digits == 0 || rest.get(digits..digits + 2)? != b"\r\n" {
        return None;
    }
    let n = usize::try_from(n).ok().filter(|&n| n <= max)?;
    // Offsets from `pos`: the type byte, the digits, CRLF, then the payload and its CRLF.
    let start = pos + 1 + digits + 2;
    let end = start.checked_add(n)?;
    if data.get(end..end.checked_add(2)?)? != b"\r\n" {
        return None;
    }
    Some((start, end))
}

impl Parser {
    /// Parses from `self.pos` until the frame is complete or the input runs out.
    #[inline(always)]
    fn run<S: Sink>(
        &mut self,
        data: &[u8],
        limits: &DecoderLimits,
        sink: &mut S,
    ) -> Result<Status> {
        // `pos` is always the start of the next element; it is stored back on return, so a
        // resumed scan starts again at the first unfinished element.
        let mut pos = self.pos;
        let mut in_string = matches!(
            self.stack.last(),
            Some(Level {
                kind: Kind::StreamedString,
                ..
            })
        );
        macro_rules! need {
            ($e:expr, $n:expr) => {
                match $e {
                    Some(x) => x,
                    None => {
                        self.pos = pos;
                        return Ok(Status::Incomplete($n));
                    }
                }
            };
        }
        loop {
            if S::IGNORES_LEAVES {
                // The elements of an array of bulk strings (LRANGE, MGET...), all but the
                // aggregate's last: each is whole and well formed, or the general step below
                // takes it (and reports what is wrong with it, or waits for more bytes).
                if let Some(top) = self.stack.last_mut().filter(|l| !l.streamed) {
                    while top.remaining > 1 {
                        match bulk_span(data, pos, limits.max_bulk_len) {
                            Some((_, end)) => {
                                pos = end + 2;
                                top.remaining -= 1;
                            }
                            None => break,
                        }
                    }
                }
            }
            let ty = need!(data.get(pos).copied(), pos + 1);
            let body = pos + 1;
            if in_string && ty != b';' {
                return Err(proto("expected a streamed string chunk"));
            }
            match ty {
                b':' => {
                    let (n, next) = need!(read_int(data, body)?, data.len() + 1);
                    pos = next;
                    sink.leaf(Leaf::Int(n))?;
                }
                b'$' | b'!' | b'=' => {
                    if ty == b'$' && data.get(body) == Some(&b'?') {
                        let next = need!(streamed_header(data, body)?, data.len() + 1);
                        self.open(
                            Kind::StreamedString,
                            true,
                            0,
                            data.len().saturating_sub(next),
                            limits,
                            sink,
                        )?;
                        pos = next;
                        in_string = true;
                        continue;
                    }
                    let (n, next) = need!(read_int(data, body)?, data.len() + 1);
                    match to_len(n)? {
                        None if ty == b'$' => {
                            pos = next;
                            sink.leaf(Leaf::Nil)?;
                        }
                        None => return Err(proto("null blob error or verbatim string")),
                        Some(n) => {
                            if n > limits.max_bulk_len {
                                return Err(proto("bulk string exceeds max_bulk_len"));
                            }
                            if ty == b'=' && n < 4 {
                                return Err(proto(
                                    "verbatim string shorter than its format prefix",
                                ));
                            }
                            let end = next
                                .checked_add(n)
                                .filter(|e| e.checked_add(2).is_some())
                                .ok_or_else(|| proto("length overflow"))?;
                            expect_crlf(data, end)?;
                            if data.len() < end + 2 {
                                self.pos = pos;
                                return Ok(Status::Incomplete(wake_for_crlf(data, end)));
                            }
                            let leaf = match ty {
                                b'$' => Leaf::Bulk(next, end),
                                b'!' => Leaf::Error(next, end),
                                _ => match data.get(next..next + 4) {
                                    Some(&[a, b, c, b':']) => {
                                        Leaf::Verbatim([a, b, c], next + 4, end)
                                    }
                                    _ => return Err(proto("malformed verbatim string")),
                                },
                            };
                            pos = end + 2;
                            sink.leaf(leaf)?;
                        }
                    }
                }
                b'*' | b'~' | b'%' | b'>' | b'|' => {
                    let kind = match ty {
                        b'*' => Kind::Array,
                        b'~' => Kind::Set,
                        b'%' => Kind::Map,
                        b'>' => Kind::Push,
                        _ => Kind::Attribute,
                    };
                    if data.get(body) == Some(&b'?') && kind != Kind::Attribute {
                        let next = need!(streamed_header(data, body)?, data.len() + 1);
                        self.open(kind, true, 0, data.len().saturating_sub(next), limits, sink)?;
                        pos = next;
                        continue;
                    }
                    let (n, next) = need!(read_int(data, body)?, data.len() + 1);
                    match to_len(n)? {
                        None if kind == Kind::Array => {
                            pos = next;
                            sink.leaf(Leaf::Nil)?;
                        }
                        None => return Err(proto("null aggregate other than an array")),
                        Some(n) if n > limits.max_elements => {
                            return Err(proto("aggregate exceeds max_elements"));
                        }
                        Some(0) if kind != Kind::Attribute => {
                            pos = next;
                            sink.open(kind, 0, 0)?;
                            sink.close()?;
                        }
                        Some(n) => {
                            self.open(
                                kind,
                                false,
                                n,
                                data.len().saturating_sub(next),
                                limits,
                                sink,
                            )?;
                            pos = next;
                            continue;
                        }
                    }
                }
                b'+' | b'-' | b'(' => {
                    let cr = need!(find_crlf(data, body, limits.max_bulk_len)?, data.len() + 1);
                    let leaf = match ty {
                        b'+' => Leaf::Simple(body, cr),
                        b'-' => Leaf::Error(body, cr),
                        _ => {
                            if !valid_big_number(data.get(body..cr).unwrap_or_default()) {
                                return Err(proto("malformed big number"));
                            }
                            Leaf::BigNumber(body, cr)
                        }
                    };
                    pos = cr + 2;
                    sink.leaf(leaf)?;
                }
                b',' => {
                    // Doubles are short; 64 bytes is plenty for any f64 in any notation.
                    let cr = need!(find_crlf(data, body, 64)?, data.len() + 1);
                    let d = parse_double(data.get(body..cr).unwrap_or_default())?;
                    pos = cr + 2;
                    sink.leaf(Leaf::Double(d))?;
                }
                b'#' => {
                    let b = match need!(data.get(body..body + 3), body + 3) {
                        b"t\r\n" => true,
                        b"f\r\n" => false,
                        _ => return Err(proto("malformed boolean")),
                    };
                    pos = body + 3;
                    sink.leaf(Leaf::Boolean(b))?;
                }
                b'_' => {
                    if need!(data.get(body..body + 2), body + 2) != b"\r\n" {
                        return Err(proto("malformed null"));
                    }
                    pos = body + 2;
                    sink.leaf(Leaf::Nil)?;
                }
                b'.' => {
                    if need!(data.get(body..body + 2), body + 2) != b"\r\n" {
                        return Err(proto("malformed end of streamed aggregate"));
                    }
                    match self.stack.last() {
                        Some(l) if l.streamed && l.kind != Kind::StreamedString => {
                            if l.kind == Kind::Map && l.seen % 2 != 0 {
                                return Err(proto("streamed map ended after a key"));
                            }
                        }
                        _ => return Err(proto("unexpected end of streamed aggregate")),
                    }
                    pos = body + 2;
                    self.stack.pop();
                    sink.close()?;
                }
                b';' if in_string => {
                    let (n, next) = need!(read_int(data, body)?, data.len() + 1);
                    let n = to_len(n)?.ok_or_else(|| proto("negative chunk length"))?;
                    if n == 0 {
                        pos = next;
                        in_string = false;
                        self.stack.pop();
                        sink.close()?;
                    } else {
                        let total = match self.stack.last() {
                            Some(l) => l.seen.saturating_add(n),
                            None => n,
                        };
                        if total > limits.max_bulk_len {
                            return Err(proto("streamed string exceeds max_bulk_len"));
                        }
                        let end = next
                            .checked_add(n)
                            .filter(|e| e.checked_add(2).is_some())
                            .ok_or_else(|| proto("length overflow"))?;
                        expect_crlf(data, end)?;
                        if data.len() < end + 2 {
                            self.pos = pos;
                            return Ok(Status::Incomplete(wake_for_crlf(data, end)));
                        }
                        if let Some(l) = self.stack.last_mut() {
                            l.seen = total;
                        }
                        sink.chunk(next, end)?;
                        pos = end + 2;
                        // A chunk is not an element of the enclosing aggregate.
                        continue;
                    }
                }
                b';' => return Err(proto("streamed string chunk outside a streamed string")),
                _ => return Err(proto("invalid RESP type byte")),
            }
            if self.complete(sink, limits)? {
                self.pos = pos;
                return Ok(Status::Done(pos));
            }
        }
    }

    /// Opens a (non-empty or streamed) aggregate whose header ends at `next`.
    #[inline]
    fn open<S: Sink>(
        &mut self,
        kind: Kind,
        streamed: bool,
        n: usize,
        room: usize,
        limits: &DecoderLimits,
        sink: &mut S,
    ) -> Result<()> {
        if self.stack.len() >= limits.max_depth {
            return Err(proto("nesting exceeds max_depth"));
        }
        let remaining = match kind {
            Kind::Map => n.checked_mul(2),
            Kind::Attribute => n.checked_mul(2).and_then(|m| m.checked_add(1)),
            _ => Some(n),
        }
        .ok_or_else(|| proto("length overflow"))?;
        self.stack.push(Level {
            kind,
            remaining,
            seen: 0,
            streamed,
        });
        sink.open(kind, n, room)
    }

    /// Records that one element finished; closes every aggregate that it completes. Returns
    /// whether the whole frame is done.
    #[inline(always)]
    fn complete<S: Sink>(&mut self, sink: &mut S, limits: &DecoderLimits) -> Result<bool> {
        loop {
            let Some(top) = self.stack.last_mut() else {
                return Ok(true);
            };
            if top.streamed {
                top.seen += 1;
                let max = if top.kind == Kind::Map {
                    limits.max_elements.saturating_mul(2)
                } else {
                    limits.max_elements
                };
                if top.seen > max {
                    return Err(proto("streamed aggregate exceeds max_elements"));
                }
                return Ok(false);
            }
            top.remaining = top.remaining.saturating_sub(1);
            if top.remaining > 0 {
                return Ok(false);
            }
            self.stack.pop();
            sink.close()?;
        }
    }
}

/// Checks the CRLF after a payload ending at `end`, as far as it is present.
#[inline]
fn expect_crlf(data: &[u8], end: usize) -> Result<()> {
    let ok = match data.get(end..) {
        Some([]) | None => true,
        Some([b'\r']) => true,
        Some([b'\r', b'\n', ..]) => true,
        Some(_) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(proto("missing CRLF after payload"))
    }
}

/// How many bytes to wait for when a payload ends at `end` and its CRLF is not all there: up
/// to the CRLF's first byte while that is missing, so a wrong byte fails as soon as it arrives,
/// as it does when the frame comes in one piece.
#[inline]
fn wake_for_crlf(data: &[u8], end: usize) -> usize {
    if data.len() <= end {
        end + 1
    } else {
        end + 2
    }
}

/// Reads `?\r\n` at `body`; returns the offset past it, `None` if incomplete.
fn streamed_header(data: &[u8], body: usize) -> Result<Option<usize>> {
    match data.get(body..body + 3) {
        Some(b"?\r\n") => Ok(Some(body + 3)),
        Some(_) => Err(proto("malformed streamed header")),
        None => {
            // Reject garbage early, even before the whole header is present.
            if data.get(body + 1).is_some_and(|&c| c != b'\r') {
                Err(proto("malformed streamed header"))
            } else {
                Ok(None)
            }
        }
    }
}

fn valid_big_number(s: &[u8]) -> bool {
    let digits = match s.split_first() {
        Some((b'-' | b'+', rest)) => rest,
        _ => s,
    };
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

fn parse_double(s: &[u8]) -> Result<f64> {
    let text = std::str::from_utf8(s).map_err(|_| proto("malformed double"))?;
    // Rust accepts `inf`, `infinity`, `nan` (any case, optional sign) and exponent forms.
    text.parse::<f64>().map_err(|_| proto("malformed double"))
}

#[cfg(test)]
mod internal_tests {
    use super::*;

    #[test]
    fn incomplete_bulk_waits_for_its_whole_length() {
        let mut dec = Decoder::default();
        let mut buf = BytesMut::from(&b"*2\r\n:1\r\n$100\r\nab"[..]);
        assert_eq!(dec.decode(&mut buf).unwrap(), None);
        // Resumes at the bulk string, knowing the frame needs its whole payload and the first
        // byte of its CRLF (checked as soon as it arrives).
        assert_eq!(dec.scan.pos, 8);
        assert_eq!(dec.need, 8 + 6 + 100 + 1);
        assert_eq!(dec.scan.stack.len(), 1);
        buf.extend_from_slice(&[b'x'; 98]);
        assert_eq!(dec.decode(&mut buf).unwrap(), None);
        buf.extend_from_slice(b"\r\n");
        let v = dec.decode(&mut buf).unwrap().unwrap();
        assert!(matches!(v, Value::Array(ref items) if items.len() == 2));
        assert_eq!((dec.scan.pos, dec.need, dec.scan.stack.len()), (0, 0, 0));
    }

    #[test]
    fn a_bad_terminator_fails_the_same_whether_the_bulk_came_whole_or_in_pieces() {
        // Found by the fuzzer: a 36-byte bulk followed by `\n` instead of `\r\n`. In one piece
        // it failed; in two it waited for one more byte that could not make it valid.
        // The same for a chunk of a streamed string.
        let frames: [(&[u8], usize); 2] = [
            (b"$36\r\nid=3 addr=127.0.0.1:5\xff\xff name= db=0*\r\n", 21),
            (b"$?\r\n;8\r\nabc\r\n;5\r\n", 8),
        ];
        for (frame, cut) in frames {
            let whole = Decoder::default().decode(&mut BytesMut::from(frame));
            assert_eq!(whole.unwrap_err().kind(), ErrorKind::Protocol);
            let mut dec = Decoder::default();
            let mut buf = BytesMut::from(&frame[..cut]);
            assert_eq!(dec.decode(&mut buf).unwrap(), None);
            buf.extend_from_slice(&frame[cut..]);
            assert_eq!(
                dec.decode(&mut buf).unwrap_err().kind(),
                ErrorKind::Protocol
            );
        }
    }

    #[test]
    fn integers() {
        assert_eq!(read_int(b"123\r\n", 0).unwrap(), Some((123, 5)));
        assert_eq!(read_int(b"-1\r\n", 0).unwrap(), Some((-1, 4)));
        assert_eq!(read_int(b"12", 0).unwrap(), None);
        assert_eq!(read_int(b"12\r", 0).unwrap(), None);
        assert!(read_int(b"18446744073709551616\r\n", 0).is_err());
        assert!(read_int(b"1 2\r\n", 0).is_err());
    }
}

#[cfg(test)]
mod speed {
    #![expect(clippy::disallowed_types, reason = "a timing test measures wall time")]
    use super::*;

    #[test]
    #[ignore]
    fn scan_vs_build_speed() {
        let mut bytes = b"*10000\r\n".to_vec();
        for i in 0..10_000 {
            bytes.extend_from_slice(format!(":{i}\r\n").as_bytes());
        }
        let limits = DecoderLimits::default();
        let frame = Bytes::from(bytes);
        for _ in 0..3 {
            let iters = 500;
            let t = std::time::Instant::now();
            for _ in 0..iters {
                let mut p = Parser::default();
                std::hint::black_box(p.run(&frame, &limits, &mut Scan).unwrap());
            }
            let scan = t.elapsed() / iters;
            let t = std::time::Instant::now();
            for _ in 0..iters {
                std::hint::black_box(build(frame.clone(), &limits).unwrap());
            }
            let b = t.elapsed() / iters;
            println!("scan {scan:?} build(+drop) {b:?}");
        }
    }
}
