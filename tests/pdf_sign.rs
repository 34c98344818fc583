//! Signing PDFs inside (`pdf::sign::sign_pdf`, PAdES baseline B-B) and the sample results
//! they are made from (`pdf::report::document`): the signed file verifies PASSED with the
//! crate's own verifier (covering the whole file but `/Contents`, no change after it), with
//! `openssl cms -verify` over the ByteRange bytes, and with pyHanko; a second and a third
//! signature (Ed25519, ECDSA P-384) keep the earlier ones valid; a byte changed inside the
//! signed range fails; encrypted and unreadable files are refused; a file whose last xref is
//! a stream gets an xref stream.
#![cfg(feature = "report")]

mod common;

use std::process::Command;

use common::pki::{openssl, Pki};
use results_vault::pdf::report::document;
use results_vault::pdf::sign::{sign_pdf, PdfSignError};
use results_vault::pdf::{verify_pdf, PdfVerdict};
use results_vault::verify::signature::{Policy, ValidationContext};
use results_vault::{Indication, LocalSigner};
use time::{Duration, OffsetDateTime};

/// Now, to the second (the resolution of `/M`).
fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

fn birth_extract() -> Vec<u8> {
    document(
        "UBND PHƯỜNG HẢI CHÂU",
        "TRÍCH LỤC KHAI SINH",
        &[
            ("Họ, chữ đệm, tên", "NGUYỄN VĂN AN"),
            ("Ngày, tháng, năm sinh", "05/10/2026"),
            ("Nơi sinh", "Bệnh viện Phụ sản - Nhi Đà Nẵng"),
            ("Cơ quan cấp", "Ủy ban nhân dân phường Hải Châu, thành phố Đà Nẵng"),
        ],
        OffsetDateTime::UNIX_EPOCH,
    )
    .unwrap()
}

struct Setup {
    pki: Pki,
    crl: Vec<u8>,
}

impl Setup {
    fn new() -> Setup {
        let pki = Pki::dated();
        let crl = pki.crl("root");
        Setup { pki, crl }
    }

    fn rsa(&self) -> LocalSigner {
        LocalSigner::from_pkcs8(&self.pki.pkcs8("signer.key"), vec![self.pki.signer.clone()]).unwrap()
    }

    /// A signer with a new key of `spec` (`ed25519`, `ec:p384.param`…) under the root.
    fn issue(&self, name: &str, spec: &str) -> LocalSigner {
        let cert = self.pki.issue(name, spec);
        LocalSigner::from_pkcs8(&self.pki.pkcs8(&format!("{name}.key")), vec![cert]).unwrap()
    }

    fn verify(&self, data: &[u8]) -> PdfVerdict {
        let anchors = vec![self.pki.root.clone()];
        let crls = vec![self.crl.clone()];
        let policy = Policy::pades_baseline();
        let ctx = ValidationContext {
            anchors: &anchors,
            intermediates: &[],
            crls: &crls,
            validation_time: now() + Duration::minutes(1),
            proof_of_existence: None,
            policy: &policy,
            all_signers: false,
            chain_cache: None,
        };
        verify_pdf(data, &ctx).unwrap_or_else(|e| panic!("no verdict: {e}"))
    }
}

fn find_last(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .rposition(|w| w == needle)
        .unwrap_or_else(|| panic!("{} not found", String::from_utf8_lossy(needle)))
}

/// The newest signature's `/ByteRange`.
fn byte_range(data: &[u8]) -> [usize; 4] {
    let at = find_last(data, b"/ByteRange [") + b"/ByteRange [".len();
    let end = at + data[at..].iter().position(|&b| b == b']').unwrap();
    let numbers: Vec<usize> = std::str::from_utf8(&data[at..end])
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    numbers.try_into().unwrap()
}

