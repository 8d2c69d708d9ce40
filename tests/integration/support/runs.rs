//! Running the `mtlscheck` binary and reading back what it wrote, for the report tests
//! (expectations, baseline, exports, shards).

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// The built binary, bounded so a hang fails the test instead of the suite; never coloured by
/// the caller's environment.
pub fn mtlscheck() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("mtlscheck"));
    command.env_remove("RUST_LOG").env_remove("NO_COLOR").timeout(Duration::from_secs(60));
    command
}

pub fn stdout_text(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The table report's text with the lines it wrapped (continued with a deeper indent) joined
/// back, for asserting on whole sentences.
pub fn unwrapped(table: &str) -> String {
    table.replace("\n      ", " ").replace("\n    ", " ")
}

pub fn stderr_text(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A JSON report mtlscheck wrote to `path`, validated against the report schema.
pub fn json_file(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    report_json(&text, &path.display().to_string())
}

/// The JSON report on a command's standard output, validated against the report schema.
pub fn stdout_json(output: &std::process::Output) -> Value {
    report_json(&stdout_text(output), "stdout")
}

/// `text` (named `what` in messages) as a JSON report that validates against the report schema.
pub fn report_json(text: &str, what: &str) -> Value {
    let report = serde_json::from_str(text).unwrap_or_else(|err| panic!("{what} is not JSON ({err}):\n{text}"));
    super::schemas::report(&report, what);
    report
}

pub fn result_named<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["results"]
        .as_array()
        .expect("results is a list")
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no result named {name} in {report:#}"))
}

pub fn result_names(report: &Value) -> Vec<String> {
    report["results"]
        .as_array()
        .expect("results is a list")
        .iter()
        .map(|r| r["name"].as_str().expect("name").to_string())
        .collect()
}

/// A port on 127.0.0.1 that nothing listens on, reserved while this lives: the local end of an
/// established loopback connection, so no other socket can bind it and connecting is refused.
pub struct ClosedPort {
    pub port: u16,
    _held: (TcpStream, TcpStream),
}

impl ClosedPort {
    pub fn reserve() -> ClosedPort {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let client =
            TcpStream::connect(listener.local_addr().expect("local addr")).expect("connect to our own listener");
        let (server, _) = listener.accept().expect("accept our own connection");
        let port = client.local_addr().expect("local addr").port();
        ClosedPort { port, _held: (client, server) }
    }
}

/// A port on 127.0.0.1 that accepts TCP (the kernel completes the handshake) and never says a
/// word: a probe of it waits for its whole timeout. Nothing is accepted, so nothing is read.
pub struct SilentPort {
    pub port: u16,
    _listener: TcpListener,
}

impl SilentPort {
    pub fn open() -> SilentPort {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        SilentPort { port, _listener: listener }
    }
}
