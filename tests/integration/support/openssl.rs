//! The real `openssl` programs of each version the tests compare with: the system's (3.0 on
//! Debian 12) and 1.1.1w, 3.6.x and 4.0.x built by `scripts/build-openssl.sh` into a cache
//! outside the checkout. A missing build fails the test with the command that makes it; no test
//! skips. Also the `mtlscheck` binary under test: the one cargo built, or another build (e.g.
//! linked with OpenSSL 4.0) named by `MTLSCHECK_BIN`.

use std::path::PathBuf;
use std::process::Command;

/// One OpenSSL installation: its `openssl` program and the library directory it needs.
#[derive(Debug, Clone)]
pub struct OpensslBuild {
    /// `1.1.1w`, `3.0.19`, `3.6.3`, `4.0.3`: what `openssl version` reports.
    pub version: String,
    program: PathBuf,
    library_path: Option<PathBuf>,
}

/// Where scripts/build-openssl.sh puts its builds.
fn cache() -> PathBuf {
    match std::env::var_os("MTLSCHECK_OPENSSL_CACHE") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/mtlscheck/openssl"),
    }
}

impl OpensslBuild {
    /// The `openssl` on the PATH (installed by .ci/run).
    pub fn system() -> OpensslBuild {
        let mut build = OpensslBuild { version: String::new(), program: PathBuf::from("openssl"), library_path: None };
        let text = build.version_text();
        build.version = text.split_whitespace().nth(1).unwrap_or_default().to_string();
        build
    }

    /// A build from the cache whose version starts with `line` (`1.1.1`, `3.6`, `4.0`).
    pub fn cached(line: &str) -> OpensslBuild {
        let cache = cache();
        let found = std::fs::read_dir(&cache)
            .ok()
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.join(".complete").exists() && path.join("bin/openssl").exists())
            .filter(|path| path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(line)))
            .max();
        let Some(prefix) = found else {
            panic!(
                "no OpenSSL {line} build in {}: run scripts/build-openssl.sh (it builds 1.1.1w, 3.6.x and 4.0.x \
                 from the openssl-src crates, about 7 minutes on 2 cores, once per machine; .ci/run runs it)",
                cache.display()
            );
        };
        let library_path =
            ["lib64", "lib"].iter().map(|dir| prefix.join(dir)).find(|dir| dir.join("libssl.so").exists());
        let version = prefix.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let build = OpensslBuild { version, program: prefix.join("bin/openssl"), library_path };
        let reported = build.version_text();
        assert!(
            reported.starts_with(&format!("OpenSSL {}", build.version)),
            "{} reports {reported:?}, not OpenSSL {}: rebuild it with scripts/build-openssl.sh",
            build.program.display(),
            build.version
        );
        build
    }

    /// The system's OpenSSL and every cached build, oldest first.
    pub fn all() -> Vec<OpensslBuild> {
        vec![
            OpensslBuild::cached("1.1.1"),
            OpensslBuild::system(),
            OpensslBuild::cached("3.6"),
            OpensslBuild::cached("4.0"),
        ]
    }

    /// `openssl ARGS...` of this build, on its own libraries.
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        if let Some(lib) = &self.library_path {
            command.env("LD_LIBRARY_PATH", lib);
        }
        command
    }

    /// The same, bounded by coreutils' `timeout` (s_client can wait for input forever).
    pub fn bounded_command(&self, seconds: u32) -> Command {
        let mut command = Command::new("timeout");
        command.arg(seconds.to_string()).arg(&self.program);
        if let Some(lib) = &self.library_path {
            command.env("LD_LIBRARY_PATH", lib);
        }
        command
    }

    /// `openssl version`.
    pub fn version_text(&self) -> String {
        let output =
            self.command().arg("version").output().unwrap_or_else(|err| {
                panic!("cannot run {} (.ci/run installs openssl): {err}", self.program.display())
            });
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// The `--like` value for this build: `1.1.1`, `3.0`, `3.6`, `4.0`.
    pub fn like(&self) -> String {
        if self.version.starts_with("1.1.1") {
            return "1.1.1".into();
        }
        self.version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
    }

    /// Major and minor, 1.1.1 as (1, 11).
    pub fn line(&self) -> (u16, u16) {
        if self.version.starts_with("1.1.1") {
            return (1, 11);
        }
        let mut parts = self.version.split('.').map(|p| p.parse::<u16>().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
    }
}

/// The mtlscheck binary under test: `MTLSCHECK_BIN` (with `MTLSCHECK_BIN_LIBRARY_PATH`, e.g. a
/// build linked with OpenSSL 4.0, see scripts/parity-other-openssl.sh), else the one cargo built.
pub fn mtlscheck_under_test() -> Command {
    match std::env::var_os("MTLSCHECK_BIN") {
        Some(bin) => {
            // Relative to the package (where cargo runs tests); the tests run it from elsewhere.
            let bin = std::fs::canonicalize(&bin)
                .unwrap_or_else(|err| panic!("MTLSCHECK_BIN={}: {err}", PathBuf::from(&bin).display()));
            let mut command = Command::new(bin);
            if let Some(lib) = std::env::var_os("MTLSCHECK_BIN_LIBRARY_PATH") {
                command.env("LD_LIBRARY_PATH", lib);
            }
            command.env_remove("RUST_LOG");
            command
        }
        None => {
            let mut command = Command::new(assert_cmd::cargo::cargo_bin!("mtlscheck"));
            command.env_remove("RUST_LOG");
            command
        }
    }
}

/// The OpenSSL the binary under test runs on, as (major, minor), from `--version`.
pub fn mtlscheck_runtime() -> (u16, u16) {
    let output = mtlscheck_under_test().arg("--version").output().expect("run mtlscheck --version");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let version = text.split("linked with OpenSSL ").nth(1).and_then(|rest| rest.split_whitespace().next());
    let version = version.unwrap_or_else(|| panic!("mtlscheck --version names no OpenSSL: {text:?}"));
    let mut parts = version.split('.').map(|p| p.parse::<u16>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}
