//! The engine's PAdES entry points (src/verify/): content in parts (a PDF's two
//! `/ByteRange` pieces), the PAdES policies (signingTime forbidden under the baseline), the
//! claimed `/M` time, and RFC 3161 timestamp tokens made by the real `openssl ts` and by
//! pyHanko (a document timestamp in a PDF).

mod common;

use std::process::Command;

use common::pades::{pyhanko_python, PadesFixtures};
use common::pki::{openssl, Pki, DATED};
use results_vault::verify::signature::{
    verify_detached, verify_detached_parts, verify_detached_parts_claimed, Policy, SignatureVerdict, ValidationContext,
};
use results_vault::verify::timestamp::{check_timestamp_token_parts, verify_timestamp_token_parts, TimestampCheck};
use results_vault::verify::verdict::{Indication, SubIndication};
use time::{Duration, OffsetDateTime};

fn now() -> OffsetDateTime {
    // Whole seconds: the CA and the TSA write times to the second.
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

fn ctx<'a>(anchors: &'a [Vec<u8>], crls: &'a [Vec<u8>], policy: &'a Policy) -> ValidationContext<'a> {
    ValidationContext {
        anchors,
        intermediates: &[],
        crls,
        validation_time: now() + Duration::minutes(1),
        proof_of_existence: None,
        policy,
        all_signers: false,
        chain_cache: None,
    }
}

