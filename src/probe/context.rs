//! The OpenSSL client side of a probe: contexts set up as `openssl s_client` sets them up
//! (verification reported, never enforced), shared between connections with the same trust,
//! and each connection's `Ssl` with its SNI, our certificate and its message log.

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use openssl::error::ErrorStack;
use openssl::ssl::{Ssl, SslContext, SslContextBuilder, SslMethod, SslVerifyMode, SslVersion};

use crate::ffi::{self, MessageLog};
use crate::model::{Check, ClientIdentity, ProtocolRange};

/// What makes two client contexts different; everything per connection (SNI, our certificate,
/// the message log) is set on the `Ssl` instead.
type ContextKey = (Option<PathBuf>, Option<PathBuf>, Option<SslVersion>, Option<SslVersion>, Option<&'static str>);

/// Client contexts shared by every connection with the same trust and versions: building one
/// (provider fetches, parsing the CA file) costs more than a handshake on OpenSSL 3.
pub fn client_context(check: &Check, protocols: ProtocolRange) -> Result<SslContext, ErrorStack> {
    // A list, not a map: SslVersion is not Hash, and a run has only a handful of distinct keys.
    static CONTEXTS: OnceLock<Mutex<Vec<(ContextKey, SslContext)>>> = OnceLock::new();
    let key = (check.cacert.clone(), check.capath.clone(), protocols.min, protocols.max, offered_groups(check));
    let cache = CONTEXTS.get_or_init(Default::default);
    let cached = |cache: &[(ContextKey, SslContext)]| cache.iter().find(|(k, _)| *k == key).map(|(_, c)| c.clone());
    if let Some(ctx) = cache.lock().ok().and_then(|c| cached(&c)) {
        return Ok(ctx);
    }
    let ctx = new_client_context(check, protocols)?;
    if let Ok(mut cache) = cache.lock() {
        cache.push((key, ctx.clone()));
    }
    Ok(ctx)
}

fn new_client_context(check: &Check, protocols: ProtocolRange) -> Result<SslContext, ErrorStack> {
    let mut ctx = SslContextBuilder::new(SslMethod::tls_client())?;
    // s_client verifies the server chain but never aborts on a failure: it reports it. Its
    // verify callback accepts every error, so verification goes on past the first one and the
    // result is the last error (e.g. 21 "unable to verify the first certificate", not 20).
    ctx.set_verify_callback(SslVerifyMode::NONE, |_, _| true);
    if check.cacert.is_some() || check.capath.is_some() {
        ctx.load_verify_locations(check.cacert.as_deref(), check.capath.as_deref())?;
    } else {
        ctx.set_default_verify_paths()?;
    }
    ctx.set_min_proto_version(protocols.min)?;
    ctx.set_max_proto_version(protocols.max)?;
    if let Some(groups) = offered_groups(check) {
        ctx.set_groups_list(groups)?;
    }
    ffi::enable_message_log(&mut ctx);
    Ok(ctx.build())
}

/// With `--like` an older s_client than the OpenSSL mtlscheck runs on, the groups that s_client
/// offers (OpenSSL 3.5+ offers post-quantum hybrids first, which older clients never get): the
/// server then negotiates what it would with that s_client. `None`: the library's default.
fn offered_groups(check: &Check) -> Option<&'static str> {
    let like = check.like?;
    let runtime = crate::style::Style::runtime();
    (runtime.offers_post_quantum_groups() && !like.offers_post_quantum_groups())
        .then(|| like.default_groups())
        .flatten()
}

pub fn client_ssl(
    ctx: &SslContext,
    check: &Check,
    identity: Option<&ClientIdentity>,
    log: &MessageLog,
) -> Result<Ssl, ErrorStack> {
    let mut ssl = Ssl::new(ctx)?;
    if let Some(servername) = &check.servername {
        ssl.set_hostname(servername)?;
    }
    if let Some(identity) = identity {
        ssl.set_certificate(&identity.cert)?;
        ssl.set_private_key(&identity.key)?;
        for intermediate in &identity.chain {
            ssl.add_chain_cert(intermediate.clone())?;
        }
    }
    if check.http.is_some() {
        // Let servers that ask only for some paths do so under TLS 1.3 (TLS 1.2
        // renegotiation is accepted by default).
        ffi::enable_post_handshake_auth(&mut ssl);
    }
    ffi::attach_message_log(&mut ssl, log.clone());
    Ok(ssl)
}
