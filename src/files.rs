//! Reading the files operators point mtlscheck at, safely: only regular files (a FIFO or a
//! device named by mistake would block or never end), and only up to a size that fits what
//! the file should be. Errors name the file and what is wrong with it.

use std::path::Path;

/// Reads `path`, a `kind` of file (for messages), if it is a regular file of at most `max`
/// bytes; `too_big_for` says what such a file should be (`a certificate or key file`).
pub fn read_regular(kind: &str, path: &Path, max: u64, too_big_for: &str) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let metadata = std::fs::metadata(path).map_err(|err| format!("cannot read {kind} {shown}: {err}"))?;
    if metadata.is_dir() {
        return Err(format!("cannot read {kind} {shown}: it is a directory, not a file"));
    }
    if !metadata.is_file() {
        return Err(format!("cannot read {kind} {shown}: it is not a regular file (a device, pipe or socket)"));
    }
    if metadata.len() > max {
        return Err(format!("{kind} {shown} is {} bytes, too big for {too_big_for}", metadata.len()));
    }
    std::fs::read(path).map_err(|err| format!("cannot read {kind} {shown}: {err}"))
}
