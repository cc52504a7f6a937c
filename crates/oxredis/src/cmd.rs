//! Command packing: arguments are written straight into a RESP buffer, no per-argument values.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;

use crate::commands::{CommandFlags, CommandSpec, KeySpec};
use crate::reply::ReplyShape;

/// A command ready to send: its arguments already encoded as RESP bulk strings.
///
/// Built by the generated command methods, or by hand for anything else:
///
/// # Examples
/// ```
/// use oxredis::Cmd;
/// let mut cmd = Cmd::new("SET");
/// cmd.arg("key").arg(42).arg(b"bytes".as_slice());
/// assert_eq!(cmd.packed(), b"*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n$2\r\n42\r\n$5\r\nbytes\r\n");
/// ```
#[derive(Clone, PartialEq)]
pub struct Cmd {
    data: ArgBuf,
    argc: usize,
    spec: &'static CommandSpec,
    reply: ReplyShape,
    /// Why an argument could not be encoded (a JSON value serde refused): the command is
    /// refused before sending with this message.
    invalid: Option<Box<str>>,
}

/// Bytes of encoded arguments a [`Cmd`] holds without a heap allocation: `GET key`, `INCR
/// counter` or a `SET` of a short value fit, so building one costs no `malloc`/`free`.
const INLINE_ARGS: usize = 46;

/// A command's encoded arguments: inline up to [`INLINE_ARGS`] bytes, on the heap past that.
#[derive(Clone)]
enum ArgBuf {
    Inline { len: u8, bytes: [u8; INLINE_ARGS] },
    Heap(Vec<u8>),
}

impl ArgBuf {
    const fn new() -> Self {
        ArgBuf::Inline {
            len: 0,
            bytes: [0; INLINE_ARGS],
        }
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            ArgBuf::Inline { len, bytes } => &bytes[..usize::from(*len)],
            ArgBuf::Heap(v) => v,
        }
    }

    fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// The heap buffer, moving the inline bytes there first with room for `more` bytes.
    #[cold]
    fn spill(&mut self, more: usize) -> &mut Vec<u8> {
        if let ArgBuf::Inline { len, bytes } = self {
            let at = usize::from(*len);
            // Room for this and as much again.
            let mut v = Vec::with_capacity((2 * (at + more)).max(4 * INLINE_ARGS));
            v.extend_from_slice(&bytes[..at]);
            *self = ArgBuf::Heap(v);
        }
        match self {
            ArgBuf::Heap(v) => v,
            ArgBuf::Inline { .. } => unreachable_inline(),
        }
    }

    /// Appends raw bytes.
    #[inline]
    fn extend_from_slice(&mut self, more: &[u8]) {
        if let ArgBuf::Inline { len, bytes } = self {
            let at = usize::from(*len);
            let end = at + more.len();
            if end <= INLINE_ARGS {
                bytes[at..end].copy_from_slice(more);
                // `end <= INLINE_ARGS < 256`.
                *len = end as u8;
                return;
            }
        }
        self.spill(more.len()).extend_from_slice(more);
    }

    /// Appends one RESP bulk string: `$` length `\r\n` bytes `\r\n`.
    #[inline]
    fn push_bulk(&mut self, payload: &[u8]) {
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(payload.len()).as_bytes();
        let need = digits.len() + payload.len() + 5;
        if let ArgBuf::Inline { len, bytes } = self {
            let mut at = usize::from(*len);
            if at + need <= INLINE_ARGS {
                bytes[at] = b'$';
                at += 1;
                bytes[at..at + digits.len()].copy_from_slice(digits);
                at += digits.len();
                bytes[at] = b'\r';
                bytes[at + 1] = b'\n';
                at += 2;
                bytes[at..at + payload.len()].copy_from_slice(payload);
                at += payload.len();
                bytes[at] = b'\r';
                bytes[at + 1] = b'\n';
                // `at + 2 <= INLINE_ARGS < 256`.
                *len = (at + 2) as u8;
                return;
            }
        }
        let v = self.spill(need);
        v.reserve(need);
        v.push(b'$');
        v.extend_from_slice(digits);
        v.extend_from_slice(b"\r\n");
        v.extend_from_slice(payload);
        v.extend_from_slice(b"\r\n");
    }
}

#[expect(
    clippy::panic,
    reason = "ArgBuf::spill has just made the buffer a heap one"
)]
#[cold]
fn unreachable_inline() -> ! {
    panic!("ArgBuf::spill left the arguments inline")
}

impl PartialEq for ArgBuf {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

static GENERIC: CommandSpec = CommandSpec {
    name: "",
    flags: CommandFlags::NONE,
    keys: KeySpec::Unknown,
    reply: ReplyShape::Plain,
    route: crate::commands::RoutePolicy::KEYS,
    wire: &[],
    words: 0,
};

/// Number of words in a command name (`"CONFIG GET"`: 2); words are separated by one space.
pub(crate) const fn word_count(name: &str) -> usize {
    let bytes = name.as_bytes();
    if bytes.is_empty() {
        return 0;
    }
    let mut words = 1;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' {
            words += 1;
        }
        i += 1;
    }
    words
}

/// Decimal digits of `n`.
const fn digits(mut n: usize) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

/// Length of a command name's words encoded as RESP bulk strings, for [`encode_name`].
pub(crate) const fn encoded_name_len(name: &str) -> usize {
    let bytes = name.as_bytes();
    let mut total = 0;
    let mut start = 0;
    let mut i = 0;
    while i <= bytes.len() {
        if i == bytes.len() || bytes[i] == b' ' {
            let len = i - start;
            // `$` len `\r\n` word `\r\n`
            total += 1 + digits(len) + 2 + len + 2;
            start = i + 1;
        }
        i += 1;
    }
    total
}

/// A command name's words encoded as RESP bulk strings (`"CONFIG GET"` →
/// `$6\r\nCONFIG\r\n$3\r\nGET\r\n`), evaluated at compile time for each declaration; `N` is
/// [`encoded_name_len`] of the same name (a mismatch fails the build).
pub(crate) const fn encode_name<const N: usize>(name: &str) -> [u8; N] {
    let bytes = name.as_bytes();
    let mut out = [0u8; N];
    let mut at = 0;
    let mut start = 0;
    let mut i = 0;
    while i <= bytes.len() {
        if i == bytes.len() || bytes[i] == b' ' {
            let len = i - start;
            out[at] = b'$';
            at += 1;
            let mut d = digits(len);
            let mut n = len;
            while d > 0 {
                out[at + d - 1] = b'0' + (n % 10) as u8;
                n /= 10;
                d -= 1;
            }
            at += digits(len);
            out[at] = b'\r';
            out[at + 1] = b'\n';
            at += 2;
            let mut j = start;
            while j < i {
                out[at] = bytes[j];
                at += 1;
                j += 1;
            }
            out[at] = b'\r';
            out[at + 1] = b'\n';
            at += 2;
            start = i + 1;
        }
        i += 1;
    }
    assert!(at == N, "encode_name: N is not encoded_name_len(name)");
    out
}

