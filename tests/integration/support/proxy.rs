//! HTTP CONNECT proxies in front of lab servers: a small in-test proxy on 127.0.0.1 (it records
//! every request head, and either tunnels to a fixed loopback address or answers with a given
//! status) and the real tinyproxy, run with a private config and stopped by its PID.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::process::{ServerProcess, free_port};

/// What the in-test proxy does with a CONNECT.
#[derive(Clone)]
pub enum ProxyMode {
    /// `200 Connection established`, then relays to this loopback address whatever the
    /// request named (so a check can name a host no resolver knows).
    TunnelTo(SocketAddr),
    /// Answers with this status line (e.g. `HTTP/1.1 403 Forbidden`) and closes.
    Refuse(&'static str),
    /// Reads the request and never answers.
    Silent,
}

const IDLE: Duration = Duration::from_secs(5);

pub struct ConnectProxy {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<Vec<String>>>>,
    thread: Option<JoinHandle<()>>,
}

impl ConnectProxy {
    pub fn start(mode: ProxyMode) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stop, requests) = (stop.clone(), requests.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (mode, requests) = (mode.clone(), requests.clone());
                    std::thread::spawn(move || serve(stream, &mode, &requests));
                }
            })
        };
        ConnectProxy { addr, stop, requests, thread: Some(thread) }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The head lines of every request received so far.
    pub fn requests(&self) -> Vec<Vec<String>> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(mut client: TcpStream, mode: &ProxyMode, requests: &Mutex<Vec<Vec<String>>>) {
    let _ = client.set_read_timeout(Some(IDLE));
    let _ = client.set_write_timeout(Some(IDLE));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let lines = String::from_utf8_lossy(&head).lines().filter(|l| !l.is_empty()).map(str::to_string).collect();
    if let Ok(mut all) = requests.lock() {
        all.push(lines);
    }
    match mode {
        ProxyMode::Refuse(status) => {
            let _ = client.write_all(format!("{status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes());
        }
        ProxyMode::Silent => {
            let _ = client.read(&mut byte);
        }
        ProxyMode::TunnelTo(target) => {
            let Ok(upstream) = TcpStream::connect_timeout(target, IDLE) else {
                let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
                return;
            };
            if client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").is_err() {
                return;
            }
            relay(client, upstream);
        }
    }
}

/// Copies both ways until either side closes or stays idle past `IDLE`.
fn relay(client: TcpStream, upstream: TcpStream) {
    let _ = upstream.set_read_timeout(Some(IDLE));
    let (Ok(mut client_read), Ok(mut upstream_write)) = (client.try_clone(), upstream.try_clone()) else { return };
    let forward = std::thread::spawn(move || {
        let _ = io::copy(&mut client_read, &mut upstream_write);
        let _ = upstream_write.shutdown(Shutdown::Write);
    });
    let (mut upstream_read, mut client_write) = (upstream, client);
    let _ = io::copy(&mut upstream_read, &mut client_write);
    let _ = client_write.shutdown(Shutdown::Both);
    let _ = forward.join();
}

/// The real tinyproxy (Debian's tinyproxy-bin) on 127.0.0.1, foreground, private config.
pub struct Tinyproxy {
    pub port: u16,
    _process: ServerProcess,
}

impl Tinyproxy {
    /// `connect_ports`: the ports it allows CONNECT to (empty: all).
    pub fn start(dir: &Path, connect_ports: &[u16]) -> Tinyproxy {
        let port = free_port();
        let log = dir.join("tinyproxy.log");
        let mut config = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 10\nMaxClients 8\nAllow 127.0.0.1\nLogLevel Info\nLogFile \"{}\"\n",
            log.display()
        );
        for allowed in connect_ports {
            config.push_str(&format!("ConnectPort {allowed}\n"));
        }
        let config_path = dir.join("tinyproxy.conf");
        std::fs::write(&config_path, config).expect("write tinyproxy.conf");
        let mut command = Command::new("tinyproxy");
        command.arg("-d").arg("-c").arg(&config_path);
        Tinyproxy { port, _process: ServerProcess::spawn("tinyproxy", command, port, Some(log)) }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}
