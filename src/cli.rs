//! Command-line flags. Doc comments are the `--help` text, so they are written to teach.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::report::Format;

const EXIT_CODES: &str = "\
Exit codes:
  0  every check ran and every expectation held
  1  an expectation failed or an endpoint could not be probed (see the table)
  2  usage or configuration error: nothing was probed

Examples:
  mtlscheck demo                              # local lab, no internet needed
  mtlscheck run checks.yaml                   # table on stdout
  mtlscheck run checks.yaml --format json > report.json";

/// Tells, for each TLS endpoint, whether it asks for a client certificate (1-way vs 2-way TLS /
/// mTLS), whether it requires one, which CA names it accepts, and whether our client
/// certificate's CA is among them. Names are printed exactly as `openssl s_client` prints them.
#[derive(Debug, Parser)]
#[command(name = "mtlscheck", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// More log output on stderr (-v: info, -vv: debug). RUST_LOG works too.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Probe every endpoint listed in a checks file and report client-certificate authentication.
    ///
    /// Each endpoint gets a handshake without a client certificate (does the server ask? does it
    /// refuse us without one?) and, if the check has `cert`/`key`, one with our certificate.
    /// Under TLS 1.3 the server's refusal arrives after the handshake, so mtlscheck always reads
    /// after it until the server's session ticket, data or alert decides.
    #[command(after_help = EXIT_CODES)]
    Run(RunArgs),

    /// Start a lab of local TLS servers (1-way, 2-way required/optional, TLS 1.2 and 1.3, no CA
    /// names, wrong CA names) on 127.0.0.1 and run the checks against them. No network needed.
    ///
    /// Prints the checks file it used, so you can copy it as a starting point.
    #[command(after_help = EXIT_CODES)]
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The checks file (YAML). Relative paths in it resolve against its folder.
    #[arg(value_name = "CHECKS.yaml")]
    pub checks: PathBuf,

    #[command(flatten)]
    pub output: OutputArgs,

    /// How many endpoints to probe at once.
    #[arg(short, long, value_name = "N", default_value_t = crate::pipeline::DEFAULT_JOBS,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: u16,

    /// Override every check's timeout (whole probe of one endpoint: connect, handshakes and
    /// reads), e.g. 5s or 500ms.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format: `table` for people, `json` for machines (schema in README.md).
    #[arg(short, long, value_enum, default_value = "table")]
    pub format: Format,
}

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    crate::config::parse_duration(text)
}

/// Parses the process arguments; `--version` names the linked OpenSSL.
pub fn parse() -> Cli {
    let version: &'static str = Box::leak(crate::long_version().into_boxed_str());
    let command = Cli::command().version(version);
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
