//! CRL scope and CRL rules (issue 17, class 1; RFC 5280 §5.2, §5.3, §6.3.3): a generator
//! per rule, built with `openssl ca -gencrl` (and, where openssl cannot make the CRL, a DER
//! edit re-signed with `openssl dgst` under the root's key), OpenSSL's verdict
//! (`openssl verify -crl_check`) recorded beside ours, and a control made correctly.

mod common;

use common::der::{self, Node};
use common::pki::{openssl, Pki};
use results_vault::verify::path::{validate, PathError, PathOptions, Revocation};
use time::{Duration, OffsetDateTime};

/// CRL extension sections added to the test CA's configuration.
const CRL_SECTIONS: &str = "
[ crl_part_a ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_a
[ idp_a ]
fullname = URI:http://crl.example.vn/a.crl
[ crl_part_a_upper ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_a_upper
[ idp_a_upper ]
fullname = URI:HTTP://CRL.EXAMPLE.VN/a.crl
[ crl_part_b ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_b
[ idp_b ]
fullname = URI:http://crl.example.vn/b.crl
[ crl_rel_a ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_rel_a
[ idp_rel_a ]
relativename = rel_a
[ crl_rel_b ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_rel_b
[ idp_rel_b ]
relativename = rel_b
[ rel_a ]
CN = Partition A
[ rel_b ]
CN = Partition B
[ crl_attr ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_attr
[ idp_attr ]
onlyAA = TRUE
[ crl_indirect ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_indirect
[ idp_indirect ]
indirectCRL = TRUE
[ crl_delta ]
authorityKeyIdentifier = keyid
deltaCRL = critical, DER:02:01:01
";

/// The signer extensions of the test PKI, plus `extra`.
fn signer_ext(extra: &str) -> String {
    format!(
        "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, nonRepudiation\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n{extra}"
    )
}

const DP_A: &str = "crlDistributionPoints = URI:http://crl.example.vn/a.crl";
const DP_B: &str = "crlDistributionPoints = URI:http://crl.example.vn/b.crl";
const DP_REL_A: &str = "crlDistributionPoints = dps\n[ dps ]\nrelativename = rel\n[ rel ]\nCN = Partition A";

fn pki() -> Pki {
    let p = Pki::new();
    let conf = p.path("ca.cnf");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text.push_str(CRL_SECTIONS);
    std::fs::write(conf, text).unwrap();
    p
}

/// `openssl ca -gencrl` with extension section `section` and `extra` options; the PEM is
/// `{name}.crl`, the DER is returned.
fn gencrl(p: &Pki, name: &str, section: &str, extra: &[&str]) -> Vec<u8> {
    let file = format!("{name}.crl");
    let mut args = vec![
        "ca", "-batch", "-config", "ca.cnf", "-cert", "root.pem", "-keyfile", "root.key", "-gencrl", "-out", &file,
        "-crlexts", section,
    ];
    if !extra.contains(&"-crl_lastupdate") {
        args.extend(p.crl_dates());
    }
    args.extend(extra);
    assert!(openssl(p.dir.path(), &args), "gencrl {name}");
    p.der("crl", &file)
}

/// Revokes certificate `pem` in the CA's index (revocation date: now).
fn revoke(p: &Pki, pem: &str) {
    assert!(openssl(
        p.dir.path(),
        &["ca", "-batch", "-config", "ca.cnf", "-cert", "root.pem", "-keyfile", "root.key", "-revoke", pem]
    ));
}

/// Writes DER CRL `der` as PEM `{name}.crl`, for OpenSSL.
fn save(p: &Pki, name: &str, der: &[u8]) {
    std::fs::write(p.path(&format!("{name}.der")), der).unwrap();
    let (input, output) = (format!("{name}.der"), format!("{name}.crl"));
    assert!(openssl(
        p.dir.path(),
        &["crl", "-inform", "DER", "-in", &input, "-out", &output]
    ));
}

/// OpenSSL's verdict on certificate `pem` with the CRL files `crls` (`-crl_check`).
fn openssl_accepts(p: &Pki, pem: &str, crls: &[&str], extra: &[&str]) -> bool {
    let mut args = vec!["verify", "-CAfile", "root.pem", "-crl_check"];
    let files: Vec<String> = crls.iter().map(|c| format!("{c}.crl")).collect();
    for f in &files {
        args.extend(["-CRLfile", f.as_str()]);
    }
    args.extend(extra);
    args.push(pem);
    let out = std::process::Command::new("openssl")
        .current_dir(p.dir.path())
        .args(&args)
        .output()
        .unwrap();
    out.status.success()
}

fn soon() -> OffsetDateTime {
    OffsetDateTime::now_utc() + Duration::minutes(1)
}

/// Our answer for `leaf` at `at`, the caller's present being `present`.
fn ours(
    p: &Pki,
    leaf: &[u8],
    crls: &[Vec<u8>],
    at: OffsetDateTime,
    present: Option<OffsetDateTime>,
) -> Result<Revocation, PathError> {
    let options = PathOptions {
        validation_time: present,
        ..PathOptions::default()
    };
    validate(leaf, &[], std::slice::from_ref(&p.root), crls, at, &options).map(|v| v.revocation[0])
}

fn good(r: &Result<Revocation, PathError>) -> bool {
    matches!(r, Ok(Revocation::Good { .. }))
}

fn unknown(r: &Result<Revocation, PathError>) -> bool {
    matches!(r, Ok(Revocation::Unknown))
}

fn revoked(r: &Result<Revocation, PathError>) -> bool {
    matches!(r, Err(PathError::Revoked { .. }))
}

/// Re-signs the tbsCertList of `crl` with the root's key (ECDSA P-256, SHA-256).
fn resign(p: &Pki, crl: &mut Node) {
    let tbs = crl.children()[0].encode();
    std::fs::write(p.path("tbs.der"), &tbs).unwrap();
    assert!(openssl(
        p.dir.path(),
        &["dgst", "-sha256", "-sign", "root.key", "-out", "tbs.sig", "tbs.der"]
    ));
    let mut bits = vec![0u8];
    bits.extend(std::fs::read(p.path("tbs.sig")).unwrap());
    crl.children_mut()[2] = Node::Prim(0x03, bits);
}

/// The DER content octets of an OID.
fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut out = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &arc in &arcs[2..] {
        let mut bytes = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            bytes.push(0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        bytes.reverse();
        out.extend(bytes);
    }
    out
}

fn extension(arcs: &[u64], critical: bool, value: Vec<u8>) -> Node {
    let mut parts = vec![Node::Prim(0x06, oid(arcs))];
    if critical {
        parts.push(Node::Prim(0x01, vec![0xff]));
    }
    parts.push(Node::Prim(0x04, value));
    Node::Cons(0x30, parts)
}

const UNKNOWN_EXT: &[u64] = &[1, 3, 6, 1, 4, 1, 99999, 1];

/// Index of the first child of the tbsCertList with tag `tag` after thisUpdate.
fn find(tbs: &Node, tag: u8) -> Option<usize> {
    tbs.children()
        .iter()
        .skip(4)
        .position(|n| n.tag() == tag)
        .map(|i| i + 4)
}

#[test]
fn a_partition_crl_covers_only_the_certificates_that_point_to_it() {
    let p = pki();
    let pa = p.issue_with_extensions("pa", &signer_ext(DP_A));
    let pb = p.issue_with_extensions("pb", &signer_ext(DP_B));
    let rel = p.issue_with_extensions("rel", &signer_ext(DP_REL_A));
    let crl_a = gencrl(&p, "a", "crl_part_a", &[]);
    let crl_a_upper = gencrl(&p, "a_upper", "crl_part_a_upper", &[]);
    let crl_rel_a = gencrl(&p, "rel_a", "crl_rel_a", &[]);
    let crl_rel_b = gencrl(&p, "rel_b", "crl_rel_b", &[]);
    revoke(&p, "pb.pem");
    let crl_b = gencrl(&p, "b", "crl_part_b", &[]);
    let at = soon();
    // (what, certificate, its PEM, CRLs, our expected answer)
    type Expect = fn(&Result<Revocation, PathError>) -> bool;
    type Case<'c> = (&'c str, &'c Vec<u8>, &'c str, Vec<(&'c str, &'c Vec<u8>)>, Expect);
    let cases: Vec<Case<'_>> = vec![
        // The issue's example: revoked in partition B, shown partition A's CRL.
        ("signer of B, CRL of A", &pb, "pb.pem", vec![("a", &crl_a)], unknown),
        ("signer of B, CRL of B", &pb, "pb.pem", vec![("b", &crl_b)], revoked),
        (
            "signer of B, CRLs of A and B",
            &pb,
            "pb.pem",
            vec![("a", &crl_a), ("b", &crl_b)],
            revoked,
        ),
        (
            "control: signer of A, CRL of A",
            &pa,
            "pa.pem",
            vec![("a", &crl_a)],
            good,
        ),
        // RFC 5280 §7.4: scheme and host compare case-insensitively (OpenSSL: bytes).
        (
            "control: CRL of A, host in capitals",
            &pa,
            "pa.pem",
            vec![("a_upper", &crl_a_upper)],
            good,
        ),
        ("signer of A, CRL of B", &pa, "pa.pem", vec![("b", &crl_b)], unknown),
        // No distribution point: no partition covers it.
        (
            "signer without CRLDP, CRL of A",
            &p.signer,
            "signer.pem",
            vec![("a", &crl_a)],
            unknown,
        ),
        // nameRelativeToCRLIssuer, resolved against the CRL issuer's name.
        (
            "control: relative name A, CRL of A",
            &rel,
            "rel.pem",
            vec![("rel_a", &crl_rel_a)],
            good,
        ),
        (
            "relative name A, CRL of B",
            &rel,
            "rel.pem",
            vec![("rel_b", &crl_rel_b)],
            unknown,
        ),
        (
            "relative name A, CRL of full name A",
            &rel,
            "rel.pem",
            vec![("a", &crl_a)],
            unknown,
        ),
    ];
    for (what, leaf, pem, crls, expected) in cases {
        let ders: Vec<Vec<u8>> = crls.iter().map(|(_, d)| (*d).clone()).collect();
        let names: Vec<&str> = crls.iter().map(|(n, _)| *n).collect();
        let r = ours(&p, leaf, &ders, at, None);
        let theirs = openssl_accepts(&p, pem, &names, &[]);
        eprintln!("{what}: ours {r:?}; OpenSSL accepts: {theirs}");
        assert!(expected(&r), "{what}: {r:?}");
        if !what.starts_with("control") {
            assert!(!theirs || !good(&r), "{what}: neither may accept");
        }
    }
}

#[test]
fn a_crl_for_attribute_certificates_or_an_indirect_crl_is_not_used() {
    let p = pki();
    let at = soon();
    let attr = gencrl(&p, "attr", "crl_attr", &[]);
    let indirect = gencrl(&p, "indirect", "crl_indirect", &[]);
    let control = gencrl(&p, "control", "crl_ext", &[]);
    for (what, crl) in [("onlyContainsAttributeCerts", &attr), ("indirectCRL", &indirect)] {
        let r = ours(&p, &p.signer, std::slice::from_ref(crl), at, None);
        let name = if what == "indirectCRL" { "indirect" } else { "attr" };
        eprintln!(
            "{what}: ours {r:?}; OpenSSL accepts: {}",
            openssl_accepts(&p, "signer.pem", &[name], &[])
        );
        assert!(unknown(&r), "{what}: {r:?}");
    }
    assert!(good(&ours(&p, &p.signer, &[control], at, None)));
}

/// A CRL listing a bystander (revoked for key compromise, with an invalidity date, and one
/// on hold), edited by `edit` and re-signed.
fn bystander_crl(p: &Pki, name: &str, edit: impl FnOnce(&mut Node)) -> Vec<u8> {
    p.issue("bystander", "rsa:2048");
    p.issue("held", "rsa:2048");
    assert!(openssl(
        p.dir.path(),
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-cert",
            "root.pem",
            "-keyfile",
            "root.key",
            "-revoke",
            "bystander.pem",
            "-crl_compromise",
            "20260101000000Z",
        ]
    ));
    assert!(openssl(
        p.dir.path(),
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-cert",
            "root.pem",
            "-keyfile",
            "root.key",
            "-revoke",
            "held.pem",
            "-crl_hold",
            "holdInstructionReject",
        ]
    ));
    let base = gencrl(p, name, "crl_ext", &[]);
    let (mut crl, _) = der::parse(&base);
    edit(&mut crl.children_mut()[0]);
    resign(p, &mut crl);
    let out = crl.encode();
    save(p, name, &out);
    out
}

/// Adds `ext` to the first revoked entry of a tbsCertList.
fn add_entry_extension(tbs: &mut Node, ext: Node) {
    let list = find(tbs, 0x30).expect("a revoked list");
    let entry = &mut tbs.children_mut()[list].children_mut()[0];
    match entry.children_mut().get_mut(2) {
        Some(exts) => exts.children_mut().push(ext),
        None => entry.children_mut().push(Node::Cons(0x30, vec![ext])),
    }
}

#[test]
fn crl_entry_extensions_are_read() {
    let p = pki();
    let at = soon();
    // Known entry extensions (reasonCode, invalidityDate, holdInstructionCode): usable.
    let known = bystander_crl(&p, "known", |_| {});
    let r = ours(&p, &p.signer, std::slice::from_ref(&known), at, None);
    assert!(good(&r), "control: known entry extensions: {r:?}");
    assert!(openssl_accepts(&p, "signer.pem", &["known"], &[]));
    for (what, critical, expected) in [
        ("unknown critical entry extension", true, unknown as fn(&_) -> bool),
        ("control: unknown non-critical entry extension", false, good),
    ] {
        let crl = bystander_crl(&p, "entry", |tbs| {
            add_entry_extension(tbs, extension(UNKNOWN_EXT, critical, vec![0x05, 0x00]))
        });
        let r = ours(&p, &p.signer, &[crl], at, None);
        let theirs = openssl_accepts(&p, "signer.pem", &["entry"], &[]);
        eprintln!("{what}: ours {r:?}; OpenSSL accepts: {theirs}");
        assert!(expected(&r), "{what}: {r:?}");
        assert_eq!(theirs, !critical, "{what}: OpenSSL");
    }
    // certificateIssuer: an indirect CRL's entry, not honoured: the CRL is refused.
    let crl = bystander_crl(&p, "cert_issuer", |tbs| {
        let issuer = tbs.children()[2].clone();
        let names = Node::Cons(0x30, vec![Node::Cons(0xa4, vec![issuer])]).encode();
        add_entry_extension(tbs, extension(&[2, 5, 29, 29], true, names))
    });
    let r = ours(&p, &p.signer, &[crl], at, None);
    let theirs = openssl_accepts(&p, "signer.pem", &["cert_issuer"], &[]);
    eprintln!("certificateIssuer entry: ours {r:?}; OpenSSL accepts: {theirs}");
    assert!(unknown(&r), "certificateIssuer: {r:?}");
}

#[test]
fn an_unknown_critical_crl_extension_makes_the_crl_unusable() {
    let p = pki();
    let at = soon();
    for (what, critical, expected) in [
        ("unknown critical CRL extension", true, unknown as fn(&_) -> bool),
        ("control: unknown non-critical CRL extension", false, good),
    ] {
        let crl = bystander_crl(&p, "crlext", |tbs| {
            let exts = find(tbs, 0xa0).expect("crlExtensions");
            tbs.children_mut()[exts].children_mut()[0]
                .children_mut()
                .push(extension(UNKNOWN_EXT, critical, vec![0x05, 0x00]))
        });
        let r = ours(&p, &p.signer, &[crl], at, None);
        let theirs = openssl_accepts(&p, "signer.pem", &["crlext"], &[]);
        eprintln!("{what}: ours {r:?}; OpenSSL accepts: {theirs}");
        assert!(expected(&r), "{what}: {r:?}");
        assert_eq!(theirs, !critical, "{what}: OpenSSL");
    }
}

/// `YYYYMMDDHHMMSSZ` for openssl's date options.
fn stamp(t: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[test]
fn a_crl_issued_after_the_present_is_not_yet_valid() {
    let p = pki();
    let at = soon();
    let future = at + Duration::hours(2);
    let (last, next) = (stamp(future), stamp(future + Duration::days(30)));
    let crl = gencrl(
        &p,
        "future",
        "crl_ext",
        &["-crl_lastupdate", &last, "-crl_nextupdate", &next],
    );
    let theirs = openssl_accepts(&p, "signer.pem", &["future"], &[]);
    // Validated now, with a CRL dated two hours ahead: not yet valid.
    let r = ours(&p, &p.signer, std::slice::from_ref(&crl), at, Some(at));
    eprintln!("CRL from the future: ours {r:?}; OpenSSL accepts: {theirs}");
    assert!(unknown(&r), "{r:?}");
    assert!(!theirs, "OpenSSL: CRL is not yet valid");
    // Control: the same CRL is good evidence for a proof of existence before it, when the
    // present is after it (past-signature validation).
    let r = ours(
        &p,
        &p.signer,
        std::slice::from_ref(&crl),
        at,
        Some(future + Duration::hours(1)),
    );
    assert!(good(&r), "control: {r:?}");
    // What a CRL from the future lists is still a revocation.
    revoke(&p, "signer.pem");
    let listed = gencrl(
        &p,
        "future_revoked",
        "crl_ext",
        &["-crl_lastupdate", &last, "-crl_nextupdate", &next],
    );
    let r = ours(&p, &p.signer, &[listed], future + Duration::minutes(30), Some(at));
    assert!(revoked(&r), "{r:?}");
}

#[test]
fn a_revocation_dated_after_its_crl_is_a_revocation() {
    let p = pki();
    let at = soon();
    let control = gencrl(&p, "before", "crl_ext", &[]);
    assert!(good(&ours(&p, &p.signer, &[control], at, Some(at))));
    assert!(openssl_accepts(&p, "signer.pem", &["before"], &[]));
    let next_year = OffsetDateTime::now_utc() + Duration::days(300);
    let date = stamp(next_year);
    p.revoke_dated("signer.pem", &date[2..]);
    let crl = gencrl(&p, "ahead", "crl_ext", &[]);
    let r = ours(&p, &p.signer, &[crl], at, Some(at));
    let theirs = openssl_accepts(&p, "signer.pem", &["ahead"], &[]);
    eprintln!("revocation dated next year: ours {r:?}; OpenSSL accepts: {theirs}");
    assert!(revoked(&r), "{r:?}");
    assert!(!theirs);
}

#[test]
fn a_delta_crl_that_lists_the_signer_revokes_it() {
    let p = pki();
    let at = soon();
    let base = gencrl(&p, "base", "crl_ext", &[]);
    let empty_delta = gencrl(&p, "delta_empty", "crl_delta", &[]);
    revoke(&p, "signer.pem");
    let delta = gencrl(&p, "delta", "crl_delta", &[]);
    let r = ours(&p, &p.signer, &[base.clone(), delta], at, None);
    let theirs = openssl_accepts(&p, "signer.pem", &["base", "delta"], &["-use_deltas"]);
    eprintln!("base + delta listing the signer: ours {r:?}; OpenSSL accepts: {theirs}");
    // OpenSSL 3.0 accepts here: it does not apply this delta (recorded, not followed).
    assert!(revoked(&r), "{r:?}");
    // Controls: base and a delta that lists nothing: good; a delta alone says nothing good.
    assert!(good(&ours(&p, &p.signer, &[base, empty_delta.clone()], at, None)));
    assert!(unknown(&ours(&p, &p.signer, &[empty_delta], at, None)));
}

/// The root's CRL with nextUpdate removed and thisUpdate moved by `shift`.
fn without_next_update(p: &Pki, name: &str, shift: Duration) -> Vec<u8> {
    let base = gencrl(p, name, "crl_ext", &[]);
    let (mut crl, _) = der::parse(&base);
    let tbs = &mut crl.children_mut()[0];
    let Node::Prim(_, text) = &tbs.children()[3] else {
        panic!("thisUpdate")
    };
    let digits = |i: usize| std::str::from_utf8(&text[i..i + 2]).unwrap().parse::<u8>().unwrap();
    let date = time::Date::from_calendar_date(
        2000 + i32::from(digits(0)),
        time::Month::try_from(digits(2)).unwrap(),
        digits(4),
    )
    .unwrap();
    let this_update = date.with_hms(digits(6), digits(8), digits(10)).unwrap().assume_utc() + shift;
    tbs.children_mut()[3] = der::utc_time(&stamp(this_update)[2..]);
    assert!(matches!(tbs.children()[4].tag(), 0x17 | 0x18));
    tbs.children_mut().remove(4);
    resign(p, &mut crl);
    let out = crl.encode();
    save(p, name, &out);
    out
}

#[test]
fn a_crl_without_next_update_is_current_for_a_day_and_only_for_older_certificates() {
    let p = pki();
    let at = soon();
    // Issued now: current for 24 hours.
    let fresh = without_next_update(&p, "no_next", Duration::seconds(30));
    let r = ours(&p, &p.signer, std::slice::from_ref(&fresh), at, None);
    eprintln!(
        "no nextUpdate, fresh: ours {r:?}; OpenSSL accepts: {}",
        openssl_accepts(&p, "signer.pem", &["no_next"], &[])
    );
    assert!(good(&r), "control: {r:?}");
    let r = ours(
        &p,
        &p.signer,
        std::slice::from_ref(&fresh),
        at + Duration::days(2),
        None,
    );
    assert!(unknown(&r), "two days later: {r:?}");
    // Control: with a nextUpdate 30 days on, two days later is still current.
    let normal = gencrl(&p, "normal", "crl_ext", &[]);
    assert!(good(&ours(&p, &p.signer, &[normal], at + Duration::days(2), None)));
    // Issued before the certificate existed: it says nothing of it.
    let older = without_next_update(&p, "older", -Duration::hours(1));
    let r = ours(&p, &p.signer, &[older], at, None);
    eprintln!(
        "no nextUpdate, older than the certificate: ours {r:?}; OpenSSL accepts: {}",
        openssl_accepts(&p, "signer.pem", &["older"], &[])
    );
    assert!(unknown(&r), "{r:?}");
}

#[test]
fn a_crl_signed_by_another_key_is_skipped_and_a_broken_authentic_crl_fails() {
    let p = pki();
    let at = soon();
    let genuine = gencrl(&p, "genuine", "crl_ext", &[]);
    revoke(&p, "signer.pem");
    // Same issuer name, another key (a rollover, or a forgery), listing the signer.
    let forged = p.forged_crl();
    let r = ours(&p, &p.signer, std::slice::from_ref(&forged), at, None);
    eprintln!(
        "CRL of another key: ours {r:?}; OpenSSL accepts: {}",
        openssl_accepts(&p, "signer.pem", &["forged"], &[])
    );
    assert!(unknown(&r), "{r:?}");
    let r = ours(&p, &p.signer, &[forged, genuine], at, None);
    assert!(good(&r), "the issuer's own CRL is still found: {r:?}");
    // An authentic CRL that breaks a rule (no cRLNumber) fails the path.
    let broken = {
        let base = gencrl(&p, "numberless", "crl_ext", &[]);
        let (mut crl, _) = der::parse(&base);
        let tbs = &mut crl.children_mut()[0];
        let exts = find(tbs, 0xa0).unwrap();
        let list = tbs.children_mut()[exts].children_mut()[0].children_mut();
        let number = oid(&[2, 5, 29, 20]);
        list.retain(|e| e.children()[0] != Node::Prim(0x06, number.clone()));
        resign(&p, &mut crl);
        crl.encode()
    };
    let r = ours(&p, &p.signer, &[broken], at, None);
    assert!(
        matches!(&r, Err(PathError::Profile(why)) if why.contains("cRLNumber")),
        "{r:?}"
    );
}

#[test]
fn the_vault_refuses_a_signer_revoked_in_a_partition_it_does_not_hold() {
    use common::signing::TestSigner;
    use common::*;
    use results_vault::{DigestAlgorithm, Error, LocalSigner, Signer, SigningError};
    let s = TestSigner::new();
    let conf = s.pki.path("ca.cnf");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text.push_str(CRL_SECTIONS);
    std::fs::write(conf, text).unwrap();
    let pa = s.pki.issue_with_extensions("pa", &signer_ext(DP_A));
    let pb = s.pki.issue_with_extensions("pb", &signer_ext(DP_B));
    let crl_a = gencrl(&s.pki, "a", "crl_part_a", &[]);
    s.pki.revoke_dated("pb.pem", "261001000000Z");
    let t = temp_vault();
    let v = &t.vault;
    v.add_trust_anchor(&s.pki.root).unwrap();
    v.add_crl(&crl_a).unwrap();
    let id = v
        .ingest(birth_extract("CRL-1"), &noise(17, 900))
        .unwrap()
        .record
        .result_id;
    let local = |name: &str, cert: &Vec<u8>| {
        LocalSigner::from_pkcs8(&s.pki.pkcs8(&format!("{name}.key")), vec![cert.clone()]).unwrap()
    };
    // Signer of partition B, revoked there; the vault holds only partition A's CRL.
    let session = v.begin_signing(&id, vec![pb.clone()], DigestAlgorithm::Sha256).unwrap();
    let reply = local("pb", &pb).sign(&session).unwrap();
    let head = v.log_head().unwrap();
    let err = v.complete_signing(&session.session_id, reply).unwrap_err();
    eprintln!("partition B signer, vault holds A: {err}");
    assert!(
        matches!(&err, Error::Signing(SigningError::NotAccepted { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("TRY_LATER"), "{err}");
    assert_eq!(v.log_head().unwrap(), head, "nothing logged");
    assert!(v.signatures(&id).unwrap().is_empty(), "nothing stored");
    // Control: the signer of partition A completes with the same CRL.
    let session = v.begin_signing(&id, vec![pa.clone()], DigestAlgorithm::Sha256).unwrap();
    let reply = local("pa", &pa).sign(&session).unwrap();
    v.complete_signing(&session.session_id, reply).unwrap();
    assert_eq!(v.signatures(&id).unwrap().len(), 1);
}
