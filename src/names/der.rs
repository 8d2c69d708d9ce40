//! A distinguished name's DER read into its attributes, keeping what printing and comparing
//! need: which RDN (set) each attribute belongs to, its OID, and its value's tag and bytes.

use openssl::asn1::Asn1Object;
use openssl::nid::Nid;

/// One attribute of a name, in encoding order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The index of the RDN (SET) it belongs to: attributes of one multi-valued RDN share it.
    pub set: usize,
    /// The OID's content octets.
    pub oid: Vec<u8>,
    /// The value's identifier octet (e.g. 0x0C UTF8String, 0x13 PrintableString, 0x1E BMPString).
    pub tag: u8,
    /// The value's content octets.
    pub value: Vec<u8>,
}

impl Attribute {
    /// The universal tag number of the value (`V_ASN1_*` in OpenSSL), e.g. 12 for UTF8String.
    pub fn tag_number(&self) -> u8 {
        self.tag & 0x1f
    }

    /// OpenSSL's short name for the attribute type (`CN`, `O`, `emailAddress`), or `None` for an
    /// OID the linked OpenSSL does not know.
    pub fn short_name(&self) -> Option<String> {
        let nid = self.nid();
        (nid != Nid::UNDEF).then(|| nid.short_name().ok().map(str::to_string)).flatten()
    }

    /// The OID in dotted form, e.g. `2.5.4.3`.
    pub fn oid_text(&self) -> String {
        oid_text(&self.oid)
    }

    fn nid(&self) -> Nid {
        Asn1Object::from_str(&self.oid_text()).map(|object| object.nid()).unwrap_or(Nid::UNDEF)
    }

    /// The field name as OpenSSL prints it: the short name, else the dotted OID.
    pub fn field_name(&self) -> String {
        self.short_name().unwrap_or_else(|| self.oid_text())
    }

    /// The bytes OpenSSL keeps as the value's string data: the content octets, but the whole
    /// encoding for a constructed value (a SEQUENCE) and the bits without their unused-bits
    /// count for a BIT STRING.
    pub fn string_data(&self) -> Vec<u8> {
        if self.tag & 0x20 != 0 {
            self.value_der()
        } else if self.tag_number() == 3 {
            self.value.get(1..).unwrap_or_default().to_vec()
        } else {
            self.value.clone()
        }
    }

    /// The value's DER encoding (identifier, length, content), as `#hex` dumps show it.
    pub fn value_der(&self) -> Vec<u8> {
        let mut out = vec![self.tag];
        push_length(&mut out, self.value.len());
        out.extend_from_slice(&self.value);
        out
    }

    /// The value as text: each string type decoded by its width (Latin-1 for the one-byte
    /// types, UCS-2 for BMPString, UCS-4 for UniversalString), invalid input decoded lossily.
    pub fn value_text(&self) -> String {
        let lossy = || String::from_utf8_lossy(&self.value).into_owned();
        match char_width(self.tag_number()) {
            Some(CharWidth::Utf8) => lossy(),
            Some(CharWidth::One) => self.value.iter().map(|&b| char::from(b)).collect(),
            Some(CharWidth::Two) if self.value.len().is_multiple_of(2) => {
                let units = self.value.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
                char::decode_utf16(units).collect::<Result<String, _>>().unwrap_or_else(|_| lossy())
            }
            Some(CharWidth::Four) if self.value.len().is_multiple_of(4) => self
                .value
                .chunks(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect::<Option<String>>()
                .unwrap_or_else(lossy),
            _ => lossy(),
        }
    }
}

/// How a string type stores its characters (OpenSSL's `tag2nbyte`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharWidth {
    Utf8,
    One,
    Two,
    Four,
}

/// The character width of a universal string tag; `None` for types that are not strings.
pub fn char_width(tag_number: u8) -> Option<CharWidth> {
    match tag_number {
        12 => Some(CharWidth::Utf8),
        18 | 19 | 20 | 22 | 23 | 24 | 26 => Some(CharWidth::One),
        28 => Some(CharWidth::Four),
        30 => Some(CharWidth::Two),
        _ => None,
    }
}

