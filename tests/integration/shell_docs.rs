//! `mtlscheck completions` and `mtlscheck man`: the scripts are loaded by the real shells and
//! asked for completions (bash through its completion function, fish with `complete -C`;
//! zsh, which needs a terminal to complete, is syntax-checked and registered with compinit),
//! and every man page is rendered by groff (no warnings) and `man -l`.

use std::path::Path;
use std::process::Command;

use crate::support::runs::{mtlscheck, stderr_text, stdout_text};

fn script(shell: &str, dir: &Path) -> String {
    let output = mtlscheck().args(["completions", shell]).assert().success().get_output().clone();
    let path = dir.join(format!("completion.{shell}"));
    std::fs::write(&path, stdout_text(&output)).expect("write the script");
    path.display().to_string()
}

/// Runs `program args…`; its stdout, failing the test with its stderr on a non-zero exit.
fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let output = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|err| panic!("{program} must be installed (.ci/run installs it): {err}"));
    assert!(output.status.success(), "{program} {args:?} failed:\n{}", stderr_text(&output));
    stdout_text(&output)
}

/// What bash's completion function offers for the words typed so far (the last one being
/// completed), as `complete -F` would call it.
fn bash_completions(script: &str, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let current = words.last().copied().unwrap_or_default();
    let previous = words.len().checked_sub(2).map(|i| words[i]).unwrap_or_default();
    let program = format!(
        "source {script}; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; \
         _mtlscheck mtlscheck '{current}' '{previous}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        quoted.join(" "),
        words.len() - 1,
        words.join(" ")
    );
    run("bash", &["--norc", "-c", &program], &[]).lines().map(|l| l.trim().to_string()).collect()
}

/// What fish offers for a command line (`complete -C`), the candidates without descriptions.
fn fish_completions(script: &str, line: &str) -> Vec<String> {
    let program = format!("source {script}; complete -C '{line}'");
    run("fish", &["--no-config", "-c", &program], &[])
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn completion_scripts_load_in_bash_fish_and_zsh_and_complete_commands_flags_and_formats() {
    let dir = tempfile::tempdir().expect("temp dir");

    let bash = script("bash", dir.path());
    assert_eq!(bash_completions(&bash, &["mtlscheck", "ru"]), ["run"]);
    assert_eq!(bash_completions(&bash, &["mtlscheck", "run", "--basel"]), ["--baseline"]);
    let formats = bash_completions(&bash, &["mtlscheck", "run", "--format", ""]);
    assert_eq!(formats, ["table", "json", "junit", "csv", "markdown", "sclient", "html", "metrics"]);
    assert_eq!(bash_completions(&bash, &["mtlscheck", "completions", "f"]), ["fish"]);

    let fish = script("fish", dir.path());
    assert_eq!(fish_completions(&fish, "mtlscheck mer"), ["merge"]);
    let formats = fish_completions(&fish, "mtlscheck demo --format ");
    assert!(formats.contains(&"html".to_string()) && formats.contains(&"metrics".to_string()), "{formats:?}");
    assert!(fish_completions(&fish, "mtlscheck run --fail").contains(&"--fail-on-change".to_string()));

    let zsh = script("zsh", dir.path());
    run("zsh", &["-n", &zsh], &[]);
    let registered = run(
        "zsh",
        &[
            "-f",
            "-c",
            &format!("autoload -Uz compinit && compinit -u -D && source {zsh} && print -r -- $_comps[mtlscheck]"),
        ],
        &[],
    );
    assert_eq!(registered.trim(), "_mtlscheck", "compinit registers the completion function");
}

/// groff's warnings for a page (none expected) and `man -l`'s rendering at 80 columns, its
/// justified spacing collapsed to single spaces.
fn render(page: &Path) -> String {
    let page = page.display().to_string();
    let output = Command::new("groff")
        .args(["-k", "-man", "-Tutf8", "-ww", "-z", &page])
        .output()
        .expect("groff (man-db's groff-base)");
    assert!(output.status.success() && output.stderr.is_empty(), "groff warns about {page}:\n{}", stderr_text(&output));
    let text = run("man", &["-l", &page], &[("MANWIDTH", "80"), ("MANPAGER", "cat"), ("PAGER", "cat")]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn man_pages_render_cleanly_for_the_command_and_every_subcommand() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = mtlscheck().arg("man").assert().success().get_output().clone();
    let main = dir.path().join("printed.1");
    std::fs::write(&main, stdout_text(&output)).expect("write the page");
    let text = render(&main);
    for expected in [
        "NAME",
        "mtlscheck - Tells whether TLS endpoints",
        "SUBCOMMANDS",
        "mtlscheck-run(1)",
        "EXIT STATUS",
        "EXAMPLES",
        "SEE ALSO",
    ] {
        assert!(text.contains(expected), "mtlscheck(1) lacks {expected:?}:\n{text}");
    }

    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).expect("folder");
    let listing = stdout_text(&mtlscheck().args(["man", "--dir"]).arg(&pages).assert().success().get_output().clone());
    let subcommands: Vec<String> =
        mtlscheck::cli::command().get_subcommands().map(|s| format!("mtlscheck-{}.1", s.get_name())).collect();
    let mut expected: Vec<String> = vec!["mtlscheck.1".into()];
    expected.extend(subcommands);
    let written: Vec<String> =
        listing.lines().map(|l| Path::new(l).file_name().expect("a file").to_string_lossy().into_owned()).collect();
    assert_eq!(written, expected);
    for name in &expected {
        render(&pages.join(name));
    }
    let run_page = render(&pages.join("mtlscheck-run.1"));
    for expected in ["mtlscheck-run - Probe every endpoint", "--baseline", "EXIT STATUS", "EXAMPLES", "mtlscheck(1)"] {
        assert!(run_page.contains(expected), "mtlscheck-run(1) lacks {expected:?}:\n{run_page}");
    }

    let missing =
        mtlscheck().args(["man", "--dir"]).arg(dir.path().join("nowhere")).assert().code(2).get_output().clone();
    assert!(stderr_text(&missing).contains("cannot write man pages into"), "{}", stderr_text(&missing));
}
