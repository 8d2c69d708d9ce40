//! Turns the OpenSSL version that openssl-sys found into cfg flags, so code that depends on
//! the linked library's behaviour (s_client's name format, available calls) is chosen at build
//! time and never by guessing at run time.

use std::env;

fn main() {
    for flag in ["ossl300", "ossl320"] {
        println!("cargo:rustc-check-cfg=cfg({flag})");
    }
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
    println!("cargo:rustc-cfg=ossl300");
    if version >= 0x3020_0000 {
        println!("cargo:rustc-cfg=ossl320");
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
