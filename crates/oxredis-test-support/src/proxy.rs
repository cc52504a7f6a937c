//! A fault-injecting loopback TCP proxy.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// "No cut armed" marker for `Shared::cut`.
const NO_CUT: usize = usize::MAX;
/// Longest a pump thread blocks before re-checking the controls.
const POLL: Duration = Duration::from_millis(20);
/// Upstream connect timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Conn {
    client: TcpStream,
    upstream: TcpStream,
    closed: Arc<AtomicBool>,
}

impl Conn {
    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.upstream.shutdown(Shutdown::Both);
    }
}

struct Shared {
    upstream: Mutex<SocketAddr>,
    shutdown: AtomicBool,
    blackhole: AtomicBool,
    delay_us: AtomicU64,
    cut: AtomicUsize,
    conns: Mutex<HashMap<u64, Conn>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    next_id: AtomicU64,
    accepted: AtomicU64,
}

impl Shared {
    fn close_conn(&self, id: u64) {
        if let Some(c) = lock(&self.conns).remove(&id) {
            c.close();
        }
    }

    fn spawn(&self, f: impl FnOnce() + Send + 'static) {
        let h = thread::Builder::new()
            .name("oxredis-test-proxy".into())
            .spawn(f)
            .expect("spawn proxy thread");
        let mut t = lock(&self.threads);
        t.retain(|h| !h.is_finished());
        t.push(h);
    }
}

/// A loopback TCP proxy in front of one upstream address, with fault injection.
///
/// Every accepted client connection gets its own upstream connection and two forwarding
/// threads. All controls are thread-safe and take effect on live traffic within ~20 ms.
/// Dropping the proxy closes all sockets and joins its threads.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("addr", &self.addr)
            .field("upstream", &*lock(&self.shared.upstream))
            .finish_non_exhaustive()
    }
}

impl Proxy {
    /// Starts a proxy on a free `127.0.0.1` port forwarding to `upstream`.
    ///
    /// If connecting to the upstream fails for a new client, that client connection is closed.
    pub fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("proxy bind");
        listener
            .set_nonblocking(true)
            .expect("proxy listener nonblocking");
        let addr = listener.local_addr().expect("proxy local_addr");
        let shared = Arc::new(Shared {
            upstream: Mutex::new(upstream),
            shutdown: AtomicBool::new(false),
            blackhole: AtomicBool::new(false),
            delay_us: AtomicU64::new(0),
            cut: AtomicUsize::new(NO_CUT),
            conns: Mutex::new(HashMap::new()),
            threads: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(0),
            accepted: AtomicU64::new(0),
        });
        let sh = Arc::clone(&shared);
        let accept_thread = thread::Builder::new()
            .name("oxredis-test-proxy-accept".into())
            .spawn(move || accept_loop(listener, sh))
            .expect("spawn proxy accept thread");
        Proxy {
            addr,
            shared,
            accept_thread: Some(accept_thread),
        }
    }

    /// The proxy's listening address (`127.0.0.1:<port>`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The proxy's listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `redis://127.0.0.1:<proxy port>` (no credentials).
    pub fn url(&self) -> String {
        format!("redis://{}", self.addr)
    }

    /// Changes the upstream for connections the proxy thread accepts from now on (existing ones
    /// are kept; a client whose `connect` returned just before may still go to the old one).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *lock(&self.shared.upstream) = upstream;
    }

    /// Closes every current client and upstream connection. New connections are still
    /// accepted and forwarded.
    pub fn drop_all(&self) {
        let conns: Vec<Conn> = lock(&self.shared.conns).drain().map(|(_, c)| c).collect();
        for c in &conns {
            c.close();
        }
    }

    /// While on, new connections are accepted and all data is read but nothing is forwarded in
    /// either direction, on new and existing connections alike. Data read meanwhile is
    /// discarded (it is not delivered when the blackhole is switched off).
    pub fn set_blackhole(&self, on: bool) {
        self.shared.blackhole.store(on, Ordering::SeqCst);
    }

    /// Holds every chunk read (in either direction) for `delay` before forwarding it.
    /// `Duration::ZERO` turns the delay off. Applies to chunks read after the call.
    pub fn set_delay(&self, delay: Duration) {
        let us = u64::try_from(delay.as_micros()).unwrap_or(u64::MAX);
        self.shared.delay_us.store(us, Ordering::SeqCst);
    }

    /// Arms a one-shot cut: the next server→client data (on whichever connection sends it
    /// first) is forwarded only up to `n_bytes` in total, then that connection is closed
    /// (client and upstream side). `0` closes it without forwarding anything.
    pub fn cut_next_reply_after(&self, n_bytes: usize) {
        self.shared
            .cut
            .store(n_bytes.min(NO_CUT - 1), Ordering::SeqCst);
    }

    /// Number of currently open proxied connections.
    pub fn connection_count(&self) -> usize {
        lock(&self.shared.conns).len()
    }

    /// Total number of client connections accepted since start (including closed ones).
    pub fn accepted_count(&self) -> u64 {
        self.shared.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        self.drop_all();
        if let Some(h) = self.accept_thread.take() {
            let _ = h.join();
        }
        loop {
            let next = lock(&self.shared.threads).pop();
            match next {
                Some(h) => {
                    let _ = h.join();
                }
                None => break,
            }
        }
        // Connections registered concurrently with shutdown.
        self.drop_all();
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    while !shared.shutdown.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((client, _)) => {
                shared.accepted.fetch_add(1, Ordering::SeqCst);
                handle_client(client, &shared);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(2));
            }
            Err(_) => thread::sleep(Duration::from_millis(2)),
        }
    }
}

