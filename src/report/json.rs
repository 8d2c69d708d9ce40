//! `--format json`: the report as one pretty-printed JSON document.

use std::io::{self, Write};

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

    fn write_to(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::from)?;
        out.write_all(b"\n")
    }
}
