//! Verifying a signed ~200 KB PDF (PAdES) with `results_vault::pdf::verify_pdf`, trust
//! anchor and CRL given, against the same run's floor: the file's digest (SHA-256) plus one
//! bare `ring` verification of the same signature (RSA-2048, PKCS#1 v1.5) over the same
//! signed attributes. Target: at most 2x the floor.
//!
//! Two modes:
//!
//! - `cargo bench --bench pdf` (needs only the `openssl` CLI): makes a throw-away PKI with
//!   `bindings/testdata/make-test-pki.sh` (ECDSA P-256 root, RSA-2048 officer, empty CRL),
//!   builds its own one-revision ~200 KB PDF (a page of text and a 256x256 RGB noise
//!   image), signs it with `openssl cms -sign` (`adbe.pkcs7.detached`, signed attributes,
//!   SHA-256) and writes the signature into `/Contents`. Criterion measures `verify_pdf`,
//!   the floor and two phases of the verification (below); then the two are timed again
//!   alternately (paired medians, the repeatable ratio on a noisy machine) and criterion's
//!   own medians are put side by side.
//! - `RV_PDF_FILES=DIR RV_PDF_ANCHOR=root.der RV_PDF_CRL=crl.der cargo bench --bench pdf`:
//!   verifies every `*.pdf` of DIR in this one process, each file against its own floor
//!   (its digest algorithm and key, taken from its CMS beforehand: the last signature's,
//!   or with `RV_PDF_WHICH=first` the first's; `RV_PDF_CRL` may be left out for files that
//!   carry their validation data, see `benches/pades_levels.sh`), interleaved file by
//!   file, `RV_PDF_ROUNDS` times (default 10); prints medians per file, files per second,
//!   and a `RESULT {json}` line. `benches/pdf_vs_peers.sh` runs this beside pyHanko and
//!   pdfsig on the same files.
//!
//! The phases, measured from the outside with the public API on the CMS and the two
//! ByteRange pieces taken from the file beforehand:
//! - `cms_integrity`: `check_detached_parts` — parse the CMS, digest the pieces, verify
//!   the signature (what the floor does, plus CMS parsing);
//! - `cms_full`: `verify_detached_parts` — the same plus the certificate path to the anchor
//!   and the CRL, with a fresh `ChainCache` each time (issuer signatures checked every time);
//! - `verify_pdf` minus `cms_full` is the PDF's own cost (parsing, finding the signature,
//!   ByteRange checks, changes after signing).
//! - one issuer signature alone: the anchor's key over the signer certificate's TBS with
//!   bare `ring` (the uncached path checks two: the certificate's and the CRL's);
//! - `verify_pdf` is measured as callers call it, without a `ChainCache` of their own: it then
//!   uses the process-wide one (`ChainCache::shared`), so a signer's path and a CRL's
//!   signature are verified once and compared byte for byte afterwards (times and
//!   revocation are checked on every call);
//! - `verify_pdf_cold`: `verify_pdf` with a fresh `ChainCache` each time, the cost of the
//!   first file of a signer never seen before (its path searched, two issuer signatures).
//!
//! The CMS phases run under `Policy::pkcs7_detached()`; `verify_pdf` picks the policy of
//! each `/SubFilter` itself (for `ETSI.CAdES.detached` one that also requires the ESS
//! signing-certificate attribute: a hash of the certificate, a few µs at most).

#[path = "support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::Criterion;
use results_vault::pdf::verify_pdf;
use results_vault::verify::cms::check_detached_parts;
use results_vault::verify::path::ChainCache;
use results_vault::verify::signature::{verify_detached_parts, Policy, ValidationContext};
use results_vault::Indication;
use ring::signature::{UnparsedPublicKey, VerificationAlgorithm};
use support::{paired_medians, print_ratios};
use x509_certificate::{DigestAlgorithm, EcdsaCurve, KeyAlgorithm};

/// Trust material of one run: anchors and CRLs (DER).
struct Trust {
    anchors: Vec<Vec<u8>>,
    crls: Vec<Vec<u8>>,
    policy: Policy,
}

