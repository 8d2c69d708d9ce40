//! The client programs compiled once per test run, side by side: the Go client (Debian's
//! golang-go, standard library only, offline, its build cache kept under target/tmp), the Java
//! client (javac) and the C client on the GnuTLS library (gcc, pkg-config gnutls). The Python
//! and Node scripts run from the source tree.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Programs {
    // Removed with the programs when the test ends.
    _dir: tempfile::TempDir,
    pub go: PathBuf,
    pub java_classes: PathBuf,
    pub gnutls: PathBuf,
}

/// A file of this folder: the client programs' sources.
pub fn source(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/support/clients").join(relative)
}

impl Programs {
    pub fn build() -> Programs {
        let target_tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        std::fs::create_dir_all(target_tmp).expect("target/tmp");
        let dir = tempfile::Builder::new().prefix("client-programs-").tempdir_in(target_tmp).expect("temp dir");
        let (go, java_classes, gnutls) =
            (dir.path().join("go-client"), dir.path().join("java-classes"), dir.path().join("gnutls-client"));
        std::thread::scope(|scope| {
            scope.spawn(|| build_go(&go, target_tmp));
            scope.spawn(|| {
                build_step(
                    Command::new("javac").arg("-d").arg(&java_classes).arg(source("java/ClientProbe.java")),
                    "javac (a JDK)",
                )
            });
            scope.spawn(|| build_gnutls(&gnutls));
        });
        Programs { _dir: dir, go, java_classes, gnutls }
    }
}

fn build_go(output: &Path, target_tmp: &Path) {
    let mut command = Command::new("go");
    command
        .args(["build", "-o"])
        .arg(output)
        .arg(source("go/client.go"))
        // Offline and self-contained: no module download, no toolchain switch, no cgo.
        .env("GOCACHE", target_tmp.join("go-build-cache"))
        .env("GOPATH", target_tmp.join("go-path"))
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOTELEMETRY", "off")
        .env("CGO_ENABLED", "0");
    build_step(&mut command, "go (golang-go)");
}

fn build_gnutls(output: &Path) {
    let flags = Command::new("pkg-config")
        .args(["--cflags", "--libs", "gnutls"])
        .output()
        .unwrap_or_else(|err| panic!("pkg-config must be installed (.ci/run installs it): {err}"));
    assert!(flags.status.success(), "pkg-config finds no gnutls: install libgnutls28-dev (.ci/run does)");
    let flags = String::from_utf8_lossy(&flags.stdout).into_owned();
    build_step(
        Command::new("gcc")
            .args(["-O1", "-Wall", "-Wextra", "-Werror", "-o"])
            .arg(output)
            .arg(source("gnutls/client.c"))
            .args(flags.split_whitespace()),
        "gcc",
    );
}

fn build_step(command: &mut Command, tool: &str) {
    let output = command.output().unwrap_or_else(|err| panic!("{tool} must be installed (.ci/run installs it): {err}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
