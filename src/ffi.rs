//! The only `unsafe` in mtlscheck (the crate denies it everywhere else): OpenSSL calls that the
//! `openssl` crate does not wrap, each behind a safe function. Every pointer OpenSSL hands back
//! here is *borrowed* from the `SSL` it came from; the wrappers copy what they return, so no
//! borrowed pointer outlives the call. Used by `probe` alone. See
//! `../shared/reference/openssl-api.md` for where each rule was checked.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, OnceLock};

use foreign_types::ForeignTypeRef;
use libc::{c_int, c_long, c_uchar, c_void, size_t};
use openssl::ex_data::Index;
use openssl::nid::Nid;
use openssl::ssl::{Ssl, SslContextBuilder, SslRef};
use openssl::stack::StackRef;
use openssl::x509::X509Name;
use openssl_sys::{BIO, SSL, SSL_CTX, stack_st_X509_NAME};

use crate::model::TlsMessage;

type MsgCallback = unsafe extern "C" fn(c_int, c_int, c_int, *const c_void, size_t, *mut SSL, *mut c_void);

unsafe extern "C" {
    fn SSL_CTX_set_msg_callback(ctx: *mut SSL_CTX, cb: Option<MsgCallback>);
    fn SSL_get0_peer_CA_list(s: *const SSL) -> *const stack_st_X509_NAME;
    fn SSL_get_sigalgs(
        s: *mut SSL,
        idx: c_int,
        psign: *mut c_int,
        phash: *mut c_int,
        psignhash: *mut c_int,
        rsig: *mut c_uchar,
        rhash: *mut c_uchar,
    ) -> c_int;
    fn SSL_get_shared_sigalgs(
        s: *mut SSL,
        idx: c_int,
        psign: *mut c_int,
        phash: *mut c_int,
        psignhash: *mut c_int,
        rsig: *mut c_uchar,
        rhash: *mut c_uchar,
    ) -> c_int;
    fn SSL_set_post_handshake_auth(s: *mut SSL, val: c_int);
    fn SSL_get_peer_signature_type_nid(s: *const SSL, pnid: *mut c_int) -> c_int;
    fn SSL_SESSION_print(bp: *mut BIO, ses: *const openssl_sys::SSL_SESSION) -> c_int;
    fn SSL_group_to_name(s: *mut SSL, id: c_int) -> *const libc::c_char;
    fn EVP_PKEY_get0_type_name(key: *const openssl_sys::EVP_PKEY) -> *const libc::c_char;
}

const SSL_CTRL_GET_RI_SUPPORT: c_int = 76;
const SSL_CTRL_CLEAR_MODE: c_int = 78;
const SSL_CTRL_GET_CLIENT_CERT_TYPES: c_int = 103;
const SSL_CTRL_GET_PEER_SIGNATURE_NID: c_int = 108;
const SSL_CTRL_GET_NEGOTIATED_GROUP: c_int = 134;
/// `TLSEXT_nid_unknown`: OpenSSL's marker for a group without a NID; the low 16 bits are its
/// code point.
const TLSEXT_NID_UNKNOWN: c_int = 0x0100_0000;

/// Runs `print` against a fresh memory BIO and returns what it wrote.
fn print_to_string(print: impl FnOnce(*mut BIO)) -> String {
    // SAFETY: the memory BIO is created and freed here (owned); the data pointer from
    // BIO_get_mem_data is a view into the BIO, copied before BIO_free_all.
    unsafe {
        let bio = openssl_sys::BIO_new(openssl_sys::BIO_s_mem());
        if bio.is_null() {
            return String::new();
        }
        print(bio);
        let mut data: *mut libc::c_char = std::ptr::null_mut();
        let len = openssl_sys::BIO_get_mem_data(bio, &mut data);
        let text = if data.is_null() || len <= 0 {
            String::new()
        } else {
            let bytes = std::slice::from_raw_parts(data as *const u8, len as usize);
            String::from_utf8_lossy(bytes).into_owned()
        };
        openssl_sys::BIO_free_all(bio);
        text
    }
}

