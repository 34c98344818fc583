//! Name constraints (RFC 5280 §4.2.1.10): DNS names, IP addresses, directory names and
//! email addresses. A constraint of a type this module does not evaluate refuses any name
//! of that type on the path (refusing is safe; accepting unchecked is not).

use x509_parser::extensions::{GeneralName, NameConstraints};
use x509_parser::x509::X509Name;

/// A name a certificate carries (subject DN or a SAN entry), in comparable form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Name {
    Dns(String),
    Ip(Vec<u8>),
    Dn(Vec<Rdn>),
    Email(String),
    /// A type whose constraints are not evaluated (otherName, URI, …), with its tag.
    Other(&'static str),
}

/// One subtree of a constraint, or `Invalid` when the constraint itself is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Subtree {
    Dns(String),
    Ip { addr: Vec<u8>, mask: Vec<u8> },
    Dn(Vec<Rdn>),
    Email(String),
    Other(&'static str),
    Invalid(String),
}

/// One relative distinguished name after string preparation: its attributes sorted, so
/// that a multi-valued RDN (a SET) compares as a set whatever the order of its encoding.
pub(crate) type Rdn = Vec<Attribute>;

/// One attribute of a directory name, prepared for comparison (RFC 5280 §7.1).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Attribute {
    /// The attribute type, dotted.
    kind: String,
    value: Value,
}

/// An attribute value: the prepared text of a string type this module reads, or the
/// tag and content of anything else (compared byte for byte).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    Text(String),
    Raw(u32, Vec<u8>),
}

impl std::fmt::Debug for Attribute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            Value::Text(t) => write!(f, "{}={t:?}", self.kind),
            Value::Raw(tag, bytes) => write!(f, "{}=[tag {tag}, {} bytes]", self.kind, bytes.len()),
        }
    }
}

/// The RDNs of a name after string preparation ([`prepare`]), for equality and prefix
/// comparison. The work is linear in the name's size.
pub(crate) fn rdns(name: &X509Name<'_>) -> Vec<Rdn> {
    name.iter()
        .map(|rdn| {
            let mut attributes: Rdn = rdn
                .iter()
                .map(|atv| Attribute {
                    kind: atv.attr_type().to_id_string(),
                    value: value_of(atv.attr_value().tag().0, atv.attr_value().data),
                })
                .collect();
            attributes.sort();
            attributes
        })
        .collect()
}

/// Decodes the string types a directory name uses into text (RFC 4518 §2.1, transcode):
/// PrintableString, IA5String, VisibleString, NumericString and UTF8String as UTF-8,
/// TeletexString as Latin-1 (as OpenSSL reads it), BMPString as UCS-2 (UTF-16BE),
/// UniversalString as UCS-4; then [`prepare`]s it. Other types, and undecodable strings,
/// stay raw.
fn value_of(tag: u32, data: &[u8]) -> Value {
    let text: Option<String> = match tag {
        0x0c | 0x12 | 0x13 | 0x16 | 0x1a => std::str::from_utf8(data).ok().map(str::to_owned),
        0x14 => Some(data.iter().map(|&b| char::from(b)).collect()),
        0x1e if data.len().is_multiple_of(2) => {
            char::decode_utf16(data.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])))
                .collect::<Result<String, _>>()
                .ok()
        }
        0x1c if data.len().is_multiple_of(4) => data
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        _ => None,
    };
    match text {
        Some(text) => Value::Text(prepare(&text)),
        None => Value::Raw(tag, data.to_vec()),
    }
}

/// RFC 4518 string preparation for caseIgnoreMatch: map (controls and zero-width
/// characters to nothing, every space character to SPACE), case fold (Unicode lowercase,
/// with ß as ss and final sigma as sigma), normalize (NFKC, before and after folding), and
/// insignificant space handling (no leading or trailing space, internal runs as one).
/// The prohibit step is not applied: a prohibited character stays and simply differs.
pub(crate) fn prepare(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mapped: String = text
        .chars()
        .filter(|&c| !mapped_to_nothing(c))
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let folded: String = mapped.nfkc().flat_map(fold).collect();
    let normal: String = folded.nfkc().collect();
    let mut out = String::with_capacity(normal.len());
    for word in normal.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Case folding of one character: its lowercase, with the full foldings that
/// lowercasing misses for the scripts a name here uses.
fn fold(c: char) -> impl Iterator<Item = char> {
    let special: Option<&'static str> = match c {
        'ß' | 'ẞ' => Some("ss"),
        'ς' => Some("σ"),
        _ => None,
    };
    let (a, b) = match special {
        Some(s) => (Some(s.chars()), None),
        None => (None, Some(c.to_lowercase())),
    };
    a.into_iter().flatten().chain(b.into_iter().flatten())
}

