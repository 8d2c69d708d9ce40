//! A hard deadline for every connection. Socket timeouts bound each read, but a server that
//! trickles a byte now and then could stretch a handshake far past the check's timeout; the
//! watchdog shuts the socket down at the deadline so every probe ends on time.
//!
//! One thread serves every connection of the process (a thread per connection measurably cost
//! CPU in batch runs): connections register their deadline and unregister when done.

use std::collections::BTreeMap;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Instant;

use super::route::net::local_limit;
use crate::model::ProbeError;

struct Armed {
    socket: TcpStream,
    fired: Arc<AtomicBool>,
}

#[derive(Default)]
struct Deadlines {
    /// Keyed by (deadline, id): the first entry is the next to fire.
    armed: BTreeMap<(Instant, u64), Armed>,
    next_id: u64,
}

struct Service {
    deadlines: Mutex<Deadlines>,
    changed: Condvar,
}

fn service() -> Option<&'static Service> {
    static SERVICE: OnceLock<Option<&'static Service>> = OnceLock::new();
    *SERVICE.get_or_init(|| {
        let service: &'static Service =
            Box::leak(Box::new(Service { deadlines: Mutex::default(), changed: Condvar::new() }));
        std::thread::Builder::new().name("probe-deadlines".into()).spawn(move || run(service)).ok().map(|_| service)
    })
}

fn run(service: &'static Service) {
    let Ok(mut deadlines) = service.deadlines.lock() else { return };
    loop {
        let now = Instant::now();
        while let Some(entry) = deadlines.armed.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let armed = entry.remove();
            armed.fired.store(true, Ordering::SeqCst);
            let _ = armed.socket.shutdown(Shutdown::Both);
        }
        let next = deadlines.armed.keys().next().map(|(deadline, _)| *deadline);
        deadlines = match next {
            Some(deadline) => match service.changed.wait_timeout(deadlines, deadline.saturating_duration_since(now)) {
                Ok((guard, _)) => guard,
                Err(_) => return,
            },
            None => match service.changed.wait(deadlines) {
                Ok(guard) => guard,
                Err(_) => return,
            },
        };
    }
}

/// One connection's registration; dropping it disarms the deadline.
pub struct Watchdog {
    key: Option<(Instant, u64)>,
    fired: Arc<AtomicBool>,
}

impl Watchdog {
    /// Shuts `stream` down at `deadline` unless the watchdog is dropped first. Fails only when
    /// this machine is out of file descriptors (the watchdog holds a duplicate of the socket):
    /// a connection without its deadline could outlive the check's timeout.
    pub fn arm(stream: &TcpStream, deadline: Instant) -> Result<Watchdog, ProbeError> {
        let fired = Arc::new(AtomicBool::new(false));
        let socket = match stream.try_clone() {
            Ok(socket) => Some(socket),
            Err(err) => match local_limit(&err, "watching a connection's deadline") {
                Some(limit) => return Err(limit),
                None => None,
            },
        };
        let key = (|| {
            let service = service()?;
            let socket = socket?;
            let mut deadlines = service.deadlines.lock().ok()?;
            let key = (deadline, deadlines.next_id);
            deadlines.next_id += 1;
            // The thread sleeps until the earliest deadline: only an earlier one must wake it
            // (with one timeout for all checks, a new deadline is almost never the earliest).
            let earliest = deadlines.armed.keys().next().is_none_or(|first| key < *first);
            deadlines.armed.insert(key, Armed { socket, fired: fired.clone() });
            if earliest {
                service.changed.notify_one();
            }
            Some(key)
        })();
        Ok(Watchdog { key, fired })
    }

    /// Whether the deadline passed and the socket was shut down.
    pub fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let (Some(key), Some(service)) = (self.key.take(), service())
            && let Ok(mut deadlines) = service.deadlines.lock()
        {
            deadlines.armed.remove(&key);
        }
    }
}