/// `SSL_SESSION_print` of the connection's session: the `SSL-Session:` block s_client prints
/// for TLS 1.2 and older.
pub fn session_text(ssl: &SslRef) -> Option<String> {
    let session = ssl.session()?;
    // SAFETY: the session is owned by the SSL and borrowed for the call.
    Some(print_to_string(|bio| unsafe {
        SSL_SESSION_print(bio, session.as_ptr());
    }))
}

/// The CA names of the last CertificateRequest (`SSL_get0_peer_CA_list`), copied. Empty when
/// none were sent *or* no certificate was requested: use [`requested_sigalgs`] to tell which.
pub fn peer_ca_names(ssl: &SslRef) -> Vec<X509Name> {
    // SAFETY: the stack is owned by the SSL and replaced on the next CertificateRequest; we
    // borrow it only while `ssl` is borrowed and copy every name out.
    unsafe {
        let stack = SSL_get0_peer_CA_list(ssl.as_ptr());
        if stack.is_null() {
            return Vec::new();
        }
        let stack: &StackRef<X509Name> = StackRef::from_ptr(stack as *mut _);
        stack.iter().filter_map(|name| name.to_owned().ok()).collect()
    }
}

/// One signature algorithm as `SSL_get_sigalgs` reports it.
#[derive(Debug, Clone, Copy)]
pub struct SigAlg {
    pub sign_nid: Nid,
    pub raw_sign: u8,
    pub raw_hash: u8,
}

type SigAlgGetter =
    unsafe extern "C" fn(*mut SSL, c_int, *mut c_int, *mut c_int, *mut c_int, *mut c_uchar, *mut c_uchar) -> c_int;

fn collect_sigalgs(ssl: &SslRef, getter: SigAlgGetter, count_index: c_int) -> Vec<SigAlg> {
    // SAFETY: all out-pointers are either null (count query) or point at locals; the SSL is
    // borrowed for the duration of each call. The getters only read from the SSL.
    unsafe {
        let ptr = ssl.as_ptr();
        let (no_int, no_byte) = (std::ptr::null_mut::<c_int>, std::ptr::null_mut::<c_uchar>);
        let count = getter(ptr, count_index, no_int(), no_int(), no_int(), no_byte(), no_byte());
        (0..count.max(0))
            .map(|idx| {
                let (mut sign, mut hash, mut both) = (0, 0, 0);
                let (mut rsig, mut rhash) = (0u8, 0u8);
                getter(ptr, idx, &mut sign, &mut hash, &mut both, &mut rsig, &mut rhash);
                SigAlg { sign_nid: Nid::from_raw(sign), raw_sign: rsig, raw_hash: rhash }
            })
            .collect()
    }
}

/// Signature algorithms the server listed in its CertificateRequest. On a client these come only
/// from a CertificateRequest, so a non-empty list proves one arrived.
pub fn requested_sigalgs(ssl: &SslRef) -> Vec<SigAlg> {
    collect_sigalgs(ssl, SSL_get_sigalgs, -1)
}

/// The requested algorithms that we support too.
pub fn shared_sigalgs(ssl: &SslRef) -> Vec<SigAlg> {
    collect_sigalgs(ssl, SSL_get_shared_sigalgs, 0)
}

/// Client certificate types of a TLS 1.2 CertificateRequest (always empty for TLS 1.3).
pub fn client_cert_types(ssl: &SslRef) -> Vec<u8> {
    let mut list: *const c_uchar = std::ptr::null();
    // SAFETY: SSL_get0_certificate_types stores a pointer owned by the SSL in `list`; we copy
    // `count` bytes from it while the SSL is borrowed.
    unsafe {
        let count = openssl_sys::SSL_ctrl(
            ssl.as_ptr(),
            SSL_CTRL_GET_CLIENT_CERT_TYPES,
            0,
            &mut list as *mut *const c_uchar as *mut c_void,
        );
        if list.is_null() || count <= 0 {
            return Vec::new();
        }
        std::slice::from_raw_parts(list, count as usize).to_vec()
    }
}

