//! CMS made by real PDF signers (the signed, not yet manipulated stages of the
//! pdf-attacker shadow-attack files in `../shared/testdata/pdf-attacks/`), several in BER
//! with indefinite lengths: the CMS checks must find them intact over the bytes their
//! ByteRange covers. (A test-only extraction by pattern; PDF parsing is the PDF issue's.)

use results_vault::verify::cms::{check_detached, check_detached_parts_in_pdf, SignerOutcome};

#[path = "common/testdata.rs"]
mod testdata;

/// The signed bytes and the CMS of the first signature in `pdf`.
fn extract(pdf: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let text = String::from_utf8_lossy(pdf);
    let at = text.find("/ByteRange").expect("no /ByteRange");
    let open = at + text[at..].find('[').unwrap();
    let close = open + text[open..].find(']').unwrap();
    let range: Vec<usize> = text[open + 1..close]
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let (a, b, c, d) = (range[0], range[1], range[2], range[3]);
    let mut signed = pdf[a..a + b].to_vec();
    signed.extend_from_slice(&pdf[c..c + d]);
    // The gap is exactly the /Contents hex string.
    let hex: String = String::from_utf8_lossy(&pdf[a + b..c])
        .chars()
        .filter(|ch| ch.is_ascii_hexdigit())
        .collect();
    // Zero padding included, as in the file: the engine copes with it.
    let cms: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    (signed, cms)
}

#[test]
fn real_signers_cms_ber_and_der_are_intact_over_their_byte_range() {
    let mut ber = 0;
    let mut checked = 0;
    let Some(dir) = testdata::suite("pdf-attacks") else {
        return;
    };
    let dir = dir.join("pdf-attacker");
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{} is missing ({e})", dir.display())) {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.contains("__3_") {
            continue;
        }
        let pdf = std::fs::read(&path).unwrap();
        let (signed, cms) = extract(&pdf);
        if cms[1] == 0x80 {
            ber += 1;
        }
        // The /Contents reader admits the zero padding; a CMS on its own may not have it.
        let check = check_detached_parts_in_pdf(&cms, &[&signed], false).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(check.signers.len(), 1, "{name}");
        assert_eq!(check.signers[0].outcome, SignerOutcome::Intact, "{name}");
        let mut padded = cms.clone();
        padded.extend_from_slice(&[0; 16]);
        assert!(
            matches!(
                check_detached(&padded, &signed).unwrap().signers[0].outcome,
                SignerOutcome::Malformed(_)
            ),
            "{name}: zero padding outside a PDF"
        );
        // One changed byte in the signed range is a hash failure.
        let mut changed = signed.clone();
        changed[signed.len() / 2] ^= 1;
        assert_eq!(
            check_detached_parts_in_pdf(&cms, &[&changed], false).unwrap().signers[0].outcome,
            SignerOutcome::HashFailure,
            "{name}"
        );
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} signed files found");
    assert!(ber >= 2, "expected BER (indefinite-length) CMS among them, found {ber}");
}