impl Cmd {
    /// A command with no declaration: the words of `name` become the first arguments.
    pub fn new(name: &str) -> Self {
        let mut cmd = Cmd::raw(&GENERIC);
        for word in name.split(' ').filter(|w| !w.is_empty()) {
            cmd.write_bulk(word.as_bytes());
        }
        cmd
    }

    /// A command with no arguments and no declaration (for [`execute_command`]-style calls).
    ///
    /// [`execute_command`]: crate::Redis::execute_command
    pub fn empty() -> Self {
        Cmd::raw(&GENERIC)
    }

    fn raw(spec: &'static CommandSpec) -> Self {
        Cmd {
            data: ArgBuf::new(),
            argc: 0,
            spec,
            reply: spec.reply,
            invalid: None,
        }
    }

    /// A declared command: its name words are written and its flags and key spec recorded.
    pub(crate) fn with_spec(spec: &'static CommandSpec) -> Self {
        let mut cmd = Cmd::raw(spec);
        cmd.data.extend_from_slice(spec.wire);
        cmd.argc = spec.words;
        cmd
    }

    /// Appends one or more arguments.
    pub fn arg(&mut self, arg: impl ToArgs) -> &mut Self {
        arg.write_args(self);
        self
    }

    /// Appends one bulk-string argument.
    pub(crate) fn write_bulk(&mut self, bytes: &[u8]) {
        self.data.push_bulk(bytes);
        self.argc += 1;
    }

    /// Writes the whole command, RESP-encoded, to `out`.
    pub(crate) fn write_packed(&self, out: &mut Vec<u8>) {
        out.push(b'*');
        out.extend_from_slice(itoa::Buffer::new().format(self.argc).as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(self.data.as_slice());
    }

    /// Length of the encoded command ([`write_packed`](Self::write_packed)'s output).
    pub(crate) fn packed_len(&self) -> usize {
        // `*` argc `\r\n`, then the arguments.
        let mut digits = 1;
        let mut n = self.argc;
        while n >= 10 {
            n /= 10;
            digits += 1;
        }
        3 + digits + self.data.len()
    }

    /// The encoded command as a fresh buffer.
    pub fn packed(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 16);
        self.write_packed(&mut out);
        out
    }

    /// The arguments as encoded (without the array header): self-delimiting, so equal bytes
    /// mean the same command and arguments. The client-side cache's key.
    pub(crate) fn encoded_args(&self) -> &[u8] {
        self.data.as_slice()
    }

    /// Number of arguments, the command name's words included.
    pub fn argc(&self) -> usize {
        self.argc
    }

    /// The arguments, decoded back from the buffer.
    pub fn args(&self) -> ArgIter<'_> {
        ArgIter {
            rest: self.data.as_slice(),
        }
    }

    /// The command's name as sent (its first argument, upper-cased by the caller's declaration).
    pub fn name(&self) -> String {
        if !self.spec.name.is_empty() {
            return self.spec.name.to_owned();
        }
        self.args()
            .next()
            .map(|a| String::from_utf8_lossy(a).to_ascii_uppercase())
            .unwrap_or_default()
    }

    /// The declaration this command came from, if any.
    pub fn spec(&self) -> &'static CommandSpec {
        self.spec
    }

    /// The flags of the declaration (empty for undeclared commands).
    pub fn flags(&self) -> CommandFlags {
        self.spec.flags
    }

    /// Whether running this command twice is harmless (a retry after a connection error may
    /// resend it): its declaration's `READONLY` flag or, for a command built by hand
    /// ([`Cmd::new`], [`Cmd::empty`], `execute_command`, every command of the Python binding),
    /// that of the declaration of its name ([`declared_spec`]). Looked up on a connection error
    /// only: the common path never pays the table scan.
    pub(crate) fn is_read_only(&self) -> bool {
        if !self.spec.name.is_empty() {
            return self.spec.flags.contains(CommandFlags::READONLY);
        }
        let args: Vec<&[u8]> = self.args().collect();
        declared_spec(&args).is_some_and(|s| s.flags.contains(CommandFlags::READONLY))
    }

    /// The declaration a cluster client routes this command by: its own when it names its
    /// keys, else (a command built by hand: [`Cmd::empty`], `execute_command`, every command of
    /// the Python binding) that of its name ([`declared_spec`]); `None` for a name the command
    /// table does not know.
    pub(crate) fn route_spec(&self) -> Option<&'static CommandSpec> {
        if self.spec.keys != KeySpec::Unknown {
            return Some(self.spec);
        }
        let args: Vec<&[u8]> = self.args().collect();
        declared_spec(&args)
    }

    /// The declaration whose flags and key spec this command has: its own when it came from
    /// one, else (a command built by hand: [`Cmd::new`], `execute_command`, every command of
    /// the Python binding) that of its name ([`declared_spec`]); `None` for a name the command
    /// table does not know. The client-side cache asks this of every command of a client that
    /// caches, so a hand-built `GET` is cached as a declared one is.
    pub(crate) fn declaration(&self) -> Option<&'static CommandSpec> {
        if !self.spec.name.is_empty() {
            return Some(self.spec);
        }
        let args: Vec<&[u8]> = self.args().collect();
        declared_spec(&args)
    }

    /// How the reply is normalised before conversion.
    pub(crate) fn reply_shape(&self) -> ReplyShape {
        self.reply
    }

    /// Changes how the reply is normalised; option types call this (e.g. `WITHSCORES`).
    pub(crate) fn set_reply_shape(&mut self, shape: ReplyShape) {
        self.reply = shape;
    }

    /// Marks the command as unsendable: an argument could not be encoded (e.g. serde refused a
    /// JSON value). Every client refuses it before sending, with `why`.
    #[cfg_attr(
        not(feature = "json"),
        expect(dead_code, reason = "only JSON arguments can fail to encode")
    )]
    pub(crate) fn set_invalid(&mut self, why: String) {
        self.invalid.get_or_insert(why.into_boxed_str());
    }

    /// `Err` (`ErrorKind::Data`) when an argument could not be encoded (see `set_invalid`):
    /// every path that sends a command checks it first.
    #[inline]
    pub(crate) fn check_encoded(&self) -> crate::Result<()> {
        match &self.invalid {
            Some(why) => Err(invalid_argument(why)),
            None => Ok(()),
        }
    }

    /// Keys of this command, from its declaration's key spec.
    pub fn keys(&self) -> Vec<&[u8]> {
        let args: Vec<&[u8]> = self.args().collect();
        self.spec.keys.key_indices(&args).map(|i| args[i]).collect()
    }
}