/// The digest of the server's handshake signature (`SSL_get_peer_signature_nid`).
pub fn peer_signature_digest(ssl: &SslRef) -> Option<Nid> {
    let mut nid: c_int = 0;
    // SAFETY: writes one int into a local.
    let ok = unsafe {
        openssl_sys::SSL_ctrl(ssl.as_ptr(), SSL_CTRL_GET_PEER_SIGNATURE_NID, 0, &mut nid as *mut c_int as *mut c_void)
    };
    (ok > 0 && nid != 0).then(|| Nid::from_raw(nid))
}

/// The type of the server's handshake signature (`SSL_get_peer_signature_type_nid`).
pub fn peer_signature_type(ssl: &SslRef) -> Option<Nid> {
    let mut nid: c_int = 0;
    // SAFETY: writes one int into a local.
    let ok = unsafe { SSL_get_peer_signature_type_nid(ssl.as_ptr(), &mut nid) };
    (ok > 0 && nid != 0).then(|| Nid::from_raw(nid))
}

/// The negotiated key-exchange group (`SSL_get_negotiated_group`): the group's NID, or
/// `(None, code point)` for a group without one (e.g. X25519MLKEM768), with the linked
/// OpenSSL's name for it (`SSL_group_to_name`).
pub fn negotiated_group(ssl: &SslRef) -> Option<NegotiatedGroupId> {
    // SAFETY: a query ctrl without pointers on a live SSL.
    let raw = unsafe { openssl_sys::SSL_ctrl(ssl.as_ptr(), SSL_CTRL_GET_NEGOTIATED_GROUP, 0, std::ptr::null_mut()) };
    let raw = c_int::try_from(raw).ok().filter(|&raw| raw > 0)?;
    // SAFETY: returns a pointer to a static string (or NULL) owned by libssl; copied at once.
    let name = unsafe { copy_c_str(SSL_group_to_name(ssl.as_ptr(), raw)) };
    let (nid, code) = if raw & TLSEXT_NID_UNKNOWN != 0 {
        (None, u16::try_from(raw & 0xffff).ok())
    } else {
        (Some(Nid::from_raw(raw)), None)
    };
    Some(NegotiatedGroupId { nid, code, name })
}

/// What [`negotiated_group`] found.
#[derive(Debug, Clone)]
pub struct NegotiatedGroupId {
    pub nid: Option<Nid>,
    pub code: Option<u16>,
    pub name: Option<String>,
}

/// `EVP_PKEY_get0_type_name`: `RSA`, `EC`, `ED25519`, a provider's name for its keys.
pub fn pkey_type_name<T>(key: &openssl::pkey::PKeyRef<T>) -> Option<String> {
    // SAFETY: the key is borrowed for the call; the returned name is static in the provider
    // (or NULL) and copied at once.
    unsafe { copy_c_str(EVP_PKEY_get0_type_name(key.as_ptr())) }
}

/// Copies a C string OpenSSL returned; `None` for NULL.
///
/// # Safety
/// `text` is NULL or points at a NUL-terminated string valid for this call.
unsafe fn copy_c_str(text: *const libc::c_char) -> Option<String> {
    // SAFETY: guaranteed by the caller.
    (!text.is_null()).then(|| unsafe { std::ffi::CStr::from_ptr(text) }.to_string_lossy().into_owned())
}

/// `SSL_get_secure_renegotiation_support`: always false on TLS 1.3.
pub fn secure_renegotiation_support(ssl: &SslRef) -> bool {
    // SAFETY: a query ctrl without pointers.
    unsafe { openssl_sys::SSL_ctrl(ssl.as_ptr(), SSL_CTRL_GET_RI_SUPPORT, 0, std::ptr::null_mut()) != 0 }
}

/// Offers TLS 1.3 post-handshake authentication (the `post_handshake_auth` extension), so a
/// server can ask for a certificate after the handshake, e.g. for one path. Call before connect.
pub fn enable_post_handshake_auth(ssl: &mut SslRef) {
    // SAFETY: sets a flag on a live SSL we hold mutably.
    unsafe { SSL_set_post_handshake_auth(ssl.as_ptr(), 1) };
}

