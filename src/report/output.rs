//! `--output`: where a report goes, in which format. Every file is checked (its folder exists
//! and is writable) before any probe, by creating the temporary file the report is later written
//! to and renamed from, so a bad path fails the run at once and an interrupted run never leaves
//! a half-written report behind.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use tempfile::NamedTempFile;

use super::exporter::Exporter;
use super::format::Format;
use super::table::TableExporter;
use crate::model::Report;

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

/// Whether standard output gets colour: a terminal, and neither NO_COLOR (https://no-color.org)
/// nor TERM=dumb says otherwise.
pub fn stdout_colour() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    std::io::stdout().is_terminal() && !no_color && !dumb
}

/// The exporter for standard output: the table gets box drawing and colour on a terminal.
pub fn stdout_exporter(format: Format) -> Box<dyn Exporter> {
    match format {
        Format::Table => Box::new(TableExporter { unicode: std::io::stdout().is_terminal(), colour: stdout_colour() }),
        other => other.exporter(),
    }
}

/// A closed pipe (`| head`) is not an error.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

enum Target {
    Stdout(Format),
    File { format: Format, path: PathBuf, temp: NamedTempFile },
}

/// The outputs of one command, checked and ready to be written.
pub struct Outputs {
    targets: Vec<Target>,
}

impl Outputs {
    /// Checks every `--output`; standard output gets `stdout_format` unless an `--output`
    /// already goes there. Errors name the path and say what is wrong.
    pub fn prepare(stdout_format: Format, specs: &[OutputSpec]) -> Result<Outputs, String> {
        let mut targets = Vec::new();
        let mut files: Vec<PathBuf> = Vec::new();
        let to_stdout = specs.iter().filter(|s| s.path.is_none()).count();
        if to_stdout > 1 {
            return Err("only one --output can go to standard output (-)".into());
        }
        if to_stdout == 0 {
            targets.push(Target::Stdout(stdout_format));
        }
        for spec in specs {
            let format = spec.format.unwrap_or(stdout_format);
            let Some(path) = &spec.path else {
                targets.push(Target::Stdout(format));
                continue;
            };
            if files.contains(path) {
                return Err(format!("--output {} is given twice", path.display()));
            }
            files.push(path.clone());
            targets.push(Target::File { format, path: path.clone(), temp: temp_beside(path)? });
        }
        Ok(Outputs { targets })
    }

    /// Renders the report once per output and writes it; files are replaced whole.
    pub fn write(self, report: &Report) -> Result<(), String> {
        for target in self.targets {
            match target {
                Target::Stdout(format) => write_stdout(&stdout_exporter(format).render(report))
                    .map_err(|err| format!("cannot write to standard output: {err}"))?,
                Target::File { format, path, temp } => {
                    write_file(&path, temp, &format.exporter().render(report))?;
                    log::info!("wrote the {} report to {}", format.name(), path.display());
                }
            }
        }
        Ok(())
    }
}

/// The temporary file a report for `path` is written to, in the same folder (so the final
/// rename cannot cross file systems).
fn temp_beside(path: &Path) -> Result<NamedTempFile, String> {
    let shown = path.display();
    if path.is_dir() {
        return Err(format!("--output {shown} is a directory: name a file in it"));
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(format!("--output {shown}: the folder {} does not exist", folder.display()));
    }
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(|err| format!("--output {shown}: cannot write in {}: {err}", folder.display()))
}

fn write_file(path: &Path, mut temp: NamedTempFile, text: &str) -> Result<(), String> {
    let failed = |err: &dyn std::fmt::Display| format!("cannot write {}: {err}", path.display());
    temp.write_all(text.as_bytes()).and_then(|_| temp.flush()).map_err(|err| failed(&err))?;
    // Temporary files are private (0600); a report is not, and keeps the mode of the file it
    // replaces.
    let mode = std::fs::metadata(path).map(|m| m.permissions()).unwrap_or_else(|_| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o644)
    });
    std::fs::set_permissions(temp.path(), mode).map_err(|err| failed(&err))?;
    temp.persist(path).map_err(|err| failed(&err.error))?;
    Ok(())
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
