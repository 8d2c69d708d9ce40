//! Checks the OpenSSL version openssl-sys found (3.0 or newer) and records it for the binary:
//! `MTLSCHECK_OPENSSL_BUILD_VERSION`, compared at run time with the library actually loaded
//! (a build against a custom 3.x prefix shares the soname `libssl.so.3` with the system's 3.0
//! and silently runs on it without the right library path). What mtlscheck prints follows the
//! library it runs on, never this build-time version.

use std::env;

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_OPENSSL_VERSION_NUMBER");
    println!("cargo:rerun-if-env-changed=DEP_OPENSSL_LIBRESSL_VERSION_NUMBER");

    if env::var_os("DEP_OPENSSL_LIBRESSL_VERSION_NUMBER").is_some() {
        fail("LibreSSL is not supported: mtlscheck must print what OpenSSL's s_client prints");
    }
    let Ok(raw) = env::var("DEP_OPENSSL_VERSION_NUMBER") else {
        fail("openssl-sys did not report DEP_OPENSSL_VERSION_NUMBER (is openssl-sys a direct dependency?)");
    };
    let Ok(version) = u64::from_str_radix(raw.trim(), 16) else {
        fail(&format!("cannot parse DEP_OPENSSL_VERSION_NUMBER={raw:?}"));
    };
    // OpenSSL 3 version numbers are 0xMNN00PP0 (major, minor, patch).
    if version < 0x3000_0000 {
        fail(&format!(
            "mtlscheck needs OpenSSL 3.0 or newer (found version number {raw}); \
             install libssl-dev 3.x or build with --features vendored"
        ));
    }
    println!("cargo:rustc-env=MTLSCHECK_OPENSSL_BUILD_VERSION={version:x}");
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