fn outcome(v: &SignatureVerdict) -> (Indication, Option<SubIndication>) {
    (v.indication, v.sub_indication)
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

/// Every way of cutting `content` in two (and one in three) this test tries.
fn splits(content: &[u8]) -> Vec<Vec<&[u8]>> {
    let n = content.len();
    let mut all: Vec<Vec<&[u8]>> = [0, 1, 100, n / 2, n - 1, n]
        .iter()
        .map(|&i| vec![&content[..i], &content[i..]])
        .collect();
    all.push(vec![&content[..10], &content[10..n - 10], &content[n - 10..]]);
    all
}

/// The verdict over every split equals the verdict over the whole; a byte changed in
/// either part is HASH_FAILURE (SIG_CRYPTO_FAILURE without signed attributes: the
/// signature then covers the content itself).
fn parts_agree_with_whole(cms: &[u8], content: &[u8], ctx: &ValidationContext<'_>, claimed: Option<OffsetDateTime>) {
    parts_agree_tampered_is(cms, content, ctx, claimed, SubIndication::HashFailure)
}

fn parts_agree_tampered_is(
    cms: &[u8],
    content: &[u8],
    ctx: &ValidationContext<'_>,
    claimed: Option<OffsetDateTime>,
    tampered_is: SubIndication,
) {
    let whole = verify_detached_parts_claimed(cms, &[content], ctx, claimed);
    for parts in splits(content) {
        let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        assert_eq!(
            verify_detached_parts_claimed(cms, &parts, ctx, claimed),
            whole,
            "split {lens:?}"
        );
        for which in 0..parts.len() {
            if parts[which].is_empty() {
                continue;
            }
            let mut changed = parts[which].to_vec();
            changed[parts[which].len() / 2] ^= 0x20;
            let mut tampered = parts.clone();
            tampered[which] = &changed;
            let v = &verify_detached_parts_claimed(cms, &tampered, ctx, claimed)[0];
            assert_eq!(
                outcome(v),
                (Indication::Failed, Some(tampered_is)),
                "split {lens:?}, part {which} changed"
            );
        }
    }
}

/// A CMS by openssl (signingTime always, ESS signing-certificate-v2 with `-cades`):
/// parts agree with the whole; PAdES baseline refuses the signingTime, pkcs7 admits it.
#[test]
fn openssl_cms_in_parts_and_the_pades_policies() {
    let pki = Pki::new();
    let content = common::text(7, 20_000);
    let cms = pki.sign(&content, &["-cades"]);
    let anchors = vec![pki.root.clone()];
    let crls = vec![pki.crl("current")];

    let cades = Policy::cades_baseline();
    let c = ctx(&anchors, &crls, &cades);
    let whole = verify_detached(&cms, &content, &c);
    assert_eq!(outcome(&whole[0]), (Indication::Passed, None), "{}", whole[0].detail);
    // One code path: the whole content is one part.
    assert_eq!(verify_detached_parts(&cms, &[&content], &c), whole);
    parts_agree_with_whole(&cms, &content, &c, None);

    let pkcs7 = Policy::pades_pkcs7();
    let c = ctx(&anchors, &crls, &pkcs7);
    let v = &verify_detached_parts(&cms, &[&content[..5000], &content[5000..]], &c)[0];
    assert_eq!(outcome(v), (Indication::Passed, None), "{}", v.detail);
    assert_eq!(v.policy, "results-vault/pades-adbe-pkcs7-detached");
    // The signingTime attribute, where tolerated, is the claim; /M comes second.
    let signing_time = v.claimed_signing_time.clone().expect("openssl writes signingTime");
    let m = now() - Duration::days(3);
    let v = &verify_detached_parts_claimed(&cms, &[&content], &c, Some(m))[0];
    assert_eq!(v.claimed_signing_time.as_ref(), Some(&signing_time));
    parts_agree_with_whole(&cms, &content, &c, Some(m));

    let baseline = Policy::pades_baseline();
    let c = ctx(&anchors, &crls, &baseline);
    let v = &verify_detached_parts_claimed(&cms, &[&content[..1], &content[1..]], &c, Some(m))[0];
    assert_eq!(outcome(v), (Indication::Failed, Some(SubIndication::FormatFailure)));
    assert!(v.integrity, "the signature itself is intact");
    assert!(v.detail.contains("signingTime"), "{}", v.detail);
    assert_eq!(v.policy, "results-vault/pades-baseline-b");
    // A tampered part is still a HASH_FAILURE first.
    parts_agree_with_whole(&cms, &content, &c, Some(m));
}

/// A CMS without signed attributes (`-noattr`: its signature covers the content itself):
/// parts still agree, the /M time is the claimed time, and PAdES baseline refuses it for
/// want of the ESS attribute.
#[test]
fn no_signed_attributes_and_the_claimed_m_time() {
    let pki = Pki::new();
    let content = common::noise(3, 9_000);
    let cms = pki.sign(&content, &["-noattr"]);
    let anchors = vec![pki.root.clone()];
    let crls = vec![pki.crl("current")];
    // PDF policies refuse a CMS without signed attributes outright...
    let strict = Policy::pades_pkcs7();
    let v = &verify_detached_parts_claimed(&cms, &[&content], &ctx(&anchors, &crls, &strict), None)[0];
    assert_eq!(outcome(v), (Indication::Failed, Some(SubIndication::FormatFailure)));
    assert!(v.detail.contains("no signed attributes"), "{}", v.detail);
    // ...so what follows looks at the engine under a policy that admits them.
    let pkcs7 = Policy {
        require_signed_attributes: false,
        ..Policy::pades_pkcs7()
    };
    let c = ctx(&anchors, &crls, &pkcs7);
    let m = now() - Duration::hours(5);
    let v = &verify_detached_parts_claimed(&cms, &[&content[..4096], &content[4096..]], &c, Some(m))[0];
    assert_eq!(outcome(v), (Indication::Passed, None), "{}", v.detail);
    assert_eq!(v.claimed_signing_time, Some(rfc3339(m)));
    assert_eq!(v.proof_of_existence, None, "/M is a claim, not a proof");
    let v = &verify_detached_parts(&cms, &[&content], &c)[0];
    assert_eq!(v.claimed_signing_time, None);
    parts_agree_tampered_is(&cms, &content, &c, Some(m), SubIndication::SigCryptoFailure);

    let baseline = Policy::pades_baseline();
    let c = ctx(&anchors, &crls, &baseline);
    let v = &verify_detached_parts_claimed(&cms, &[&content], &c, Some(m))[0];
    assert_eq!(outcome(v), (Indication::Failed, Some(SubIndication::FormatFailure)));
}

/// A CMS as a PAdES signer makes it (pyHanko, PDF signature attributes: ESS
/// signing-certificate-v2, no signingTime): PASSED under PAdES baseline over any split,
/// with the /M time as the claimed time.
#[test]
fn pyhanko_pades_cms_passes_the_baseline() {
    const SIGN: &str = r#"
import asyncio, hashlib, sys
from pyhanko.sign import signers
key, cert, data, out = sys.argv[1:5]
signer = signers.SimpleSigner.load(key, cert)
digest = hashlib.sha256(open(data, "rb").read()).digest()
cms = asyncio.run(signer.async_sign(digest, "sha256", use_pades=True))
open(out, "wb").write(cms.dump())
"#;
    let python = pyhanko_python();
    let pki = Pki::new();
    let content = common::text(11, 30_000);
    std::fs::write(pki.path("data.bin"), &content).unwrap();
    let ok = Command::new(&python)
        .args(["-c", SIGN])
        .arg(pki.path("signer.key"))
        .arg(pki.path("signer.pem"))
        .arg(pki.path("data.bin"))
        .arg(pki.path("pades.p7s"))
        .status()
        .unwrap()
        .success();
    assert!(ok, "pyHanko could not sign");
    let cms = std::fs::read(pki.path("pades.p7s")).unwrap();
    let anchors = vec![pki.root.clone()];
    let crls = vec![pki.crl("current")];
    let baseline = Policy::pades_baseline();
    let c = ctx(&anchors, &crls, &baseline);
    let m = now() - Duration::minutes(2);
    let v = &verify_detached_parts_claimed(&cms, &[&content[..777], &content[777..]], &c, Some(m))[0];
    assert_eq!(outcome(v), (Indication::Passed, None), "{}", v.detail);
    assert_eq!(v.claimed_signing_time, Some(rfc3339(m)));
    parts_agree_with_whole(&cms, &content, &c, Some(m));
}

/// A CMS without signed attributes by signer `name` over the PKI's `content.bin`.
fn sign_without_attributes(pki: &Pki, name: &str) -> Vec<u8> {
    let args = format!("cms -sign -binary -noattr -in content.bin -signer {name}.pem -inkey {name}.key");
    let mut args: Vec<&str> = args.split(' ').collect();
    args.extend(["-outform", "DER", "-out", "noattr.p7s"]);
    assert!(openssl(pki.dir.path(), &args));
    std::fs::read(pki.path("noattr.p7s")).unwrap()
}

/// The /M time reaches the engine's decisions, not only the verdict's text: a certificate
/// revoked at or before the claimed time is FAILED/REVOKED (else, without a proof of
/// existence, REVOKED_NO_POE), and strict CRL freshness counts from it.
#[test]
fn the_claimed_m_time_decides_like_a_signing_time() {
    let pki = Pki::dated();
    pki.issue("late", "rsa:2048");
    let content = common::text(5, 5_000);
    std::fs::write(pki.path("content.bin"), &content).unwrap();
    let cms = sign_without_attributes(&pki, "late");
    let revoked_at = now() - Duration::days(10);
    let utc = format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}Z",
        revoked_at.year() % 100,
        revoked_at.month() as u8,
        revoked_at.day(),
        revoked_at.hour(),
        revoked_at.minute(),
        revoked_at.second()
    );
    pki.revoke_dated("late.pem", &utc);
    let anchors = vec![pki.root.clone()];
    // CRLs issued now (a dated PKI's CRLs are otherwise dated before the fixed clock).
    let generalized = |t: OffsetDateTime| {
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}Z",
            t.year(),
            t.month() as u8,
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    };
    let issued_now = |name: &str| pki.crl_dated(name, &generalized(now()), &generalized(now() + Duration::days(30)));
    let crls = vec![issued_now("revoked")];
    let pkcs7 = Policy {
        require_signed_attributes: false,
        ..Policy::pades_pkcs7()
    };
    let c = ctx(&anchors, &crls, &pkcs7);
    let parts: [&[u8]; 2] = [&content[..100], &content[100..]];
    let after = verify_detached_parts_claimed(&cms, &parts, &c, Some(revoked_at + Duration::days(1)));
    assert_eq!(outcome(&after[0]), (Indication::Failed, Some(SubIndication::Revoked)));
    let before = verify_detached_parts_claimed(&cms, &parts, &c, Some(revoked_at - Duration::days(1)));
    assert_eq!(
        outcome(&before[0]),
        (Indication::Indeterminate, Some(SubIndication::RevokedNoPoe))
    );
    let unclaimed = verify_detached_parts(&cms, &parts, &c);
    assert_eq!(outcome(&unclaimed[0]), outcome(&before[0]));

    // Strict freshness: the CRL must be issued after the claimed time.
    let strict = Policy {
        crl_issued_after_signing: true,
        require_signed_attributes: false,
        ..Policy::pades_pkcs7()
    };
    pki.issue("fresh", "rsa:2048");
    let cms = sign_without_attributes(&pki, "fresh");
    let crls = vec![issued_now("fresh")];
    let c = ctx(&anchors, &crls, &strict);
    let v = &verify_detached_parts_claimed(&cms, &parts, &c, Some(now() - Duration::days(1)))[0];
    assert_eq!(outcome(v), (Indication::Passed, None), "{}", v.detail);
    let v = &verify_detached_parts_claimed(&cms, &parts, &c, Some(now() + Duration::seconds(30)))[0];
    assert_eq!(outcome(v), (Indication::Indeterminate, Some(SubIndication::TryLater)));
}