/// RFC 4518 §2.2: code points mapped to nothing (soft hyphens, joiners, variation
/// selectors, zero-width space, and control and format characters).
fn mapped_to_nothing(c: char) -> bool {
    let u = c as u32;
    matches!(
        u,
        0x00AD | 0x1806 | 0x034F | 0x180B..=0x180D | 0xFE00..=0xFE0F | 0xFFFC | 0x200B
            | 0x0000..=0x0008 | 0x000E..=0x001F | 0x007F..=0x0084 | 0x0086..=0x009F
            | 0x06DD | 0x070F | 0x180E | 0x200C..=0x200F | 0x202A..=0x202E | 0x2060..=0x2063
            | 0x206A..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0x1D173..=0x1D17A | 0xE0001
            | 0xE0020..=0xE007F
    )
}

/// Whether two distinguished names are the same name under RFC 5280 §7.1: equal RDN by
/// RDN after string preparation. Byte-equal names are the same without preparing; other
/// names are prepared once per thread and remembered (a bounded memo), so a path search
/// that compares every candidate against the same issuer costs a lookup per comparison.
/// Used for issuer/subject chaining and self-issued tests (and meant for CRL issuer
/// matching).
pub(crate) fn same_name(a: &X509Name<'_>, b: &X509Name<'_>) -> bool {
    let (ra, rb) = (a.as_raw(), b.as_raw());
    if ra == rb {
        return true;
    }
    // Cheap structural test first: the same number of RDNs, of the same sizes.
    if a.iter().count() != b.iter().count()
        || a.iter()
            .zip(b.iter())
            .any(|(x, y)| x.iter().count() != y.iter().count())
    {
        return false;
    }
    prepared(a) == prepared(b)
}

/// Names prepared by [`same_name`], by DER; emptied when it holds more than this many
/// bytes of names (a bound on memory whatever the input).
const MEMO_BYTES: usize = 8 << 20;

/// Bytes held, and prepared names by DER.
type Memo = (usize, std::collections::HashMap<Vec<u8>, std::rc::Rc<Vec<Rdn>>>);

thread_local! {
    static MEMO: std::cell::RefCell<Memo> =
        std::cell::RefCell::new((0, std::collections::HashMap::new()));
}

fn prepared(name: &X509Name<'_>) -> std::rc::Rc<Vec<Rdn>> {
    let raw = name.as_raw();
    if let Some(hit) = MEMO.with(|m| m.borrow().1.get(raw).cloned()) {
        return hit;
    }
    let value = std::rc::Rc::new(rdns(name));
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.0 + raw.len() > MEMO_BYTES {
            m.1.clear();
            m.0 = 0;
        }
        m.0 += raw.len();
        m.1.insert(raw.to_vec(), value.clone());
    });
    value
}

