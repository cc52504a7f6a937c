//! Python arguments to RESP arguments, with redis-py's encoder rules.

use oxredis::Cmd;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyFloat, PyInt, PyString, PyTuple};

use crate::errors::data_error;

/// Appends one Python value as one argument: `bytes`/`bytearray` as is, `str` as UTF-8,
/// `int` and `float` in decimal; anything else (including `bool` and `None`) is redis-py's
/// `DataError`.
pub(crate) fn push_arg(cmd: &mut Cmd, obj: &Bound<'_, PyAny>) -> PyResult<()> {
    if let Ok(b) = obj.downcast::<PyBytes>() {
        cmd.arg(b.as_bytes());
    } else if let Ok(s) = obj.downcast::<PyString>() {
        cmd.arg(&*s.to_cow()?);
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
pub(crate) fn arg_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let mut cmd = Cmd::empty();
    push_arg(&mut cmd, obj)?;
    Ok(cmd.args().next().map(<[u8]>::to_vec).unwrap_or_default())
}

/// A command from a tuple of arguments, the first being the command name.
pub(crate) fn build_cmd(args: &Bound<'_, PyTuple>) -> PyResult<Cmd> {
    let mut cmd = Cmd::empty();
    for item in args.iter() {
        push_arg(&mut cmd, &item)?;
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
