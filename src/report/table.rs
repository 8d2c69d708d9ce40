//! `--format table`: one row per check, then the details a person needs to act: each server's
//! CA names as s_client prints them, failed expectations and errors.

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use super::exporter::Exporter;
use super::summary::{
    COLUMNS, ca_names_cell, client_auth_cell, footer, our_client_cell, problems, result_cell, stacks_line, verify_cell,
    with_cert_cell,
};
use crate::model::{CheckResult, Comparison, Report, StackOutcome, Status};

#[derive(Default)]
pub struct TableExporter {
    /// Box-drawing characters (for a terminal) instead of plain ASCII (for logs and files).
    pub unicode: bool,
    /// Colour the result column (a terminal without NO_COLOR); never for files or pipes.
    pub colour: bool,
}

/// Narrower terminals get the table unwrapped rather than squeezed.
const MIN_WRAP_WIDTH: u16 = 40;

fn result_colour(r: &CheckResult) -> Color {
    match r.status {
        Status::Pass if !r.warnings.is_empty() || r.changes.as_ref().is_some_and(|c| !c.is_empty()) => Color::Yellow,
        Status::Pass => Color::Green,
        Status::Fail | Status::Error => Color::Red,
    }
}

impl Exporter for TableExporter {
    fn render(&self, report: &Report) -> String {
        let mut table = Table::new();
        if self.colour {
            table.enforce_styling();
        }
        table.load_style(if self.unicode { presets::UTF8_FULL_CONDENSED } else { presets::ASCII_FULL_CONDENSED });
        // A pseudo-terminal without a size (`script`, some CI runners) reports width 0: wrapping
        // to it would print one letter per line.
        let usable_width = table.width().is_none_or(|width| width >= MIN_WRAP_WIDTH);
        table.set_content_arrangement(if usable_width {
            ContentArrangement::Dynamic
        } else {
            ContentArrangement::Disabled
        });
        table.set_header(COLUMNS);
        for r in &report.results {
            let result = Cell::new(result_cell(r));
            table.add_row(vec![
                Cell::new(&r.name),
                Cell::new(r.target()),
                Cell::new(r.protocol.as_deref().unwrap_or("-")),
                Cell::new(verify_cell(r)),
                Cell::new(client_auth_cell(r)),
                Cell::new(ca_names_cell(r)),
                Cell::new(our_client_cell(r)),
                Cell::new(with_cert_cell(r)),
                if self.colour { result.fg(result_colour(r)) } else { result },
            ]);
        }
        let mut out = table.to_string();
        out.push('\n');
        out.push_str(&details(report));
        out
    }
}

/// The lines under the table.
fn details(report: &Report) -> String {
    let mut out = String::new();
    for r in &report.results {
        if !r.ca_names.is_empty() {
            out.push_str(&format!("\n{} ({}): Acceptable client certificate CA names\n", r.name, r.target()));
            for name in &r.ca_names {
                out.push_str(name);
                out.push('\n');
            }
            if let Some(matched) = &r.matched_ca_name {
                out.push_str(&format!("  our CA is listed as: {matched}\n"));
            } else if r.ca_name_match == Some(false) {
                out.push_str(&format!(
                    "  our CA ({}) is NOT listed (OpenSSL's name comparison)\n",
                    r.client_cert_issuer.as_deref().unwrap_or("?")
                ));
            }
        }
        if let Some(stacks) = &r.client_stacks {
            if r.ca_names.is_empty() {
                out.push_str(&format!("\n{} ({}): client stacks\n", r.name, r.target()));
            }
            out.push_str(&format!("  would our certificate be sent? {}\n", stacks_line(stacks)));
            if let Some(ours) = stacks.get(&r.client)
                && (ours.outcome != StackOutcome::Sends || r.client != "openssl")
            {
                out.push_str(&format!("  our client ({}): {} — {}\n", r.client, ours.outcome.as_str(), ours.reason));
            }
        }
    }
    for r in report.results.iter().filter(|r| r.addresses.len() > 1) {
        out.push_str(&format!("\n{} ({}): every address\n", r.name, r.target()));
        for a in &r.addresses {
            let auth = match &a.error {
                Some(error) => format!("error: {error}"),
                None => a.client_auth.as_str().to_string(),
            };
            out.push_str(&format!(
                "  {:<40} client auth {auth}; CA names {}; {}; with cert {}\n",
                a.address.as_deref().unwrap_or("-"),
                a.ca_names.len(),
                a.protocol.as_deref().unwrap_or("-"),
                a.with_cert
            ));
        }
    }
    for r in &report.results {
        if let Some(comparison) = &r.comparison {
            out.push_str(&format!("\n{} ({}): compared with {}\n", r.name, r.target(), comparison.transcript_file));
            out.push_str(&comparison_table(comparison));
            out.push('\n');
        }
    }
    let problems: Vec<String> = report
        .results
        .iter()
        .flat_map(|r| problems(r).into_iter().map(move |line| format!("{}: {line}", r.name)))
        .collect();
    let notes: Vec<String> =
        report.results.iter().flat_map(|r| r.notes.iter().map(move |n| format!("{}: {n}", r.name))).collect();
    let warnings: Vec<String> = report
        .results
        .iter()
        .flat_map(|r| r.warnings.iter().map(move |w| format!("{}: {}", r.name, w.message)))
        .collect();
    if !notes.is_empty() {
        out.push_str("\nNotes:\n");
        for line in notes {
            out.push_str(&format!("  {line}\n"));
        }
    }
    if !warnings.is_empty() {
        out.push_str("\nWarnings:\n");
        for line in warnings {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str(&changes_section(report));
    if !problems.is_empty() {
        out.push_str("\nProblems:\n");
        for line in problems {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str(&footer(report, str::to_string));
    out
}

/// "Changes since baseline": every change per check, then the checks that could not be compared.
fn changes_section(report: &Report) -> String {
    let Some(baseline) = &report.baseline else { return String::new() };
    let mut out = format!("\nChanges since baseline ({}):\n", baseline.file);
    let mut any = false;
    for r in &report.results {
        for change in r.changes.iter().flatten() {
            out.push_str(&format!("  {}: {}\n", r.name, change.summary));
            any = true;
        }
    }
    if !any {
        out.push_str("  none\n");
    }
    if !baseline.new_checks.is_empty() {
        out.push_str(&format!("  not in the baseline (not compared): {}\n", baseline.new_checks.join(", ")));
    }
    if !baseline.missing_checks.is_empty() {
        out.push_str(&format!(
            "  in the baseline, no longer in the checks file: {}\n",
            baseline.missing_checks.join(", ")
        ));
    }
    out
}

pub(super) fn comparison_table(comparison: &Comparison) -> String {
    let mut table = Table::new();
    table.load_style(presets::ASCII_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(["field", "transcript", "live", "agree", "note"]);
    for f in &comparison.fields {
        table.add_row(vec![
            f.field.to_string(),
            f.transcript.clone(),
            f.live.clone(),
            if f.agree { "yes".into() } else { "NO".into() },
            f.note.clone().unwrap_or_default(),
        ]);
    }
    table.to_string()
}