/// Sets or clears `SSL_MODE_AUTO_RETRY`. Cleared, `SSL_read` returns (WANT_READ) after
/// processing a post-handshake message such as a NewSessionTicket instead of blocking for
/// application data: that lets the probe decide "accepted" the moment the server's ticket
/// arrives. Set (OpenSSL's default), reads go through renegotiation and post-handshake auth.
pub fn set_auto_retry(ssl: &SslRef, enabled: bool) {
    let ctrl = if enabled { openssl_sys::SSL_CTRL_MODE } else { SSL_CTRL_CLEAR_MODE };
    // SAFETY: a mode ctrl without pointers on a live SSL.
    unsafe {
        openssl_sys::SSL_ctrl(ssl.as_ptr(), ctrl, openssl_sys::SSL_MODE_AUTO_RETRY as c_long, std::ptr::null_mut());
    }
}

/// Messages of one connection, shared between the message callback and the probe.
pub type MessageLog = Arc<Mutex<Vec<TlsMessage>>>;

fn message_log_index() -> Option<Index<Ssl, MessageLog>> {
    static INDEX: OnceLock<Option<Index<Ssl, MessageLog>>> = OnceLock::new();
    // Indexes are process-global, so create one once.
    *INDEX.get_or_init(|| Ssl::new_ex_index().ok())
}

const RECORD_TYPES: std::ops::RangeInclusive<c_int> = 20..=23;
const CONTENT_HANDSHAKE: c_int = 22;
const CERTIFICATE_REQUEST: u8 = 13;

unsafe extern "C" fn message_trampoline(
    write_p: c_int,
    version: c_int,
    content_type: c_int,
    buf: *const c_void,
    len: size_t,
    ssl: *mut SSL,
    _arg: *mut c_void,
) {
    // Pseudo content types (record headers 256, TLS 1.3 inner type 257) repeat what the real
    // messages say; skip them.
    if !RECORD_TYPES.contains(&content_type) {
        return;
    }
    // Never unwind across the C boundary.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let Some(index) = message_log_index() else {
            return;
        };
        // SAFETY: `ssl` is the live SSL OpenSSL is processing; we only read its ex_data.
        // `buf` is valid for `len` bytes during this call and is copied.
        let (ssl, bytes) = unsafe {
            let bytes = if buf.is_null() { &[][..] } else { std::slice::from_raw_parts(buf as *const u8, len) };
            (SslRef::from_ptr(ssl), bytes)
        };
        let sent = write_p != 0;
        // A received CertificateRequest is kept whole: which clients would answer it depends on
        // fields OpenSSL does not expose (signature_algorithms_cert, the raw CA names).
        let body = (!sent && content_type == CONTENT_HANDSHAKE && bytes.first() == Some(&CERTIFICATE_REQUEST))
            .then(|| bytes.to_vec());
        let head = bytes[..bytes.len().min(2)].to_vec();
        if let Some(log) = ssl.ex_data(index)
            && let Ok(mut log) = log.lock()
        {
            log.push(TlsMessage { sent, version, content_type, head, len, body });
        }
    }));
}

/// Installs the message callback on a context; connections made from it record their messages
/// into the log given to [`attach_message_log`].
pub fn enable_message_log(ctx: &mut SslContextBuilder) {
    // SAFETY: registers a function pointer with no user data; the trampoline finds its log
    // through the SSL's ex_data, which the SSL owns and frees.
    unsafe { SSL_CTX_set_msg_callback(ctx.as_ptr(), Some(message_trampoline)) };
}

/// Gives one connection the log its messages go to. Returns false if OpenSSL could not
/// allocate an ex_data index, in which case nothing is recorded.
pub fn attach_message_log(ssl: &mut SslRef, log: MessageLog) -> bool {
    match message_log_index() {
        Some(index) => {
            ssl.set_ex_data(index, log);
            true
        }
        None => false,
    }
}

/// OpenSSL's long name of an alert description (`SSL_alert_desc_string_long`): the truth
/// `alerts::description` is tested against.
#[cfg(test)]
pub fn alert_description(description: u8) -> String {
    // SAFETY: returns a pointer to a static string owned by libssl (never freed).
    unsafe {
        let text = openssl_sys::SSL_alert_desc_string_long(c_int::from(description));
        if text.is_null() {
            return "unknown".into();
        }
        std::ffi::CStr::from_ptr(text).to_string_lossy().into_owned()
    }
}
