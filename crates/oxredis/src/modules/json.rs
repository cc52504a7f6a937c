//! RedisJSON: documents in and out through serde (feature `json`).
//!
//! Values sent are any [`Serialize`] type, written as JSON text; replies that carry JSON text
//! come back as any [`DeserializeOwned`] type (`serde_json::Value` for untyped documents).
//! Paths are JSONPath (`$...`, replies hold one item per match) or the legacy syntax
//! (`.`, `.a.b`: one value).

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::reply::ModuleShape;
use crate::reply::ReplyShape;
use crate::{Cmd, Error, ErrorKind, FromValue, Result, ToArgs, Value};

/// A JSON value as a command argument: serialised with serde_json when the command is built. A
/// value serde refuses (a map with non-string keys...) makes the command fail with
/// [`ErrorKind::Data`] before anything is sent.
#[derive(Debug, Clone, Copy)]
pub struct JsonArg<'a, V: ?Sized>(pub &'a V);

impl<V: Serialize + ?Sized> ToArgs for JsonArg<'_, V> {
    fn write_args(&self, cmd: &mut Cmd) {
        match serde_json::to_vec(self.0) {
            Ok(text) => {
                cmd.arg(text.as_slice());
            }
            Err(e) => {
                // A placeholder keeps the argument count right for the key spec; the command is
                // refused before sending anyway.
                cmd.arg("");
                cmd.set_invalid(format!("cannot serialise the JSON value: {e}"));
            }
        }
    }
}

/// A path whose reply RESP3 wraps in one more array than RESP2 (JSON.TYPE, JSON.NUMINCRBY,
/// JSON.NUMMULTBY): it sets the reply shape that removes the extra level, by the path's kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonPath<'a>(pub(crate) &'a str);

impl ToArgs for JsonPath<'_> {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(self.0);
        let shape = if self.0.starts_with('$') {
            ModuleShape::JsonUnwrap
        } else {
            ModuleShape::JsonLegacy
        };
        cmd.set_reply_shape(ReplyShape::Module(shape));
    }
}

/// Each value of a slice as its own JSON argument (JSON.ARRAPPEND's values).
#[derive(Debug, Clone, Copy)]
pub struct JsonArgs<'a, V>(pub &'a [V]);

impl<V: Serialize> ToArgs for JsonArgs<'_, V> {
    fn write_args(&self, cmd: &mut Cmd) {
        for v in self.0 {
            JsonArg(v).write_args(cmd);
        }
    }
}

/// `(key, path, value)` triplets for JSON.MSET.
#[derive(Debug, Clone, Copy)]
pub struct JsonTriplets<'a, K, P, V>(pub &'a [(K, P, V)]);

impl<K: ToArgs, P: ToArgs, V: Serialize> ToArgs for JsonTriplets<'_, K, P, V> {
    fn write_args(&self, cmd: &mut Cmd) {
        for (k, p, v) in self.0 {
            cmd.arg(k).arg(p);
            JsonArg(v).write_args(cmd);
        }
    }
}

/// A reply holding JSON text, decoded with serde into `T` (a [`FromValue`] for any
/// [`DeserializeOwned`] type, e.g. in `pipeline.query::<Json<MyDoc>>()`). A number or an
/// array of replies (RESP3 JSON.NUMINCRBY...) is read as the JSON it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Json<T>(pub T);

/// A [`Value`] as the JSON it stands for: JSON text is parsed, numbers and arrays map over.
fn to_json(value: Value) -> Result<serde_json::Value> {
    Ok(match value {
        Value::Error(e) => return Err(e.into()),
        Value::Nil => serde_json::Value::Null,
        Value::Int(i) => serde_json::Value::from(i),
        Value::Double(d) => serde_json::Value::from(d),
        Value::Boolean(b) => serde_json::Value::Bool(b),
        Value::Array(items) | Value::Set(items) => {
            serde_json::Value::Array(items.into_iter().map(to_json).collect::<Result<Vec<_>>>()?)
        }
        Value::Attribute { data, .. } => to_json(*data)?,
        other => match other.as_bytes() {
            Some(text) => serde_json::from_slice(text).map_err(|e| {
                Error::new(ErrorKind::Data, format!("reply is not valid JSON: {e}"))
            })?,
            None => {
                return Err(Error::new(
                    ErrorKind::Data,
                    format!("cannot read a {} reply as JSON", other.type_name()),
                ))
            }
        },
    })
}

impl<T: DeserializeOwned> FromValue for Json<T> {
    fn from_value(value: Value) -> Result<Self> {
        let json = to_json(value)?;
        serde_json::from_value(json).map(Json).map_err(|e| {
            Error::new(
                ErrorKind::Data,
                format!("JSON reply does not fit the type: {e}"),
            )
        })
    }
}

impl<T> super::Via for Json<T> {
    type Out = T;
    fn into_out(self) -> T {
        self.0
    }
}

impl<T> super::Via for Option<Json<T>> {
    type Out = Option<T>;
    fn into_out(self) -> Option<T> {
        self.map(|j| j.0)
    }
}

impl<T> super::Via for Vec<Option<Json<T>>> {
    type Out = Vec<Option<T>>;
    fn into_out(self) -> Vec<Option<T>> {
        self.into_iter().map(|o| o.map(|j| j.0)).collect()
    }
}

/// Options of JSON.SET: only if the path does not exist (`NX`) or does (`XX`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JsonSetOptions {
    nx: bool,
    xx: bool,
}

impl JsonSetOptions {
    /// Only if the path does not exist yet (`NX`).
    pub fn nx(mut self) -> Self {
        self.nx = true;
        self
    }
    /// Only if the path exists (`XX`).
    pub fn xx(mut self) -> Self {
        self.xx = true;
        self
    }
}

impl ToArgs for JsonSetOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if self.nx {
            cmd.arg("NX");
        }
        if self.xx {
            cmd.arg("XX");
        }
    }
}

/// Formatting of JSON.GET's text: `INDENT`, `NEWLINE` and `SPACE` strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonGetOptions {
    indent: Option<String>,
    newline: Option<String>,
    space: Option<String>,
}

impl JsonGetOptions {
    /// Indentation per nesting level.
    pub fn indent(mut self, s: impl Into<String>) -> Self {
        self.indent = Some(s.into());
        self
    }
    /// Printed at the end of each line.
    pub fn newline(mut self, s: impl Into<String>) -> Self {
        self.newline = Some(s.into());
        self
    }
    /// Printed between a key and its value.
    pub fn space(mut self, s: impl Into<String>) -> Self {
        self.space = Some(s.into());
        self
    }
}

impl ToArgs for JsonGetOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        for (word, v) in [
            ("INDENT", &self.indent),
            ("NEWLINE", &self.newline),
            ("SPACE", &self.space),
        ] {
            if let Some(v) = v {
                cmd.arg(word).arg(v);
            }
        }
    }
}