/// The error of a command whose argument could not be encoded (out of line: it is never on
/// the path of a command that is sent).
#[cold]
fn invalid_argument(why: &str) -> crate::Error {
    crate::Error::new(crate::ErrorKind::Data, why.to_string())
}

/// The declaration of a command built by hand, found by its first two words (`CONFIG GET`,
/// `XINFO STREAM`), then its first word, case-insensitively; `None` for a name the command
/// table does not know. An index of the table is built on first use, so a lookup is a hash of
/// the upper-cased name (a cluster client routes every command of the Python binding this way).
pub(crate) fn declared_spec(args: &[&[u8]]) -> Option<&'static CommandSpec> {
    static INDEX: OnceLock<HashMap<&'static str, &'static CommandSpec>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        for spec in crate::commands::command_specs() {
            // The first declaration of a name wins, as a scan of the table would find it.
            index.entry(spec.name).or_insert(spec);
        }
        index
    });
    // Longer than any command name: no lookup needed.
    let mut buf = [0u8; 48];
    for n in [2, 1] {
        let Some(words) = args.get(..n) else {
            continue;
        };
        let mut len = 0;
        let mut fits = true;
        for (i, word) in words.iter().enumerate() {
            let sep = usize::from(i > 0);
            let Some(dst) = buf.get_mut(len..len + sep + word.len()) else {
                fits = false;
                break;
            };
            if sep == 1 {
                dst[0] = b' ';
            }
            dst[sep..].copy_from_slice(word);
            dst[sep..].make_ascii_uppercase();
            len += sep + word.len();
        }
        if !fits {
            continue;
        }
        if let Some(spec) = std::str::from_utf8(&buf[..len])
            .ok()
            .and_then(|name| index.get(name))
        {
            return Some(spec);
        }
    }
    None
}

/// How long the server may hold a command before replying, from the command's own arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockTime {
    /// An ordinary command: the server answers as soon as it has run it.
    No,
    /// A blocking command that waits at most this long (`BLPOP k 5`, `XREAD BLOCK 5000`).
    For(Duration),
    /// A blocking command that may wait forever (`BLPOP k 0`, `XREAD BLOCK 0`, `WAIT n 0`).
    Forever,
}

impl BlockTime {
    /// Both waits, one after the other (commands of one pipeline).
    pub(crate) fn then(self, other: BlockTime) -> BlockTime {
        match (self, other) {
            (BlockTime::Forever, _) | (_, BlockTime::Forever) => BlockTime::Forever,
            (BlockTime::No, t) | (t, BlockTime::No) => t,
            (BlockTime::For(a), BlockTime::For(b)) => BlockTime::For(a.saturating_add(b)),
        }
    }

    /// The longest the server may hold a batch of commands run one after another (a pipeline).
    pub(crate) fn of_batch<'a>(cmds: impl IntoIterator<Item = &'a Cmd>) -> BlockTime {
        cmds.into_iter()
            .fold(BlockTime::No, |acc, cmd| acc.then(cmd.block_time()))
    }

    /// The deadline for the reply given the client's response deadline `base`: `base` for an
    /// ordinary command, `base` plus the server-side wait for a bounded blocking one, none for
    /// one that may wait forever (or when `base` is `None`).
    pub(crate) fn reply_deadline(self, base: Option<Duration>) -> Option<Duration> {
        match self {
            BlockTime::No => base,
            BlockTime::For(wait) => base.map(|b| b.saturating_add(wait)),
            BlockTime::Forever => None,
        }
    }
}

/// A timeout argument in seconds (`BLPOP`'s) or milliseconds (`XREAD BLOCK`'s); `0` waits
/// forever. An argument that does not parse (the server will reject it) counts as no wait.
fn timeout_arg(arg: Option<&[u8]>, millis: bool) -> BlockTime {
    let Some(n) = arg
        .and_then(|a| std::str::from_utf8(a).ok())
        .and_then(|a| a.trim().parse::<f64>().ok())
    else {
        return BlockTime::No;
    };
    if n.is_nan() {
        return BlockTime::No;
    }
    if n == 0.0 {
        return BlockTime::Forever;
    }
    let secs = if millis { n / 1000.0 } else { n };
    match Duration::try_from_secs_f64(secs) {
        Ok(d) => BlockTime::For(d),
        // Negative: the server rejects it at once. Too large to represent: as good as forever.
        Err(_) if secs < 0.0 => BlockTime::No,
        Err(_) => BlockTime::Forever,
    }
}

impl Cmd {
    /// Whether this command may hold its connection waiting for data (BLPOP, XREAD BLOCK...),
    /// so that the async client runs it on a dedicated connection: a declaration's `BLOCKING`
    /// flag, or, for a command built by hand ([`Cmd::new`], [`Cmd::empty`], as the Python
    /// binding builds every command), a blocking command recognised by name and arguments
    /// ([`block_time`](Self::block_time)). WAIT and WAITAOF are not: they wait for their own
    /// connection's writes, so they must run on it.
    pub(crate) fn is_blocking(&self) -> bool {
        if !self.spec.name.is_empty() {
            return self.spec.flags.contains(CommandFlags::BLOCKING);
        }
        let waits = self.args().next().is_some_and(|name| {
            name.eq_ignore_ascii_case(b"WAIT") || name.eq_ignore_ascii_case(b"WAITAOF")
        });
        !waits && self.block_time() != BlockTime::No
    }

    /// How long the server may hold this command before replying, read from its arguments, so
    /// the reply deadline can allow for it. Declared commands other than the blocking ones cost
    /// one flag test; commands built by hand are recognised by name.
    #[inline]
    pub(crate) fn block_time(&self) -> BlockTime {
        let declared = !self.spec.name.is_empty();
        if declared
            && !self.spec.flags.contains(CommandFlags::BLOCKING)
            && !matches!(self.spec.name, "WAIT" | "WAITAOF")
        {
            return BlockTime::No;
        }
        self.block_time_of_args()
    }

