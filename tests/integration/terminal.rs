//! The table and the progress bar as an operator sees them: on real pseudo-terminals of 80
//! and 120 columns, in a pipe, with `--wide`; long texts under the table, wrapped between
//! words; a progress bar that moves while silent endpoints hold every probe.

use crate::support::runs::stdout_text;
use crate::support::terminal::{in_terminal, plain};
use crate::support::{ClosedPort, SilentPort, TestPki, checks_yaml, mtlscheck, path_arg};

/// A lab that asks for a certificate, a refused port and a check with a long name.
struct Lab {
    _pki: TestPki,
    _server: mtlscheck::lab::LabServer,
    _closed: ClosedPort,
    checks: String,
}

const LONG_NAME: &str = "settlement-gateway-of-a-partner-with-a-long-name";

impl Lab {
    /// `partner-a`, `partner-down` and, when `long_name`, [`LONG_NAME`].
    fn start(long_name: bool) -> Lab {
        let pki = TestPki::new();
        let server = pki.required_server();
        let closed = ClosedPort::reserve();
        let long = if long_name { format!("  - {{name: {LONG_NAME}}}\n") } else { String::new() };
        let items = format!("  - {{name: partner-a}}\n{long}  - {{name: partner-down, port: {}}}\n", closed.port);
        let checks = path_arg(&pki.write("checks.yaml", &checks_yaml(server.port(), &items)));
        Lab { _pki: pki, _server: server, _closed: closed, checks }
    }
}

/// The lines from the table's top border on: what the report printed.
fn report_lines(screen: &str) -> Vec<String> {
    let text = plain(screen);
    let start = text.find(['┌', '+']).unwrap_or_else(|| panic!("no table in:\n{text}"));
    text[start..].lines().map(str::to_string).collect()
}

fn width(line: &str) -> usize {
    line.chars().count()
}

#[test]
fn at_80_columns_the_table_fits_and_words_stay_whole_with_errors_under_it() {
    let lab = Lab::start(true);
    let screen = in_terminal(80, &["run", &lab.checks]);
    let lines = report_lines(&screen);
    let text = lines.join("\n");
    for line in &lines {
        assert!(width(line) <= 80, "{} columns:\n{line}\n\nin:\n{text}", width(line));
    }
    let table: Vec<&String> = lines.iter().take_while(|line| !line.is_empty()).collect();
    let table_text = table.iter().map(|line| line.as_str()).collect::<Vec<_>>().join("\n");
    for word in ["check", "client auth", "CA names", "our cert", "result", "partner-down", "2-way required", "ERROR"] {
        assert!(table_text.contains(word), "{word:?} missing or broken in the table:\n{table_text}");
    }
    assert!(table_text.contains('│'), "a terminal gets box drawing:\n{table_text}");
    assert!(table.len() < 16, "rows of one or two lines each:\n{table_text}");
    // The error is a sentence under the table, not a tall cell.
    assert!(!table_text.contains("refused"), "the error text stays out of the table:\n{table_text}");
    let problems = text.split("Problems:").nth(1).unwrap_or_else(|| panic!("no Problems section:\n{text}"));
    assert!(problems.contains("partner-down: error:"), "{problems}");
    // Wrapped between words: every continuation line starts a word the line above could not fit.
    let wrapped: Vec<&String> = lines.iter().filter(|line| line.starts_with("    ")).collect();
    assert!(!wrapped.is_empty(), "long lines under the table are wrapped:\n{text}");
}

#[test]
fn at_120_columns_the_target_has_its_own_column_and_more_detail_is_shown() {
    let lab = Lab::start(false);
    let lines = report_lines(&in_terminal(120, &["run", &lab.checks]));
    let text = lines.join("\n");
    assert!(lines.iter().all(|line| width(line) <= 120), "{text}");
    for column in ["target", "our CA listed"] {
        assert!(lines[1].contains(column), "{column:?} at 120 columns:\n{text}");
    }
    // A long name takes the target's column: the target goes under it, nothing breaks.
    let lab = Lab::start(true);
    let lines = report_lines(&in_terminal(120, &["run", &lab.checks]));
    let text = lines.join("\n");
    assert!(lines.iter().all(|line| width(line) <= 120), "{text}");
    assert!(lines.iter().any(|line| line.starts_with(&format!("│ {LONG_NAME} "))), "{text}");
}

#[test]
fn in_a_pipe_the_table_stops_at_120_columns_unless_wide() {
    let lab = Lab::start(true);
    let piped = stdout_text(&mtlscheck().args(["run", &lab.checks]).output().expect("run"));
    let widest = piped.lines().map(width).max().unwrap_or(0);
    assert!(widest <= 120, "{widest} columns in a pipe:\n{piped}");
    assert!(!piped.contains('│'), "plain ASCII in a pipe:\n{piped}");
    let wide = stdout_text(&mtlscheck().args(["run", "--wide", &lab.checks]).output().expect("run --wide"));
    let header = wide.lines().nth(1).expect("a header");
    for column in ["target", "our CA listed", "our client sends", "server verify"] {
        assert!(header.contains(column), "--wide shows {column:?}:\n{wide}");
    }
    assert!(wide.lines().map(width).max().unwrap_or(0) > 120, "--wide is as wide as its content:\n{wide}");
}

#[test]
fn the_progress_bar_ticks_counts_running_probes_and_never_claims_0s_while_they_run() {
    let pki = TestPki::new();
    let server = pki.required_server();
    let silent = SilentPort::open();
    let items = format!("  - {{name: quick}}\n  - {{name: silent, port: {}, timeout: 3s}}\n", silent.port);
    let checks = path_arg(&pki.write("checks.yaml", &checks_yaml(server.port(), &items)));
    let screen = in_terminal(100, &["run", "--jobs", "2", &checks]);
    let frames: Vec<String> = screen.split(['\r', '\n']).map(plain).filter(|line| line.contains(" checks, ")).collect();
    assert!(
        frames.iter().any(|frame| frame.contains("1/2 checks, 1 running") && frame.contains("waiting for the last 1")),
        "{frames:#?}"
    );
    assert!(!screen.contains("ETA 0s"), "{screen}");
    // Redrawn while nothing finishes: the 3 s the silent endpoint holds its probe.
    let waiting = frames.iter().filter(|frame| frame.contains("waiting for the last 1")).count();
    assert!(waiting >= 5, "{waiting} redraws while waiting:\n{frames:#?}");
    drop(server);
}
