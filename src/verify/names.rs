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
    Dn(Vec<Vec<u8>>),
    Email(String),
    /// A type whose constraints are not evaluated (otherName, URI, …), with its tag.
    Other(&'static str),
}

/// One subtree of a constraint, or `Invalid` when the constraint itself is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Subtree {
    Dns(String),
    Ip { addr: Vec<u8>, mask: Vec<u8> },
    Dn(Vec<Vec<u8>>),
    Email(String),
    Other(&'static str),
    Invalid(String),
}

/// The RDNs of a name, each as its DER bytes, for prefix comparison.
pub(crate) fn rdns(name: &X509Name<'_>) -> Vec<Vec<u8>> {
    name.iter()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| atv.as_slice().to_vec())
                .collect::<Vec<_>>()
                .concat()
        })
        .collect()
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
