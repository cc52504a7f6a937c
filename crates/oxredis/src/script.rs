//! Lua scripts (redis-py's `Script`), the sans-I/O part: source, SHA1 and the commands to run it.
//!
//! A [`Script`] knows its SHA1 without asking the server, so it can be run with `EVALSHA` on any
//! client; the I/O layers load it (`SCRIPT LOAD`) when the server answers `NOSCRIPT`.

use std::sync::Arc;

use crate::{Cmd, ErrorKind, Result, ToArgs, Value};

/// A Lua script and its SHA1, cheap to clone and usable with any client or pipeline.
///
/// # Examples
/// ```
/// let s = oxredis::Script::new("return 1");
/// assert_eq!(s.sha(), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Script {
    inner: Arc<Inner>,
}

#[derive(PartialEq, Eq, Hash)]
struct Inner {
    source: String,
    sha: String,
}

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Script")
            .field("sha", &self.inner.sha)
            .finish_non_exhaustive()
    }
}

impl Script {
    /// A script from its Lua source; the SHA1 is computed here, locally.
    pub fn new(source: impl Into<String>) -> Script {
        let source = source.into();
        let sha = sha1_hex(source.as_bytes());
        Script {
            inner: Arc::new(Inner { source, sha }),
        }
    }

    /// The Lua source.
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    /// The lowercase hex SHA1 of the source, as `SCRIPT LOAD` returns it.
    pub fn sha(&self) -> &str {
        &self.inner.sha
    }

    /// `EVALSHA sha numkeys keys... args...`.
    pub(crate) fn evalsha_cmd(&self, keys: impl ToArgs, args: impl ToArgs) -> Cmd {
        script_cmd("EVALSHA", self.sha(), keys, args)
    }

    /// `EVAL source numkeys keys... args...`.
    #[cfg(test)]
    pub(crate) fn eval_cmd(&self, keys: impl ToArgs, args: impl ToArgs) -> Cmd {
        script_cmd("EVAL", self.source(), keys, args)
    }

    /// `SCRIPT LOAD source`.
    pub(crate) fn load_cmd(&self) -> Cmd {
        let mut cmd = Cmd::new("SCRIPT LOAD");
        cmd.arg(self.source());
        cmd
    }
}

fn script_cmd(name: &str, body: &str, keys: impl ToArgs, args: impl ToArgs) -> Cmd {
    // The key count has to precede the keys, so they are packed apart first to be counted.
    let mut packed_keys = Cmd::empty();
    packed_keys.arg(keys);
    let mut cmd = Cmd::new(name);
    cmd.arg(body)
        .arg(packed_keys.argc())
        .arg(&packed_keys)
        .arg(args);
    cmd
}

/// Lowercase hex SHA1 of `data`.
pub(crate) fn sha1_hex(data: &[u8]) -> String {
    sha1_smol::Sha1::from(data).digest().to_string()
}

/// `SCRIPT EXISTS sha...` for `scripts`.
pub(crate) fn exists_cmd<'a>(scripts: impl IntoIterator<Item = &'a Script>) -> Cmd {
    let mut cmd = Cmd::new("SCRIPT EXISTS");
    for s in scripts {
        cmd.arg(s.sha());
    }
    cmd
}

/// The scripts `SCRIPT EXISTS` reported missing, given the scripts asked about in order.
///
/// # Errors
/// [`ErrorKind::Response`] for an error reply,
/// [`ErrorKind::Protocol`] when the reply is not one flag per script.
pub(crate) fn missing_scripts(scripts: &[Script], reply: Value) -> crate::Result<Vec<&Script>> {
    let flags = match reply {
        Value::Error(e) => return Err(e.into()),
        Value::Array(flags) if flags.len() == scripts.len() => flags,
        other => {
            return Err(crate::Error::new(
                crate::ErrorKind::Protocol,
                format!(
                    "SCRIPT EXISTS: expected {} flags, got a {}",
                    scripts.len(),
                    other.type_name()
                ),
            ))
        }
    };
    Ok(scripts
        .iter()
        .zip(flags)
        .filter(|(_, f)| !matches!(f, Value::Int(1) | Value::Boolean(true)))
        .map(|(s, _)| s)
        .collect())
}

