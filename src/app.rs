//! What each subcommand does, returning the process exit code.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use crate::cli::{Cli, Command, RunArgs};
use crate::report::{Exporter, Format, Report, TableExporter};
use crate::{config, demo, pipeline};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

pub fn init_logging(cli: &Cli) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let env = env_logger::Env::default().default_filter_or(level);
    let _ = env_logger::Builder::from_env(env)
        .format_timestamp(None)
        .try_init();
}

pub fn run(cli: Cli) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match cli.command {
        Command::Run(args) => run_checks(args),
        Command::Demo(args) => demo::run(args.output.format),
    }
}

fn run_checks(args: RunArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut checks = config::load(&args.checks)?;
    if let Some(timeout) = args.timeout {
        checks.iter_mut().for_each(|check| check.timeout = timeout);
    }
    let report = Report::new(pipeline::run_all(&checks, usize::from(args.jobs)));
    print_report(&report, args.output.format)?;
    Ok(exit_code(&report))
}

/// Writes the report to stdout; a closed pipe (`| head`) is not an error.
pub fn print_report(report: &Report, format: Format) -> std::io::Result<()> {
    let text = match format {
        Format::Table => TableExporter {
            unicode: std::io::stdout().is_terminal(),
        }
        .render(report),
        other => other.exporter().render(report),
    };
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

pub fn exit_code(report: &Report) -> ExitCode {
    ExitCode::from(if report.all_passed() {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}