    /// [`block_time`](Self::block_time) of a command that may block, or built by hand: read
    /// from its arguments.
    fn block_time_of_args(&self) -> BlockTime {
        // Every command that can block starts with B, W or X: the others (nearly all commands
        // built by hand, e.g. each SET of a Python pipeline) stop here, without a pass over
        // their arguments.
        let blocking_initial = self
            .args()
            .next()
            .and_then(|name| name.first())
            .is_some_and(|c| matches!(c.to_ascii_uppercase(), b'B' | b'W' | b'X'));
        if !blocking_initial {
            return BlockTime::No;
        }
        let args: Vec<&[u8]> = self.args().collect();
        let Some(name) = args.first() else {
            return BlockTime::No;
        };
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        if is("BLPOP")
            || is("BRPOP")
            || is("BZPOPMIN")
            || is("BZPOPMAX")
            || is("BRPOPLPUSH")
            || is("BLMOVE")
        {
            timeout_arg(args.last().copied(), false)
        } else if is("BLMPOP") || is("BZMPOP") {
            timeout_arg(args.get(1).copied(), false)
        } else if is("WAIT") {
            timeout_arg(args.get(2).copied(), true)
        } else if is("WAITAOF") {
            timeout_arg(args.get(3).copied(), true)
        } else if is("XREAD") || is("XREADGROUP") {
            // Only options before STREAMS count: a stream may be named BLOCK.
            let options = args
                .iter()
                .position(|a| a.eq_ignore_ascii_case(b"STREAMS"))
                .unwrap_or(args.len());
            match args[..options]
                .iter()
                .position(|a| a.eq_ignore_ascii_case(b"BLOCK"))
            {
                Some(i) => timeout_arg(args.get(i + 1).copied(), true),
                None => BlockTime::No,
            }
        } else {
            BlockTime::No
        }
    }
}

#[cfg(test)]
mod read_only_tests {
    use super::*;

    fn cmd(words: &[&str]) -> Cmd {
        let mut c = Cmd::empty();
        for w in words {
            c.arg(*w);
        }
        c
    }

    #[test]
    fn hand_built_commands_are_read_only_by_the_declaration_of_their_name() {
        for (words, read_only) in [
            (&["GET", "k"][..], true),
            (&["get", "k"], true),
            (&["OBJECT", "ENCODING", "k"], true),
            (&["object", "encoding", "k"], true),
            (&["XINFO", "STREAM", "s"], true),
            (&["ZRANGE", "z", "0", "-1"], true),
            (&["SET", "k", "v"], false),
            (&["INCR", "k"], false),
            (&["CONFIG", "SET", "timeout", "0"], false),
            (&["NO-SUCH-COMMAND"], false),
            (&[], false),
        ] {
            assert_eq!(cmd(words).is_read_only(), read_only, "{words:?}");
        }
        assert!(Cmd::new("OBJECT ENCODING").is_read_only());
        assert!(!Cmd::new("XADD").is_read_only());
    }

    #[test]
    fn declared_commands_are_read_only_by_their_flag() {
        let mut get = crate::commands::build::get("k");
        assert!(get.is_read_only());
        let set = crate::commands::build::set("k", "v");
        assert!(!set.is_read_only());
        get.arg("extra");
        assert!(get.is_read_only(), "the declaration decides, not the words");
    }
}

#[cfg(test)]
mod block_time_tests {
    use super::*;

    fn cmd(words: &[&str]) -> Cmd {
        let mut c = Cmd::empty();
        for w in words {
            c.arg(*w);
        }
        c
    }

    #[test]
    fn arguments_read_back_as_written_whatever_their_length() {
        let long = vec![b'x'; 1000];
        let binary: &[u8] = b"a\r\n$3\r\n\0";
        let mut c = Cmd::empty();
        c.arg("SET").arg("").arg("123456789").arg("0123456789");
        c.arg(&long[..]).arg(binary);
        let args: Vec<&[u8]> = c.args().collect();
        assert_eq!(
            args,
            [
                &b"SET"[..],
                b"",
                b"123456789",
                b"0123456789",
                &long[..],
                binary
            ]
        );
    }

    #[test]
    fn block_times_from_arguments() {
        let s = Duration::from_secs;
        let ms = Duration::from_millis;
        let cases: &[(&[&str], BlockTime)] = &[
            (&["GET", "k"], BlockTime::No),
            (&["BLPOP", "a", "b", "5"], BlockTime::For(s(5))),
            (&["blpop", "a", "0.5"], BlockTime::For(ms(500))),
            (&["BRPOP", "a", "0"], BlockTime::Forever),
            (&["BZPOPMIN", "z", "2"], BlockTime::For(s(2))),
            (
                &["BLMOVE", "a", "b", "LEFT", "RIGHT", "3"],
                BlockTime::For(s(3)),
            ),
            (&["BRPOPLPUSH", "a", "b", "0"], BlockTime::Forever),
            (
                &["BLMPOP", "1.5", "2", "a", "b", "LEFT"],
                BlockTime::For(ms(1500)),
            ),
            (&["BZMPOP", "0", "1", "z", "MIN"], BlockTime::Forever),
            (&["XREAD", "COUNT", "2", "STREAMS", "s", "0"], BlockTime::No),
            (
                &["XREAD", "BLOCK", "250", "STREAMS", "s", "$"],
                BlockTime::For(ms(250)),
            ),
            (
                &["XREAD", "BLOCK", "0", "STREAMS", "s", "$"],
                BlockTime::Forever,
            ),
            // A stream named BLOCK is not the option.
            (&["XREAD", "STREAMS", "BLOCK", "0"], BlockTime::No),
            (
                &[
                    "XREADGROUP",
                    "GROUP",
                    "g",
                    "c",
                    "BLOCK",
                    "100",
                    "STREAMS",
                    "s",
                    ">",
                ],
                BlockTime::For(ms(100)),
            ),
            (&["WAIT", "1", "200"], BlockTime::For(ms(200))),
            (&["WAIT", "1", "0"], BlockTime::Forever),
            (&["WAITAOF", "1", "0", "50"], BlockTime::For(ms(50))),
            // Bad or hostile values never panic.
            (&["BLPOP", "a", "nan"], BlockTime::No),
            (&["BLPOP", "a", "-1"], BlockTime::No),
            (&["BLPOP", "a", "1e300"], BlockTime::Forever),
            (&["BLPOP", "a", "x"], BlockTime::No),
            (&["BLPOP"], BlockTime::No),
        ];
        for (words, want) in cases {
            assert_eq!(cmd(words).block_time(), *want, "{words:?}");
        }
        let base = Some(s(10));
        assert_eq!(BlockTime::No.reply_deadline(base), base);
        assert_eq!(BlockTime::For(s(3)).reply_deadline(base), Some(s(13)));
        assert_eq!(BlockTime::Forever.reply_deadline(base), None);
        assert_eq!(BlockTime::For(s(3)).reply_deadline(None), None);
        let batch = [
            cmd(&["GET", "k"]),
            cmd(&["BLPOP", "a", "1"]),
            cmd(&["BLPOP", "b", "2"]),
        ];
        assert_eq!(BlockTime::of_batch(&batch), BlockTime::For(s(3)));
        let batch = [cmd(&["BLPOP", "a", "1"]), cmd(&["BLPOP", "b", "0"])];
        assert_eq!(BlockTime::of_batch(&batch), BlockTime::Forever);
    }
}

