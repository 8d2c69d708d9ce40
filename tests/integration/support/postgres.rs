//! A real PostgreSQL server (Debian's `postgresql` package) in a temporary folder on
//! 127.0.0.1, with TLS from the test PKI: initdb, then the postmaster, stopped by its PID.
//! PostgreSQL refuses to run as root, so as root both run as the `postgres` user.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::TestPki;
use super::process::{ServerProcess, free_port};

/// The superuser initdb creates: our lab client certificate's CN, so that with our certificate
/// `clientcert=verify-full` (CN = user name) and `trust` let us log in.
pub const USER: &str = "our-client";

pub struct Postgres {
    pub port: u16,
    process: ServerProcess,
    data: PathBuf,
    // Dropped after the server.
    _dir: tempfile::TempDir,
}

/// Where Debian puts the server binaries (not on PATH): the newest installed version.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists() && bin.join("postgres").exists())
        .collect();
    versions.sort_by_key(|bin| {
        bin.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok())
    });
    versions
        .pop()
        .expect("PostgreSQL server binaries not found under /usr/lib/postgresql (.ci/run installs `postgresql`)")
}

/// The uid/gid to run as: `postgres` when we are root, else ourselves.
fn run_as() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions; getpwnam returns NULL or a pointer to a static
    // record that we read at once, before any other call that could overwrite it.
    unsafe {
        if libc::geteuid() != 0 {
            return None;
        }
        let record = libc::getpwnam(c"postgres".as_ptr());
        assert!(!record.is_null(), "running as root needs the `postgres` user (created by the postgresql package)");
        Some(((*record).pw_uid, (*record).pw_gid))
    }
}

fn command(program: PathBuf, owner: Option<(u32, u32)>) -> Command {
    let mut command = Command::new(program);
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
    }
    command
}

fn give(path: &Path, owner: Option<(u32, u32)>, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown");
    }
}

impl Postgres {
    /// A cluster with `ssl = on`, the lab server certificate, `ssl_ca_file` = our client CA
    /// (so it asks for client certificates), and `hba_method` for TLS connections from
    /// 127.0.0.1 (e.g. `trust` or `trust clientcert=verify-full`).
    pub fn start(pki: &TestPki, hba_method: &str) -> Postgres {
        let owner = run_as();
        let dir = tempfile::Builder::new().prefix("mtlscheck-pg-").tempdir().expect("temp dir");
        give(dir.path(), owner, 0o700);
        for (file, mode) in [("server.pem", 0o644), ("server.key", 0o600), ("client-ca.pem", 0o644)] {
            let copy = dir.path().join(file);
            std::fs::copy(pki.path(file), &copy).expect("copy PKI file");
            give(&copy, owner, mode);
        }
        let data = dir.path().join("data");
        let bin = bin_dir();
        let output = command(bin.join("initdb"), owner)
            .arg("-D")
            .arg(&data)
            .args(["-U", USER, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"])
            .output()
            .expect("run initdb");
        assert!(output.status.success(), "initdb failed:\n{}", String::from_utf8_lossy(&output.stderr));
        let port = free_port();
        let at = |file: &str| dir.path().join(file).display().to_string();
        let settings = format!(
            "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = ''\nmax_connections = 20\n\
             shared_buffers = 16MB\nfsync = off\nssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\n\
             ssl_ca_file = '{}'\nlogging_collector = on\nlog_directory = '{}'\nlog_filename = 'postgres.log'\n",
            at("server.pem"),
            at("server.key"),
            at("client-ca.pem"),
            dir.path().display()
        );
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("read postgresql.conf");
        text.push_str(&settings);
        std::fs::write(&conf, text).expect("write postgresql.conf");
        write_hba(&data, hba_method);
        let mut postmaster = command(bin.join("postgres"), owner);
        postmaster.arg("-D").arg(&data);
        let process = ServerProcess::spawn("postgres", postmaster, port, Some(dir.path().join("postgres.log")));
        // The port opens before recovery ends; until then logins get 57P03 "starting up".
        let ready = until(
            || {
                Command::new(bin.join("pg_isready"))
                    .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string(), "-t", "2"])
                    .status()
                    .is_ok_and(|status| status.success())
            },
            |ready| *ready,
        );
        assert!(ready, "PostgreSQL did not accept connections within 10 s\n{}", process.log_text());
        Postgres { port, process, data, _dir: dir }
    }

    /// Replaces the pg_hba method and makes the postmaster reload it (SIGHUP to its PID).
    /// The reload is asynchronous: callers poll for its effect.
    pub fn set_hba_method(&self, hba_method: &str) {
        write_hba(&self.data, hba_method);
        self.process.signal(libc::SIGHUP);
    }

    pub fn log(&self) -> String {
        self.process.log_text()
    }
}

fn write_hba(data: &Path, method: &str) {
    let hba = format!("hostssl all all 127.0.0.1/32 {method}\nhostnossl all all 127.0.0.1/32 reject\n");
    std::fs::write(data.join("pg_hba.conf"), hba).expect("write pg_hba.conf");
}

/// Polls `probe` every 100 ms until `done` holds or 10 s pass; returns the last value.
pub fn until<T>(mut probe: impl FnMut() -> T, done: impl Fn(&T) -> bool) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let value = probe();
        if done(&value) || Instant::now() >= deadline {
            return value;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