/// The bytes a ByteRange covers, and the CMS in the gap (its DER, without the padding).
fn signed_bytes_and_cms(data: &[u8], range: [usize; 4]) -> (Vec<u8>, Vec<u8>) {
    let mut signed = data[range[0]..range[0] + range[1]].to_vec();
    signed.extend_from_slice(&data[range[2]..range[2] + range[3]]);
    let hex = std::str::from_utf8(&data[range[1] + 1..range[2] - 1]).unwrap();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    // A DER SEQUENCE with a long-form length: 0x30 0x8N and N length bytes.
    assert_eq!(bytes[0], 0x30);
    let n = usize::from(bytes[1] & 0x7F);
    let len = bytes[2..2 + n].iter().fold(0usize, |l, &b| l << 8 | usize::from(b));
    assert!(
        bytes[2 + n + len..].iter().all(|&b| b == 0),
        "zero padding after the CMS"
    );
    (signed, bytes[..2 + n + len].to_vec())
}

#[test]
fn a_rendered_result_signed_inside_verifies_passed_here_and_with_openssl() {
    let s = Setup::new();
    let unsigned = birth_extract();
    // The sample is a real PDF: it reads, has no signature, and says what it should.
    let verdict = s.verify(&unsigned);
    assert!(verdict.signatures.is_empty());
    std::fs::write(s.pki.path("unsigned.pdf"), &unsigned).unwrap();
    let text = Command::new("pdftotext")
        .args([s.pki.path("unsigned.pdf").to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) not found");
    let text = String::from_utf8(text.stdout).unwrap();
    for words in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TRÍCH LỤC KHAI SINH",
        "NGUYỄN VĂN AN",
    ] {
        assert!(text.contains(words), "{words:?} not in {text}");
    }

    let at = now();
    let signed = sign_pdf(&unsigned, &s.rsa(), "Signature1", at).unwrap();
    assert_eq!(&signed[..unsigned.len()], &unsigned[..], "an incremental update");

    let verdict = s.verify(&signed);
    assert_eq!(verdict.revisions, 2);
    let [sig] = verdict.signatures.as_slice() else {
        panic!("{:?}", verdict.signatures)
    };
    assert_eq!(sig.verdict.indication, Indication::Passed, "{}", sig.verdict.detail);
    assert_eq!(sig.field, "Signature1");
    assert_eq!(sig.sub_filter, "ETSI.CAdES.detached");
    assert!(sig.covers_whole_file);
    assert_eq!(sig.coverage_problem, None);
    assert!(!sig.modified_after_signing);
    assert!(sig.changes_after_signing.is_empty(), "{:?}", sig.changes_after_signing);
    assert_eq!(
        sig.claimed_time.as_deref(),
        Some(
            at.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
                .as_str()
        )
    );
    assert_eq!(verdict.indication, Indication::Passed);

    // The ByteRange is [0 a b c]: the whole file but the /Contents string.
    let range = byte_range(&signed);
    assert_eq!(range[0], 0);
    assert_eq!(range[2] + range[3], signed.len());
    assert_eq!((signed[range[1]], signed[range[2] - 1]), (b'<', b'>'));
    let (content, cms) = signed_bytes_and_cms(&signed, range);
    assert!(s.pki.openssl_verifies(&cms, &content, Some("root.crl")));
    // No signingTime in the CMS (PAdES baseline): openssl prints the signed attributes.
    std::fs::write(s.pki.path("pades.p7s"), &cms).unwrap();
    let printed = Command::new("openssl")
        .current_dir(s.pki.dir.path())
        .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in", "pades.p7s"])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&printed.stdout);
    assert!(printed.contains("messageDigest"), "{printed}");
    assert!(printed.contains("id-smime-aa-signingCertificateV2"), "{printed}");
    assert!(!printed.contains("signingTime"), "{printed}");
}