const TSA_EXTENSIONS: &str = "
[ v3_tsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_tsa_noncritical ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_tsa_codesigning ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_tsa_none ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// Issues `{name}.pem` for a new RSA key `{name}.key` under the root, with extension
/// section `section` of [`TSA_EXTENSIONS`] and the given validity.
fn issue_tsa(pki: &Pki, name: &str, section: &str, dates: (&str, &str)) {
    let d = pki.dir.path();
    std::fs::write(d.join("tsa.ext"), TSA_EXTENSIONS).unwrap();
    let (key, csr, cert) = (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"));
    let subject = format!("/CN={name}");
    let req = [
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj", &subject,
    ];
    assert!(openssl(d, &req));
    let ca = format!("ca -batch -config ca.cnf -cert root.pem -keyfile root.key -in {csr} -out {cert} -notext");
    let mut ca: Vec<&str> = ca.split(' ').collect();
    ca.extend([
        "-startdate",
        dates.0,
        "-enddate",
        dates.1,
        "-extfile",
        "tsa.ext",
        "-extensions",
        section,
    ]);
    assert!(openssl(d, &ca), "openssl ca for {name}");
}

/// A token by the real `openssl ts` (query, reply by TSA `tsa`, token out) over `data`.
fn openssl_ts_token(pki: &Pki, tsa: &str, data: &[u8], digest: &str) -> Vec<u8> {
    let d = pki.dir.path();
    std::fs::write(d.join("ts.cnf"), common::pki::OPENSSL_TS_CONFIG).unwrap();
    if !d.join("tsaserial").exists() {
        std::fs::write(d.join("tsaserial"), "01\n").unwrap();
    }
    std::fs::write(d.join("stamped.bin"), data).unwrap();
    let query = ["ts", "-query", "-data", "stamped.bin", digest, "-cert", "-out", "q.tsq"];
    assert!(openssl(d, &query));
    let (cert, key) = (format!("{tsa}.pem"), format!("{tsa}.key"));
    let reply = [
        "ts",
        "-reply",
        "-queryfile",
        "q.tsq",
        "-signer",
        &cert,
        "-inkey",
        &key,
        "-out",
        "r.tsr",
        "-config",
        "ts.cnf",
    ];
    assert!(openssl(d, &reply), "openssl ts -reply with {tsa}");
    let token = ["ts", "-reply", "-in", "r.tsr", "-token_out", "-out", "token.der"];
    assert!(openssl(d, &token));
    std::fs::read(d.join("token.der")).unwrap()
}

/// The TSTInfo of `token` re-signed by `signer` as an encapsulated CMS with the ESS
/// signing-certificate-v2 attribute (`openssl ts` refuses to sign with a certificate that
/// lacks the timeStamping purpose; `openssl cms` does not care).
fn resign_token(pki: &Pki, token: &[u8], signer: &str) -> Vec<u8> {
    let d = pki.dir.path();
    std::fs::write(d.join("token-in.der"), token).unwrap();
    let extract: Vec<&str> = "cms -verify -noverify -binary -inform DER -in token-in.der -out tstinfo.der"
        .split(' ')
        .collect();
    assert!(openssl(d, &extract));
    let (cert, key) = (format!("{signer}.pem"), format!("{signer}.key"));
    let sign = format!(
        "cms -sign -binary -nodetach -cades -econtent_type 1.2.840.113549.1.9.16.1.4 -in tstinfo.der \
         -signer {cert} -inkey {key} -md sha256 -outform DER -out resigned.der"
    );
    let sign: Vec<&str> = sign.split_ascii_whitespace().collect();
    assert!(openssl(d, &sign), "openssl cms -sign with {signer}");
    std::fs::read(d.join("resigned.der")).unwrap()
}

/// Timestamp tokens by the real `openssl ts`: PASSED over the stamped data in any split
/// (genTime as claimed time and proof of existence), HASH_FAILURE over other data, and
/// refused when the TSA's certificate does not have a critical id-kp-timeStamping alone.
#[test]
fn openssl_ts_tokens() {
    let pki = Pki::dated();
    issue_tsa(&pki, "tsa", "v3_tsa", DATED);
    issue_tsa(&pki, "tsa-noncritical", "v3_tsa_noncritical", DATED);
    issue_tsa(&pki, "tsa-codesigning", "v3_tsa_codesigning", DATED);
    issue_tsa(&pki, "tsa-none", "v3_tsa_none", DATED);
    let anchors = vec![pki.root.clone()];
    let crls = vec![pki.crl("current")];
    let policy = Policy::pades_baseline();
    let c = ctx(&anchors, &crls, &policy);
    let data = common::noise(9, 50_000);
    let before = now();

    for digest in ["-sha256", "-sha384", "-sha512"] {
        let token = openssl_ts_token(&pki, "tsa", &data, digest);
        let check: TimestampCheck = check_timestamp_token_parts(&token, &[&data], &c);
        let v = &check.verdict;
        assert_eq!(outcome(v), (Indication::Passed, None), "{digest}: {}", v.detail);
        let info = check.tst_info.clone().expect("TSTInfo");
        assert_eq!(info.policy, "1.2.3.4.1");
        assert!(info.gen_time >= before && info.gen_time <= now() + Duration::seconds(1));
        // openssl ts declares an accuracy of one second: the token proves genTime + 1 s.
        assert_eq!(info.accuracy, Duration::seconds(1));
        assert_eq!(check.proven_time(), Some(info.gen_time + info.accuracy));
        assert_eq!(v.claimed_signing_time, Some(rfc3339(info.gen_time)));
        assert_eq!(v.proof_of_existence, Some(rfc3339(info.gen_time + info.accuracy)));
        assert_eq!(v.signer.as_ref().unwrap().subject, "CN=tsa");
        assert!(v.detail.contains("timestamp valid"), "{}", v.detail);

        for parts in splits(&data) {
            assert_eq!(verify_timestamp_token_parts(&token, &parts, &c), *v);
            for which in 0..parts.len() {
                if parts[which].is_empty() {
                    continue;
                }
                let mut changed = parts[which].to_vec();
                changed[0] ^= 1;
                let mut tampered = parts.clone();
                tampered[which] = &changed;
                let t = verify_timestamp_token_parts(&token, &tampered, &c);
                assert_eq!(outcome(&t), (Indication::Failed, Some(SubIndication::HashFailure)));
                assert!(t.detail.contains("messageImprint"), "{}", t.detail);
            }
        }
        let other = verify_timestamp_token_parts(&token, &[b"other data"], &c);
        assert_eq!(outcome(&other), (Indication::Failed, Some(SubIndication::HashFailure)));
        assert_eq!(check_timestamp_token_parts(&token, &[b"x"], &c).proven_time(), None);
    }

    let token = openssl_ts_token(&pki, "tsa", &data, "-sha256");
    // A detached signature is not a token, and a token is not a detached signature.
    let cms = pki.sign(&data, &["-cades"]);
    let v = verify_timestamp_token_parts(&cms, &[&data], &c);
    assert_eq!(
        outcome(&v),
        (Indication::Indeterminate, Some(SubIndication::FormatFailure))
    );
    let v = &verify_detached_parts(&token, &[&data], &c)[0];
    assert_eq!(
        outcome(v),
        (Indication::Indeterminate, Some(SubIndication::FormatFailure))
    );
    assert!(v.detail.contains("encapsulated"), "{}", v.detail);
    // Zero padding after the token, as in a PDF's /Contents.
    let mut padded = token.clone();
    padded.resize(token.len() + 3000, 0);
    assert_eq!(
        outcome(&verify_timestamp_token_parts(&padded, &[&data], &c)),
        (Indication::Passed, None)
    );

    // The same TSTInfo re-signed: by the good TSA it passes (the control), by certificates
    // without a critical timeStamping alone it is refused.
    let resigned = resign_token(&pki, &token, "tsa");
    let v = verify_timestamp_token_parts(&resigned, &[&data], &c);
    assert_eq!(outcome(&v), (Indication::Passed, None), "{}", v.detail);
    for bad in ["tsa-noncritical", "tsa-codesigning", "tsa-none", "signer"] {
        let resigned = resign_token(&pki, &token, bad);
        let v = verify_timestamp_token_parts(&resigned, &[&data], &c);
        assert_eq!(
            outcome(&v),
            (Indication::Indeterminate, Some(SubIndication::SigConstraintsFailure)),
            "{bad}: {}",
            v.detail
        );
        assert!(v.detail.contains("RFC 3161"), "{bad}: {}", v.detail);
    }

    // Untrusted TSA: no chain.
    let impostor = vec![pki.impostor_root.clone()];
    let c2 = ctx(&impostor, &crls, &policy);
    let v = verify_timestamp_token_parts(&token, &[&data], &c2);
    assert_eq!(
        outcome(&v),
        (Indication::Indeterminate, Some(SubIndication::NoCertificateChainFound))
    );
}

/// A TSA whose certificate only starts after genTime: valid now, but it could not stamp
/// then.
#[test]
fn a_tsa_not_yet_valid_at_gen_time_is_refused() {
    let pki = Pki::dated();
    let start = now() + Duration::seconds(3);
    let start = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        start.year(),
        start.month() as u8,
        start.day(),
        start.hour(),
        start.minute(),
        start.second()
    );
    issue_tsa(&pki, "early-tsa", "v3_tsa", (&start, DATED.1));
    let data = b"stamped before the TSA's certificate began".to_vec();
    let token = openssl_ts_token(&pki, "early-tsa", &data, "-sha256");
    std::thread::sleep(std::time::Duration::from_secs(5));
    let anchors = vec![pki.root.clone()];
    let crls = vec![pki.crl("current")];
    let policy = Policy::pades_baseline();
    let c = ctx(&anchors, &crls, &policy);
    let v = verify_timestamp_token_parts(&token, &[&data], &c);
    assert_eq!(
        outcome(&v),
        (Indication::Indeterminate, Some(SubIndication::OutOfBoundsNoPoe)),
        "{}",
        v.detail
    );
    assert!(v.detail.contains("genTime"), "{}", v.detail);
}

/// `(ByteRange, Contents)` of every signature of a PDF, in file order: the gap between
/// the two ranges is the `/Contents` hex string.
fn byte_ranges(pdf: &[u8]) -> Vec<([usize; 4], Vec<u8>)> {
    let needle = b"/ByteRange";
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = pdf[at..].windows(needle.len()).position(|w| w == needle) {
        let start = at + i + needle.len();
        let open = start + pdf[start..].iter().position(|&b| b == b'[').unwrap();
        let close = open + pdf[open..].iter().position(|&b| b == b']').unwrap();
        let numbers: Vec<usize> = std::str::from_utf8(&pdf[open + 1..close])
            .unwrap()
            .split_ascii_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        let range = [numbers[0], numbers[1], numbers[2], numbers[3]];
        let gap = &pdf[range[0] + range[1]..range[2]];
        assert!(gap.starts_with(b"<") && gap.ends_with(b">"));
        let hex = &gap[1..gap.len() - 1];
        let contents = hex
            .chunks(2)
            .map(|h| u8::from_str_radix(std::str::from_utf8(h).unwrap(), 16).unwrap())
            .collect();
        out.push((range, contents));
        at = close;
    }
    out
}

/// pyHanko's signed-then-doctimestamp.pdf: the PAdES signature passes the baseline and
/// the document timestamp (its own TSA, an RFC 3161 token over the second revision's
/// ByteRange) passes as a timestamp; neither passes over the other's ranges.
#[test]
fn pyhanko_document_timestamp() {
    let fixtures = PadesFixtures::make();
    let pdf = fixtures.read("signed-then-doctimestamp.pdf");
    let sigs = byte_ranges(&pdf);
    assert_eq!(sigs.len(), 2, "a signature and a document timestamp");
    let parts = |r: [usize; 4]| -> [&[u8]; 2] { [&pdf[r[0]..r[0] + r[1]], &pdf[r[2]..r[2] + r[3]]] };
    let anchors = vec![fixtures.root()];
    let crls = vec![fixtures.crl()];
    let policy = Policy::pades_baseline();
    let c = ctx(&anchors, &crls, &policy);

    let (signature_range, signature) = &sigs[0];
    let v = &verify_detached_parts(signature, &parts(*signature_range), &c)[0];
    assert_eq!(outcome(v), (Indication::Passed, None), "Signature1: {}", v.detail);

    let (stamp_range, token) = &sigs[1];
    assert_eq!(
        stamp_range[2] + stamp_range[3],
        pdf.len(),
        "the timestamp covers the file"
    );
    let check = check_timestamp_token_parts(token, &parts(*stamp_range), &c);
    assert_eq!(
        outcome(&check.verdict),
        (Indication::Passed, None),
        "DocTimeStamp1: {}",
        check.verdict.detail
    );
    assert!(check.proven_time().is_some());
    let v = verify_timestamp_token_parts(token, &parts(*signature_range), &c);
    assert_eq!(outcome(&v), (Indication::Failed, Some(SubIndication::HashFailure)));
    let v = &verify_detached_parts(signature, &parts(*stamp_range), &c)[0];
    assert_eq!(outcome(v), (Indication::Failed, Some(SubIndication::HashFailure)));
}
