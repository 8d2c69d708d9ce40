//! Running `mtlscheck` on a real pseudo-terminal of a given size, as an operator would at a
//! shell: util-linux `script` allocates it, `stty` sizes it.

use std::time::Duration;

use super::child::binary;

/// What `mtlscheck ARGS` wrote (standard output and error together, as a terminal shows
/// them) on a `columns`-wide terminal, with colour escapes and carriage returns kept.
pub fn in_terminal(columns: u16, args: &[&str]) -> String {
    let quote = |arg: &str| format!("'{}'", arg.replace('\'', r"'\''"));
    let command = std::iter::once(binary().display().to_string())
        .chain(args.iter().map(|arg| arg.to_string()))
        .map(|arg| quote(&arg))
        .collect::<Vec<_>>()
        .join(" ");
    let output = assert_cmd::Command::new("script")
        .args(["-qec", &format!("stty cols {columns} rows 50; exec {command}"), "/dev/null"])
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .timeout(Duration::from_secs(60))
        .output()
        .expect("util-linux `script` (package bsdutils, installed by .ci/run) runs a pseudo-terminal");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `text` without ANSI escape sequences (colours, cursor moves) and carriage returns.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    // Parameters and intermediates, then one final byte in @..~.
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
            }
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}