impl Trust {
    /// The context `verify_pdf` gets (it picks the policy per `/SubFilter` itself); the
    /// only place the bench builds one, so that a new field is added here only.
    fn ctx<'a>(&'a self, cache: Option<&'a ChainCache>) -> ValidationContext<'a> {
        ValidationContext {
            anchors: &self.anchors,
            intermediates: &[],
            crls: &self.crls,
            validation_time: time::OffsetDateTime::now_utc(),
            proof_of_existence: None,
            policy: &self.policy,
            all_signers: false,
            chain_cache: cache,
        }
    }
}

/// A signature's two ByteRange pieces, as (start, end) offsets.
type Ranges = [(usize, usize); 2];

/// One signed PDF and what the floor and the phases need, extracted before any timing.
struct Sample {
    name: String,
    pdf: Vec<u8>,
    /// The last signature's CMS (`/Contents`, its zero padding cut off).
    cms: Vec<u8>,
    /// The two ByteRange pieces.
    ranges: Ranges,
    /// The signer's digest algorithm, used by the floor for the whole file.
    digest: &'static ring::digest::Algorithm,
    /// The floor's signature check: algorithm, public key, signed attributes, signature.
    algorithm: &'static dyn VerificationAlgorithm,
    key: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
}

impl Sample {
    fn new(name: String, pdf: Vec<u8>) -> Sample {
        let (cms, ranges) = last_signature(&pdf).unwrap_or_else(|e| panic!("{name}: {e}"));
        let signed =
            cryptographic_message_syntax::SignedData::parse_ber(&cms).unwrap_or_else(|e| panic!("{name}: CMS: {e}"));
        let signer = signed.signers().next().expect("a SignerInfo");
        let (issuer, serial) = signer.certificate_issuer_and_serial().unwrap();
        let cert = signed
            .certificates()
            .find(|c| c.issuer_name() == issuer && c.serial_number_asn1() == serial)
            .unwrap_or_else(|| panic!("{name}: the signer's certificate is not in the CMS"));
        let digest = match signer.digest_algorithm() {
            DigestAlgorithm::Sha256 => &ring::digest::SHA256,
            DigestAlgorithm::Sha384 => &ring::digest::SHA384,
            DigestAlgorithm::Sha512 => &ring::digest::SHA512,
            other => panic!("{name}: digest {other:?} is not benchmarked"),
        };
        let algorithm: &'static dyn VerificationAlgorithm = match (cert.key_algorithm(), signer.digest_algorithm()) {
            (Some(KeyAlgorithm::Rsa), DigestAlgorithm::Sha256) => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            (Some(KeyAlgorithm::Rsa), DigestAlgorithm::Sha384) => &ring::signature::RSA_PKCS1_2048_8192_SHA384,
            (Some(KeyAlgorithm::Ecdsa(EcdsaCurve::Secp256r1)), DigestAlgorithm::Sha256) => {
                &ring::signature::ECDSA_P256_SHA256_ASN1
            }
            (Some(KeyAlgorithm::Ecdsa(EcdsaCurve::Secp384r1)), DigestAlgorithm::Sha384) => {
                &ring::signature::ECDSA_P384_SHA384_ASN1
            }
            (Some(KeyAlgorithm::Ed25519), _) => &ring::signature::ED25519,
            (key, d) => panic!("{name}: key {key:?} with {d:?} is not benchmarked"),
        };
        let sample = Sample {
            name,
            cms: cms.clone(),
            ranges,
            digest,
            algorithm,
            key: cert.public_key_data().to_vec(),
            message: signer.signed_attributes_data().expect("signed attributes").to_vec(),
            signature: signer.signature().to_vec(),
            pdf,
        };
        sample.floor(); // the floor's own signature check must pass
        sample
    }

    /// The floor: the whole file's digest plus one signature verification.
    fn floor(&self) {
        std::hint::black_box(ring::digest::digest(self.digest, &self.pdf));
        UnparsedPublicKey::new(self.algorithm, &self.key)
            .verify(&self.message, &self.signature)
            .unwrap_or_else(|_| panic!("{}: the floor's signature check failed", self.name));
    }

    fn parts(&self) -> [&[u8]; 2] {
        self.ranges.map(|(a, b)| &self.pdf[a..b])
    }

    /// `verify_pdf`, asserting PASSED (so that a regression cannot make the bench fast).
    fn verify(&self, ctx: &ValidationContext<'_>) {
        let verdict = verify_pdf(&self.pdf, ctx).unwrap_or_else(|e| panic!("{}: {e}", self.name));
        if verdict.indication != Indication::Passed {
            let s = verdict.signatures.first();
            panic!(
                "{}: {:?}/{:?}: {}",
                self.name,
                verdict.indication,
                verdict.sub_indication,
                s.map(|s| s.verdict.detail.as_str()).unwrap_or("no signature")
            );
        }
    }

    /// Phase: CMS parse, digest of the two pieces, signature (no path, no CRL).
    fn cms_integrity(&self) {
        let check = check_detached_parts(&self.cms, &self.parts(), false).expect("CMS");
        std::hint::black_box(check);
    }

    /// Phase: the whole CMS verdict (integrity, path to the anchor, CRL).
    fn cms_full(&self, ctx: &ValidationContext<'_>) {
        let verdicts = verify_detached_parts(&self.cms, &self.parts(), ctx);
        if ctx.crls.is_empty() {
            // A B-LT/B-LTA file's evidence is in its DSS, not in the bare CMS: the phase
            // then measures the same work without the verdict's revocation step.
            assert!(verdicts[0].integrity, "{}", verdicts[0].detail);
        } else {
            assert_eq!(verdicts[0].indication, Indication::Passed, "{}", verdicts[0].detail);
        }
    }

    /// [`Sample::cms_full`] with a fresh chain cache: the path searched, issuers verified.
    fn cms_full_cold(&self, trust: &Trust) {
        let fresh = ChainCache::new();
        self.cms_full(&trust.ctx(Some(&fresh)));
    }

    /// [`Sample::verify`] with a fresh chain cache, as for a signer never seen before.
    fn verify_cold(&self, trust: &Trust) {
        let fresh = ChainCache::new();
        self.verify(&trust.ctx(Some(&fresh)));
    }
}

