//! What an `--output` path is, decided before any probe: a file to replace (through its
//! symbolic links), a device or FIFO to write in place, or something refused with the reason.

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use super::temporary::{Temporary, folder_of};

/// Where one output goes once its path has been examined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Destination {
    Stdout,
    /// A character device or FIFO (or a link into the process's own descriptors, such as
    /// /dev/stdout): opened and written as it is, never replaced.
    InPlace(PathBuf),
    /// A regular file or a new one, replaced whole; the path after symbolic links.
    Replace(PathBuf),
}

/// Where a file to be replaced really is: its folder's canonical path and its name.
pub(super) fn same_file_key(path: &Path) -> Option<PathBuf> {
    let folder = fs::canonicalize(folder_of(path)).ok()?;
    Some(folder.join(path.file_name()?))
}

/// Following more links than this is a loop (the kernel's own limit is 40).
const MAX_LINKS: usize = 40;

/// Where the output at `path` goes, decided before any probe. Symbolic links are followed to
/// their target, which is replaced (the link stays a link); links into /proc or /dev/fd (such
/// as /dev/stdout) are descriptors of this process and are written in place.
pub(super) fn examine(path: &Path) -> Result<Destination, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(super::super::temporary::registered(), 0, "no temporary file is left registered");
    }
}
