//! A TLS CertificateRequest as it was on the wire, read into the fields that decide which
//! clients answer it with a certificate: the CA names as raw DER, the signature algorithms (and
//! TLS 1.3's `signature_algorithms_cert`) as code points, TLS 1.2's certificate types. OpenSSL
//! exposes only some of these, and only after normalising them.

/// The fields of one CertificateRequest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateRequest {
    /// TLS 1.3's form (extensions) rather than TLS 1.2's.
    pub tls13: bool,
    /// TLS 1.2 `certificate_types` (1 rsa_sign, 2 dss_sign, 64 ecdsa_sign, …); empty in TLS 1.3.
    pub certificate_types: Vec<u8>,
    /// `signature_algorithms`, in the server's order of preference.
    pub sigalgs: Vec<u16>,
    /// TLS 1.3 `signature_algorithms_cert`, when sent.
    pub sigalgs_cert: Option<Vec<u16>>,
    /// `certificate_authorities`: each a DER `Name`, byte for byte as sent.
    pub ca_names: Vec<Vec<u8>>,
}

const EXT_SIGNATURE_ALGORITHMS: u16 = 13;
const EXT_CERTIFICATE_AUTHORITIES: u16 = 47;
const EXT_SIGNATURE_ALGORITHMS_CERT: u16 = 50;

/// Reads a whole handshake message (type 13, 3-byte length, body); `None` when it is not a
/// well-formed CertificateRequest of that form.
pub fn parse(message: &[u8], tls13: bool) -> Option<CertificateRequest> {
    let (&kind, rest) = message.split_first()?;
    let (length, body) = take(rest, 3)?;
    if kind != 13 || u24(length) != body.len() {
        return None;
    }
    if tls13 { parse_tls13(body) } else { parse_tls12(body) }
}

fn parse_tls12(body: &[u8]) -> Option<CertificateRequest> {
    let (types, rest) = vector(body, 1)?;
    let (sigalgs, rest) = vector(rest, 2)?;
    let (names, rest) = vector(rest, 2)?;
    if !rest.is_empty() {
        return None;
    }
    Some(CertificateRequest {
        tls13: false,
        certificate_types: types.to_vec(),
        sigalgs: code_points(sigalgs)?,
        sigalgs_cert: None,
        ca_names: distinguished_names(names)?,
    })
}

fn parse_tls13(body: &[u8]) -> Option<CertificateRequest> {
    let (_context, rest) = vector(body, 1)?;
    let (mut extensions, rest) = vector(rest, 2)?;
    if !rest.is_empty() {
        return None;
    }
    let mut request = CertificateRequest { tls13: true, ..Default::default() };
    while !extensions.is_empty() {
        let (kind, rest) = take(extensions, 2)?;
        let (data, rest) = vector(rest, 2)?;
        extensions = rest;
        match u16::from_be_bytes([kind[0], kind[1]]) {
            EXT_SIGNATURE_ALGORITHMS => request.sigalgs = code_points(vector_whole(data, 2)?)?,
            EXT_SIGNATURE_ALGORITHMS_CERT => request.sigalgs_cert = Some(code_points(vector_whole(data, 2)?)?),
            EXT_CERTIFICATE_AUTHORITIES => request.ca_names = distinguished_names(vector_whole(data, 2)?)?,
            _ => {}
        }
    }
    Some(request)
}

fn take(input: &[u8], n: usize) -> Option<(&[u8], &[u8])> {
    (input.len() >= n).then(|| input.split_at(n))
}

fn u24(bytes: &[u8]) -> usize {
    bytes.iter().fold(0, |n, &b| (n << 8) | usize::from(b))
}

/// A vector with an `n`-byte length prefix, and what follows it.
fn vector(input: &[u8], n: usize) -> Option<(&[u8], &[u8])> {
    let (length, rest) = take(input, n)?;
    take(rest, u24(length))
}

/// A vector that must fill `input` exactly.
fn vector_whole(input: &[u8], n: usize) -> Option<&[u8]> {
    let (inner, rest) = vector(input, n)?;
    rest.is_empty().then_some(inner)
}

fn code_points(bytes: &[u8]) -> Option<Vec<u16>> {
    bytes.len().is_multiple_of(2).then(|| bytes.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect())
}

fn distinguished_names(mut bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut names = Vec::new();
    while !bytes.is_empty() {
        let (name, rest) = vector(bytes, 2)?;
        names.push(name.to_vec());
        bytes = rest;
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_forms_and_refuses_truncation() {
        // TLS 1.2: types [rsa_sign, ecdsa_sign], sigalgs [0x0804, 0x0403], one name of 3 bytes.
        let tls12 = [13, 0, 0, 16, 2, 1, 64, 0, 4, 8, 4, 4, 3, 0, 5, 0, 3, 0x30, 1, 0];
        let request = parse(&tls12, false).expect("a TLS 1.2 request");
        assert_eq!(request.certificate_types, [1, 64]);
        assert_eq!(request.sigalgs, [0x0804, 0x0403]);
        assert_eq!(request.ca_names, [vec![0x30, 1, 0]]);
        assert_eq!(parse(&tls12[..tls12.len() - 1], false), None);
        // TLS 1.3: empty context; extensions signature_algorithms [0x0403],
        // signature_algorithms_cert [0x0401], certificate_authorities [one name].
        let tls13 = [
            13, 0, 0, 29, 0, 0, 26, 0, 13, 0, 4, 0, 2, 4, 3, 0, 50, 0, 4, 0, 2, 4, 1, 0, 47, 0, 6, 0, 4, 0, 2, 0x30, 0,
        ];
        let request = parse(&tls13, true).expect("a TLS 1.3 request");
        assert_eq!((request.sigalgs, request.sigalgs_cert), (vec![0x0403], Some(vec![0x0401])));
        assert_eq!(request.ca_names, [vec![0x30, 0]]);
        assert!(request.certificate_types.is_empty());
    }
}
