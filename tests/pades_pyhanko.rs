//! Signed PDFs made by pyHanko (every key type, both SubFilters, signed twice, DocMDP
//! certifications followed by permitted and forbidden updates, DSS, a revoked and an
//! expired signer; see tests/pades/README.md): the verifier reaches the manifest's verdict
//! on every signature, and agrees with pyHanko's own validation (`validate_pdf_signature`,
//! run in the same test) wherever the manifest does not record a known pyHanko departure.
//! Then attack variants built here from a validly signed PDF: bit flips, edited signed
//! bytes, appended updates, bytes after `%%EOF`, zeroed or renamed keys.

mod common;

use std::path::Path;

use common::pades::{PadesFixtures, SignatureEntry};
use results_vault::pdf::{verify_pdf_with, ChangePolicy, PdfSignature, PdfVerdict};
use results_vault::verify::signature::{Policy, ValidationContext};
use results_vault::Indication;
use serde_json::Value;

/// The verdict under ISO 32000's reading of later changes, which the manifest records.
fn verify(fx: &PadesFixtures, data: &[u8]) -> PdfVerdict {
    verify_under(fx, data, ChangePolicy::Iso)
}

fn verify_under(fx: &PadesFixtures, data: &[u8], changes: ChangePolicy) -> PdfVerdict {
    let anchors = vec![fx.root()];
    let crls = vec![fx.crl()];
    let policy = Policy::pkcs7_detached();
    let ctx = ValidationContext {
        anchors: &anchors,
        intermediates: &[],
        crls: &crls,
        validation_time: time::OffsetDateTime::now_utc(),
        proof_of_existence: None,
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };
    verify_pdf_with(data, &ctx, changes).unwrap_or_else(|e| panic!("no verdict: {e}"))
}

/// Our answer against the manifest's, for one signature.
fn compare(file: &str, want: &SignatureEntry, got: &PdfSignature, errors: &mut Vec<String>) {
    let e = &want.expect;
    let mut check = |what: &str, expected: bool, actual: bool| {
        if expected != actual {
            errors.push(format!(
                "{file} {}: {what}: expected {expected}, got {actual} ({:?}/{:?}: {})",
                want.field, got.verdict.indication, got.verdict.sub_indication, got.verdict.detail
            ));
        }
    };
    check("intact", e.intact, got.verdict.integrity);
    check("covers the whole file", e.covers_whole_file, got.covers_whole_file);
    check(
        "modified after signing",
        !e.modification_permitted,
        got.modified_after_signing,
    );
    check("PASSED", e.bottom_line, got.verdict.indication == Indication::Passed);
    if want.kind == "certification" {
        check("certification level", true, got.certification == want.docmdp);
    }
}

