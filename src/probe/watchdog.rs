//! A hard deadline for one connection. Socket timeouts bound each read, but a server that
//! trickles a byte now and then could stretch a handshake far past the check's timeout; the
//! watchdog shuts the socket down at the deadline so every probe ends on time.

use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Instant;

pub struct Watchdog {
    cancel: Option<mpsc::Sender<()>>,
    fired: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    /// Shuts `stream` down at `deadline` unless the watchdog is dropped first.
    pub fn arm(stream: &TcpStream, deadline: Instant) -> Watchdog {
        let (cancel, cancelled) = mpsc::channel::<()>();
        let fired = Arc::new(AtomicBool::new(false));
        let thread = stream.try_clone().ok().and_then(|socket| {
            let fired = fired.clone();
            std::thread::Builder::new()
                .name("probe-deadline".into())
                .spawn(move || {
                    let wait = deadline.saturating_duration_since(Instant::now());
                    if let Err(RecvTimeoutError::Timeout) = cancelled.recv_timeout(wait) {
                        fired.store(true, Ordering::SeqCst);
                        let _ = socket.shutdown(Shutdown::Both);
                    }
                })
                .ok()
        });
        Watchdog { cancel: Some(cancel), fired, thread }
    }

    /// Whether the deadline passed and the socket was shut down.
    pub fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        // Disconnecting the channel wakes the thread at once.
        drop(self.cancel.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
