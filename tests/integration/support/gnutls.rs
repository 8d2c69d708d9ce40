//! gnutls-serv, which cannot bind to one address, runs in a network namespace of its own whose
//! only interface is its loopback; a relay on this machine's 127.0.0.1 carries connections to
//! it. Nothing is reachable from, or sent to, anywhere but this machine.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::TestPki;

/// `gnutls-serv` client-certificate options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GnutlsVerify {
    /// `--require-client-cert`
    Require,
    /// `--verify-client-cert` (asks; accepts a connection without a certificate)
    Verify,
}

struct NetNs {
    name: String,
}

impl NetNs {
    fn create() -> NetNs {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("mtlscheck-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        run(Command::new("ip").args(["netns", "add", &name]));
        run(Command::new("ip").args(["netns", "exec", &name, "ip", "link", "set", "lo", "up"]));
        NetNs { name }
    }

    /// Connects to 127.0.0.1:`port` inside the namespace from a thread that enters it; the
    /// socket stays in the namespace.
    fn connect(&self, port: u16) -> io::Result<TcpStream> {
        let path = format!("/var/run/netns/{}", self.name);
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let ns = std::fs::File::open(&path)?;
                    // SAFETY: setns on this short-lived thread only; the fd is valid for the call.
                    if unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
                        return Err(io::Error::last_os_error());
                    }
                    TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), Duration::from_secs(2))
                })
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("netns thread panicked")))
        })
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.name]).status();
    }
}

fn run(command: &mut Command) {
    let output = command.output().unwrap_or_else(|err| panic!("{command:?}: {err} (iproute2 is needed)"));
    assert!(output.status.success(), "{command:?}: {}", String::from_utf8_lossy(&output.stderr));
}

pub struct GnutlsServ {
    /// The relay's port on 127.0.0.1: connect here.
    pub port: u16,
    stop: Arc<AtomicBool>,
    relay: Option<JoinHandle<()>>,
    child: Child,
    // Dropped last: the namespace goes away after the server and the relay.
    ns: Arc<NetNs>,
}

const INNER_PORT: u16 = 5556;

impl GnutlsServ {
    /// `tls` is `1.2` or `1.3`.
    pub fn start(pki: &TestPki, verify: GnutlsVerify, tls: &str) -> GnutlsServ {
        let ns = Arc::new(NetNs::create());
        let priority = format!("NORMAL:-VERS-ALL:+VERS-TLS{tls}");
        let mode = match verify {
            GnutlsVerify::Require => "--require-client-cert",
            GnutlsVerify::Verify => "--verify-client-cert",
        };
        let child = Command::new("ip")
            .args(["netns", "exec", &ns.name, "gnutls-serv", "--http", "--port", &INNER_PORT.to_string()])
            .arg("--x509certfile")
            .arg(pki.path("server.pem"))
            .arg("--x509keyfile")
            .arg(pki.path("server.key"))
            .arg("--x509cafile")
            .arg(pki.path("client-ca.pem"))
            .args([mode, "--priority", &priority])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnutls-serv must be installed (.ci/run installs gnutls-bin)");
        let deadline = Instant::now() + Duration::from_secs(15);
        while ns.connect(INNER_PORT).is_err() {
            assert!(Instant::now() < deadline, "gnutls-serv did not listen within 15 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        let listener = TcpListener::bind("127.0.0.1:0").expect("relay listener");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let relay = {
            let (stop, ns) = (stop.clone(), ns.clone());
            std::thread::spawn(move || relay_loop(listener, &ns, &stop))
        };
        GnutlsServ { port, stop, relay: Some(relay), child, ns }
    }
}

fn relay_loop(listener: TcpListener, ns: &NetNs, stop: &AtomicBool) {
    for outer in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let (Ok(outer), Ok(inner)) = (outer, ns.connect(INNER_PORT)) else { continue };
        for (from, to) in [(&outer, &inner), (&inner, &outer)] {
            let (mut from, mut to) = (from.try_clone().unwrap(), to.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = io::copy(&mut from, &mut to);
                let _ = to.shutdown(Shutdown::Write);
            });
        }
    }
}

impl Drop for GnutlsServ {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(relay) = self.relay.take() {
            let _ = relay.join();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = &self.ns;
    }
}