/// What a driver sends next in a script call.
#[derive(Debug)]
pub(crate) enum ScriptNext {
    /// The `EVALSHA` call (again).
    Call,
    /// `SCRIPT LOAD` of the source.
    Load,
    /// The call's result, for the caller.
    Done(Result<Value>),
}

/// The `EVALSHA` flow of a script call, shared by both clients (redis-py's `Script.__call__`):
/// call by SHA1; on `NOSCRIPT` load the source once and call again; any other outcome is the
/// result. The driver sends the call, then feeds each result to [`after`](Self::after).
#[derive(Debug, Default)]
pub(crate) struct ScriptFlow {
    loading: bool,
    reloaded: bool,
}

impl ScriptFlow {
    /// Judges the result of what was sent last.
    pub(crate) fn after(&mut self, result: Result<Value>) -> ScriptNext {
        if self.loading {
            self.loading = false;
            return match result {
                Ok(_) => ScriptNext::Call,
                Err(e) => ScriptNext::Done(Err(e)),
            };
        }
        match result {
            Err(e) if e.kind() == ErrorKind::NoScript && !self.reloaded => {
                self.loading = true;
                self.reloaded = true;
                ScriptNext::Load
            }
            other => ScriptNext::Done(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha_and_commands() {
        let s = Script::new("return 1");
        assert_eq!(s.sha(), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
        let cmd = s.evalsha_cmd(["k1", "k2"], (5, "x"));
        let args: Vec<&[u8]> = cmd.args().collect();
        assert_eq!(
            args,
            vec![
                &b"EVALSHA"[..],
                s.sha().as_bytes(),
                b"2",
                b"k1",
                b"k2",
                b"5",
                b"x"
            ]
        );
        let none: [&str; 0] = [];
        let cmd = s.eval_cmd(none, none);
        assert_eq!(cmd.args().nth(2), Some(&b"0"[..]));
        assert_eq!(cmd.name(), "EVAL");
    }

    #[test]
    fn missing_scripts_from_exists_reply() {
        let a = Script::new("return 1");
        let b = Script::new("return 2");
        let scripts = vec![a.clone(), b.clone()];
        let missing =
            missing_scripts(&scripts, Value::Array(vec![Value::Int(1), Value::Int(0)])).unwrap();
        assert_eq!(missing, vec![&b]);
        assert!(missing_scripts(&scripts, Value::Array(vec![Value::Int(1)])).is_err());
    }

    #[test]
    fn script_flow_loads_once_on_noscript() {
        use crate::{Error, ServerError};
        let noscript = || {
            Err(Error::from(ServerError::from_line(
                b"NOSCRIPT No matching script",
            )))
        };
        let mut flow = ScriptFlow::default();
        assert!(matches!(flow.after(noscript()), ScriptNext::Load));
        assert!(matches!(
            flow.after(Ok(Value::Bulk("sha".into()))),
            ScriptNext::Call
        ));
        // A second NOSCRIPT (flushed again meanwhile) is the caller's error, not a loop.
        assert!(
            matches!(flow.after(noscript()), ScriptNext::Done(Err(e)) if e.kind() == ErrorKind::NoScript)
        );
        let mut flow = ScriptFlow::default();
        assert!(matches!(
            flow.after(Ok(Value::Int(6))),
            ScriptNext::Done(Ok(Value::Int(6)))
        ));
        let mut flow = ScriptFlow::default();
        assert!(matches!(flow.after(noscript()), ScriptNext::Load));
        let denied = Err(Error::new(ErrorKind::NoPermission, "no"));
        assert!(
            matches!(flow.after(denied), ScriptNext::Done(Err(e)) if e.kind() == ErrorKind::NoPermission)
        );
    }
}
