//! `--output`: where a report goes, in which format, and writing it without ever destroying
//! anything. Every destination is examined before any probe: a regular file (or a new one) is
//! replaced whole (a temporary file in the same folder, synced, then renamed over it; through a
//! symbolic link, its target is); a character device, a FIFO or standard output is written as
//! it is; anything else (a directory, a block device, a socket) is refused. Files are created
//! with the umask applied, and a replaced file keeps its mode and, where allowed, its owner.
//! Either every file is replaced or, when one cannot be written, none is; files are replaced
//! last, after standard output, so an interruption while writing leaves them as they were.

mod destination;
mod spec;
mod temporary;

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use destination::{Destination, examine, same_file_key};
pub use spec::OutputSpec;
pub use temporary::remove_temporary_files;
use temporary::{Temporary, folder_of};

use super::exporter::Exporter;
use super::format::Format;
use super::table::TableExporter;
use crate::model::Report;

/// Whether standard output gets colour: a terminal, and neither NO_COLOR (https://no-color.org)
/// nor TERM=dumb says otherwise.
pub fn stdout_colour() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    std::io::stdout().is_terminal() && !no_color && !dumb
}

/// The exporter for standard output: the table gets box drawing and colour on a terminal.
/// `wide` lifts the table's width limit (the terminal's, or 120 columns elsewhere).
pub fn stdout_exporter(format: Format, wide: bool) -> Box<dyn Exporter> {
    match format {
        Format::Table => Box::new(TableExporter::for_stdout(stdout_colour(), wide)),
        other => other.exporter(),
    }
}

/// The exporter for a file; `wide` lifts the table's limit of 120 columns.
fn file_exporter(format: Format, wide: bool) -> Box<dyn Exporter> {
    match format {
        Format::Table => Box::new(TableExporter::for_file(wide)),
        other => other.exporter(),
    }
}

/// Writes `text` to `path` as reports are written: a temporary file beside it, synced, then
/// renamed over it, so the file is either the old one or the new one, whole (for `init`).
pub fn replace_file(path: &Path, text: &str) -> io::Result<()> {
    let mut temporary = Temporary::beside(path)?;
    let file = temporary.file_mut()?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    temporary.persist(path)
}

/// A closed pipe (`| head`) is not an error.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    ignore_broken_pipe(stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()))
}

fn ignore_broken_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

struct Target {
    format: Format,
    /// The path as given, for messages.
    given: Option<PathBuf>,
    destination: Destination,
}

impl Target {
    /// `report.json`, or `report.json (the file latest.json links to)` when a link was followed.
    fn describe(&self) -> String {
        match (&self.given, &self.destination) {
            (None, _) => "standard output".into(),
            (Some(given), Destination::Replace(real)) if given != real => {
                format!("{} (through its link, {})", given.display(), real.display())
            }
            (Some(given), _) => given.display().to_string(),
        }
    }
}

/// Why writing the outputs failed: one line per output concerned.
#[derive(Debug)]
pub struct WriteFailure {
    pub problems: Vec<String>,
}

impl std::fmt::Display for WriteFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problems.join("\n"))
    }
}

impl std::error::Error for WriteFailure {}

/// The outputs of one command, checked and ready to be written.
pub struct Outputs {
    targets: Vec<Target>,
    /// `--wide`: tables as wide as their content.
    wide: bool,
}

impl Outputs {
    /// Checks every `--output`; standard output gets `stdout_format` unless an `--output`
    /// already goes there. Errors name the path and say what is wrong.
    pub fn prepare(stdout_format: Format, specs: &[OutputSpec], wide: bool) -> Result<Outputs, String> {
        let mut targets = Vec::new();
        let to_stdout = specs.iter().filter(|s| s.path.is_none()).count();
        if to_stdout > 1 {
            return Err("only one --output can go to standard output (-)".into());
        }
        if to_stdout == 0 {
            targets.push(Target { format: stdout_format, given: None, destination: Destination::Stdout });
        }
        let mut given: Vec<&PathBuf> = Vec::new();
        // Files replaced, by where they really are: two paths to one file would race.
        let mut replaced: Vec<(&PathBuf, PathBuf)> = Vec::new();
        for spec in specs {
            let format = spec.format.unwrap_or(stdout_format);
            let Some(path) = &spec.path else {
                targets.push(Target { format, given: None, destination: Destination::Stdout });
                continue;
            };
            if given.contains(&path) {
                return Err(format!("--output {} is given twice", path.display()));
            }
            given.push(path);
            let destination = examine(path)?;
            if let Destination::Replace(real) = &destination
                && let Some(key) = same_file_key(real)
            {
                if let Some((other, _)) = replaced.iter().find(|(_, seen)| *seen == key) {
                    return Err(format!(
                        "--output {} and --output {} are the same file: give it once",
                        other.display(),
                        path.display()
                    ));
                }
                replaced.push((path, key));
            }
            targets.push(Target { format, given: Some(path.clone()), destination });
        }
        Ok(Outputs { targets, wide })
    }