/// One issuer signature with `ring`: the anchor's key over the signer certificate's TBS.
/// The uncached path checks two such (the signer's certificate and the CRL, both signed by
/// the anchor here), so this prices the difference a chain cache makes.
///
/// The certificate's bytes are found in the CMS itself: `cryptographic_message_syntax`
/// hands out certificates re-encoded by `bcder`, not as signed (pyHanko's grew by 4 bytes
/// and no longer verify), good for their keys but not for their signatures.
struct IssuerCheck {
    algorithm: &'static dyn VerificationAlgorithm,
    key: Vec<u8>,
    tbs: Vec<u8>,
    signature: Vec<u8>,
}

impl IssuerCheck {
    fn new(anchor: &[u8], sample: &Sample) -> Option<IssuerCheck> {
        use x509_parser::certificate::X509Certificate;
        use x509_parser::prelude::FromDer;
        let (_, anchor) = X509Certificate::from_der(anchor).ok()?;
        // The signer's certificate: the one in the CMS bytes with the signer's key.
        let cert = (0..sample.cms.len())
            .filter(|&i| sample.cms[i] == 0x30)
            .filter_map(|i| X509Certificate::from_der(&sample.cms[i..]).ok())
            .map(|(_, c)| c)
            .find(|c| c.public_key().subject_public_key.data.as_ref() == sample.key.as_slice())?;
        let key = anchor.public_key().subject_public_key.data.to_vec();
        let algorithm: &'static dyn VerificationAlgorithm =
            match (cert.signature_algorithm.algorithm.to_id_string().as_str(), key.len()) {
                ("1.2.840.10045.4.3.2", 65) => &ring::signature::ECDSA_P256_SHA256_ASN1,
                ("1.2.840.10045.4.3.3", 97) => &ring::signature::ECDSA_P384_SHA384_ASN1,
                ("1.2.840.113549.1.1.11", _) => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                _ => return None,
            };
        let check = IssuerCheck {
            algorithm,
            key,
            tbs: cert.tbs_certificate.as_ref().to_vec(),
            signature: cert.signature_value.data.to_vec(),
        };
        check.run().then_some(check)
    }

    fn run(&self) -> bool {
        UnparsedPublicKey::new(self.algorithm, &self.key)
            .verify(&self.tbs, &self.signature)
            .is_ok()
    }
}

