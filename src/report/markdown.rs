//! `--format markdown`: a GitHub/GitLab-flavoured table with one row per check, then the CA
//! names, problems, warnings and changes, for wikis and merge-request comments.

use super::exporter::Exporter;
use super::summary::{
    COLUMNS, ca_names_cell, client_auth_cell, footer, not_run_line, not_run_title, our_client_cell, printable,
    problems, result_cell, verify_cell, with_cert_cell,
};
use crate::model::{CheckResult, Report};

pub struct MarkdownExporter;

/// Text safe inside a table cell: no pipes or line breaks, no HTML, control characters made
/// visible.
fn cell(text: &str) -> String {
    printable(text).replace('\\', "\\\\").replace('|', "\\|").replace('<', "&lt;").replace('>', "&gt;")
}

/// Text inside backticks: a backtick in it would end the span.
fn code(text: &str) -> String {
    format!("`{}`", printable(text).replace('`', "'"))
}

fn list(out: &mut String, title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    out.push_str(&format!("\n### {title}\n\n"));
    for line in lines {
        out.push_str(&format!("- {}\n", cell(line)));
    }
}

impl Exporter for MarkdownExporter {
    fn render(&self, report: &Report) -> String {
        let mut out = String::from("## mtlscheck report\n\n");
        out.push_str(&format!("| {} |\n", COLUMNS.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(COLUMNS.len())));
        for r in &report.results {
            let cells = [
                cell(&r.name),
                cell(&r.target()),
                cell(r.protocol.as_deref().unwrap_or("-")),
                cell(&verify_cell(r)),
                cell(&client_auth_cell(r)),
                cell(&ca_names_cell(r)),
                cell(&our_client_cell(r)),
                cell(&with_cert_cell(r)),
                format!("**{}**", result_cell(r)),
            ];
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        let with_names: Vec<_> = report.results.iter().filter(|r| !r.ca_names.is_empty()).collect();
        if !with_names.is_empty() {
            out.push_str("\n### Acceptable client certificate CA names\n");
            for r in with_names {
                out.push_str(&format!("\n{} ({}):\n\n", cell(&r.name), cell(&r.target())));
                for name in &r.ca_names {
                    out.push_str(&format!("- {}\n", code(name)));
                }
            }
        }
        let named = |r: &CheckResult, line: &str| format!("{}: {line}", r.name);
        let problems: Vec<String> =
            report.results.iter().flat_map(|r| problems(r).into_iter().map(move |l| named(r, &l))).collect();
        let warnings: Vec<String> =
            report.results.iter().flat_map(|r| r.warnings.iter().map(move |w| named(r, &w.message))).collect();
        let changes: Vec<String> =
            report.results.iter().flat_map(|r| r.changes.iter().flatten().map(move |c| named(r, &c.summary))).collect();
        list(&mut out, "Problems", &problems);
        list(&mut out, "Warnings", &warnings);
        if let Some(baseline) = &report.baseline {
            let title = format!("Changes since baseline ({})", baseline.file);
            if changes.is_empty() {
                out.push_str(&format!("\n### {}\n\nnone\n", cell(&title)));
            } else {
                list(&mut out, &title, &changes);
            }
        }
        if let Some(title) = not_run_title(report) {
            let lines: Vec<String> = report.not_run.iter().map(not_run_line).collect();
            list(&mut out, &title, &lines);
        }
        out.push_str(&footer(report, cell));
        out
    }
}