/// What a command would do to a connection that other callers share (a pooled connection of the
/// blocking client, the multiplexed connection of the async one), judged by
/// [`Cmd::connection_state_effect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnStateEffect {
    /// Safe on a shared connection: it leaves nothing behind that changes the replies of the
    /// next commands. Declared `CONN_STATE` commands such as `CLIENT SETNAME`, `CLIENT
    /// TRACKING`, `CLIENT NO-EVICT`, `READONLY` are here: they change the connection's
    /// attributes, not how it answers, and the command table documents their pooled use.
    Harmless,
    /// Would desynchronise the replies (`CLIENT REPLY OFF`, `SUBSCRIBE`, `MONITOR`, `MULTI`...)
    /// or silently change the handshake state every user of the connection relies on
    /// (`SELECT`, `AUTH`, `HELLO 3`, `RESET`, `QUIT`...): refused on a shared connection.
    Refused {
        /// The command, as the caller would write it (`SELECT`, `CLIENT REPLY OFF`).
        command: &'static str,
        /// Why, and the API to use instead.
        instead: &'static str,
    },
}

/// The undeclared commands refused on a shared connection, by name, with the reason and the API
/// to use instead. `CLIENT REPLY` and `HELLO` depend on their arguments and are judged apart.
const REFUSED_ON_SHARED: &[(&str, &str)] = &[
    ("SUBSCRIBE", SUBSCRIBING),
    ("PSUBSCRIBE", SUBSCRIBING),
    ("SSUBSCRIBE", SUBSCRIBING),
    ("UNSUBSCRIBE", SUBSCRIBING),
    ("PUNSUBSCRIBE", SUBSCRIBING),
    ("SUNSUBSCRIBE", SUBSCRIBING),
    (
        "MONITOR",
        "turns the connection into a stream of events; use monitor() (blocking client) or a \
         Connection of its own (Connection::connect)",
    ),
    ("MULTI", TRANSACTION),
    ("EXEC", TRANSACTION),
    ("DISCARD", TRANSACTION),
    (
        "WATCH",
        "would leave watched keys on a connection other callers use; use \
         pipeline(true).watch(keys) or transaction(keys, ..)",
    ),
    (
        "UNWATCH",
        "only means something on the connection that ran WATCH; use the WatchedPipeline's \
         unwatch() (pipeline(true).watch(keys)) or transaction(keys, ..)",
    ),
    (
        "SELECT",
        "would change the database under every other user of the connection; set \
         ConnectionConfig.db (builder .db(n), URL path /n), one client per database",
    ),
    (
        "AUTH",
        "would re-authenticate a connection other callers share; set ConnectionConfig \
         username/password (builder .username()/.password(), URL user:password@)",
    ),
    (
        "RESET",
        "would drop the handshake state (database, user, name, protocol) other callers rely \
         on; use a Connection of its own (Connection::connect)",
    ),
    (
        "QUIT",
        "would close the connection under other callers; drop the client to close its \
         connections",
    ),
    ("SYNC", REPLICATION),
    ("PSYNC", REPLICATION),
    ("REPLCONF", REPLICATION),
];

const SUBSCRIBING: &str =
    "puts the connection in subscriber mode, where ordinary replies stop; use pubsub(), which \
     subscribes on a connection of its own";
const TRANSACTION: &str =
    "would queue the other callers' commands in a transaction; use pipeline(true) or \
     transaction(keys, ..)";
const REPLICATION: &str =
    "would turn the connection into a replication stream; the replication protocol is not \
     supported on a client connection";

impl Cmd {
    /// What this command would do to a connection other callers share (see
    /// [`ConnStateEffect`]). Declared commands without the
    /// [`CONN_STATE`](CommandFlags::CONN_STATE) flag cost one flag test; commands built by hand
    /// are recognised by name (`SUBSCRIBE`, `MONITOR`, `MULTI`, `SELECT`...), as are the
    /// arguments that make `CLIENT REPLY` (`OFF`, `SKIP`) and `HELLO` (a protocol version, which
    /// may switch protocol, user and name) refused. A bare `HELLO` only reports and is harmless.
    pub(crate) fn connection_state_effect(&self) -> ConnStateEffect {
        let declared = !self.spec.name.is_empty();
        if declared && !self.spec.flags.contains(CommandFlags::CONN_STATE) {
            return ConnStateEffect::Harmless;
        }
        let mut args = self.args();
        let Some(name) = args.next() else {
            return ConnStateEffect::Harmless;
        };
        let is = |a: &[u8], word: &str| a.eq_ignore_ascii_case(word.as_bytes());
        if is(name, "CLIENT") {
            let sub = args.next().unwrap_or_default();
            let mode = args.next();
            // CLIENT REPLY ON is the normal mode; any other mode (OFF, SKIP) drops replies the
            // shared connection's callers wait for.
            if is(sub, "REPLY") && mode.is_some_and(|m| !is(m, "ON")) {
                return ConnStateEffect::Refused {
                    command: "CLIENT REPLY OFF/SKIP",
                    instead: "would make the server stop replying on a connection other \
                              callers share; use a Connection of its own (Connection::connect)",
                };
            }
            return ConnStateEffect::Harmless;
        }
        if is(name, "HELLO") {
            if args.next().is_some() {
                return ConnStateEffect::Refused {
                    command: "HELLO",
                    instead: "may switch the protocol, user and name under other callers (a \
                              bare HELLO is allowed); set ConnectionConfig protocol, \
                              username/password and client_name",
                };
            }
            return ConnStateEffect::Harmless;
        }
        match REFUSED_ON_SHARED.iter().find(|(n, _)| is(name, n)) {
            Some(&(command, instead)) => ConnStateEffect::Refused { command, instead },
            None => ConnStateEffect::Harmless,
        }
    }