/// The last signature's `/ByteRange` of `pdf` and the DER CMS in the gap it leaves: a plain
/// byte search (the files are ours or pyHanko's), used only to set up the floor and phases.
fn last_signature(pdf: &[u8]) -> Result<(Vec<u8>, Ranges), String> {
    let key = b"/ByteRange";
    // RV_PDF_WHICH=first: the first signature (a B-LTA file's, before its document
    // timestamps); else the last.
    let first = std::env::var("RV_PDF_WHICH").is_ok_and(|w| w == "first");
    let at = if first {
        pdf.windows(key.len()).position(|w| w == key)
    } else {
        pdf.windows(key.len()).rposition(|w| w == key)
    }
    .ok_or("no /ByteRange")?;
    let open = at + pdf[at..].iter().position(|&b| b == b'[').ok_or("no [")?;
    let close = open + pdf[open..].iter().position(|&b| b == b']').ok_or("no ]")?;
    let numbers: Vec<usize> = std::str::from_utf8(&pdf[open + 1..close])
        .map_err(|e| e.to_string())?
        .split_ascii_whitespace()
        .map(|n| n.parse().map_err(|e| format!("{e}")))
        .collect::<Result<_, _>>()?;
    let [0, a, b, c] = numbers[..] else {
        return Err(format!("odd /ByteRange {numbers:?}"));
    };
    let gap = &pdf[a..b];
    let hex = gap
        .strip_prefix(b"<")
        .and_then(|g| g.strip_suffix(b">"))
        .ok_or("the gap is not a hex string")?;
    let bytes: Vec<u8> = hex
        .chunks_exact(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    Ok((der_prefix(&bytes)?.to_vec(), [(0, a), (b, b + c)]))
}

/// The DER value at the start of `bytes` (`/Contents` is padded with zeros).
fn der_prefix(bytes: &[u8]) -> Result<&[u8], String> {
    let (len, header) = match bytes.get(1).copied() {
        Some(n) if n < 0x80 => (n as usize, 2),
        Some(n) if (0x81..=0x84).contains(&n) => {
            let k = (n & 0x7f) as usize;
            let len = bytes[2..2 + k].iter().fold(0usize, |acc, &b| acc << 8 | b as usize);
            (len, 2 + k)
        }
        _ => return Err("the /Contents does not start with a definite-length DER value".into()),
    };
    bytes.get(..header + len).ok_or_else(|| "the CMS is cut short".into())
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the openssl CLI is needed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A throw-away PKI: `root.der` (ECDSA P-256), `officer.pem`/`.key` (RSA-2048,
/// digitalSignature + nonRepudiation, no CRL distribution point), `crl.der` (the root's,
/// empty, valid 30 days).
fn make_pki(dir: &Path) -> Trust {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bindings/testdata/make-test-pki.sh");
    let out = Command::new("bash").arg(script).arg(dir).output().expect("bash");
    assert!(
        out.status.success(),
        "make-test-pki.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Trust {
        anchors: vec![std::fs::read(dir.join("root.der")).unwrap()],
        crls: vec![std::fs::read(dir.join("crl.der")).unwrap()],
        policy: Policy::pkcs7_detached(),
    }
}

/// Room for the CMS in `/Contents`, in bytes (written as twice as many hex digits).
const CONTENTS_ROOM: usize = 8192;
/// Width of the `/ByteRange` array's inside, padded with spaces once the numbers are known.
const BYTE_RANGE_WIDTH: usize = 40;

/// A one-revision PDF 1.7 of about 200 KB signed by the PKI's officer: a page of text and a
/// 256x256 RGB noise image (incompressible, as a scanned seal), an AcroForm with one
/// invisible signature field whose `/V` is an `adbe.pkcs7.detached` signature dictionary.
/// The ByteRange covers the whole file but the `/Contents` hex string; the CMS is made by
/// `openssl cms -sign -binary` (detached, DER, SHA-256, signed attributes incl. signingTime
/// and ESS signing-certificate-v2 via `-cades`) over the two pieces concatenated.
fn signed_pdf(pki: &Path) -> Vec<u8> {
    let mut pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |pdf: &mut Vec<u8>, body: &[u8]| {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    };
    // 1 catalog, 2 pages, 3 page, 4 font, 5 image, 6 content, 7 field/widget, 8 signature
    object(
        &mut pdf,
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [7 0 R] /SigFlags 3 >> >>",
    );
    object(&mut pdf, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object(
        &mut pdf,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> \
          /XObject << /Im1 5 0 R >> >> /Contents 6 0 R /Annots [7 0 R] >>",
    );
    object(
        &mut pdf,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    );
    let mut noise = Vec::with_capacity(256 * 256 * 3);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while noise.len() < 256 * 256 * 3 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.extend_from_slice(&x.to_le_bytes());
    }
    noise.truncate(256 * 256 * 3);
    let mut image = format!(
        "<< /Type /XObject /Subtype /Image /Width 256 /Height 256 /ColorSpace /DeviceRGB \
         /BitsPerComponent 8 /Length {} >>\nstream\n",
        noise.len()
    )
    .into_bytes();
    image.extend_from_slice(&noise);
    image.extend_from_slice(b"\nendstream");
    object(&mut pdf, &image);
    let text = b"BT /F1 14 Tf 72 770 Td (DECISION No. 1234/QD-UBND on an administrative procedure) Tj ET\n\
                 q 256 0 0 256 72 400 cm /Im1 Do Q\n";
    let mut content = format!("<< /Length {} >>\nstream\n", text.len()).into_bytes();
    content.extend_from_slice(text);
    content.extend_from_slice(b"\nendstream");
    object(&mut pdf, &content);
    object(
        &mut pdf,
        b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /Rect [0 0 0 0] /F 132 \
          /P 3 0 R /V 8 0 R >>",
    );
    let now = time::OffsetDateTime::now_utc();
    let signature_dict = format!(
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached \
         /M (D:{:04}{:02}{:02}{:02}{:02}{:02}Z) /Reason (Approval of the result) \
         /ByteRange [{:w$}] /Contents <{}> >>",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        "",
        "0".repeat(2 * CONTENTS_ROOM),
        w = BYTE_RANGE_WIDTH,
    );
    object(&mut pdf, signature_dict.as_bytes());
    let xref = pdf.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1);
    for o in &offsets {
        table.push_str(&format!("{o:010} 00000 n \n"));
    }
    table.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R /ID [<5256424e43485044463031> <5256424e43485044463031>] >>\n\
         startxref\n{xref}\n%%EOF\n",
        offsets.len() + 1
    ));
    pdf.extend_from_slice(table.as_bytes());

    // The gap: the /Contents hex string, angle brackets included.
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).rposition(|w| w == needle).unwrap();
    let a = find(&pdf, b"/Contents <") + b"/Contents ".len();
    let b = a + 2 * CONTENTS_ROOM + 2;
    let range = format!("0 {a} {b} {}", pdf.len() - b);
    let at = find(&pdf, b"/ByteRange [") + b"/ByteRange [".len();
    pdf[at..at + BYTE_RANGE_WIDTH].copy_from_slice(format!("{range:BYTE_RANGE_WIDTH$}").as_bytes());

    let mut signed = pdf[..a].to_vec();
    signed.extend_from_slice(&pdf[b..]);
    std::fs::write(pki.join("tbs.bin"), &signed).unwrap();
    openssl(
        pki,
        &[
            "cms",
            "-sign",
            "-binary",
            "-cades",
            "-nosmimecap",
            "-in",
            "tbs.bin",
            "-signer",
            "officer.pem",
            "-inkey",
            "officer.key",
            "-md",
            "sha256",
            "-outform",
            "DER",
            "-out",
            "sig.p7s",
        ],
    );
    let cms = std::fs::read(pki.join("sig.p7s")).unwrap();
    assert!(cms.len() <= CONTENTS_ROOM, "the CMS ({} bytes) does not fit", cms.len());
    let hex: String = cms.iter().map(|b| format!("{b:02x}")).collect();
    pdf[a + 1..a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    pdf
}

fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.1} µs", ns / 1e3)
    }
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    match std::env::var_os("RV_PDF_FILES") {
        Some(dir) => files_mode(Path::new(&dir)),
        None => criterion_mode(),
    }
}

/// `cargo bench --bench pdf`: the self-made signed PDF under criterion, then paired.
fn criterion_mode() {
    let dir = tempfile::tempdir().unwrap();
    let trust = make_pki(dir.path());
    let sample = Sample::new("bench.pdf".into(), signed_pdf(dir.path()));
    println!(
        "signed PDF: {} bytes, CMS {} bytes (RSA-2048, SHA-256, adbe.pkcs7.detached), anchor + CRL given",
        sample.pdf.len(),
        sample.cms.len()
    );
    let ctx = trust.ctx(None);
    sample.verify(&ctx);

    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    {
        let mut group = c.benchmark_group("pdf");
        group.throughput(criterion::Throughput::Bytes(sample.pdf.len() as u64));
        group.bench_function("verify_pdf", |b| b.iter(|| sample.verify(&ctx)));
        group.bench_function("floor", |b| b.iter(|| sample.floor()));
        group.bench_function("cms_integrity", |b| b.iter(|| sample.cms_integrity()));
        group.bench_function("cms_full", |b| b.iter(|| sample.cms_full_cold(&trust)));
        group.bench_function("verify_pdf_cold", |b| b.iter(|| sample.verify_cold(&trust)));
        group.finish();
    }
    c.final_summary();

    let rounds = env_number("RV_BENCH_ROUNDS", 300);
    println!("\npaired medians ({rounds} rounds each; floor = digest of the file + one RSA-2048 verification):");
    let (floor, ours) = paired_medians("verify_pdf", rounds, 2.0, |_| sample.floor(), |_| sample.verify(&ctx));
    paired_medians(
        "verify_pdf, cold (a new signer)",
        rounds,
        f64::INFINITY,
        |_| sample.floor(),
        |_| sample.verify_cold(&trust),
    );
    if floor.is_finite() {
        phases(&sample, &trust, rounds, ours);
    }
    print_ratios(&[
        ("pdf", "verify_pdf", "floor", 2.0),
        ("pdf", "verify_pdf_cold", "floor", f64::INFINITY),
        ("pdf", "cms_full", "floor", f64::INFINITY),
        ("pdf", "cms_integrity", "floor", f64::INFINITY),
    ]);
}

