//! Man pages generated from the clap definitions (clap_mangen): mtlscheck(1) and one page per
//! subcommand (mtlscheck-run(1), …). Each command's after-help text (exit codes, examples)
//! becomes EXIT STATUS and EXAMPLES sections, and every page ends with SEE ALSO.

use std::path::{Path, PathBuf};

use clap_mangen::Man;

/// Text for roff's no-fill mode: backslashes and hyphens escaped, no line read as a request.
fn roff_literal(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.replace('\\', "\\e").replace('-', "\\-");
            if line.starts_with(['.', '\'']) { format!("\\&{line}\n") } else { format!("{line}\n") }
        })
        .collect()
}

/// EXIT STATUS and EXAMPLES from an after-help text made of `Heading:` paragraphs.
fn after_help_sections(after_help: &str) -> String {
    let mut out = String::new();
    for block in after_help.split("\n\n") {
        let (heading, body) = block.split_once('\n').unwrap_or((block, ""));
        let title = match heading.trim_end_matches(':') {
            "Exit codes" => "EXIT STATUS",
            "Example" | "Examples" => "EXAMPLES",
            _ => "NOTES",
        };
        out.push_str(&format!(".SH \"{title}\"\n.nf\n{}.fi\n", roff_literal(body)));
    }
    out
}

fn see_also(command: &clap::Command, parent: Option<&str>) -> String {
    let mut pages: Vec<String> = match parent {
        Some(parent) => vec![format!("{parent}(1)")],
        None => command.get_subcommands().map(|sub| format!("mtlscheck\\-{}(1)", sub.get_name())).collect(),
    };
    pages.push("openssl\\-s_client(1)".into());
    format!(".SH \"SEE ALSO\"\n{}\n", pages.join(", "))
}

/// One page: clap_mangen's sections, then ours.
fn render(command: clap::Command, parent: Option<&str>) -> String {
    let after_help = command.get_after_help().map(|text| text.to_string());
    let extra = after_help.as_deref().map(after_help_sections).unwrap_or_default();
    let see_also = see_also(&command, parent);
    let man =
        Man::new(command.clone()).source(concat!("mtlscheck ", env!("CARGO_PKG_VERSION"))).manual("mtlscheck manual");
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    if command.get_arguments().any(|arg| !arg.is_hide_set()) {
        let _ = man.render_options_section(&mut out);
    }
    if command.has_subcommands() {
        let _ = man.render_subcommands_section(&mut out);
    }
    let mut page = String::from_utf8_lossy(&out).into_owned();
    page.push_str(&extra);
    // Only the top command has a version (clap_mangen would panic on a subcommand's).
    if command.get_version().is_some() {
        let mut version = Vec::new();
        let _ = man.render_version_section(&mut version);
        page.push_str(&String::from_utf8_lossy(&version));
    }
    page.push_str(&see_also);
    page
}

fn built_command() -> clap::Command {
    let command = crate::cli::command();
    // NAME gets the one-line summary; DESCRIPTION keeps the whole text of `--help`.
    let description = command.get_about().map(|about| about.to_string()).unwrap_or_default();
    let mut command =
        command.about(env!("CARGO_PKG_DESCRIPTION")).long_about(description).disable_help_subcommand(true);
    command.build();
    command
}

/// mtlscheck(1).
pub fn main_page() -> String {
    render(built_command(), None)
}

/// Writes mtlscheck.1 and one page per subcommand into `dir`; the paths written.
pub fn write_all(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let command = built_command();
    let mut written = Vec::new();
    let mut write = |name: &str, page: String| -> std::io::Result<()> {
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, page)?;
        written.push(path);
        Ok(())
    };
    write("mtlscheck", render(command.clone(), None))?;
    for sub in command.get_subcommands() {
        let name = format!("mtlscheck-{}", sub.get_name());
        write(&name, render(sub.clone(), Some("mtlscheck")))?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_help_becomes_exit_status_and_examples_in_roff() {
        let sections =
            after_help_sections("Exit codes:\n  0  ok\n\nExamples:\n  mtlscheck run x.yaml -o a\\b\n.hidden");
        assert_eq!(
            sections,
            ".SH \"EXIT STATUS\"\n.nf\n  0  ok\n.fi\n.SH \"EXAMPLES\"\n.nf\n  mtlscheck run x.yaml \\-o a\\eb\n\\&.hidden\n.fi\n"
        );
    }
}