    /// `Ok` when this command may run on a connection other callers share, else the error the
    /// clients return without sending it.
    ///
    /// # Errors
    /// [`ErrorKind::Data`](crate::ErrorKind::Data) naming the command and the API to use
    /// instead. `Data` (redis-py's `DataError`, "bad input") because the caller's input is
    /// refused before any I/O, as the pipelines' "commands after multi()" error: not a server
    /// reply (`Response`), not a broken connection (`Connection` would count for retries and
    /// make the pool discard a healthy connection), not a missing feature (`Unsupported`: the
    /// feature exists, through another API).
    pub(crate) fn check_shared_connection(&self) -> crate::Result<()> {
        self.check_encoded()?;
        match self.connection_state_effect() {
            ConnStateEffect::Harmless => Ok(()),
            ConnStateEffect::Refused { command, instead } => Err(crate::Error::new(
                crate::ErrorKind::Data,
                format!("{command} refused on a shared connection: it {instead}"),
            )),
        }
    }
}

/// Which arguments of a command are secrets (passwords) that debug output must not show:
/// those of `AUTH`, `HELLO ... AUTH user pass`, `MIGRATE ... AUTH pass` / `AUTH2 user pass`,
/// `CONFIG SET requirepass|masterauth|... value`, `SENTINEL SET name auth-pass value`, and the
/// password rules (`>pass`, `<pass`, `#hash`, `!hash`) of `ACL SETUSER`.
fn secret_args(args: &[&[u8]]) -> Vec<bool> {
    let mut secret = vec![false; args.len()];
    let is = |i: usize, word: &str| {
        args.get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()))
    };
    let mut hide = |i: usize| {
        if let Some(s) = secret.get_mut(i) {
            *s = true;
        }
    };
    if is(0, "AUTH") {
        (1..args.len()).for_each(&mut hide);
    } else if is(0, "HELLO") {
        if let Some(i) = (2..args.len()).find(|&i| is(i, "AUTH")) {
            hide(i + 2);
        }
    } else if is(0, "MIGRATE") {
        // MIGRATE host port key db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS ..]:
        // options start after the timeout, and the keys after KEYS may be named anything.
        for i in 6..args.len() {
            if is(i, "KEYS") {
                break;
            } else if is(i, "AUTH") {
                hide(i + 1);
            } else if is(i, "AUTH2") {
                hide(i + 2);
            }
        }
    } else if (is(0, "CONFIG") || is(0, "SENTINEL")) && is(1, "SET") {
        let first = if is(0, "CONFIG") { 2 } else { 3 };
        for i in (first..args.len()).step_by(2) {
            let name = String::from_utf8_lossy(args[i]).to_ascii_lowercase();
            if matches!(
                name.as_str(),
                "requirepass"
                    | "masterauth"
                    | "auth-pass"
                    | "sentinel-pass"
                    | "tls-key-file-pass"
                    | "tls-client-key-file-pass"
            ) {
                hide(i + 1);
            }
        }
    } else if is(0, "ACL") && is(1, "SETUSER") {
        for (i, rule) in args.iter().enumerate().skip(3) {
            if matches!(rule.first(), Some(b'>' | b'<' | b'#' | b'!')) {
                hide(i);
            }
        }
    }
    secret
}

impl std::fmt::Debug for Cmd {
    /// The arguments as a list of (lossily decoded) strings, with passwords shown as `***`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let args: Vec<&[u8]> = self.args().collect();
        let secret = secret_args(&args);
        let mut l = f.debug_list();
        for (a, hidden) in args.iter().zip(secret) {
            if hidden {
                l.entry(&"***");
            } else {
                l.entry(&String::from_utf8_lossy(a));
            }
        }
        l.finish()
    }
}

/// Iterator over the arguments of a [`Cmd`].
#[derive(Debug, Clone)]
pub struct ArgIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for ArgIter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        // The buffer was written by `write_bulk`, so it is well formed: `$<len>\r\n<bytes>\r\n`.
        let rest = self.rest.strip_prefix(b"$")?;
        // The length's digits, read in place (no UTF-8 check and `str::parse`: this runs
        // several times per command built by hand).
        let mut len = 0usize;
        let mut crlf = 0;
        loop {
            match *rest.get(crlf)? {
                b'\r' => break,
                d @ b'0'..=b'9' => {
                    len = len.checked_mul(10)?.checked_add(usize::from(d - b'0'))?;
                }
                _ => return None,
            }
            crlf += 1;
        }
        let start = crlf + 2;
        let arg = rest.get(start..start + len)?;
        self.rest = rest.get(start + len + 2..).unwrap_or_default();
        Some(arg)
    }
}

/// Something that writes itself as zero or more command arguments.
///
/// Strings and byte slices are one argument, numbers are formatted in decimal, slices, vectors and
/// tuples write each element, `Option::None` writes nothing.
///
/// # Examples
/// ```
/// use oxredis::Cmd;
/// let mut cmd = Cmd::new("MSET");
/// cmd.arg(&[("a", 1), ("b", 2)]);
/// assert_eq!(cmd.argc(), 5);
/// ```
pub trait ToArgs {
    /// Appends this value's arguments to `cmd`.
    fn write_args(&self, cmd: &mut Cmd);

    /// Writes a slice of these; `u8` overrides it so `&[u8]` is one binary argument.
    #[doc(hidden)]
    fn write_slice(items: &[Self], cmd: &mut Cmd)
    where
        Self: Sized,
    {
        for item in items {
            item.write_args(cmd);
        }
    }
}

impl<T: ToArgs + ?Sized> ToArgs for &T {
    fn write_args(&self, cmd: &mut Cmd) {
        (**self).write_args(cmd)
    }
}

impl ToArgs for str {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.write_bulk(self.as_bytes())
    }
}

impl ToArgs for String {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.write_bulk(self.as_bytes())
    }
}

impl ToArgs for Bytes {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.write_bulk(self)
    }
}

impl ToArgs for u8 {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.write_bulk(itoa::Buffer::new().format(*self).as_bytes())
    }

    fn write_slice(items: &[u8], cmd: &mut Cmd) {
        cmd.write_bulk(items)
    }
}

macro_rules! int_args {
    ($($t:ty),*) => {$(
        impl ToArgs for $t {
            fn write_args(&self, cmd: &mut Cmd) {
                cmd.write_bulk(itoa::Buffer::new().format(*self).as_bytes())
            }
        }
    )*};
}
int_args!(i8, i16, i32, i64, i128, u16, u32, u64, u128, usize, isize);

macro_rules! float_args {
    ($($t:ty),*) => {$(
        impl ToArgs for $t {
            fn write_args(&self, cmd: &mut Cmd) {
                if self.is_finite() {
                    cmd.write_bulk(ryu::Buffer::new().format_finite(*self).as_bytes())
                } else if self.is_nan() {
                    cmd.write_bulk(b"nan")
                } else if *self > 0.0 {
                    cmd.write_bulk(b"+inf")
                } else {
                    cmd.write_bulk(b"-inf")
                }
            }
        }
    )*};
}
float_args!(f32, f64);