/// Reads a `Name` (SEQUENCE OF SET OF AttributeTypeAndValue); `None` when it is not one.
pub fn attributes(der: &[u8]) -> Option<Vec<Attribute>> {
    let (tag, mut rdns, rest) = read_tlv(der)?;
    if tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    let mut set = 0;
    while !rdns.is_empty() {
        let (tag, mut members, rest) = read_tlv(rdns)?;
        if tag != 0x31 {
            return None;
        }
        rdns = rest;
        while !members.is_empty() {
            let (tag, pair, rest) = read_tlv(members)?;
            if tag != 0x30 {
                return None;
            }
            members = rest;
            let (oid_tag, oid, after_oid) = read_tlv(pair)?;
            let (value_tag, value, end) = read_tlv(after_oid)?;
            if oid_tag != 0x06 || !end.is_empty() {
                return None;
            }
            out.push(Attribute { set, oid: oid.to_vec(), tag: value_tag, value: value.to_vec() });
        }
        set += 1;
    }
    Some(out)
}

/// One tag-length-value: (identifier, content, what follows). Single-byte tags only, which
/// is all a name uses.
fn read_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > std::mem::size_of::<usize>() || rest.len() < count {
            return None;
        }
        let (bytes, after) = rest.split_at(count);
        rest = after;
        bytes.iter().fold(0usize, |len, &b| (len << 8) | usize::from(b))
    };
    if rest.len() < len {
        return None;
    }
    let (content, after) = rest.split_at(len);
    Some((tag, content, after))
}

fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|&b| b == 0).collect();
    out.push(0x80 | bytes.len() as u8);
    out.extend(bytes);
}

/// An OID's content octets in dotted form (`OBJ_obj2txt` with numbers only).
pub fn oid_text(oid: &[u8]) -> String {
    let mut arcs: Vec<u128> = Vec::new();
    let mut value: u128 = 0;
    for &byte in oid {
        value = (value << 7) | u128::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            arcs.push(value);
            value = 0;
        }
    }
    let mut parts = Vec::with_capacity(arcs.len() + 1);
    if let Some(&first) = arcs.first() {
        let (a, b) = match first {
            0..=39 => (0, first),
            40..=79 => (1, first - 40),
            _ => (2, first - 80),
        };
        parts.push(a.to_string());
        parts.push(b.to_string());
    }
    parts.extend(arcs.iter().skip(1).map(u128::to_string));
    parts.join(".")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        push_length(&mut out, content.len());
        out.extend_from_slice(content);
        out
    }

    /// `C=US` then one RDN holding `O=` and `CN=` (multi-valued), as DER.
    pub(crate) fn multi_valued_name() -> Vec<u8> {
        let attribute =
            |oid: u8, tag: u8, value: &[u8]| tlv(0x30, &[tlv(0x06, &[0x55, 0x04, oid]), tlv(tag, value)].concat());
        let first = tlv(0x31, &attribute(0x06, 0x13, b"US"));
        let second = tlv(0x31, &[attribute(0x0a, 0x0c, b"Org"), attribute(0x03, 0x0c, b"Name")].concat());
        tlv(0x30, &[first, second].concat())
    }

    #[test]
    fn reads_attributes_and_multi_valued_rdns() {
        let der = multi_valued_name();
        openssl::x509::X509Name::from_der(&der).expect("OpenSSL reads it too");
        let attributes = attributes(&der).expect("parsed");
        assert_eq!(attributes.len(), 3);
        assert_eq!((attributes[0].set, attributes[1].set, attributes[2].set), (0, 1, 1));
        assert_eq!(attributes[0].field_name(), "C");
        assert_eq!(attributes[2].value_text(), "Name");
        assert_eq!(attributes[2].oid_text(), "2.5.4.3");
        assert_eq!(attributes[0].value_der(), vec![0x13, 0x02, b'U', b'S']);
        let long = tlv(0x0c, &[b'a'; 300]);
        assert_eq!(&long[..4], &[0x0c, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn oids_print_dotted_and_garbage_is_refused() {
        assert_eq!(oid_text(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01]), "1.2.840.113549.1.9.1");
        assert_eq!(attributes(&[0x30, 0x05, 0x31]), None);
        assert_eq!(attributes(&[]), None);
    }
}
