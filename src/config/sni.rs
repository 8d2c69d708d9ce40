//! s_client's rule for which host names are sent as SNI.

/// The SNI `openssl s_client -connect HOST:PORT` sends when `-servername` is not given: the host
/// itself if it looks like a DNS name (two or more labels, not all digits, labels under 64
/// characters; mirrors `is_dNS_name` in apps/s_client.c), otherwise none (IP literals,
/// `localhost`).
pub fn default_servername(host: &str) -> Option<String> {
    is_dns_name(host).then(|| host.to_string())
}

fn is_dns_name(host: &str) -> bool {
    const MAX_LABEL_LENGTH: usize = 63;
    let bytes = host.as_bytes();
    if bytes.is_empty() || bytes.len() > 253 {
        return false;
    }
    let mut has_dot = false;
    let mut all_numeric = true;
    let mut label_length = 0usize;
    for (i, &c) in bytes.iter().enumerate() {
        if c.is_ascii_alphabetic() || c == b'_' {
            label_length += 1;
            all_numeric = false;
            continue;
        }
        if c.is_ascii_digit() {
            label_length += 1;
            continue;
        }
        // Dot and hyphen cannot be first or last.
        if i > 0 && i < bytes.len() - 1 {
            if c == b'-' {
                label_length += 1;
                continue;
            }
            if c == b'.' && bytes[i + 1] != b'.' && bytes[i - 1] != b'-' && bytes[i + 1] != b'-' {
                label_length = 0;
                has_dot = true;
                continue;
            }
        }
        return false;
    }
    has_dot && !all_numeric && label_length < MAX_LABEL_LENGTH + 1
}

#[cfg(test)]
mod tests {
    use super::default_servername;

    #[test]
    fn follows_s_client_rule() {
        assert_eq!(default_servername("api.partner.example").as_deref(), Some("api.partner.example"));
        assert_eq!(default_servername("localhost"), None);
        assert_eq!(default_servername("127.0.0.1"), None);
        assert_eq!(default_servername("::1"), None);
        assert_eq!(default_servername("-bad.example"), None);
        assert_eq!(default_servername("a..b"), None);
    }
}
