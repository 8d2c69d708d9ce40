//! The temporary files reports are written to before they replace their file: beside it (so
//! the rename stays on one file system), created with the umask applied, and registered while
//! they exist so that a second SIGINT/SIGTERM can remove them before the process ends at once.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tempfile::NamedTempFile;

/// The folder a file is in (`.` for a bare name).
pub(super) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
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
pub(super) struct Temporary {
    file: Option<NamedTempFile>,
}

impl Temporary {
    pub(super) fn beside(path: &Path) -> io::Result<Temporary> {
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

    pub(super) fn file_mut(&mut self) -> io::Result<&mut File> {
        self.file.as_mut().map(NamedTempFile::as_file_mut).ok_or_else(|| io::Error::other("no temporary file"))
    }

    /// Renames the file over `path`.
    pub(super) fn persist(mut self, path: &Path) -> io::Result<()> {
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

/// How many temporary files exist now (for tests).
#[cfg(test)]
pub(super) fn registered() -> usize {
    REGISTRY.lock().map(|registry| registry.paths.len()).unwrap_or_default()
}