fn handle_client(client: TcpStream, shared: &Arc<Shared>) {
    let upstream_addr = *lock(&shared.upstream);
    let Ok(upstream) = TcpStream::connect_timeout(&upstream_addr, CONNECT_TIMEOUT) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let setup = || -> io::Result<(Conn, [TcpStream; 4])> {
        client.set_nonblocking(false)?;
        client.set_nodelay(true)?;
        upstream.set_nodelay(true)?;
        let streams = [
            client.try_clone()?,
            upstream.try_clone()?,
            upstream.try_clone()?,
            client.try_clone()?,
        ];
        let conn = Conn {
            client: client.try_clone()?,
            upstream: upstream.try_clone()?,
            closed: Arc::new(AtomicBool::new(false)),
        };
        Ok((conn, streams))
    };
    let Ok((conn, [c_src, u_dst, u_src, c_dst])) = setup() else {
        let _ = client.shutdown(Shutdown::Both);
        let _ = upstream.shutdown(Shutdown::Both);
        return;
    };
    let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
    let closed = Arc::clone(&conn.closed);
    lock(&shared.conns).insert(id, conn);
    if shared.shutdown.load(Ordering::SeqCst) {
        shared.close_conn(id);
        return;
    }
    for (src, dst, to_client) in [(c_src, u_dst, false), (u_src, c_dst, true)] {
        let sh = Arc::clone(shared);
        let cl = Arc::clone(&closed);
        shared.spawn(move || pump(src, dst, to_client, id, sh, cl));
    }
}

/// Forwards one direction of one connection until EOF, error, close or shutdown.
fn pump(
    mut src: TcpStream,
    mut dst: TcpStream,
    to_client: bool,
    id: u64,
    shared: Arc<Shared>,
    closed: Arc<AtomicBool>,
) {
    let mut queue: VecDeque<(Instant, Vec<u8>)> = VecDeque::new();
    let mut budget: Option<usize> = None;
    let mut eof = false;
    let mut buf = vec![0u8; 16 * 1024];
    'outer: loop {
        if shared.shutdown.load(Ordering::SeqCst) || closed.load(Ordering::SeqCst) {
            break;
        }
        // Forward every chunk that is due.
        let now = Instant::now();
        while queue.front().is_some_and(|(due, _)| *due <= now) {
            let Some((_, data)) = queue.pop_front() else {
                break;
            };
            if shared.blackhole.load(Ordering::SeqCst) {
                continue;
            }
            if to_client && budget.is_none() {
                let cut = shared.cut.swap(NO_CUT, Ordering::SeqCst);
                if cut != NO_CUT {
                    budget = Some(cut);
                }
            }
            let n = match budget {
                Some(b) => b.min(data.len()),
                None => data.len(),
            };
            if n > 0 && dst.write_all(&data[..n]).is_err() {
                break 'outer;
            }
            if let Some(b) = budget.as_mut() {
                *b -= n;
                if *b == 0 {
                    let _ = dst.flush();
                    break 'outer;
                }
            }
        }
        if eof {
            match queue.front() {
                None => break,
                Some((due, _)) => {
                    thread::sleep(due.saturating_duration_since(Instant::now()).min(POLL));
                    continue;
                }
            }
        }
        let timeout = queue
            .front()
            .map(|(due, _)| due.saturating_duration_since(now))
            .unwrap_or(POLL)
            .clamp(Duration::from_millis(1), POLL);
        if src.set_read_timeout(Some(timeout)).is_err() {
            break;
        }
        match src.read(&mut buf) {
            Ok(0) => eof = true,
            Ok(n) => {
                if !shared.blackhole.load(Ordering::SeqCst) {
                    let delay = Duration::from_micros(shared.delay_us.load(Ordering::SeqCst));
                    queue.push_back((Instant::now() + delay, buf[..n].to_vec()));
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => break,
        }
    }
    shared.close_conn(id);
}