/// The median of `rounds` timings of `f`, in nanoseconds.
fn median_of(rounds: usize, f: &dyn Fn()) -> f64 {
    let mut xs: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_nanos() as f64
        })
        .collect();
    median(&mut xs)
}

/// One issuer signature's median (see [`IssuerCheck`]), or NaN if its algorithm is not
/// one of the few handled.
fn issuer_signature_ns(anchor: &[u8], sample: &Sample, rounds: usize) -> f64 {
    match IssuerCheck::new(anchor, sample) {
        Some(check) => median_of(rounds, &|| assert!(check.run())),
        None => f64::NAN,
    }
}

/// Where `verify_pdf`'s time goes, from medians of the public pieces timed in turn.
fn phases(sample: &Sample, trust: &Trust, rounds: usize, total: f64) {
    let digest = median_of(rounds, &|| {
        std::hint::black_box(ring::digest::digest(sample.digest, &sample.pdf));
    });
    let integrity = median_of(rounds, &|| sample.cms_integrity());
    let full = median_of(rounds, &|| sample.cms_full(&trust.ctx(None)));
    let cold = median_of(rounds, &|| sample.cms_full_cold(trust));
    let issuer = issuer_signature_ns(&trust.anchors[0], sample, rounds);
    println!(
        "\nwhere verify_pdf's {} goes (medians, {rounds} runs each):",
        human(total)
    );
    println!("  digest of the file alone                 {:>10}", human(digest));
    println!("  CMS integrity (parse, digest, signature) {:>10}", human(integrity));
    println!(
        "  + path to the anchor and CRL, known      {:>10}  (cms_full {})",
        human(full - integrity),
        human(full)
    );
    println!(
        "  (the same for a new signer               {:>10}  one issuer signature alone {}; it checks two)",
        human(cold - integrity),
        human(issuer)
    );
    println!(
        "  PDF: parse, find, ByteRange, changes     {:>10}  (verify_pdf - cms_full)",
        human(total - full)
    );
}