#[test]
fn pyhanko_made_pdfs_get_the_manifests_verdicts_and_agree_with_pyhanko() {
    let fx = PadesFixtures::make();
    let mut errors = Vec::new();
    let mut files = Vec::new();
    let mut signatures = 0;
    for entry in &fx.manifest {
        let verdict = verify(&fx, &fx.read(&entry.file));
        let ours: Vec<&PdfSignature> = verdict.signatures.iter().filter(|s| s.kind == "signature").collect();
        let theirs: Vec<&SignatureEntry> = entry.signatures.iter().filter(|s| s.kind != "timestamp").collect();
        if ours.len() != theirs.len() {
            errors.push(format!(
                "{}: {} signatures, expected {}",
                entry.file,
                ours.len(),
                theirs.len()
            ));
            continue;
        }
        for (want, got) in theirs.iter().zip(&ours) {
            compare(&entry.file, want, got, &mut errors);
            signatures += 1;
        }
        // The default policy is the same but for annotations: after any signature they
        // fail it, and say so.
        let strict = verify_under(&fx, &fx.read(&entry.file), ChangePolicy::Strict);
        let strict: Vec<&PdfSignature> = strict.signatures.iter().filter(|s| s.kind == "signature").collect();
        for ((want, iso), got) in theirs.iter().zip(&ours).zip(&strict) {
            let annotated = want.expect.modification_level == "ANNOTATIONS";
            let expected = (
                iso.verdict.indication == Indication::Passed && !annotated,
                iso.modified_after_signing || annotated,
            );
            let actual = (got.verdict.indication == Indication::Passed, got.modified_after_signing);
            if expected != actual || (annotated && !got.changes_after_signing.iter().any(|c| c.contains("annotation")))
            {
                errors.push(format!(
                    "{} {} under the strict policy: (PASSED, modified) expected {expected:?}, got {actual:?}: {:?}",
                    entry.file, want.field, got.changes_after_signing
                ));
            }
        }
        if theirs.is_empty() {
            assert_eq!(
                verdict.indication,
                Indication::Indeterminate,
                "{}: unsigned",
                entry.file
            );
        }
        files.push(fx.path(&entry.file));
    }
    assert!(signatures >= 30, "only {signatures} signatures checked");

    // The document timestamp (ETSI.RFC3161) over the signed file: an RFC 3161 token whose
    // imprint is the ByteRange's hash, by a TSA of the same root; it changes nothing of
    // the signature before it (LTA level).
    let v = verify(&fx, &fx.read("signed-then-doctimestamp.pdf"));
    let ts = v
        .signatures
        .iter()
        .find(|s| s.kind == "document_timestamp")
        .expect("a timestamp");
    assert_eq!(ts.verdict.indication, Indication::Passed, "{}", ts.verdict.detail);
    assert!(ts.covers_whole_file && ts.verdict.proof_of_existence.is_some());
    let first = &v.signatures[0];
    assert!(!first.covers_whole_file && !first.modified_after_signing, "{first:?}");
    assert_eq!(first.verdict.indication, Indication::Passed);
    // ...and it proves the signature existed at its genTime (PAdES-LTA).
    assert_eq!(first.verdict.proof_of_existence, ts.verdict.proof_of_existence);
    assert_eq!(first.verdict.valid_at_signing_time, Some(true));

    // pyHanko on the same files, in the same run: the same bottom line, coverage and
    // integrity, except where the manifest records why pyHanko differs.
    let paths: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let lines = fx.pyhanko_validate(&paths);
    for line in lines.iter().filter(|l| l.get("index").is_some()) {
        let file = line["file"].as_str().unwrap();
        let entry = fx.entry(file);
        let index = line["index"].as_u64().unwrap() as usize;
        let Some(want) = entry.signatures.get(index) else {
            continue;
        };
        if want.kind == "timestamp" || want.pyhanko_differs.is_some() {
            continue;
        }
        let verdict = verify(&fx, &fx.read(file));
        let ours = verdict.signatures.iter().filter(|s| s.kind == "signature").nth(index);
        let Some(ours) = ours else {
            errors.push(format!("{file} #{index}: pyHanko sees a signature we do not"));
            continue;
        };
        let agree = |theirs: &Value, mine: bool| theirs.as_bool() == Some(mine);
        if !agree(&line["bottom_line"], ours.verdict.indication == Indication::Passed)
            || !agree(&line["intact"], ours.verdict.integrity)
            || (line["coverage"] == "ENTIRE_FILE") != ours.covers_whole_file
        {
            errors.push(format!(
                "{file} #{index}: pyHanko {line}, we {:?}/{:?} whole={} modified={}",
                ours.verdict.indication,
                ours.verdict.sub_indication,
                ours.covers_whole_file,
                ours.modified_after_signing
            ));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Where `needle` is in `hay` at or after `from` (bytes: a PDF is not text).
fn find(hay: &[u8], needle: &[u8], from: usize) -> usize {
    from + hay[from..].windows(needle.len()).position(|w| w == needle).unwrap()
}

fn rfind(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).rposition(|w| w == needle).unwrap()
}

/// The unsigned number written at `at` (after white space).
fn number_at(hay: &[u8], at: usize) -> usize {
    let digits: Vec<u8> = hay[at..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    String::from_utf8(digits).unwrap().parse().unwrap()
}

#[test]
fn attack_variants_built_from_a_valid_signed_pdf() {
    let fx = PadesFixtures::make();
    let good = fx.read("pades-rsa-pkcs1v15-sha256.pdf");
    let base = verify(&fx, &good);
    assert_eq!(base.indication, Indication::Passed, "{:?}", base.signatures[0].verdict);
    assert!(base.signatures[0].covers_whole_file);
    let br = find(&good, b"/ByteRange", 0);
    // The gap starts at the second number: the signature's `<` hex string.
    let lt = number_at(&good, find(&good, b"[0", br) + 2);
    assert_eq!(good[lt], b'<');
    let contents = rfind(&good[..lt], b"/Contents");

    let mut variants: Vec<(&str, Vec<u8>)> = Vec::new();
    // A bit flipped inside the signature value.
    let mut v = good.clone();
    v[lt + 41] = if v[lt + 41] == b'0' { b'1' } else { b'0' };
    variants.push(("bit flip in the signature", v));
    // A signed byte edited (early in the first range).
    let mut v = good.clone();
    v[200] ^= 0x01;
    variants.push(("edited signed byte", v));
    // Bytes after %%EOF.
    let mut v = good.clone();
    v.extend_from_slice(b"\nBT /F1 12 Tf (forged) Tj ET\n");
    variants.push(("bytes after %%EOF", v));
    // An appended incremental update that points the catalog at another page tree.
    let mut v = good.clone();
    let root = number_at(&good, rfind(&good, b"/Root") + 5);
    let prev_at = number_at(&good, rfind(&good, b"startxref") + 9);
    let start = v.len();
    v.extend_from_slice(format!("{root} 0 obj\n<< /Type /Catalog /Pages 999 0 R >>\nendobj\n").as_bytes());
    let xref_at = v.len();
    v.extend_from_slice(
        format!(
            "xref\n{root} 1\n{start:010} 00000 n\r\ntrailer\n<< /Size 1000 /Root {root} 0 R /Prev {prev_at} >>\nstartxref\n{xref_at}\n%%EOF\n"
        )
        .as_bytes(),
    );
    variants.push(("appended update changing the catalog", v));
    // /ByteRange and /Contents zeroed or renamed.
    let mut v = good.clone();
    let end = find(&v, b"]", br);
    for b in &mut v[br + 11..end] {
        if b.is_ascii_digit() {
            *b = b'0';
        }
    }
    variants.push(("zeroed /ByteRange", v));
    let mut v = good.clone();
    v[br + 1..br + 10].copy_from_slice(b"ByteRangX");
    variants.push(("renamed /ByteRange", v));
    let mut v = good.clone();
    v[contents + 1..contents + 9].copy_from_slice(b"Contentz");
    variants.push(("renamed /Contents", v));
    let mut v = good.clone();
    let close = find(&v, b">", lt);
    for b in &mut v[lt + 1..close] {
        *b = b'0';
    }
    variants.push(("zeroed /Contents", v));

    for (what, data) in variants {
        let verdict = verify(&fx, &data);
        let s = verdict.signatures.first();
        let unmodified_pass = s.is_some_and(|s| {
            s.verdict.indication == Indication::Passed && s.covers_whole_file && !s.modified_after_signing
        });
        assert!(!unmodified_pass, "{what}: still an unmodified PASSED");
        assert_ne!(
            verdict.indication,
            Indication::Passed,
            "{what}: {:?}",
            s.map(|s| &s.verdict)
        );
    }
}