#[test]
fn later_signatures_keep_the_earlier_ones_valid_and_pyhanko_agrees() {
    let s = Setup::new();
    assert!(openssl(
        s.pki.dir.path(),
        &["ecparam", "-name", "secp384r1", "-out", "p384.param"]
    ));
    let once = sign_pdf(&birth_extract(), &s.rsa(), "Signature1", now()).unwrap();
    let twice = sign_pdf(&once, &s.issue("ed25519", "ed25519"), "Chữ ký lãnh đạo", now()).unwrap();
    let thrice = sign_pdf(&twice, &s.issue("p384", "ec:p384.param"), "Signature3", now()).unwrap();

    let verdict = s.verify(&thrice);
    assert_eq!(verdict.revisions, 4);
    let fields: Vec<&str> = verdict.signatures.iter().map(|s| s.field.as_str()).collect();
    assert_eq!(fields, ["Signature1", "Chữ ký lãnh đạo", "Signature3"]);
    for (i, sig) in verdict.signatures.iter().enumerate() {
        assert_eq!(
            sig.verdict.indication,
            Indication::Passed,
            "{i}: {}",
            sig.verdict.detail
        );
        assert!(!sig.modified_after_signing, "{i}: {:?}", sig.changes_after_signing);
        assert_eq!(sig.covers_whole_file, i == 2);
        assert_eq!(sig.signed_revision, Some(i + 1));
    }
    assert_eq!(verdict.indication, Indication::Passed);

    // The same name twice is refused.
    let again = sign_pdf(&thrice, &s.rsa(), "Signature1", now());
    assert!(matches!(again, Err(PdfSignError::FieldExists(_))), "{again:?}");

    // pyHanko, trusting the same root and CRL: every signature intact, valid, trusted,
    // the last over the whole file, the earlier ones followed by signing only.
    let path = s.pki.path("signed-thrice.pdf");
    std::fs::write(&path, &thrice).unwrap();
    let out = Command::new(common::pades::pyhanko_python())
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pades/validate.py"))
        .arg(s.pki.path("root.pem"))
        .arg(s.pki.path("root.crl.der"))
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    for (i, line) in lines.iter().enumerate() {
        for key in ["intact", "valid", "trusted", "bottom_line"] {
            assert_eq!(line[key], true, "pyHanko, signature {i}, {key}: {line:#}");
        }
        assert_eq!(line["subfilter"], "ETSI.CAdES.detached");
        let (coverage, level) = if i == 2 {
            ("ENTIRE_FILE", "NONE")
        } else {
            ("ENTIRE_REVISION", "FORM_FILLING")
        };
        assert_eq!(line["coverage"], coverage, "{line:#}");
        assert_eq!(line["modification_level"], level, "{line:#}");
    }
}

#[test]
fn a_byte_changed_inside_the_signed_range_fails() {
    let s = Setup::new();
    let signed = sign_pdf(&birth_extract(), &s.rsa(), "Signature1", now()).unwrap();
    // The claimed time's year, inside the signature dictionary, inside the signed range:
    // still a well-formed PDF, no longer the signed bytes.
    let mut tampered = signed.clone();
    let at = find_last(&tampered, b"/M (D:") + b"/M (D:".len() + 3;
    tampered[at] = if tampered[at] == b'9' { b'8' } else { tampered[at] + 1 };
    let verdict = s.verify(&tampered);
    assert_eq!(verdict.signatures[0].verdict.indication, Indication::Failed);
    assert_eq!(verdict.indication, Indication::Failed);
    // And in the original document's bytes: a letter of its /Producer.
    let mut tampered = signed;
    let at = find_last(&tampered, b"results-vault");
    tampered[at] = b'R';
    assert_eq!(s.verify(&tampered).indication, Indication::Failed);
}

