//! `X509_verify_cert_error_string` texts that changed between versions (`self signed` became
//! `self-signed` in 3.0, `unsupported certificate purpose` became `unsuitable` in 3.2, ...).
//! Other codes print as the linked library prints them.

use super::version::Style;

/// The text `style`'s library gives for verification error `code`; `linked` is the linked
/// library's text, used for every code whose text has not changed.
pub fn verify_error_text(style: Style, code: i64, linked: &str) -> String {
    let old = style.is_1_1_1() || style.libressl();
    let text = match code {
        18 if old => "self signed certificate",
        18 => "self-signed certificate",
        19 if old => "self signed certificate in certificate chain",
        19 => "self-signed certificate in certificate chain",
        9 if style.at_least(3, 6) => "certificate is not yet valid or the system clock is incorrect",
        9 => "certificate is not yet valid",
        26 if style.at_least(3, 2) => "unsuitable certificate purpose",
        26 => "unsupported certificate purpose",
        62 if old => "Hostname mismatch",
        62 => "hostname mismatch",
        63 if old => "Email address mismatch",
        63 => "email address mismatch",
        _ => linked,
    };
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_texts_follow_the_version_and_others_pass_through() {
        let v111 = Style::parse("1.1.1").unwrap();
        assert_eq!(verify_error_text(v111, 18, "self-signed certificate"), "self signed certificate");
        assert_eq!(verify_error_text(Style::openssl(3, 0), 18, "x"), "self-signed certificate");
        assert_eq!(
            verify_error_text(Style::openssl(3, 0), 20, "unable to get local issuer certificate"),
            "unable to get local issuer certificate"
        );
        assert_eq!(
            verify_error_text(Style::openssl(3, 6), 9, "x"),
            "certificate is not yet valid or the system clock is incorrect"
        );
    }
}
