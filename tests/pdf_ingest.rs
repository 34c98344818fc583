//! Ingesting signed PDFs (made by pyHanko): the embedded signatures are verified with the
//! vault's trust store, the verdict is kept with the record and pinned by the audit log,
//! and under `PdfSignaturePolicy::RefuseFailed` a PDF modified after signing (or not a PDF
//! at all) is refused with nothing stored.

mod common;

use common::pades::PadesFixtures;
use common::{birth_extract, temp_vault_with};
use results_vault::{Error, Indication, PdfSignaturePolicy, VaultOptions};

fn vault(fx: &PadesFixtures, policy: PdfSignaturePolicy) -> common::TempVault {
    let t = temp_vault_with(VaultOptions {
        pdf_signatures: policy,
        ..VaultOptions::default()
    });
    t.vault.add_trust_anchor(&fx.root()).unwrap();
    t.vault.add_crl(&fx.crl()).unwrap();
    t
}

#[test]
fn a_signed_pdf_is_stored_with_its_verdict_and_the_log_pins_it() {
    let fx = PadesFixtures::make();
    let t = vault(&fx, PdfSignaturePolicy::Record);
    let done = t
        .vault
        .ingest(birth_extract("G22.46-PDF-1"), &fx.read("pades-rsa-pkcs1v15-sha256.pdf"))
        .unwrap();
    let check = t.vault.pdf_check(&done.record.result_id).unwrap().expect("checked");
    let verdict = check.verdict.expect("a PDF");
    assert_eq!(verdict.indication, Indication::Passed);
    assert!(verdict.signatures[0].covers_whole_file);

    // Modified after signing: stored (the default only flags), with a FAILED verdict.
    let done = t
        .vault
        .ingest(
            birth_extract("G22.46-PDF-2"),
            &fx.read("signed-then-content-changed.pdf"),
        )
        .unwrap();
    let check = t.vault.pdf_check(&done.record.result_id).unwrap().unwrap();
    let verdict = check.verdict.unwrap();
    assert_eq!(verdict.indication, Indication::Failed);
    assert!(verdict.signatures[0].modified_after_signing);

    // The verdict is pinned by the ingest event: editing it behind the vault's back shows.
    let events = t.vault.history(&done.record.result_id).unwrap();
    assert!(events[0].details["pdf_check"].is_string(), "{:?}", events[0].details);
    assert!(t.vault.verify_log().unwrap().is_intact());
}

#[test]
fn refuse_failed_stores_nothing_for_a_modified_or_unreadable_pdf() {
    let fx = PadesFixtures::make();
    let t = vault(&fx, PdfSignaturePolicy::RefuseFailed);
    let head = t.vault.log_head().unwrap();
    for (file, content) in [
        ("changed", fx.read("signed-then-content-changed.pdf")),
        ("added page", fx.read("signed-then-page-added.pdf")),
        ("not a pdf", b"%PDF-1.7\nthis is no PDF at all\n".to_vec()),
    ] {
        let e = t
            .vault
            .ingest(birth_extract(&format!("G22.46-{file}")), &content)
            .unwrap_err();
        assert!(matches!(e, Error::PdfSignatureRefused(_)), "{file}: {e}");
        assert!(t
            .vault
            .find_by_hash(&results_vault::Sha256::of(&content))
            .unwrap()
            .is_empty());
    }
    assert_eq!(t.vault.log_head().unwrap(), head, "nothing was written");
    // A valid one still goes in; an unsigned one too (it is flagged, not failed).
    t.vault
        .ingest(birth_extract("G22.46-ok"), &fx.read("pades-ecdsa-p256-sha256.pdf"))
        .unwrap();
    let unsigned = t
        .vault
        .ingest(birth_extract("G22.46-unsigned"), &fx.read("base.pdf"))
        .unwrap();
    let check = t.vault.pdf_check(&unsigned.record.result_id).unwrap().unwrap();
    assert_eq!(check.verdict.unwrap().indication, Indication::Indeterminate);
}

#[test]
fn ignore_does_not_look() {
    let fx = PadesFixtures::make();
    let t = vault(&fx, PdfSignaturePolicy::Ignore);
    let done = t
        .vault
        .ingest(birth_extract("G22.46-ign"), &fx.read("signed-then-content-changed.pdf"))
        .unwrap();
    assert!(t.vault.pdf_check(&done.record.result_id).unwrap().is_none());
}
