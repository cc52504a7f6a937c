//! `_native.CommandQueue`: the native base of the Python `Pipeline` classes, which holds their
//! queued commands already packed.
//!
//! A pipeline of 10,000 `set()` calls used to go through a Python `_cmd` frame per call, keep
//! each command as an `(args, shape)` tuple (whose growing number set off the garbage
//! collector's scans) and unpack them all again in `execute()`. Here `_cmd` is a native method:
//! the command is built into a [`Cmd`] at once, and `execute()` hands the built commands over.

use oxredis::Cmd;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

use crate::args::build_cmd;
use crate::codec::{intern, Enc};
use crate::reply::Shape;

/// Commands queued by a pipeline, in order, each with the shape of its reply.
#[pyclass(module = "oxredis._native", subclass)]
pub(crate) struct CommandQueue {
    queued: Vec<Cmd>,
    /// The shape of each queued command's reply.
    shapes: Vec<Shape>,
    /// While set (a `Pipeline` between `watch()` and `multi()`), commands are not queued but
    /// run at once through this callable, called as `run_now(args, shape)`.
    run_now: Option<Py<PyAny>>,
    /// The first argument that could not be encoded (redis-py's `DataError`), raised by
    /// `execute()` as redis-py does (it encodes a pipeline's commands only then), not by the
    /// method that queued it.
    invalid: Option<PyErr>,
    /// The codec of `str` arguments (the client's `encoding`; `None`: UTF-8).
    enc: Enc,
}

impl CommandQueue {
    /// Takes the queued commands, leaving the queue empty (a pipeline is reset when executed,
    /// whatever the outcome).
    ///
    /// # Errors
    /// The `DataError` of an argument that could not be encoded, if one was queued.
    pub(crate) fn take(&mut self) -> PyResult<(Vec<Cmd>, Vec<Shape>)> {
        let queued = std::mem::take(&mut self.queued);
        let shapes = std::mem::take(&mut self.shapes);
        match self.invalid.take() {
            Some(e) => Err(e),
            None => Ok((queued, shapes)),
        }
    }

    /// The queued commands, left in the queue.
    pub(crate) fn commands(&self) -> &[Cmd] {
        &self.queued
    }
}

#[pymethods]
impl CommandQueue {
    /// An empty queue. The arguments are the Python subclass's (its `__init__` takes them).
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        CommandQueue {
            queued: Vec::new(),
            shapes: Vec::new(),
            run_now: None,
            invalid: None,
            enc: None,
        }
    }

    /// Sets the codec of `str` arguments (the client's `encoding` and `encoding_errors`).
    fn _set_encoding(&mut self, encoding: &str, errors: &str) {
        self.enc = intern(encoding, errors);
    }

    /// The hook every command method calls: queues the command and returns the pipeline
    /// itself (for chaining), or runs it at once and returns its reply while `run_now` is set.
    #[pyo3(signature = (shape, *args))]
    fn _cmd(slf: &Bound<'_, Self>, shape: u8, args: &Bound<'_, PyTuple>) -> PyResult<PyObject> {
        let py = slf.py();
        let run_now = slf.borrow().run_now.as_ref().map(|f| f.clone_ref(py));
        if let Some(run_now) = run_now {
            return run_now.call1(py, (args, shape));
        }
        let mut queue = slf.borrow_mut();
        let built = build_cmd(args, queue.enc);
        let cmd = match built {
            Ok(cmd) => cmd,
            Err(e) => {
                // Counted in len() as redis-py counts it; execute() raises the error.
                queue.invalid.get_or_insert(e);
                Cmd::empty()
            }
        };
        queue.queued.push(cmd);
        queue.shapes.push(Shape::from_u8(shape));
        drop(queue);
        Ok(slf.clone().into_any().unbind())
    }

    /// Sets (or, with `None`, clears) the callable that runs commands at once.
    fn _set_run_now(&mut self, run_now: Option<Py<PyAny>>) {
        self.run_now = run_now;
    }

    /// Changes how the reply of the command at `index` is shaped (a command with a response
    /// callback is sent for its raw reply).
    fn _set_shape(&mut self, index: usize, shape: u8) -> PyResult<()> {
        let slot = self.shapes.get_mut(index).ok_or_else(|| {
            pyo3::exceptions::PyIndexError::new_err(format!("no queued command {index}"))
        })?;
        *slot = Shape::from_u8(shape);
        Ok(())
    }

    /// Drops the queued commands.
    fn _clear(&mut self) {
        self.queued.clear();
        self.shapes.clear();
        self.invalid = None;
    }

    fn __len__(&self) -> usize {
        self.queued.len()
    }

    /// The queued commands as redis-py lists them: `(args, options)` pairs, here with each
    /// argument as the bytes that will be sent and no options.
    #[getter]
    fn command_stack<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self.queued.iter().map(|cmd| {
            let args: Vec<_> = cmd.args().map(|a| PyBytes::new(py, a)).collect();
            let args = PyTuple::new(py, args)?;
            PyTuple::new(py, [args.into_any(), PyDict::new(py).into_any()])
        });
        PyList::new(py, items.collect::<PyResult<Vec<_>>>()?)
    }
}
