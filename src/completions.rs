//! `mtlscheck completions SHELL`: completion scripts generated from the clap definitions
//! (clap_complete), so they never drift from the flags. Only the shells the tests load are
//! offered.

use clap_complete::Shell as Generator;

/// The shells a script is generated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// The completion script for `shell` from `command` (`cli::command()`; passed in because the
/// command line names [`Shell`]).
pub fn script(shell: Shell, mut command: clap::Command) -> String {
    let generator = match shell {
        Shell::Bash => Generator::Bash,
        Shell::Zsh => Generator::Zsh,
        Shell::Fish => Generator::Fish,
    };
    let mut out = Vec::new();
    clap_complete::generate(generator, &mut command, "mtlscheck", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}
