//! Tokio futures to asyncio futures without taking the GIL on tokio threads.
//!
//! `pyo3-async-runtimes`' `future_into_py` completes each asyncio future from the tokio
//! thread, taking the GIL there once per command; while the event loop thread runs Python
//! (1,000 tasks busy), each of those waits for the interpreter's switch interval, and the
//! measured throughput fell to a few thousand commands per second. Here a finished command
//! instead pushes its completion (a closure that makes the Python value) onto the loop's
//! [`Completer`] queue and, if the queue was idle, writes one byte to a socket the event loop
//! watches (`loop.add_reader`). The loop then runs [`Completer::drain`] with the GIL it
//! already holds, building every reply and resolving every future in one pass.

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::prelude::*;

/// Makes the Python value of a finished command (run on the event loop thread, with the GIL).
pub(crate) type Finish = Box<dyn FnOnce(Python<'_>) -> PyResult<PyObject> + Send>;

/// The [`Finish`] of a command's result: `ok` makes the Python value of a success; an error
/// is raised as its Python exception.
pub(crate) fn finish<T: Send + 'static>(
    result: oxredis::Result<T>,
    ok: impl FnOnce(Python<'_>, T) -> PyResult<PyObject> + Send + 'static,
) -> Finish {
    Box::new(move |py: Python<'_>| match result {
        Ok(v) => ok(py, v),
        Err(e) => Err(crate::errors::to_pyerr(py, &e)),
    })
}

struct Inner {
    queue: Mutex<Vec<(Py<PyAny>, Finish)>>,
    /// Tasks spawned, and tasks whose command finished (diagnostics: `Completer.stats()`).
    spawned: AtomicUsize,
    finished: AtomicUsize,
    signalled: AtomicBool,
    writer: UnixStream,
    reader: UnixStream,
}

impl Inner {
    fn push(&self, fut: Py<PyAny>, finish: Finish) {
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((fut, finish));
        if !self.signalled.swap(true, Ordering::AcqRel) {
            // Full socket buffer (WouldBlock): a wake-up is pending anyway.
            let _ = (&self.writer).write(&[1]);
        }
    }
}

/// One event loop's completion queue and wake-up socket (made once per loop by the Python
/// package, which registers [`fileno`](Completer::fileno) with `loop.add_reader(fd, drain)`).
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct Completer {
    inner: Arc<Inner>,
}

/// The tokio runtime every async client runs on (worker threads: one per core).
pub(crate) fn runtime() -> PyResult<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("oxredis-tokio")
        .build()
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("tokio runtime: {e}")))?;
    Ok(RUNTIME.get_or_init(|| rt))
}

impl Completer {
    /// Runs `work` on the tokio runtime; its output (a [`Finish`]) resolves `fut` on the
    /// event loop thread.
    pub(crate) fn spawn<W>(&self, fut: Bound<'_, PyAny>, work: W) -> PyResult<()>
    where
        W: std::future::Future<Output = Finish> + Send + 'static,
    {
        let inner = self.inner.clone();
        let fut = fut.unbind();
        inner.spawned.fetch_add(1, Ordering::Relaxed);
        runtime()?.spawn(async move {
            let finish = work.await;
            inner.finished.fetch_add(1, Ordering::Relaxed);
            inner.push(fut, finish);
        });
        Ok(())
    }
}

#[pymethods]
impl Completer {
    /// A new queue and wake-up socket pair.
    #[new]
    fn new() -> PyResult<Self> {
        let (reader, writer) = UnixStream::pair()?;
        reader.set_nonblocking(true)?;
        writer.set_nonblocking(true)?;
        Ok(Completer {
            inner: Arc::new(Inner {
                queue: Mutex::new(Vec::new()),
                spawned: AtomicUsize::new(0),
                finished: AtomicUsize::new(0),
                signalled: AtomicBool::new(false),
                writer,
                reader,
            }),
        })
    }

    /// `(spawned, finished)`: how many commands were started and how many finished (their
    /// completion queued) on this loop; the difference is what is in flight.
    fn stats(&self) -> (usize, usize) {
        (
            self.inner.spawned.load(Ordering::Relaxed),
            self.inner.finished.load(Ordering::Relaxed),
        )
    }

    /// The file descriptor the event loop watches for readability.
    fn fileno(&self) -> i32 {
        self.inner.reader.as_raw_fd()
    }

    /// Resolves every finished command's future (the `add_reader` callback). A future already
    /// cancelled is skipped (its command ran; the reply is dropped).
    fn drain(&self, py: Python<'_>) -> PyResult<()> {
        let inner = &self.inner;
        // Order matters: empty the socket, then clear the flag, then take the queue. A push
        // between the last two writes a fresh byte (a spare drain later, harmless); cleared
        // first, a push between the clear and the read would have its byte swallowed here
        // while `signalled` stays set, and every later push would skip its wake-up: the
        // stall seen under 200 tasks x 20 SET.
        let mut buf = [0u8; 256];
        while let Ok(n) = (&inner.reader).read(&mut buf) {
            if n < buf.len() {
                break;
            }
        }
        inner.signalled.store(false, Ordering::Release);
        let items = std::mem::take(&mut *inner.queue.lock().unwrap_or_else(|p| p.into_inner()));
        let set_result = pyo3::intern!(py, "set_result");
        let set_exception = pyo3::intern!(py, "set_exception");
        let done = pyo3::intern!(py, "done");
        // Every future is resolved even if one of them fails (the first error goes to the
        // loop's exception handler afterwards): a lost completion would hang its awaiter.
        let mut first_error = None;
        for (fut, finish) in items {
            let fut = fut.bind(py);
            let resolved = fut
                .call_method0(done)
                .and_then(|d| d.is_truthy())
                .and_then(|d| {
                    if d {
                        return Ok(());
                    }
                    match finish(py) {
                        Ok(value) => fut.call_method1(set_result, (value,)).map(drop),
                        Err(err) => fut
                            .call_method1(set_exception, (err.into_value(py),))
                            .map(drop),
                    }
                });
            if let Err(e) = resolved {
                first_error.get_or_insert(e);
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        Ok(())
    }
}
