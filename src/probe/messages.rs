//! The handshake messages the message callback recorded for one connection, and the questions
//! the probe asks of them.

use crate::ffi::MessageLog;
use crate::model::TlsMessage;

pub const CONTENT_ALERT: i32 = 21;
pub const CONTENT_HANDSHAKE: i32 = 22;
pub const HANDSHAKE_SERVER_HELLO: u8 = 2;
pub const HANDSHAKE_NEW_SESSION_TICKET: u8 = 4;
pub const HANDSHAKE_CERTIFICATE_REQUEST: u8 = 13;

/// Whether the server sent a message of this content type whose first byte is `first_byte`.
pub fn received(messages: &[TlsMessage], content_type: i32, first_byte: u8) -> bool {
    messages.iter().any(|m| !m.sent && m.content_type == content_type && m.head.first() == Some(&first_byte))
}

pub fn received_any_handshake(messages: &[TlsMessage]) -> bool {
    messages.iter().any(|m| !m.sent && m.content_type == CONTENT_HANDSHAKE)
}

/// The messages so far.
pub fn snapshot(log: &MessageLog) -> Vec<TlsMessage> {
    log.lock().map(|messages| messages.clone()).unwrap_or_default()
}

/// A fatal alert the server sent, named as OpenSSL's reason strings name it.
pub fn received_alert(messages: &[TlsMessage]) -> Option<String> {
    messages
        .iter()
        .rev()
        .find(|m| !m.sent && m.content_type == CONTENT_ALERT && m.head.len() == 2)
        .map(|m| crate::alerts::reason(m.head[1]))
}

/// The alert we sent to end the handshake, when the server sent none: the failure was ours.
pub fn aborted_by_us(messages: &[TlsMessage]) -> Option<String> {
    if received_alert(messages).is_some() {
        return None;
    }
    messages
        .iter()
        .rev()
        .find(|m| m.sent && m.content_type == CONTENT_ALERT && m.head.len() == 2 && m.head[0] == 2)
        .map(|m| crate::alerts::reason(m.head[1]).rsplit(" alert ").next().unwrap_or_default().to_string())
}
