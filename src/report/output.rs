//! `--output`: where a report goes, in which format, and writing it without ever destroying
//! anything. Every destination is examined before any probe: a regular file (or a new one) is
//! replaced whole (a temporary file in the same folder, synced, then renamed over it; through a
//! symbolic link, its target is); a character device, a FIFO or standard output is written as
//! it is; anything else (a directory, a block device, a socket) is refused. Files are created
//! with the umask applied, and a replaced file keeps its mode and, where allowed, its owner.
//! Either every file is replaced or, when one cannot be written, none is; files are replaced
//! last, after standard output, so an interruption while writing leaves them as they were.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

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
    let mut stdout = std::io::stdout().lock();
    ignore_broken_pipe(stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()))
}

fn ignore_broken_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Where one output goes once its path has been examined.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Destination {
    Stdout,
    /// A character device or FIFO (or a link into the process's own descriptors, such as
    /// /dev/stdout): opened and written as it is, never replaced.
    InPlace(PathBuf),
    /// A regular file or a new one, replaced whole; the path after symbolic links.
    Replace(PathBuf),
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
}

impl Outputs {
    /// Checks every `--output`; standard output gets `stdout_format` unless an `--output`
    /// already goes there. Errors name the path and say what is wrong.
    pub fn prepare(stdout_format: Format, specs: &[OutputSpec]) -> Result<Outputs, String> {
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
        Ok(Outputs { targets })
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
                match stage(path, target.format, report) {
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
                        stdout_exporter(target.format).write_to(report, &mut stdout).and_then(|_| stdout.flush()),
                    )
                }
                Destination::InPlace(path) => write_in_place(path, target.format, report),
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

/// Where a file to be replaced really is: its folder's canonical path and its name.
fn same_file_key(path: &Path) -> Option<PathBuf> {
    let folder = fs::canonicalize(folder_of(path)).ok()?;
    Some(folder.join(path.file_name()?))
}

/// Following more links than this is a loop (the kernel's own limit is 40).
const MAX_LINKS: usize = 40;

/// Where the output at `path` goes, decided before any probe. Symbolic links are followed to
/// their target, which is replaced (the link stays a link); links into /proc or /dev/fd (such
/// as /dev/stdout) are descriptors of this process and are written in place.
fn examine(path: &Path) -> Result<Destination, String> {
    let shown = path.display();
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let metadata = match fs::symlink_metadata(&current) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                check_folder(path, &current)?;
                return Ok(Destination::Replace(current));
            }
            Err(err) => return Err(format!("--output {shown}: {err}")),
            Ok(metadata) => metadata,
        };
        let kind = metadata.file_type();
        if kind.is_symlink() {
            let target = fs::read_link(&current).map_err(|err| format!("--output {shown}: {err}"))?;
            if target.starts_with("/proc") || target.starts_with("/dev/fd") {
                return examine_descriptor(path);
            }
            current = folder_of(&current).join(target);
            continue;
        }
        return destination_of_kind(path, &current, &metadata);
    }
    Err(format!("--output {shown}: too many levels of symbolic links (a loop?)"))
}

fn destination_of_kind(given: &Path, path: &Path, metadata: &fs::Metadata) -> Result<Destination, String> {
    use std::os::unix::fs::FileTypeExt;
    let shown = given.display();
    let kind = metadata.file_type();
    if kind.is_file() {
        check_folder(given, path)?;
        Ok(Destination::Replace(path.to_path_buf()))
    } else if kind.is_dir() {
        Err(format!("--output {shown} is a directory: name a file in it"))
    } else if kind.is_char_device() {
        // Opening proves we may write to it; nothing is written yet.
        OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|err| format!("--output {shown}: cannot write to it: {err}"))?;
        Ok(Destination::InPlace(path.to_path_buf()))
    } else if kind.is_fifo() {
        // Not opened now: opening a FIFO waits for its reader.
        Ok(Destination::InPlace(path.to_path_buf()))
    } else if kind.is_block_device() {
        Err(format!(
            "--output {shown} is a block device (a disk or a partition): a report is never written over one; name a file"
        ))
    } else {
        Err(format!("--output {shown} is a socket, not a file: name a file"))
    }
}