/// A small PDF of `objects` (numbered from 1, the catalog first), its xref a stream
/// (`/W [1 4 2]`) or a table, with `extra` in its trailer.
fn small_pdf(objects: &[&str], stream: bool, extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref_at = out.len();
    let size = objects.len() + 1 + usize::from(stream);
    if stream {
        offsets.push(xref_at);
        let mut rows = vec![0u8, 0, 0, 0, 0, 0xFF, 0xFF];
        for offset in offsets {
            rows.push(1);
            rows.extend_from_slice(&(offset as u32).to_be_bytes());
            rows.extend_from_slice(&[0, 0]);
        }
        out.extend_from_slice(
            format!(
                "{} 0 obj\n<</Type /XRef /Size {size} /W [1 4 2] /Root 1 0 R{extra} /Length {}>>\nstream\n",
                size - 1,
                rows.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&rows);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    } else {
        out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f\r\n").as_bytes());
        for offset in offsets {
            out.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes());
        }
        out.extend_from_slice(format!("trailer\n<</Size {size} /Root 1 0 R{extra}>>\n").as_bytes());
    }
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

const ONE_PAGE: [&str; 3] = [
    "<</Type /Catalog /Pages 2 0 R>>",
    "<</Type /Pages /Kids [3 0 R] /Count 1>>",
    "<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>>",
];

fn xref_stream_pdf(extra: &str) -> Vec<u8> {
    small_pdf(&ONE_PAGE, true, extra)
}

#[test]
fn a_form_and_annotations_held_in_objects_of_their_own_are_updated_there() {
    let s = Setup::new();
    let original = small_pdf(
        &[
            "<</Type /Catalog /Pages 2 0 R /AcroForm 4 0 R>>",
            "<</Type /Pages /Kids [3 0 R] /Count 1>>",
            "<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots 5 0 R>>",
            "<</Fields 6 0 R /DA (/Helv 0 Tf 0 g)>>",
            "[]",
            "[]",
        ],
        false,
        " /ID [<0123456789ABCDEF> <0123456789ABCDEF>]",
    );
    let once = sign_pdf(&original, &s.rsa(), "Signature1", now()).unwrap();
    let update = String::from_utf8_lossy(&once[original.len()..]).into_owned();
    // The form (its /SigFlags), its /Fields array and the page's /Annots array get new
    // versions; the catalog and the page do not change.
    for rewritten in ["\n4 0 obj\n", "\n5 0 obj\n", "\n6 0 obj\n"] {
        assert!(update.contains(rewritten), "{rewritten:?} not in the update");
    }
    for unchanged in ["\n1 0 obj\n", "\n3 0 obj\n"] {
        assert!(!update.contains(unchanged), "{unchanged:?} in the update");
    }
    assert!(
        update.contains("/ID [<0123456789ABCDEF> <0123456789ABCDEF>]"),
        "the /ID is kept"
    );
    let twice = sign_pdf(&once, &s.rsa(), "Signature2", now()).unwrap();
    let verdict = s.verify(&twice);
    assert_eq!(verdict.indication, Indication::Passed, "{verdict:#?}");
    assert!(!verdict.signatures[0].modified_after_signing);
}

#[test]
fn a_file_with_an_xref_stream_gets_an_xref_stream_update() {
    let s = Setup::new();
    let original = xref_stream_pdf("");
    assert!(s.verify(&original).signatures.is_empty());
    let signed = sign_pdf(&original, &s.rsa(), "Signature1", now()).unwrap();
    let update = &signed[original.len()..];
    assert!(update.windows(11).any(|w| w == b"/Type /XRef"), "an xref stream");
    assert!(!update.windows(6).any(|w| w == b"\nxref\n"), "no xref table");
    let verdict = s.verify(&signed);
    assert_eq!(verdict.indication, Indication::Passed, "{verdict:#?}");
    assert!(verdict.signatures[0].covers_whole_file);
}

#[test]
fn encrypted_unreadable_and_ambiguous_files_are_refused() {
    let s = Setup::new();
    let encrypted = xref_stream_pdf(" /Encrypt <</Filter /Standard /V 2 /R 3>>");
    let refused = sign_pdf(&encrypted, &s.rsa(), "Signature1", now());
    assert_eq!(refused, Err(PdfSignError::Encrypted));

    for junk in [&b"not a PDF at all"[..], b"%PDF-1.7\n1 0 obj <<>> endobj\n"] {
        let refused = sign_pdf(junk, &s.rsa(), "Signature1", now());
        assert!(matches!(refused, Err(PdfSignError::Unreadable(_))), "{refused:?}");
    }

    // Bytes after %%EOF that are no update: a signature added after them would be judged
    // modified, so none is added.
    let mut trailing = birth_extract();
    trailing.extend_from_slice(b"\ngarbage after the end\n");
    let refused = sign_pdf(&trailing, &s.rsa(), "Signature1", now());
    assert!(matches!(refused, Err(PdfSignError::Unsupported(_))), "{refused:?}");

    let refused = sign_pdf(&birth_extract(), &s.rsa(), "Chữ.ký", now());
    assert!(matches!(refused, Err(PdfSignError::FieldName { .. })), "{refused:?}");
}
