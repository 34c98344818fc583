//! Hostile and mutated PDFs: thousands of byte flips, truncations and insertions of a
//! validly signed PDF (made by pyHanko) never panic, never hang, and never leave an
//! unmodified whole-file PASSED unless the signed bytes are untouched; hand-made hostile
//! structures (xref loops, absurd sizes, deep nesting, bombs) are refused quickly.

mod common;

use std::time::{Duration, Instant};

use common::pades::PadesFixtures;
use results_vault::pdf::{verify_pdf, PdfVerdict};
use results_vault::verify::signature::{Policy, ValidationContext};
use results_vault::Indication;

fn verify(anchors: &[Vec<u8>], crls: &[Vec<u8>], data: &[u8]) -> Option<PdfVerdict> {
    let policy = Policy::pkcs7_detached();
    let ctx = ValidationContext {
        anchors,
        intermediates: &[],
        crls,
        validation_time: time::OffsetDateTime::now_utc(),
        proof_of_existence: None,
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };
    verify_pdf(data, &ctx).ok()
}

fn unmodified_pass(v: &Option<PdfVerdict>) -> bool {
    v.as_ref().is_some_and(|v| {
        v.indication == Indication::Passed
            && v.signatures
                .iter()
                .any(|s| s.covers_whole_file && !s.modified_after_signing)
    })
}

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn mutations_of_a_signed_pdf_never_pass_as_unmodified() {
    let fx = PadesFixtures::make();
    let (anchors, crls) = (vec![fx.root()], vec![fx.crl()]);
    let good = fx.read("pades-ecdsa-p256-sha256.pdf");
    assert!(unmodified_pass(&verify(&anchors, &crls, &good)), "the original passes");
    // The signature value's hex string: flipping its zero padding changes nothing signed.
    let text = &good;
    let br = text.windows(10).rposition(|w| w == b"/ByteRange").unwrap();
    let digits: Vec<u64> = String::from_utf8_lossy(&text[br + 10..br + 80])
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(4)
        .map(|s| s.parse().unwrap())
        .collect();
    let gap = digits[1] as usize..digits[2] as usize;

    let mut rng = Rng(0x005E_ED0F_7E57);
    let started = Instant::now();
    for round in 0..600 {
        let mut data = good.clone();
        let at = rng.below(data.len());
        let kind = round % 3;
        match kind {
            0 => data[at] ^= 1 << rng.below(8),
            1 => data.truncate(at),
            _ => {
                let insert: Vec<u8> = (0..1 + rng.below(8)).map(|_| rng.next() as u8).collect();
                data.splice(at..at, insert);
            }
        }
        let t = Instant::now();
        let v = verify(&anchors, &crls, &data);
        assert!(t.elapsed() < Duration::from_secs(2), "round {round}: too slow");
        if kind == 0 && gap.contains(&at) {
            continue; // inside the signature value: a changed padding byte is harmless
        }
        assert!(
            !unmodified_pass(&v),
            "round {round}: mutation {kind} at {at} still passes"
        );
    }
    assert!(started.elapsed() < Duration::from_secs(120));
}

#[test]
fn hostile_structures_are_refused_quickly() {
    let xref = |body: &str, xref_at: usize| format!("{body}startxref\n{xref_at}\n%%EOF\n");
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    // An xref section whose /Prev is itself.
    let body = "%PDF-1.7\nxref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 1 /Prev 9 /Root 1 0 R >>\n";
    cases.push(("Prev loop", xref(body, 9).into_bytes()));
    // A subsection that claims billions of entries.
    let body = "%PDF-1.7\nxref\n0 4000000000\n";
    cases.push(("absurd subsection", xref(body, 9).into_bytes()));
    // Arrays nested 100,000 deep in the trailer.
    let body = format!("%PDF-1.7\nxref\n0 0\ntrailer\n<< /Root {} >>\n", "[".repeat(100_000));
    cases.push(("deep nesting", xref(&body, 9).into_bytes()));
    // An xref stream whose Flate data inflates past every limit.
    let zeros = vec![0u8; 80 << 20];
    let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&zeros, 9);
    let mut data = format!(
        "%PDF-1.7\n1 0 obj\n<< /Type /XRef /W [1 4 2] /Size 99999999 /Filter /FlateDecode /Length {} >>\nstream\n",
        bomb.len()
    )
    .into_bytes();
    data.extend_from_slice(&bomb);
    data.extend_from_slice(b"\nendstream\nendobj\n");
    data.extend_from_slice(b"startxref\n9\n%%EOF\n");
    cases.push(("inflation bomb", data));
    for (what, data) in cases {
        let t = Instant::now();
        let v = verify(&[], &[], &data);
        assert!(v.is_none(), "{what}: parsed as a PDF");
        assert!(t.elapsed() < Duration::from_secs(3), "{what}: {:?}", t.elapsed());
    }
}
