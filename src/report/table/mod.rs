//! `--format table`: one row of short cells per check, sized to the terminal (or to
//! [`PIPE_WIDTH`] in files and pipes), then what needs sentences: each server's CA names as
//! s_client prints them, where client authentication was enforced, why our certificate was
//! refused, failed expectations and errors, wrapped at spaces.

mod columns;
mod wrap;

use std::io::{self, Write};

use comfy_table::{Cell, Color, ColumnConstraint, ContentArrangement, Table, Width, presets};

use super::exporter::Exporter;
use super::summary::{
    client_auth_cell, footer, not_run_line, not_run_title, printable, problems, stacks_line, with_cert_cell,
};
use crate::model::{CheckResult, ClientAuth, Comparison, Report, StackOutcome, Status};
use columns::{Layout, client_auth_word, our_cert_cell};
use wrap::wrap;

/// The widest a table gets in a file or a pipe, unless `--wide`.
pub const PIPE_WIDTH: usize = 120;

/// Narrower terminals get the table unwrapped rather than squeezed: a pseudo-terminal without
/// a size (`script`, some CI runners) reports width 0.
const MIN_WIDTH: usize = 40;

pub struct TableExporter {
    /// Box-drawing characters (for a terminal) instead of plain ASCII (for logs and files).
    pub unicode: bool,
    /// Colour the result column (a terminal without NO_COLOR); never for files or pipes.
    pub colour: bool,
    /// The widest the table and the lines under it may be; `None` for no limit (`--wide`).
    pub width: Option<usize>,
}

impl Default for TableExporter {
    /// For files and pipes: plain ASCII, no colour, [`PIPE_WIDTH`] columns at most.
    fn default() -> Self {
        TableExporter { unicode: false, colour: false, width: Some(PIPE_WIDTH) }
    }
}

impl TableExporter {
    /// For standard output: on a terminal, its width, box drawing and colour (`colour`);
    /// elsewhere as for a file. `wide` lifts the limit.
    pub fn for_stdout(colour: bool, wide: bool) -> TableExporter {
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
        let width = match Table::new().width().map(usize::from) {
            _ if wide => None,
            Some(columns) if terminal => (columns >= MIN_WIDTH).then_some(columns),
            _ => Some(PIPE_WIDTH),
        };
        TableExporter { unicode: terminal, colour, width }
    }

    /// For files: `wide` lifts the limit of [`PIPE_WIDTH`] columns.
    pub fn for_file(wide: bool) -> TableExporter {
        TableExporter { width: (!wide).then_some(PIPE_WIDTH), ..TableExporter::default() }
    }
}

fn result_colour(r: &CheckResult) -> Color {
    match r.status {
        Status::Pass if !r.warnings.is_empty() || r.changes.as_ref().is_some_and(|c| !c.is_empty()) => Color::Yellow,
        Status::Pass => Color::Green,
        Status::Fail | Status::Error => Color::Red,
    }
}

impl TableExporter {
    /// The rows of `results` in `layout`'s columns, with the header when `header`.
    fn table(&self, layout: &Layout, results: &[CheckResult], header: bool) -> Table {
        let mut table = Table::new();
        if self.colour {
            table.enforce_styling();
        }
        table.load_style(if self.unicode { presets::UTF8_FULL_CONDENSED } else { presets::ASCII_FULL_CONDENSED });
        table.set_content_arrangement(ContentArrangement::Disabled);
        if header {
            table.set_header(layout.headers());
        }
        for r in results {
            let mut cells: Vec<Cell> = layout.cells(r).into_iter().map(Cell::new).collect();
            if self.colour
                && let Some(result) = cells.pop()
            {
                cells.push(result.fg(result_colour(r)));
            }
            table.add_row(cells);
        }
        for (column, width) in table.column_iter_mut().zip(&layout.widths) {
            // The width given includes the cell's padding (one space each side).
            let width = u16::try_from(width + 2).unwrap_or(u16::MAX);
            column.set_constraint(ColumnConstraint::Absolute(Width::Fixed(width)));
        }
        table
    }

