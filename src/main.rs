//! Thin entry point: parse flags, run, map the result to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = mtlscheck::cli::parse();
    mtlscheck::app::init_logging(&cli);
    match mtlscheck::app::run(cli) {
        Ok(code) => code,
        Err(err) => {
            mtlscheck::app::say(&err.to_string());
            ExitCode::from(mtlscheck::app::EXIT_USAGE)
        }
    }
}
