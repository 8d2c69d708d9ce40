//! The s_client transcript parser on arbitrary bytes, read as `mtlscheck compare` reads a file
//! (lossy UTF-8): a transcript or a parse error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = mtlscheck::transcript::parse(&text);
});
