//! Python arguments to RESP arguments, with redis-py's encoder rules.

use oxredis::Cmd;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyFloat, PyInt, PyString, PyTuple};

use crate::codec::{encode_str, Enc};
use crate::errors::data_error;

/// Appends one Python value as one argument: `bytes`/`bytearray` as is, `str` in `enc`
/// (redis-py's `encoding`/`encoding_errors`; `None`: UTF-8),
/// `int` and `float` in decimal; anything else (including `bool` and `None`) is redis-py's
/// `DataError`.
pub(crate) fn push_arg(cmd: &mut Cmd, obj: &Bound<'_, PyAny>, enc: Enc) -> PyResult<()> {
    if let Ok(b) = obj.downcast::<PyBytes>() {
        cmd.arg(b.as_bytes());
    } else if let Ok(s) = obj.downcast::<PyString>() {
        encode_str(s, enc, |b| {
            cmd.arg(b);
        })?;
    } else if obj.is_instance_of::<PyBool>() {
        return Err(invalid_input(obj));
    } else if obj.is_instance_of::<PyInt>() {
        match obj.extract::<i64>() {
            Ok(i) => {
                cmd.arg(i);
            }
            // Beyond 64 bits: Python's own decimal text.
            Err(_) => {
                cmd.arg(&*obj.str()?.to_cow()?);
            }
        }
    } else if let Ok(f) = obj.downcast::<PyFloat>() {
        // redis-py sends repr(float); Python's repr is the shortest round-trip text, as ryu's.
        cmd.arg(&*f.repr()?.to_cow()?);
    } else if let Ok(b) = obj.downcast::<PyByteArray>() {
        cmd.arg(&b.to_vec()[..]);
    } else {
        return Err(invalid_input(obj));
    }
    Ok(())
}

/// One Python value as the bytes [`push_arg`] would send for it.
pub(crate) fn arg_bytes(obj: &Bound<'_, PyAny>, enc: Enc) -> PyResult<Vec<u8>> {
    let mut cmd = Cmd::empty();
    push_arg(&mut cmd, obj, enc)?;
    Ok(cmd.args().next().map(<[u8]>::to_vec).unwrap_or_default())
}

/// A command from a tuple of arguments, the first being the command name, `str` arguments in
/// `enc`.
pub(crate) fn build_cmd(args: &Bound<'_, PyTuple>, enc: Enc) -> PyResult<Cmd> {
    let mut cmd = Cmd::empty();
    for item in args.iter() {
        push_arg(&mut cmd, &item, enc)?;
    }
    Ok(cmd)
}

fn invalid_input(obj: &Bound<'_, PyAny>) -> PyErr {
    let type_name = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned());
    data_error(
        obj.py(),
        &format!(
            "Invalid input of type: '{type_name}'. Convert to a bytes, string, int or float first."
        ),
    )
}

/// One Python value as the bytes sent for it, `str` in UTF-8 (redis-py's `Encoder.encode`
/// for what is not text; `DataError` for a type that cannot be sent).
#[pyfunction]
pub(crate) fn encode_arg<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(obj.py(), &arg_bytes(obj, None)?))
}
