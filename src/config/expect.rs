//! Checking `expect:` when the checks file is loaded, so a value that can never be evaluated
//! (a CA name that is not a name, an unknown protocol) stops the run before any probe.

use crate::model::Expectations;
use crate::model::expect::{PROTOCOLS, protocol_rank};
use crate::names::NameKey;

/// Problems with the `expect:` values, each naming the field; empty when all can be evaluated.
pub fn validate(expect: &Expectations) -> Vec<String> {
    let mut problems = Vec::new();
    for (field, names) in [("ca_names_include", &expect.ca_names_include), ("ca_names_exact", &expect.ca_names_exact)] {
        let Some(names) = names else { continue };
        if field == "ca_names_include" && names.is_empty() {
            problems.push(format!("`expect.{field}` is empty: list at least one CA name"));
        }
        for name in names.iter().filter(|name| NameKey::parse(name).is_none()) {
            problems.push(format!(
                "`expect.{field}`: cannot read {name:?} as a distinguished name; write it as s_client or \
                 `openssl x509 -nameopt` prints it, e.g. `C = US, O = Example CA, CN = Example Root CA`, \
                 `C=US, O=Example CA`, `/C=US/O=Example CA` or `CN=Example Root CA,O=Example CA,C=US`"
            ));
        }
    }
    if let Some(protocol) = &expect.min_protocol
        && protocol_rank(protocol).is_none()
    {
        problems
            .push(format!("`expect.min_protocol`: unknown protocol {protocol:?}: use one of {}", PROTOCOLS.join(", ")));
    }
    if let Some(verify) = &expect.verify
        && !verify.eq_ignore_ascii_case("ok")
    {
        problems.push(format!("`expect.verify`: only `ok` can be expected, not {verify:?}"));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_are_ranked_and_unknown_ones_refused() {
        assert!(protocol_rank("TLSv1.3") > protocol_rank("tlsv1.2"));
        assert_eq!(protocol_rank("TLSv1.0"), protocol_rank("TLSv1"));
        assert_eq!(protocol_rank("TLSv1.4"), None);
        let expect = Expectations { min_protocol: Some("TLS1.2".into()), ..Default::default() };
        let problems = validate(&expect);
        assert!(problems[0].contains("`expect.min_protocol`") && problems[0].contains("TLSv1.2"), "{problems:?}");
    }

    #[test]
    fn names_in_any_openssl_spelling_validate_and_others_are_named() {
        let expect = Expectations {
            ca_names_include: Some(vec!["C = US, O = X".into(), "C=US, O=X".into(), "/C=US/O=X".into()]),
            ca_names_exact: Some(vec!["just some text".into()]),
            verify: Some("yes".into()),
            ..Default::default()
        };
        let problems = validate(&expect);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("ca_names_exact") && problems[0].contains("just some text"), "{problems:?}");
        assert!(problems[1].contains("`expect.verify`"), "{problems:?}");
    }
}