    /// Whether an output shows what each handshake looked like (`sclient`, `html`), which
    /// needs every check's whole observation kept until the end.
    pub fn need_observations(&self) -> bool {
        self.targets.iter().any(|t| t.format.shows_handshakes())
    }

    /// Writes the report to every output. Files are all or none: each is written to its
    /// temporary file and synced; then devices, FIFOs and standard output are written in
    /// place; then, only if every file could be written, the files are renamed over their
    /// paths. Errors name each output.
    pub fn write(&self, report: &Report) -> Result<(), WriteFailure> {
        let mut problems = Vec::new();
        let mut staged = Vec::new();
        for target in &self.targets {
            if let Destination::Replace(path) = &target.destination {
                match stage(path, &*file_exporter(target.format, self.wide), report) {
                    Ok(temporary) => staged.push((target, path, temporary)),
                    Err(err) => problems.push(format!(
                        "cannot write the {} report to {}: {err}; it was left as it was",
                        target.format.name(),
                        target.describe()
                    )),
                }
            }
        }
        let files_failed = !problems.is_empty();
        if files_failed && !staged.is_empty() {
            let untouched: Vec<String> = staged.iter().map(|(target, _, _)| target.describe()).collect();
            problems.push(format!("left as they were, so the outputs stay consistent: {}", untouched.join(", ")));
            staged.clear(); // removes their temporary files
        }
        for target in &self.targets {
            let written = match &target.destination {
                Destination::Replace(_) => continue,
                Destination::Stdout => {
                    // Buffered: stdout alone flushes at every line, a write per line of JSON.
                    let mut stdout = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
                    ignore_broken_pipe(
                        stdout_exporter(target.format, self.wide)
                            .write_to(report, &mut stdout)
                            .and_then(|_| stdout.flush()),
                    )
                }
                Destination::InPlace(path) => write_in_place(path, &*file_exporter(target.format, self.wide), report),
            };
            if let Err(err) = written {
                problems.push(format!(
                    "cannot write the {} report to {}: {err}",
                    target.format.name(),
                    target.describe()
                ));
            }
        }
        let mut folders = Vec::new();
        for (target, path, temporary) in staged {
            match temporary.persist(path) {
                Ok(()) => {
                    log::info!("wrote the {} report to {}", target.format.name(), target.describe());
                    folders.push(folder_of(path).to_path_buf());
                }
                Err(err) => problems.push(format!("cannot replace {}: {err}", target.describe())),
            }
        }
        folders.dedup();
        for folder in folders {
            // The renames reach the disk with the folder's entries.
            let _ = File::open(&folder).and_then(|dir| dir.sync_all());
        }
        if problems.is_empty() { Ok(()) } else { Err(WriteFailure { problems }) }
    }
}

/// Renders the report into a temporary file beside `path`, with the mode (and, where
/// allowed, the owner) of the file it replaces, synced to disk.
fn stage(path: &Path, exporter: &dyn Exporter, report: &Report) -> io::Result<Temporary> {
    let mut temporary = Temporary::beside(path)?;
    let file = temporary.file_mut()?;
    if let Ok(existing) = fs::metadata(path) {
        file.set_permissions(fs::Permissions::from_mode(existing.mode() & 0o7777))?;
        // Only root may give a file away; anyone else keeps their own (what `cp` does too).
        let _ = std::os::unix::fs::fchown(&*file, Some(existing.uid()), Some(existing.gid()));
    }
    let mut writer = BufWriter::new(&mut *file);
    exporter.write_to(report, &mut writer)?;
    writer.flush()?;
    drop(writer);
    file.sync_all()?;
    Ok(temporary)
}

fn write_in_place(path: &Path, exporter: &dyn Exporter, report: &Report) -> io::Result<()> {
    // Appending: a regular file reached through /dev/stdout keeps what the shell wrote before.
    let file = OpenOptions::new().append(true).open(path)?;
    let mut writer = BufWriter::new(file);
    exporter.write_to(report, &mut writer)?;
    writer.flush()
}