/// A link into this process's descriptors (/dev/stdout, /proc/self/fd/N): written in place,
/// whatever it leads to, as the shell would.
fn examine_descriptor(path: &Path) -> Result<Destination, String> {
    let shown = path.display();
    let metadata = fs::metadata(path).map_err(|err| format!("--output {shown}: {err}"))?;
    if metadata.is_dir() {
        return Err(format!("--output {shown} is a directory: name a file in it"));
    }
    Ok(Destination::InPlace(path.to_path_buf()))
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// The folder of the file that will be replaced exists and takes new files: a temporary file
/// is created there and removed at once.
fn check_folder(given: &Path, path: &Path) -> Result<(), String> {
    let shown = given.display();
    let folder = folder_of(path);
    if !folder.is_dir() {
        return Err(format!("--output {shown}: the folder {} does not exist", folder.display()));
    }
    Temporary::beside(path)
        .map(drop)
        .map_err(|err| format!("--output {shown}: cannot write in {}: {err}", folder.display()))
}

/// Renders the report into a temporary file beside `path`, with the mode (and, where
/// allowed, the owner) of the file it replaces, synced to disk.
fn stage(path: &Path, format: Format, report: &Report) -> io::Result<Temporary> {
    let mut temporary = Temporary::beside(path)?;
    let file = temporary.file_mut()?;
    if let Ok(existing) = fs::metadata(path) {
        file.set_permissions(fs::Permissions::from_mode(existing.mode() & 0o7777))?;
        // Only root may give a file away; anyone else keeps their own (what `cp` does too).
        let _ = std::os::unix::fs::fchown(&*file, Some(existing.uid()), Some(existing.gid()));
    }
    let mut writer = BufWriter::new(&mut *file);
    format.exporter().write_to(report, &mut writer)?;
    writer.flush()?;
    drop(writer);
    file.sync_all()?;
    Ok(temporary)
}

fn write_in_place(path: &Path, format: Format, report: &Report) -> io::Result<()> {
    // Appending: a regular file reached through /dev/stdout keeps what the shell wrote before.
    let file = OpenOptions::new().append(true).open(path)?;
    let mut writer = BufWriter::new(file);
    format.exporter().write_to(report, &mut writer)?;
    writer.flush()
}

/// Every temporary file being written, so that a second SIGINT/SIGTERM can remove them
/// before the process ends at once; after that no new one is created.
struct Registry {
    paths: Vec<PathBuf>,
    closed: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry { paths: Vec::new(), closed: false });

/// Removes every temporary output file, and refuses new ones from now on. For the process's
/// last moments (a second signal): whatever is being written is abandoned, never left behind.
pub fn remove_temporary_files() {
    let mut registry = REGISTRY.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    for path in registry.paths.drain(..) {
        let _ = fs::remove_file(path);
    }
    registry.closed = true;
}

/// A temporary file beside an output (`.report.json.XXXXXX.tmp`), registered while it exists.
struct Temporary {
    file: Option<NamedTempFile>,
}

impl Temporary {
    fn beside(path: &Path) -> io::Result<Temporary> {
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut registry = REGISTRY.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if registry.closed {
            return Err(io::Error::other("mtlscheck is stopping"));
        }
        let file = tempfile::Builder::new()
            .prefix(&format!(".{file_name}."))
            .suffix(".tmp")
            // The kernel applies the umask: a new report gets the mode any new file would.
            .permissions(fs::Permissions::from_mode(0o666))
            .tempfile_in(folder_of(path))?;
        registry.paths.push(file.path().to_path_buf());
        Ok(Temporary { file: Some(file) })
    }

    fn file_mut(&mut self) -> io::Result<&mut File> {
        self.file.as_mut().map(NamedTempFile::as_file_mut).ok_or_else(|| io::Error::other("no temporary file"))
    }

    /// Renames the file over `path`.
    fn persist(mut self, path: &Path) -> io::Result<()> {
        let file = self.file.take().ok_or_else(|| io::Error::other("no temporary file"))?;
        let temporary_path = file.path().to_path_buf();
        let result = file.persist(path).map(drop).map_err(|err| err.error);
        forget(&temporary_path);
        result
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            let path = file.path().to_path_buf();
            drop(file);
            forget(&path);
        }
    }
}

fn forget(path: &Path) {
    let mut registry = REGISTRY.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    registry.paths.retain(|registered| registered != path);
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

    #[test]
    fn destinations_by_kind() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.json");
        assert_eq!(examine(&file).unwrap(), Destination::Replace(file.clone()));
        fs::write(&file, "{}").unwrap();
        assert_eq!(examine(&file).unwrap(), Destination::Replace(file.clone()));
        let link = dir.path().join("latest.json");
        std::os::unix::fs::symlink("r.json", &link).unwrap();
        assert_eq!(examine(&link).unwrap(), Destination::Replace(dir.path().join("r.json")));
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink("sub/new.json", &dangling).unwrap();
        assert!(examine(&dangling).unwrap_err().contains("does not exist"));
        let looping = dir.path().join("loop.json");
        std::os::unix::fs::symlink("loop.json", &looping).unwrap();
        assert!(examine(&looping).unwrap_err().contains("too many levels"));
        assert!(examine(dir.path()).unwrap_err().contains("is a directory"));
        assert_eq!(examine(Path::new("/dev/null")).unwrap(), Destination::InPlace(PathBuf::from("/dev/null")));
        assert!(matches!(examine(Path::new("/dev/stdout")).unwrap(), Destination::InPlace(_)));
        assert_eq!(REGISTRY.lock().unwrap().paths.len(), 0, "no temporary file is left registered");
    }
}
