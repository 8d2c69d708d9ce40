//! The one interface every output format implements.

use std::io::{self, Write};

use crate::model::Report;

/// Renders a report in one format.
pub trait Exporter {
    fn render(&self, report: &Report) -> String;

    /// Writes the rendered report to `out`; formats that can stream (JSON) do, so a large
    /// report is never held twice in memory.
    fn write_to(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.render(report).as_bytes())
    }
}