impl ToArgs for bool {
    /// Booleans are sent as `1` / `0`, as redis-py does.
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.write_bulk(if *self { b"1" } else { b"0" })
    }
}

impl<T: ToArgs> ToArgs for [T] {
    fn write_args(&self, cmd: &mut Cmd) {
        T::write_slice(self, cmd)
    }
}

impl<T: ToArgs, const N: usize> ToArgs for [T; N] {
    fn write_args(&self, cmd: &mut Cmd) {
        T::write_slice(self, cmd)
    }
}

impl<T: ToArgs> ToArgs for Vec<T> {
    fn write_args(&self, cmd: &mut Cmd) {
        T::write_slice(self, cmd)
    }
}

impl<T: ToArgs> ToArgs for Option<T> {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(v) = self {
            v.write_args(cmd)
        }
    }
}

impl<K: ToArgs, V: ToArgs, S> ToArgs for std::collections::HashMap<K, V, S> {
    fn write_args(&self, cmd: &mut Cmd) {
        for (k, v) in self {
            k.write_args(cmd);
            v.write_args(cmd);
        }
    }
}

impl<K: ToArgs, V: ToArgs> ToArgs for std::collections::BTreeMap<K, V> {
    fn write_args(&self, cmd: &mut Cmd) {
        for (k, v) in self {
            k.write_args(cmd);
            v.write_args(cmd);
        }
    }
}

macro_rules! tuple_args {
    ($($name:ident)+) => {
        impl<$($name: ToArgs),+> ToArgs for ($($name,)+) {
            #[expect(non_snake_case, reason = "the tuple's type parameters double as binding names")]
            fn write_args(&self, cmd: &mut Cmd) {
                let ($($name,)+) = self;
                $($name.write_args(cmd);)+
            }
        }
    };
}
tuple_args!(A);
tuple_args!(A B);
tuple_args!(A B C);
tuple_args!(A B C D);
tuple_args!(A B C D E);
tuple_args!(A B C D E F);

impl ToArgs for Cmd {
    /// A whole command as arguments of another (used by `MULTI`-free wrappers and tests).
    fn write_args(&self, cmd: &mut Cmd) {
        for a in self.args() {
            cmd.write_bulk(a)
        }
    }
}

/// Writes `(member, score)` pairs score first, as ZADD wants them.
#[derive(Debug, Clone, Copy)]
pub struct ScoreFirst<'a, M>(pub &'a [(M, f64)]);

impl<M: ToArgs> ToArgs for ScoreFirst<'_, M> {
    fn write_args(&self, cmd: &mut Cmd) {
        for (member, score) in self.0 {
            score.write_args(cmd);
            member.write_args(cmd);
        }
    }
}

