//! OpenSSL 3's legacy provider (RC2, single DES, ...), loaded only when a file needs it: .p12/.pfx
//! files exported the old way (`openssl pkcs12 -export -legacy`, older Windows and Java tools)
//! and PEM keys encrypted with DES.

use std::sync::OnceLock;

use openssl::error::ErrorStack;
use openssl::provider::Provider;

/// Loaded once and kept for the life of the process: unloading a provider while keys decoded
/// with it are alive is not allowed.
static PROVIDERS: OnceLock<Result<[Provider; 2], String>> = OnceLock::new();

/// Loads the legacy provider, and the default one with it: loading any provider explicitly
/// turns off the implicitly loaded default, which every normal algorithm comes from. The error
/// names the provider that failed and OpenSSL's reason.
pub fn load() -> Result<(), String> {
    PROVIDERS
        .get_or_init(|| {
            let load = |name: &str| {
                Provider::try_load(None, name, true)
                    .map_err(|err| format!("the {name} provider: {}", first_reason(&err)))
            };
            let default = load("default")?;
            let legacy = load("legacy")?;
            log::info!("loaded OpenSSL's legacy provider for a legacy-encrypted key file");
            Ok([default, legacy])
        })
        .as_ref()
        .map(|_| ())
        .map_err(Clone::clone)
}

/// Whether OpenSSL failed because an algorithm is not available, as a legacy algorithm is
/// without the legacy provider.
pub fn is_unsupported(err: &ErrorStack) -> bool {
    err.errors().iter().any(|e| e.reason().is_some_and(|reason| reason.contains("unsupported")))
}

/// Runs `attempt`; when it fails for an unavailable algorithm, loads the legacy provider and
/// runs it once more. The second error is returned if that fails too.
pub fn retry_with_legacy<T>(mut attempt: impl FnMut() -> Result<T, ErrorStack>) -> Result<T, ErrorStack> {
    match attempt() {
        Err(err) if is_unsupported(&err) && load().is_ok() => attempt(),
        other => other,
    }
}

/// OpenSSL's reason text for the first error, for messages.
pub fn first_reason(err: &ErrorStack) -> String {
    err.errors().first().and_then(|e| e.reason()).unwrap_or("unknown error").to_string()
}
