//! The formats a report can be written in, and the exporter for each.

use super::csv::CsvExporter;
use super::exporter::Exporter;
use super::html::HtmlExporter;
use super::json::JsonExporter;
use super::junit::JunitExporter;
use super::markdown::MarkdownExporter;
use super::metrics::MetricsExporter;
use super::sclient::SClientExporter;
use super::table::TableExporter;

/// The formats `--format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people, followed by each server's CA names as s_client prints them.
    Table,
    /// One JSON document (the stable contract described in docs/json-report.md).
    Json,
    /// JUnit XML: one testcase per check, for Jenkins and GitLab.
    Junit,
    /// One CSV row per check, for spreadsheets.
    Csv,
    /// A Markdown table and sections, for wikis and merge-request comments.
    Markdown,
    /// What `openssl s_client` prints for each endpoint, then mtlscheck's verdict.
    Sclient,
    /// One self-contained HTML page: summary, sortable table, details, expiry timeline.
    Html,
    /// Prometheus gauges for node_exporter's textfile collector.
    Metrics,
}

impl Format {
    /// The exporter for files and pipes: no colour, plain ASCII borders.
    pub fn exporter(self) -> Box<dyn Exporter> {
        match self {
            Format::Table => Box::new(TableExporter::default()),
            Format::Json => Box::new(JsonExporter),
            Format::Junit => Box::new(JunitExporter::default()),
            Format::Csv => Box::new(CsvExporter),
            Format::Markdown => Box::new(MarkdownExporter),
            Format::Sclient => Box::new(SClientExporter::default()),
            Format::Html => Box::new(HtmlExporter),
            Format::Metrics => Box::new(MetricsExporter),
        }
    }

    /// Whether the format shows each handshake as s_client would (the `sclient` view, the
    /// HTML details): a batch then keeps every check's whole observation until the end.
    pub fn shows_handshakes(self) -> bool {
        matches!(self, Format::Sclient | Format::Html)
    }

    /// The name `--format` and `--output FORMAT:FILE` use.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Sclient => "sclient",
            Format::Html => "html",
            Format::Metrics => "metrics",
        }
    }
}
