//! The checks-file loader on arbitrary text: it must answer with checks or a configuration
//! error, never panic or hang. Relative paths resolve against a folder that does not exist, so
//! only absolute paths written in the input reach the file system.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = mtlscheck::config::parse(text, Path::new("fuzz.yaml"), Path::new("/nonexistent-mtlscheck-fuzz"));
    }
});
