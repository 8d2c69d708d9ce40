//! `--output` as written: `FILE` (the format from its extension), `FORMAT:FILE`, `FORMAT:-`
//! or `-` (standard output).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::report::format::Format;

/// One `--output` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    /// `None`: the `--format` format (a bare `-`).
    pub format: Option<Format>,
    /// `None`: standard output.
    pub path: Option<PathBuf>,
}

const FORMAT_NAMES: [Format; 8] = [
    Format::Table,
    Format::Json,
    Format::Junit,
    Format::Csv,
    Format::Markdown,
    Format::Sclient,
    Format::Html,
    Format::Metrics,
];

fn format_named(name: &str) -> Option<Format> {
    FORMAT_NAMES.into_iter().find(|f| f.name().eq_ignore_ascii_case(name))
}

fn format_of_extension(path: &Path) -> Option<Format> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match extension.as_str() {
        "json" => Format::Json,
        "xml" => Format::Junit,
        "csv" => Format::Csv,
        "md" | "markdown" => Format::Markdown,
        "txt" => Format::Table,
        "html" | "htm" => Format::Html,
        "prom" => Format::Metrics,
        _ => return None,
    })
}

impl FromStr for OutputSpec {
    type Err = String;

    /// `FILE` (format from the extension), `FORMAT:FILE`, `FORMAT:-` or `-` (standard output).
    fn from_str(text: &str) -> Result<Self, String> {
        let destination = |path: &str| match path {
            "-" => Ok(None),
            "" => Err(format!("--output {text:?} names no file: write FORMAT:FILE, e.g. junit:report.xml")),
            path => Ok(Some(PathBuf::from(path))),
        };
        if let Some((prefix, rest)) = text.split_once(':')
            && let Some(format) = format_named(prefix)
        {
            return Ok(OutputSpec { format: Some(format), path: destination(rest)? });
        }
        if text == "-" {
            return Ok(OutputSpec { format: None, path: None });
        }
        let path = destination(text)?.unwrap_or_default();
        let format = format_of_extension(&path).ok_or_else(|| {
            format!(
                "cannot tell the format of {text:?} from its extension (.json, .xml, .csv, .md, .txt, .html, .prom): \
                 write FORMAT:FILE with FORMAT one of table, json, junit, csv, markdown, sclient, html, metrics, \
                 e.g. junit:{text}"
            )
        })?;
        Ok(OutputSpec { format: Some(format), path: Some(path) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Result<OutputSpec, String> {
        text.parse()
    }

    #[test]
    fn format_comes_from_the_prefix_or_the_extension() {
        assert_eq!(spec("report.json").unwrap().format, Some(Format::Json));
        assert_eq!(spec("out/junit.XML").unwrap().format, Some(Format::Junit));
        assert_eq!(spec("r.csv").unwrap().format, Some(Format::Csv));
        assert_eq!(spec("r.md").unwrap().format, Some(Format::Markdown));
        assert_eq!(spec("r.txt").unwrap().format, Some(Format::Table));
        assert_eq!(spec("report.html").unwrap().format, Some(Format::Html));
        assert_eq!(spec("/var/lib/node-exporter/mtlscheck.prom").unwrap().format, Some(Format::Metrics));
        let prefixed = spec("junit:results.dat").unwrap();
        assert_eq!((prefixed.format, prefixed.path), (Some(Format::Junit), Some(PathBuf::from("results.dat"))));
        assert_eq!(spec("json:-").unwrap(), OutputSpec { format: Some(Format::Json), path: None });
        assert_eq!(spec("-").unwrap(), OutputSpec { format: None, path: None });
        // A colon that does not follow a format name is part of the path.
        assert_eq!(spec("a:b.csv").unwrap().path, Some(PathBuf::from("a:b.csv")));
    }

    #[test]
    fn unknown_extensions_and_empty_paths_are_explained() {
        assert!(spec("report.dat").unwrap_err().contains("junit:report.dat"));
        assert!(spec("junit:").unwrap_err().contains("names no file"));
    }
}
