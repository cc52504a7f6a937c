//! redis-py's `encoding` / `encoding_errors`: how `str` arguments become bytes and, with
//! `decode_responses`, how reply bytes become `str`.
//!
//! Strict UTF-8 (redis-py's default) is done in Rust and costs nothing more than before: its
//! [`Enc`] is `None`. Any other codec is an interned [`Encoding`]: UTF-8 with other
//! `encoding_errors` still tries Rust's UTF-8 first and falls back to Python's codec only for
//! text that is not valid UTF-8 (a lone surrogate, an invalid byte); other encodings always go
//! through Python's codecs (`str.encode`, `bytes.decode`).

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

/// A codec other than strict UTF-8, by Python's canonical name of the encoding and its error
/// handler (`"replace"`, `"ignore"`...). Interned: one per pair for the process.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Encoding {
    name: String,
    errors: String,
    /// Whether `name` is UTF-8 (valid UTF-8 is then converted in Rust, with no Python call).
    utf8: bool,
}

/// The codec of a client's text: `None` for strict UTF-8 (done in Rust).
pub(crate) type Enc = Option<&'static Encoding>;

/// Every [`Encoding`] made so far (a handful per process at most: one per distinct pair).
static INTERNED: Mutex<Vec<&'static Encoding>> = Mutex::new(Vec::new());

/// Whether a Python codec name (canonical, from `codecs.lookup(name).name`) is UTF-8.
fn is_utf8(name: &str) -> bool {
    name.eq_ignore_ascii_case("utf-8") || name.eq_ignore_ascii_case("utf8")
}

/// The codec for redis-py's `encoding` and `encoding_errors` (`None`: strict UTF-8). The
/// encoding's name should be Python's canonical one (`codecs.lookup(name).name`), so that two
/// spellings of one codec are one [`Encoding`].
pub(crate) fn intern(name: &str, errors: &str) -> Enc {
    let utf8 = is_utf8(name);
    if utf8 && errors == "strict" {
        return None;
    }
    let mut interned = INTERNED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = interned
        .iter()
        .find(|e| e.name == name && e.errors == errors)
    {
        return Some(*e);
    }
    // Leaked on purpose: interned for the process, one per distinct pair.
    let e: &'static Encoding = Box::leak(Box::new(Encoding {
        name: name.to_owned(),
        errors: errors.to_owned(),
        utf8,
    }));
    interned.push(e);
    Some(e)
}

/// redis-py's `encoding` of a codec.
pub(crate) fn name(enc: Enc) -> &'static str {
    enc.map_or("utf-8", |e| e.name.as_str())
}

/// redis-py's `encoding_errors` of a codec.
pub(crate) fn errors(enc: Enc) -> &'static str {
    enc.map_or("strict", |e| e.errors.as_str())
}

/// `s` as the bytes to send: `f` gets them (borrowed from the string when it is UTF-8).
pub(crate) fn encode_str<T>(
    s: &Bound<'_, PyString>,
    enc: Enc,
    f: impl FnOnce(&[u8]) -> T,
) -> PyResult<T> {
    match enc {
        None => Ok(f(s.to_cow()?.as_bytes())),
        Some(e) => {
            if e.utf8 {
                if let Ok(text) = s.to_str() {
                    return Ok(f(text.as_bytes()));
                }
            }
            let encoded = s.call_method1("encode", (e.name.as_str(), e.errors.as_str()))?;
            let bytes = encoded.downcast::<PyBytes>()?;
            Ok(f(bytes.as_bytes()))
        }
    }
}

/// How a client converts reply bytes: whether they become `str` at all
/// (`decode_responses`), and with which codec (also the codec of its arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decode {
    /// `decode_responses`.
    pub(crate) on: bool,
    /// The codec of `str` arguments, and of replies when `on`.
    pub(crate) enc: Enc,
    /// redis-py's `legacy_responses` (true by default): the reply shapes of redis-py 8's
    /// `protocol=2`; false for its unified shapes (see `crate::unified`).
    pub(crate) legacy: bool,
}

impl Decode {
    /// `decode_responses` with strict UTF-8.
    pub(crate) fn utf8(on: bool) -> Decode {
        Decode {
            on,
            enc: None,
            legacy: true,
        }
    }

    /// Bytes as `str` with this codec (whether or not `on`). Invalid text under `strict`
    /// raises Python's own `UnicodeDecodeError`, as redis-py does.
    pub(crate) fn str(self, py: Python<'_>, b: &[u8]) -> PyResult<PyObject> {
        match self.enc {
            None => match std::str::from_utf8(b) {
                Ok(s) => Ok(PyString::new(py, s).into_any().unbind()),
                Err(_) => Ok(PyBytes::new(py, b)
                    .call_method1("decode", ("utf-8",))?
                    .unbind()),
            },
            Some(e) => {
                if e.utf8 {
                    if let Ok(s) = std::str::from_utf8(b) {
                        return Ok(PyString::new(py, s).into_any().unbind());
                    }
                }
                Ok(PyBytes::new(py, b)
                    .call_method1("decode", (e.name.as_str(), e.errors.as_str()))?
                    .unbind())
            }
        }
    }
}
