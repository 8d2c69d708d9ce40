//! `--format json`: the report as one pretty-printed JSON document.

use super::exporter::Exporter;
use crate::model::Report;

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn render(&self, report: &Report) -> String {
        // Serialising plain structs of strings, numbers and options cannot fail.
        let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|err| format!("{{\"error\": \"{err}\"}}"));
        text.push('\n');
        text
    }
}