/// `RV_PDF_FILES=DIR`: every PDF of DIR in this process, each beside its own floor.
fn files_mode(dir: &Path) {
    let read = |var: &str| {
        let path = PathBuf::from(std::env::var_os(var).unwrap_or_else(|| panic!("{var} (DER) is needed")));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let trust = Trust {
        anchors: vec![read("RV_PDF_ANCHOR")],
        // RV_PDF_CRL is optional: B-LT and B-LTA files carry their own evidence.
        crls: std::env::var_os("RV_PDF_CRL")
            .map(|_| read("RV_PDF_CRL"))
            .into_iter()
            .collect(),
        policy: Policy::pkcs7_detached(),
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no *.pdf in {}", dir.display());
    // Read and take apart every file before any timing: the timed work is in memory.
    let samples: Vec<Sample> = paths
        .iter()
        .map(|p| {
            Sample::new(
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(p).unwrap(),
            )
        })
        .collect();
    let bytes = samples.iter().map(|s| s.pdf.len()).sum::<usize>() / samples.len();
    let ctx = trust.ctx(None);
    for s in &samples {
        s.verify(&ctx); // every file PASSED (and warm caches, page tables, branch predictors)
    }
    let rounds = env_number("RV_PDF_ROUNDS", 10);

    // Per file, in turn (the order rotated every file, so drift hits each alike): ours as
    // called (the process-wide chain cache), ours cold (a fresh cache: a new signer), the
    // floor, and the two CMS phases (the path cold, as the uncached cost).
    let mut t: [Vec<f64>; 5] = Default::default();
    for round in 0..rounds {
        for (i, s) in samples.iter().enumerate() {
            let ops: [&dyn Fn(); 5] = [
                &|| s.verify(&ctx),
                &|| s.verify_cold(&trust),
                &|| s.floor(),
                &|| s.cms_integrity(),
                &|| s.cms_full_cold(&trust),
            ];
            for k in 0..5 {
                let j = (k + i + round) % 5;
                let start = Instant::now();
                ops[j]();
                t[j].push(start.elapsed().as_nanos() as f64);
            }
        }
    }
    let [mut ours, mut ours_cold, mut floor, mut integrity, mut full] = t;
    let (ours, ours_cold, floor, integrity, full) = (
        median(&mut ours),
        median(&mut ours_cold),
        median(&mut floor),
        median(&mut integrity),
        median(&mut full),
    );
    // Throughput: whole passes over every file, one after the other, as a bulk job runs.
    let mut passes: Vec<f64> = (0..rounds.clamp(1, 5))
        .map(|_| {
            let start = Instant::now();
            for s in &samples {
                s.verify(&ctx);
            }
            start.elapsed().as_secs_f64()
        })
        .collect();
    let pass = median(&mut passes);
    let files_per_s = samples.len() as f64 / pass;
    let issuer = issuer_signature_ns(&trust.anchors[0], &samples[0], 200);

    println!(
        "{} files (mean {} bytes), {rounds} rounds, medians per file:",
        samples.len(),
        bytes
    );
    println!("  verify_pdf                  {:>10}", human(ours));
    println!("  verify_pdf, cold            {:>10}", human(ours_cold));
    println!("  floor (digest + signature)  {:>10}", human(floor));
    println!(
        "  phases, cold: CMS integrity {}, + path and CRL {} (one issuer signature alone {}), PDF part {}",
        human(integrity),
        human(full - integrity),
        human(issuer),
        human(ours_cold - full)
    );
    println!(
        "  whole passes over all files (median of {}): {:.3} s, {} per file, {:.0} files/s",
        passes.len(),
        pass,
        human(pass * 1e9 / samples.len() as f64),
        files_per_s
    );
    println!(
        "  ours/floor {:.2}x (target 2x), cold/floor {:.2}x",
        ours / floor,
        ours_cold / floor
    );
    let result = serde_json::json!({
        "files": samples.len(),
        "mean_bytes": bytes,
        "rounds": rounds,
        "ours_ns": ours,
        "ours_cold_ns": ours_cold,
        "floor_ns": floor,
        "cms_integrity_ns": integrity,
        "cms_full_ns": full,
        "files_per_s": files_per_s,
        "issuer_signature_ns": issuer,
    });
    println!("RESULT {result}");
}