fn kind_of(general: &GeneralName<'_>) -> &'static str {
    match general {
        GeneralName::OtherName(..) => "otherName",
        GeneralName::RFC822Name(_) => "rfc822Name",
        GeneralName::DNSName(_) => "dNSName",
        GeneralName::X400Address(_) => "x400Address",
        GeneralName::DirectoryName(_) => "directoryName",
        GeneralName::EDIPartyName(_) => "ediPartyName",
        GeneralName::URI(_) => "uniformResourceIdentifier",
        GeneralName::IPAddress(_) => "iPAddress",
        GeneralName::RegisteredID(_) => "registeredID",
        GeneralName::Invalid(..) => "invalid",
    }
}

/// A SAN entry as a [`Name`]; `Err` when it is malformed (e.g. an IP of 5 bytes).
pub(crate) fn san_name(general: &GeneralName<'_>) -> Result<Name, String> {
    Ok(match general {
        GeneralName::DNSName(s) => {
            if !valid_dns_name(s, false) {
                return Err(format!("malformed dNSName {s:?}"));
            }
            Name::Dns(s.to_ascii_lowercase())
        }
        GeneralName::IPAddress(bytes) => {
            if bytes.len() != 4 && bytes.len() != 16 {
                return Err("iPAddress of neither 4 nor 16 bytes".into());
            }
            Name::Ip(bytes.to_vec())
        }
        GeneralName::DirectoryName(name) => Name::Dn(rdns(name)),
        GeneralName::RFC822Name(s) => {
            if !valid_email(s) {
                return Err(format!("malformed rfc822Name {s:?}"));
            }
            Name::Email(s.to_string())
        }
        GeneralName::Invalid(..) => return Err("undecodable GeneralName".into()),
        other => Name::Other(kind_of(other)),
    })
}

/// An emailAddress attribute of a subject DN as a [`Name`].
pub(crate) fn email_name(address: &str) -> Result<Name, String> {
    if valid_email(address) {
        Ok(Name::Email(address.to_string()))
    } else {
        Err(format!("malformed emailAddress {address:?}"))
    }
}

/// LDH labels separated by dots; `allow_wildcard` admits a leading `*.` label.
pub(crate) fn valid_dns_name(name: &str, allow_wildcard: bool) -> bool {
    let name = match name.strip_prefix("*.") {
        Some(rest) if allow_wildcard => rest,
        _ => name,
    };
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        && !name
            .split('.')
            .next_back()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
}

/// `local@host` with one `@`: a local part with another `@` would need quoting, which
/// certificate names do not use.
fn valid_email(address: &str) -> bool {
    match address.split_once('@') {
        Some((local, host)) => {
            !local.is_empty()
                && !local.contains(char::is_whitespace)
                && !host.contains('@')
                && valid_dns_name(host, false)
        }
        None => false,
    }
}

fn subtree(general: &GeneralName<'_>) -> Subtree {
    match general {
        GeneralName::DNSName(s) => {
            // RFC 5280: a dNSName constraint is a DNS name; no wildcard, no leading period.
            if s.is_empty() || valid_dns_name(s, false) {
                Subtree::Dns(s.to_ascii_lowercase())
            } else {
                Subtree::Invalid(format!("dNSName constraint {s:?}"))
            }
        }
        GeneralName::IPAddress(bytes) => match bytes.len() {
            8 | 32 => {
                let (addr, mask) = bytes.split_at(bytes.len() / 2);
                // The mask must be contiguous ones then zeros.
                let bits: Vec<bool> = mask
                    .iter()
                    .flat_map(|b| (0..8).rev().map(move |i| b >> i & 1 == 1))
                    .collect();
                if bits.windows(2).any(|w| !w[0] && w[1]) {
                    Subtree::Invalid("non-contiguous iPAddress mask".into())
                } else {
                    Subtree::Ip {
                        addr: addr.to_vec(),
                        mask: mask.to_vec(),
                    }
                }
            }
            _ => Subtree::Invalid("iPAddress constraint of neither 8 nor 32 bytes".into()),
        },
        GeneralName::DirectoryName(name) => Subtree::Dn(rdns(name)),
        GeneralName::RFC822Name(s) => {
            let host = s.rsplit_once('@').map_or(*s, |(_, h)| h);
            let host = host.strip_prefix('.').unwrap_or(host);
            if valid_dns_name(host, false) {
                Subtree::Email(s.to_string())
            } else {
                Subtree::Invalid(format!("rfc822Name constraint {s:?}"))
            }
        }
        other => Subtree::Other(kind_of(other)),
    }
}

fn same_kind(name: &Name, tree: &Subtree) -> bool {
    matches!(
        (name, tree),
        (Name::Dns(_), Subtree::Dns(_))
            | (Name::Ip(_), Subtree::Ip { .. })
            | (Name::Dn(_), Subtree::Dn(_))
            | (Name::Email(_), Subtree::Email(_))
    ) || matches!((name, tree), (Name::Other(a), Subtree::Other(b)) if a == b)
}

fn matches(name: &Name, tree: &Subtree) -> bool {
    match (name, tree) {
        (Name::Dns(n), Subtree::Dns(c)) => c.is_empty() || n == c || n.ends_with(&format!(".{c}")),
        (Name::Ip(n), Subtree::Ip { addr, mask }) => {
            n.len() == addr.len() && n.iter().zip(addr).zip(mask).all(|((n, a), m)| n & m == a & m)
        }
        (Name::Dn(n), Subtree::Dn(c)) => n.len() >= c.len() && n[..c.len()] == c[..],
        (Name::Email(n), Subtree::Email(c)) => {
            let (local, host) = n.rsplit_once('@').unwrap_or(("", n));
            if c.contains('@') {
                // A mailbox: the local part exactly (an asterisk is a literal), the host
                // case-insensitively.
                let (c_local, c_host) = c.rsplit_once('@').unwrap_or(("", c));
                local == c_local && host.eq_ignore_ascii_case(c_host)
            } else if let Some(domain) = c.strip_prefix('.') {
                host.to_ascii_lowercase()
                    .ends_with(&format!(".{}", domain.to_ascii_lowercase()))
            } else {
                host.eq_ignore_ascii_case(c)
            }
        }
        // Types not evaluated: a constraint of that type always "matches", so a permitted
        // list of it admits nothing else of the type and an excluded one refuses it.
        (Name::Other(a), Subtree::Other(b)) => a == b,
        _ => false,
    }
}

/// Checks `names` against one certificate's name constraints, spending `budget`
/// comparisons: a certificate with thousands of names under thousands of constraints is
/// refused rather than checked in quadratic time.
pub(crate) fn check(constraints: &NameConstraints<'_>, names: &[Name], budget: &mut usize) -> Result<(), String> {
    let permitted: Vec<Subtree> = constraints
        .permitted_subtrees
        .iter()
        .flatten()
        .map(|s| subtree(&s.base))
        .collect();
    let excluded: Vec<Subtree> = constraints
        .excluded_subtrees
        .iter()
        .flatten()
        .map(|s| subtree(&s.base))
        .collect();
    // A directory name costs one comparison per RDN.
    let weight: usize = names
        .iter()
        .map(|n| if let Name::Dn(r) = n { r.len().max(1) } else { 1 })
        .sum();
    let cost = weight.saturating_mul(permitted.len() + excluded.len());
    if cost > *budget {
        return Err("too many name-constraint comparisons (name constraint budget exhausted)".into());
    }
    *budget -= cost;
    for tree in permitted.iter().chain(&excluded) {
        if let Subtree::Invalid(why) = tree {
            return Err(format!("malformed name constraint: {why}"));
        }
    }
    for name in names {
        if let Name::Other(kind) = name {
            if permitted
                .iter()
                .chain(&excluded)
                .any(|t| matches!(t, Subtree::Other(k) if k == kind))
            {
                return Err(format!(
                    "a {kind} constraint applies to a {kind} name, which is not evaluated"
                ));
            }
            continue;
        }
        if excluded.iter().any(|t| matches(name, t)) {
            return Err(format!("{name:?} is in an excluded subtree"));
        }
        let of_kind: Vec<&Subtree> = permitted.iter().filter(|t| same_kind(name, t)).collect();
        if !of_kind.is_empty() && !of_kind.iter().any(|t| matches(name, t)) {
            return Err(format!("{name:?} is outside the permitted subtrees"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::prepare;

    #[test]
    fn string_preparation_folds_case_spaces_and_compatibility_forms() {
        assert_eq!(prepare("  Evil   Corp "), "evil corp");
        assert_eq!(prepare("EVIL\u{a0}\u{3000}CORP"), "evil corp");
        assert_eq!(prepare("\u{ff25}vil Corp\u{200b}"), "evil corp");
        assert_eq!(prepare("Straße"), prepare("STRASSE"));
        // Vietnamese: composed and decomposed forms, and Đ/đ, are one name.
        assert_eq!(
            prepare("NGUYỄN VĂN ĐỨC"),
            prepare("Nguye\u{302}\u{303}n Va\u{306}n đức")
        );
        assert_ne!(prepare("Evil Corp"), prepare("EvilCorp"));
        assert_ne!(prepare("Nguyễn"), prepare("Nguyên"));
    }
}