/// A literal token written only when a flag is set, e.g. `Flag("NX", opts.nx)`.
#[derive(Debug, Clone, Copy)]
pub struct Flag(pub &'static str, pub bool);

impl ToArgs for Flag {
    fn write_args(&self, cmd: &mut Cmd) {
        if self.1 {
            cmd.write_bulk(self.0.as_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precomputed_names_encode_each_word_as_a_bulk_string() {
        const LEN: usize = encoded_name_len("CONFIG GET");
        assert_eq!(
            &encode_name::<LEN>("CONFIG GET"),
            b"$6\r\nCONFIG\r\n$3\r\nGET\r\n"
        );
        assert_eq!(word_count("CONFIG GET"), 2);
        assert_eq!(word_count(""), 0);
        // A word of ten letters or more takes a two-digit length.
        const LONG: usize = encoded_name_len("GEORADIUSBYMEMBER_RO");
        assert_eq!(
            &encode_name::<LONG>("GEORADIUSBYMEMBER_RO"),
            b"$20\r\nGEORADIUSBYMEMBER_RO\r\n"
        );
        // Every declaration: the precomputed words are what `Cmd::new` writes for its name.
        for spec in crate::commands::command_specs() {
            let by_hand = Cmd::new(spec.name);
            assert_eq!(spec.wire, by_hand.data.as_slice(), "{}", spec.name);
            assert_eq!(
                spec.wire,
                Cmd::with_spec(spec).encoded_args(),
                "{}",
                spec.name
            );
            assert_eq!(spec.words, by_hand.argc, "{}", spec.name);
        }
    }

    #[test]
    fn packed_len_is_the_length_of_the_packed_command() {
        let mut cmd = Cmd::new("SET");
        assert_eq!(cmd.packed_len(), cmd.packed().len());
        cmd.arg("k").arg(1);
        assert_eq!(
            cmd.packed_len(),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n1\r\n".len()
        );
        for _ in 0..20 {
            cmd.arg("x");
        }
        assert_eq!(cmd.packed_len(), cmd.packed().len());
        assert_eq!(Cmd::empty().packed_len(), b"*0\r\n".len());
    }

    #[test]
    fn arguments_spill_from_inline_storage_to_the_heap_intact() {
        // 16 bytes (`$3 GET`, `$1 k`): inline.
        let mut cmd = Cmd::new("GET");
        cmd.arg("k");
        assert!(matches!(cmd.data, ArgBuf::Inline { len: 16, .. }));
        assert_eq!(cmd.packed(), b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        // Exactly full, then one byte more: the 46th byte stays inline, the 47th spills.
        let mut full = Cmd::empty();
        full.arg("x".repeat(INLINE_ARGS - 7)); // `$39\r\n` + 39 + `\r\n` = 46
        assert!(matches!(full.data, ArgBuf::Inline { len: 46, .. }));
        let inline_copy = full.clone();
        full.arg("y");
        assert!(matches!(full.data, ArgBuf::Heap(_)));
        let want = format!("*2\r\n$39\r\n{}\r\n$1\r\ny\r\n", "x".repeat(39)).into_bytes();
        assert_eq!(full.packed(), want);
        // Equality compares the bytes, wherever they are kept.
        let mut rebuilt = Cmd::empty();
        rebuilt.arg("x".repeat(39)).arg("y");
        assert!(matches!(rebuilt.data, ArgBuf::Heap(_)));
        assert!(full == rebuilt);
        assert!(inline_copy != full);
        // A large argument goes to the heap in one step, and more are appended after it.
        let big = vec![b'v'; 100_000];
        rebuilt.arg(big.as_slice()).arg(7);
        let args: Vec<&[u8]> = rebuilt.args().collect();
        assert_eq!(args.len(), 4);
        assert_eq!(args[2], big.as_slice());
        assert_eq!(args[3], b"7");
    }

    #[test]
    fn args_round_trip_through_the_iterator() {
        let mut cmd = Cmd::new("CONFIG GET");
        cmd.arg("max*")
            .arg(vec![1u32, 2])
            .arg(Some(1.5f64))
            .arg(None::<&str>);
        let args: Vec<&[u8]> = cmd.args().collect();
        assert_eq!(
            args,
            vec![&b"CONFIG"[..], b"GET", b"max*", b"1", b"2", b"1.5"]
        );
        assert_eq!(cmd.argc(), 6);
    }

    #[test]
    fn debug_hides_passwords() {
        let shown = |words: &[&str]| {
            let mut cmd = Cmd::empty();
            cmd.arg(words);
            format!("{cmd:?}")
        };
        assert_eq!(shown(&["AUTH", "pw"]), r#"["AUTH", "***"]"#);
        assert_eq!(shown(&["auth", "user", "pw"]), r#"["auth", "***", "***"]"#);
        assert_eq!(
            shown(&["HELLO", "3", "AUTH", "u", "pw", "SETNAME", "n"]),
            r#"["HELLO", "3", "AUTH", "u", "***", "SETNAME", "n"]"#
        );
        assert_eq!(shown(&["HELLO", "3"]), r#"["HELLO", "3"]"#);
        assert_eq!(
            shown(&["MIGRATE", "h", "1", "", "0", "5", "COPY", "AUTH", "pw", "KEYS", "AUTH", "k"]),
            r#"["MIGRATE", "h", "1", "", "0", "5", "COPY", "AUTH", "***", "KEYS", "AUTH", "k"]"#
        );
        assert_eq!(
            shown(&["MIGRATE", "h", "1", "AUTH", "0", "5", "AUTH2", "u", "pw"]),
            r#"["MIGRATE", "h", "1", "AUTH", "0", "5", "AUTH2", "u", "***"]"#
        );
        assert_eq!(
            shown(&[
                "CONFIG",
                "SET",
                "maxmemory",
                "1mb",
                "requirepass",
                "pw",
                "masterauth",
                "m"
            ]),
            r#"["CONFIG", "SET", "maxmemory", "1mb", "requirepass", "***", "masterauth", "***"]"#
        );
        assert_eq!(
            shown(&[
                "SENTINEL",
                "SET",
                "mymaster",
                "auth-pass",
                "pw",
                "quorum",
                "2"
            ]),
            r#"["SENTINEL", "SET", "mymaster", "auth-pass", "***", "quorum", "2"]"#
        );
        assert_eq!(
            shown(&["ACL", "SETUSER", "bob", "on", ">pw", "<old", "#abc", "!def", "~k*", "+get"]),
            r#"["ACL", "SETUSER", "bob", "on", "***", "***", "***", "***", "~k*", "+get"]"#
        );
        assert_eq!(shown(&["GET", "AUTH"]), r#"["GET", "AUTH"]"#);
        let mut declared = Cmd::new("CONFIG SET");
        declared.arg("requirepass").arg("pw");
        assert_eq!(
            format!("{declared:#?}"),
            "[\n    \"CONFIG\",\n    \"SET\",\n    \"requirepass\",\n    \"***\",\n]"
        );
    }

    #[test]
    fn binary_and_special_floats() {
        let mut cmd = Cmd::new("X");
        cmd.arg(&b"\x00\r\n"[..])
            .arg(f64::INFINITY)
            .arg(f64::NEG_INFINITY);
        let args: Vec<&[u8]> = cmd.args().collect();
        assert_eq!(args, vec![&b"X"[..], b"\x00\r\n", b"+inf", b"-inf"]);
    }
}

#[cfg(test)]
mod conn_state_tests {
    use super::*;
    use crate::commands::build;
    use crate::ErrorKind;

    fn effect(words: &[&str]) -> ConnStateEffect {
        let mut c = Cmd::empty();
        c.arg(words);
        c.connection_state_effect()
    }

    fn refused(words: &[&str]) -> &'static str {
        match effect(words) {
            ConnStateEffect::Refused { command, .. } => command,
            ConnStateEffect::Harmless => panic!("{words:?} not refused"),
        }
    }

    #[test]
    fn undeclared_commands_are_judged_by_name_and_arguments() {
        for (words, command) in [
            (&["subscribe", "c"][..], "SUBSCRIBE"),
            (&["PSUBSCRIBE", "p*"], "PSUBSCRIBE"),
            (&["SSUBSCRIBE", "s"], "SSUBSCRIBE"),
            (&["UNSUBSCRIBE"], "UNSUBSCRIBE"),
            (&["PUNSUBSCRIBE"], "PUNSUBSCRIBE"),
            (&["SUNSUBSCRIBE"], "SUNSUBSCRIBE"),
            (&["MONITOR"], "MONITOR"),
            (&["multi"], "MULTI"),
            (&["EXEC"], "EXEC"),
            (&["DISCARD"], "DISCARD"),
            (&["WATCH", "k"], "WATCH"),
            (&["UNWATCH"], "UNWATCH"),
            (&["select", "1"], "SELECT"),
            (&["AUTH", "pw"], "AUTH"),
            (&["HELLO", "3"], "HELLO"),
            (&["RESET"], "RESET"),
            (&["QUIT"], "QUIT"),
            (&["PSYNC", "?", "-1"], "PSYNC"),
            (&["CLIENT", "REPLY", "OFF"], "CLIENT REPLY OFF/SKIP"),
            (&["client", "reply", "skip"], "CLIENT REPLY OFF/SKIP"),
        ] {
            assert_eq!(refused(words), command, "{words:?}");
        }
        for words in [
            &["GET", "k"][..],
            &["HELLO"],
            &["CLIENT", "REPLY", "ON"],
            &["CLIENT", "SETNAME", "n"],
            &["CLIENT", "INFO"],
            &["SELECTED"],
            &["PUBLISH", "c", "m"],
            &[],
        ] {
            assert_eq!(effect(words), ConnStateEffect::Harmless, "{words:?}");
        }
    }

    #[test]
    fn declared_commands_are_judged_by_their_flag() {
        assert_eq!(
            build::get("k").connection_state_effect(),
            ConnStateEffect::Harmless
        );
        assert_eq!(
            build::client_reply("ON").connection_state_effect(),
            ConnStateEffect::Harmless
        );
        let err = build::client_reply("OFF")
            .check_shared_connection()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Data);
        assert!(
            err.to_string()
                .contains("CLIENT REPLY OFF/SKIP refused on a shared connection"),
            "{err}"
        );
        assert_eq!(
            build::client_setname("n").connection_state_effect(),
            ConnStateEffect::Harmless
        );
        assert!(build::readonly().check_shared_connection().is_ok());
    }
}