    /// The table, [`CHUNK_ROWS`] rows at a time (so it reads as one table: the layout is
    /// chosen from every row): comfy-table keeps several strings per cell while it renders,
    /// about 3 KB a row, which for 20,000 checks is more than the rest of the report.
    fn write_table(&self, results: &[CheckResult], out: &mut dyn Write) -> io::Result<()> {
        let layout = Layout::choose(results, self.width);
        let chunks = results.len().div_ceil(CHUNK_ROWS).max(1);
        for index in 0..chunks {
            let chunk = results.get(index * CHUNK_ROWS..).unwrap_or_default();
            let chunk = &chunk[..chunk.len().min(CHUNK_ROWS)];
            let text = self.table(&layout, chunk, index == 0).to_string();
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

/// The table is written in chunks of this many rows.
const CHUNK_ROWS: usize = 1000;

impl Exporter for TableExporter {
    fn render(&self, report: &Report) -> String {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = self.write_to(report, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    fn write_to(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.write_table(&report.results, out)?;
        write_details(report, self.width, out)
    }
}

/// The lines under the table, written as they are made (for 20,000 checks the notes alone are
/// megabytes), wrapped to `width`. Every text that came from a checks file or a server goes
/// through `printable`. CA names are printed as s_client prints them, one per line and never
/// wrapped, so they can be compared with its output line by line.
fn write_details(report: &Report, width: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    let heading = |r: &CheckResult| format!("{} ({})", printable(&r.name), printable(&r.target()));
    let wrapped = |out: &mut dyn Write, text: &str, indent: &str| -> io::Result<()> {
        for line in wrap(&printable(text), width, indent, &format!("{indent}  ")) {
            writeln!(out, "{line}")?;
        }
        Ok(())
    };
    for r in &report.results {
        let facts = facts(r);
        if facts.is_empty() && r.ca_names.is_empty() && !r.cert_requested {
            continue;
        }
        writeln!(out)?;
        wrapped(out, &format!("{}:", heading(r)), "")?;
        // s_client's lines, as it prints them.
        if !r.ca_names.is_empty() {
            writeln!(out, "Acceptable client certificate CA names")?;
            for name in &r.ca_names {
                writeln!(out, "{}", printable(name))?;
            }
        } else if r.cert_requested {
            writeln!(out, "No client certificate CA names sent")?;
        }
        for fact in facts {
            wrapped(out, &fact, "  ")?;
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
                "{}: client auth {auth}; CA names {}; {}; with cert {}",
                a.address.as_deref().unwrap_or("-"),
                a.ca_names.len(),
                a.protocol.as_deref().unwrap_or("-"),
                a.with_cert
            );
            wrapped(out, &line, "  ")?;
        }
    }
    for r in &report.results {
        if let Some(comparison) = &r.comparison {
            writeln!(out, "\n{}: compared with {}", heading(r), printable(&comparison.transcript_file))?;
            writeln!(out, "{}", comparison_table(comparison, width))?;
        }
    }
    let named = |r: &CheckResult, line: &str| format!("{}: {line}", r.name);
    let notes = report.results.iter().flat_map(|r| r.notes.iter().map(move |n| named(r, n)));
    section(out, "Notes", notes, width)?;
    let warnings = report.results.iter().flat_map(|r| r.warnings.iter().map(move |w| named(r, &w.message)));
    section(out, "Warnings", warnings, width)?;
    write_changes(report, width, out)?;
    let problems = report.results.iter().flat_map(|r| problems(r).into_iter().map(move |l| named(r, &l)));
    section(out, "Problems", problems, width)?;
    if let Some(title) = not_run_title(report) {
        writeln!(out, "\n{}:", printable(&title))?;
        for check in &report.not_run {
            wrapped(out, &not_run_line(check), "  ")?;
        }
    }
    let footer = footer(report, |text| printable(text).into_owned());
    writeln!(out)?;
    for line in wrap(footer.trim(), width, "", "  ") {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// What a check's row says in a word and needs a sentence for: whether our CA is listed,
/// which client stacks would send our certificate, where client authentication was enforced,
/// why our certificate was refused, why the server's chain did not verify.
fn facts(r: &CheckResult) -> Vec<String> {
    let mut facts = Vec::new();
    if r.cert_requested && r.ca_names.is_empty() {
        facts.push("clients may offer any certificate".to_string());
    }
    if let Some(matched) = &r.matched_ca_name {
        facts.push(format!("our CA is listed as: {matched}"));
    } else if r.ca_name_match == Some(false) {
        facts.push(format!(
            "our CA ({}) is NOT listed (OpenSSL's name comparison)",
            r.client_cert_issuer.as_deref().unwrap_or("?")
        ));
    }
    let ours = with_cert_cell(r);
    if r.identities.is_empty() && !matches!(our_cert_cell(r).as_str(), "ok" | "-" | "no cert") {
        facts.push(format!("our certificate: {ours}"));
    }
    for identity in &r.identities {
        if identity.with_cert.accepted != Some(true) {
            let outcome = identity.problem.clone().unwrap_or_else(|| identity.with_cert.summary());
            facts.push(format!("identity '{}': {outcome}", identity.name));
        }
    }
    let auth = client_auth_cell(r);
    if r.client_auth != ClientAuth::Error && auth != client_auth_word(r) {
        facts.push(format!("client auth: {auth}"));
    }
    if !matches!(r.verify_code, Some(0) | None) {
        facts.push(format!("server verify: {}", r.verify_text()));
    }
    if let Some(stacks) = &r.client_stacks {
        facts.push(format!("would our certificate be sent? {}", stacks_line(stacks)));
        if let Some(ours) = stacks.get(&r.client)
            && (ours.outcome != StackOutcome::Sends || r.client != "openssl")
        {
            facts.push(format!("our client ({}): {} — {}", r.client, ours.outcome.as_str(), ours.reason));
        }
    }
    facts
}

/// `Title:` and its lines, indented and wrapped; nothing when there are none.
fn section(
    out: &mut dyn Write,
    title: &str,
    lines: impl Iterator<Item = String>,
    width: Option<usize>,
) -> io::Result<()> {
    let mut lines = lines.peekable();
    if lines.peek().is_some() {
        writeln!(out, "\n{title}:")?;
        for line in lines {
            for line in wrap(&printable(&line), width, "  ", "    ") {
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(())
}

/// "Changes since baseline": every change per check, then the checks that could not be compared.
fn write_changes(report: &Report, width: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    let Some(baseline) = &report.baseline else { return Ok(()) };
    writeln!(out, "\nChanges since baseline ({}):", printable(&baseline.file))?;
    let mut lines: Vec<String> = report
        .results
        .iter()
        .flat_map(|r| r.changes.iter().flatten().map(move |change| format!("{}: {}", r.name, change.summary)))
        .collect();
    if lines.is_empty() {
        lines.push("none".into());
    }
    if !baseline.new_checks.is_empty() {
        lines.push(format!("not in the baseline (not compared): {}", baseline.new_checks.join(", ")));
    }
    if !baseline.missing_checks.is_empty() {
        lines.push(format!("in the baseline, no longer in the checks file: {}", baseline.missing_checks.join(", ")));
    }
    for line in lines {
        for line in wrap(&printable(&line), width, "  ", "    ") {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// The fields compared with an operator's transcript, as a table no wider than `width`.
pub(super) fn comparison_table(comparison: &Comparison, width: Option<usize>) -> String {
    let mut table = Table::new();
    table.load_style(presets::ASCII_FULL_CONDENSED);
    match width.and_then(|width| u16::try_from(width).ok()) {
        Some(width) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(width);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
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
    use crate::model::ClientAuth;

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
        for unicode in [false, true] {
            let exporter = TableExporter { unicode, ..TableExporter::default() };
            let mut chunked = Vec::new();
            exporter.write_table(&results, &mut chunked).expect("write");
            let layout = Layout::choose(&results, exporter.width);
            let whole = format!("{}\n", exporter.table(&layout, &results, true));
            assert_eq!(String::from_utf8(chunked).expect("utf-8"), whole, "unicode: {unicode}");
        }
    }

    #[test]
    fn the_table_fits_its_width_and_breaks_only_names_too_long_for_it_after_a_separator() {
        let mut results: Vec<CheckResult> =
            ["partner-a", "a-partner-with-a-long-name"].map(|name| result(name.to_string())).into();
        results[1].host = "api.partner-with-a-long-name.example.com".into();
        let header = |text: &str| text.lines().nth(1).unwrap_or_default().to_string();
        for width in [80, 100, 120, 130, 170] {
            let exporter = TableExporter { width: Some(width), ..TableExporter::default() };
            let mut out = Vec::new();
            exporter.write_table(&results, &mut out).expect("write");
            let text = String::from_utf8(out).expect("utf-8");
            for line in text.lines() {
                assert!(line.chars().count() <= width, "{width}: {line}");
            }
            for word in ["partner-a", "127.0.0.1:443", "1-way", "result", "client auth", "our cert"] {
                assert!(text.contains(word), "{width}: {word} broken in\n{text}");
            }
            let first_cells: Vec<&str> =
                text.lines().skip(3).filter_map(|line| line.split('|').nth(1)).map(str::trim).collect();
            if width >= 100 {
                let name = "api.partner-with-a-long-name.example.com:443";
                assert!(first_cells.contains(&name) || text.contains(name), "{width}:\n{text}");
            } else {
                // Too narrow for the longest target: broken after a dot or a hyphen only.
                let broken: Vec<&&str> = first_cells.iter().filter(|cell| cell.starts_with("api.")).collect();
                assert!(broken.iter().all(|cell| cell.ends_with(['.', '-'])), "{width}:\n{text}");
            }
            assert_eq!(header(&text).contains("target"), width >= 130, "{width}:\n{text}");
            assert_eq!(header(&text).contains("our client sends"), width >= 170, "{width}:\n{text}");
        }
    }
}
