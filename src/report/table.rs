//! `--format table`: one row per check, then the details a person needs to act: each server's
//! CA names as s_client prints them, failed expectations and errors.

use std::io::{self, Write};

use comfy_table::{Cell, Color, ColumnConstraint, ContentArrangement, Table, Width, presets};

use super::exporter::Exporter;
use super::summary::{
    COLUMNS, ca_names_cell, client_auth_cell, footer, not_run_line, not_run_title, our_client_cell, printable,
    problems, result_cell, stacks_line, verify_cell, with_cert_cell,
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

impl TableExporter {
    /// The table of `results`, with its header when `header`, styled for where it goes.
    fn table(&self, results: &[CheckResult], header: bool) -> Table {
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
        if header {
            table.set_header(COLUMNS);
        }
        for r in results {
            let result = Cell::new(result_cell(r));
            let text = |text: &str| Cell::new(printable(text));
            table.add_row(vec![
                text(&r.name),
                text(&r.target()),
                text(r.protocol.as_deref().unwrap_or("-")),
                text(&verify_cell(r)),
                text(&client_auth_cell(r)),
                text(&ca_names_cell(r)),
                text(&our_client_cell(r)),
                text(&with_cert_cell(r)),
                if self.colour { result.fg(result_colour(r)) } else { result },
            ]);
        }
        table
    }

    /// The table of a large report, [`CHUNK_ROWS`] rows at a time with the widths of the whole
    /// (so it reads as one table): comfy-table keeps several strings per cell while it renders,
    /// about 3 KB a row, which for 20,000 checks is more than the rest of the report.
    fn write_in_chunks(&self, results: &[CheckResult], out: &mut dyn Write) -> io::Result<()> {
        let mut widths = vec![0u16; COLUMNS.len()];
        for chunk in results.chunks(CHUNK_ROWS) {
            for (width, chunk_width) in widths.iter_mut().zip(self.table(chunk, true).column_max_content_widths()) {
                *width = (*width).max(chunk_width);
            }
        }
        let chunks = results.len().div_ceil(CHUNK_ROWS);
        for (index, chunk) in results.chunks(CHUNK_ROWS).enumerate() {
            let mut table = self.table(chunk, index == 0);
            for (column, width) in table.column_iter_mut().zip(&widths) {
                // The width given includes the cell's padding (one space each side).
                column.set_constraint(ColumnConstraint::Absolute(Width::Fixed(width.saturating_add(2))));
            }
            let text = table.to_string();
            let mut lines: Vec<&str> = text.lines().collect();
            // Chunks join where one's bottom border and the next one's top border would be.
            if index + 1 < chunks {
                lines.pop();
            }
            if index > 0 && !lines.is_empty() {
                lines.remove(0);
            }
            for line in lines {
                out.write_all(line.as_bytes())?;
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    }
}

/// Reports with more checks than this have their table written in chunks of this many rows.
const CHUNK_ROWS: usize = 1000;

impl Exporter for TableExporter {
    fn render(&self, report: &Report) -> String {
        let mut out = self.table(&report.results, true).to_string();
        out.push('\n');
        out.push_str(&details(report));
        out
    }

    fn write_to(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        if report.results.len() <= CHUNK_ROWS {
            return out.write_all(self.render(report).as_bytes());
        }
        self.write_in_chunks(&report.results, out)?;
        write_details(report, out)
    }
}

/// The lines under the table. Every text that came from a checks file or a server goes
/// through `printable`.
fn details(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write_details(report, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// [`details`] written as it is made: for 20,000 checks the notes alone are megabytes.
fn write_details(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let heading = |r: &CheckResult| format!("{} ({})", printable(&r.name), printable(&r.target()));
    for r in &report.results {
        if !r.ca_names.is_empty() {
            writeln!(out, "\n{}: Acceptable client certificate CA names", heading(r))?;
            for name in &r.ca_names {
                writeln!(out, "{}", printable(name))?;
            }
            if let Some(matched) = &r.matched_ca_name {
                writeln!(out, "  our CA is listed as: {}", printable(matched))?;
            } else if r.ca_name_match == Some(false) {
                writeln!(
                    out,
                    "  our CA ({}) is NOT listed (OpenSSL's name comparison)",
                    printable(r.client_cert_issuer.as_deref().unwrap_or("?"))
                )?;
            }
        }
        if let Some(stacks) = &r.client_stacks {
            if r.ca_names.is_empty() {
                writeln!(out, "\n{}: client stacks", heading(r))?;
            }
            writeln!(out, "  would our certificate be sent? {}", stacks_line(stacks))?;
            if let Some(ours) = stacks.get(&r.client)
                && (ours.outcome != StackOutcome::Sends || r.client != "openssl")
            {
                writeln!(out, "  our client ({}): {} — {}", r.client, ours.outcome.as_str(), ours.reason)?;
            }
        }
    }
    for r in report.results.iter().filter(|r| r.addresses.len() > 1) {
        writeln!(out, "\n{}: every address", heading(r))?;
        for a in &r.addresses {
            let auth = match &a.error {
                Some(error) => format!("error: {error}"),
                None => a.client_auth.as_str().to_string(),
            };
            let line = format!(
                "  {:<40} client auth {auth}; CA names {}; {}; with cert {}",
                a.address.as_deref().unwrap_or("-"),
                a.ca_names.len(),
                a.protocol.as_deref().unwrap_or("-"),
                a.with_cert
            );
            writeln!(out, "{}", printable(&line))?;
        }
    }
    for r in &report.results {
        if let Some(comparison) = &r.comparison {
            writeln!(out, "\n{}: compared with {}", heading(r), printable(&comparison.transcript_file))?;
            writeln!(out, "{}", comparison_table(comparison))?;
        }
    }
    let named = |r: &CheckResult, line: &str| printable(&format!("{}: {line}", r.name)).into_owned();
    let notes = report.results.iter().flat_map(|r| r.notes.iter().map(move |n| named(r, n)));
    section(out, "Notes", notes)?;
    let warnings = report.results.iter().flat_map(|r| r.warnings.iter().map(move |w| named(r, &w.message)));
    section(out, "Warnings", warnings)?;
    out.write_all(changes_section(report).as_bytes())?;
    let problems = report.results.iter().flat_map(|r| problems(r).into_iter().map(move |l| named(r, &l)));
    section(out, "Problems", problems)?;
    if let Some(title) = not_run_title(report) {
        writeln!(out, "\n{}:", printable(&title))?;
        for check in &report.not_run {
            writeln!(out, "  {}", not_run_line(check))?;
        }
    }
    out.write_all(footer(report, |text| printable(text).into_owned()).as_bytes())
}

/// `Title:` and its lines, indented; nothing when there are none.
fn section(out: &mut dyn Write, title: &str, lines: impl Iterator<Item = String>) -> io::Result<()> {
    let mut lines = lines.peekable();
    if lines.peek().is_some() {
        writeln!(out, "\n{title}:")?;
        for line in lines {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}

/// "Changes since baseline": every change per check, then the checks that could not be compared.
fn changes_section(report: &Report) -> String {
    let Some(baseline) = &report.baseline else { return String::new() };
    let mut out = format!("\nChanges since baseline ({}):\n", printable(&baseline.file));
    let mut any = false;
    for r in &report.results {
        for change in r.changes.iter().flatten() {
            out.push_str(&format!("  {}\n", printable(&format!("{}: {}", r.name, change.summary))));
            any = true;
        }
    }
    if !any {
        out.push_str("  none\n");
    }
    if !baseline.new_checks.is_empty() {
        out.push_str(&format!(
            "  not in the baseline (not compared): {}\n",
            printable(&baseline.new_checks.join(", "))
        ));
    }
    if !baseline.missing_checks.is_empty() {
        out.push_str(&format!(
            "  in the baseline, no longer in the checks file: {}\n",
            printable(&baseline.missing_checks.join(", "))
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
            printable(&f.transcript).into_owned(),
            printable(&f.live).into_owned(),
            if f.agree { "yes".into() } else { "NO".into() },
            printable(f.note.as_deref().unwrap_or_default()).into_owned(),
        ]);
    }
    table.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientAuth, Report};

    fn result(name: String) -> CheckResult {
        let mut result = serde_json::from_value::<CheckResult>(serde_json::json!({
            "name": name, "host": "127.0.0.1", "port": 443, "servername": null, "address": null,
            "client_auth": "none", "cert_requested": false, "cert_requested_after_handshake": false,
            "ca_names_sent": false, "ca_names": [], "ca_name_match": null, "matched_ca_name": null,
            "protocol": "TLSv1.3", "cipher": null, "verify_code": 0, "verify_error": "ok",
            "requested_sigalgs": [], "client_cert_types": [], "server_temp_key": null, "peer_chain": [],
            "client_cert_subject": null, "client_cert_issuer": null,
            "without_cert": {"handshake": "ok", "accepted": true, "alert": null, "error": null,
                             "http_status": null, "http_status_line": null, "elapsed_ms": 1},
            "with_cert": {"handshake": "skipped", "accepted": null, "alert": null, "error": null,
                          "http_status": null, "http_status_line": null, "elapsed_ms": null},
            "expectations": [], "status": "pass", "error": null, "notes": [], "elapsed_ms": 1
        }))
        .expect("a result");
        result.client_auth = ClientAuth::None;
        result
    }

    #[test]
    fn a_table_written_in_chunks_is_the_table_rendered_whole() {
        // Names of different widths in different chunks: the widths of the whole must hold.
        let results: Vec<CheckResult> =
            (0..2 * CHUNK_ROWS + 7).map(|i| result(format!("check-{}", "x".repeat(i % 13)))).collect();
        let report = Report::new(results);
        for unicode in [false, true] {
            let exporter = TableExporter { unicode, colour: false };
            let mut chunked = Vec::new();
            exporter.write_to(&report, &mut chunked).expect("write");
            assert_eq!(String::from_utf8(chunked).expect("utf-8"), exporter.render(&report), "unicode: {unicode}");
        }
    }
}
