//! Reading the files operators point mtlscheck at, safely: only regular files (a FIFO or a
//! device named by mistake would block or never end), only up to a size that fits what the
//! file should be, and text only as UTF-8, with the line and column where it is not. Errors
//! name the file and what is wrong with it. Also the one check that a secret file is private.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

const MIB: u64 = 1024 * 1024;

/// A checks file of 20,000 checks is a few MB; one past this is a wrong path.
pub const MAX_CHECKS_FILE: u64 = 32 * MIB;
/// A JSON report of 20,000 checks is tens of MB.
pub const MAX_REPORT: u64 = 256 * MIB;
/// s_client output, even with -showcerts, -msg and a long chain, is well under this.
pub const MAX_TRANSCRIPT: u64 = 16 * MIB;

/// Reads `path`, a `kind` of file (for messages), if it is a regular file of at most `max`
/// bytes; `too_big_for` says what such a file should be (`a certificate or key file`).
pub fn read_regular(kind: &str, path: &Path, max: u64, too_big_for: &str) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let cannot = |err: &dyn std::fmt::Display| format!("cannot read {kind} {shown}: {err}");
    // Examined before it is opened: opening some devices has effects of its own.
    regular_within(kind, path, &std::fs::metadata(path).map_err(|err| cannot(&err))?, max, too_big_for)?;
    // Without waiting: had it become a FIFO meanwhile, opening it would wait for a writer.
    let file = OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path).map_err(|err| cannot(&err))?;
    regular_within(kind, path, &file.metadata().map_err(|err| cannot(&err))?, max, too_big_for)?;
    read_at_most(file, max).map_err(|err| cannot(&err))?.ok_or_else(|| too_big(kind, path, None, max, too_big_for))
}

fn regular_within(
    kind: &str,
    path: &Path,
    metadata: &std::fs::Metadata,
    max: u64,
    too_big_for: &str,
) -> Result<(), String> {
    let shown = path.display();
    if metadata.is_dir() {
        return Err(format!("cannot read {kind} {shown}: it is a directory, not a file"));
    }
    if !metadata.is_file() {
        return Err(format!("cannot read {kind} {shown}: it is not a regular file (a device, pipe or socket)"));
    }
    if metadata.len() > max {
        return Err(too_big(kind, path, Some(metadata.len()), max, too_big_for));
    }
    Ok(())
}

/// The file's bytes, or `None` when it holds more than `max` (it grew while being read).
fn read_at_most(file: File, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

fn too_big(kind: &str, path: &Path, size: Option<u64>, max: u64, too_big_for: &str) -> String {
    let size = size.map(|size| format!("{size} bytes")).unwrap_or_else(|| "growing".into());
    format!("{kind} {} is {size}, too big for {too_big_for} (at most {})", path.display(), human_size(max))
}

/// `32 MiB`, `512 KiB`, `100 bytes`.
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= 1024 && b % 1024 == 0 => format!("{} KiB", b / 1024),
        b => format!("{b} bytes"),
    }
}

/// `bytes` as text; when they are not UTF-8, the error gives `file:line:column` of the
/// first bad byte (lines and columns from 1, columns in characters).
pub fn utf8_text(kind: &str, path: &Path, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|err| {
        let bytes = err.as_bytes();
        let valid = &bytes[..err.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |newline| newline + 1);
        let column = String::from_utf8_lossy(&valid[line_start..]).chars().count() + 1;
        format!(
            "{}:{line}:{column}: not UTF-8 text (byte 0x{:02X}): save the {kind} as UTF-8",
            path.display(),
            bytes[valid.len()]
        )
    })
}

/// A warning, like ssh's, when a file holding a secret (`kind`: "the key file") can be read
/// by its group or by other users, with the `chmod` that fixes it.
pub fn readable_by_others(kind: &str, path: &Path) -> Option<String> {
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "{kind} {} can be read by other users (mode {:o}): chmod 600 {}",
            path.display(),
            mode & 0o777,
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_errors_give_line_and_column() {
        let err = utf8_text("checks file", Path::new("c.yaml"), b"checks:\n  - name: caf\xe9\n".to_vec()).unwrap_err();
        assert!(err.starts_with("c.yaml:2:14: not UTF-8 text (byte 0xE9)"), "{err}");
        let err =
            utf8_text("checks file", Path::new("c.yaml"), b"a\n\xc3\xa9\xf0\x9f\x98\x80\xff".to_vec()).unwrap_err();
        assert!(err.starts_with("c.yaml:2:3: not UTF-8 text (byte 0xFF)"), "{err}");
        assert_eq!(utf8_text("x", Path::new("x"), b"ok".to_vec()).unwrap(), "ok");
    }

    #[test]
    fn devices_fifos_and_big_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_regular("checks file", Path::new("/dev/zero"), 10, "a checks file").unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 11]).unwrap();
        let err = read_regular("checks file", &big, 10, "a checks file").unwrap_err();
        assert!(err.contains("is 11 bytes, too big for a checks file (at most 10 bytes)"), "{err}");
        assert_eq!(read_regular("checks file", &big, 11, "a checks file").unwrap().len(), 11);
        assert_eq!(human_size(32 * MIB), "32 MiB");
    }
}
