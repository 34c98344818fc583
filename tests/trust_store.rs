//! The vault's trust store: anchors, intermediates and CRLs made by `openssl`, each checked
//! before it is kept, each change in the audit log, and edits behind the vault's back found.

mod common;

use common::pki::Pki;
use common::*;
use results_vault::{Error, Sha256, TrustItemKind, Vault, VaultOptions};

#[test]
fn anchors_and_crls_are_checked_kept_listed_and_removed() {
    let t = temp_vault();
    let p = Pki::new();
    let crl = p.crl("current");

    // A CRL before its issuer is known is refused, and says what to do.
    let err = t.vault.add_crl(&crl).unwrap_err();
    assert!(
        matches!(err, Error::TrustRefused(ref why) if why.contains("add its issuer first")),
        "{err}"
    );

    let root = t.vault.add_trust_anchor(&p.root).unwrap();
    assert_eq!((root.kind, root.name.as_str()), (TrustItemKind::Anchor, "CN=Root CA"));
    assert_eq!(
        t.vault.add_trust_anchor(&p.root).unwrap(),
        root,
        "adding twice returns the stored item"
    );
    let stored_crl = t.vault.add_crl(&crl).unwrap();
    assert_eq!(stored_crl.kind, TrustItemKind::Crl);

    // Refused: a CRL signed by another key under the same name, a leaf as anchor, garbage.
    let err = t.vault.add_crl(&p.forged_crl()).unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");
    let err = t.vault.add_trust_anchor(&p.signer).unwrap_err();
    assert!(err.to_string().contains("not a CA"), "{err}");
    assert!(matches!(
        t.vault.add_intermediate(b"garbage"),
        Err(Error::TrustRefused(_))
    ));
    assert!(matches!(t.vault.add_crl(b"garbage"), Err(Error::TrustRefused(_))));

    let material = t.vault.trust_material().unwrap();
    assert_eq!(
        (
            material.anchors.len(),
            material.intermediates.len(),
            material.crls.len()
        ),
        (1, 0, 1)
    );
    assert_eq!(material.anchors[0], p.root);
    assert_eq!(t.vault.trust_items().unwrap().len(), 2);

    assert!(t.vault.remove_trust_item(&stored_crl.sha256).unwrap());
    assert!(!t.vault.remove_trust_item(&stored_crl.sha256).unwrap());
    assert_eq!(t.vault.trust_material().unwrap().crls.len(), 0);

    // Every change is an audit event, and the log still verifies.
    let report = t.vault.verify_log().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.events, 3, "anchor added, CRL added, CRL removed");
}

#[test]
fn trust_material_changed_behind_the_vaults_back_is_found() {
    let t = temp_vault();
    let p = Pki::new();
    t.vault.add_trust_anchor(&p.root).unwrap();
    let db = raw_sqlite(&t.path());
    // An attacker slips in their own root…
    db.execute(
        "INSERT INTO trust_items (sha256, item, name, der, added_ms) VALUES (?1, 'anchor', 'CN=Root CA', ?2, 0)",
        (&Sha256::of(&p.impostor_root).0[..], &p.impostor_root),
    )
    .unwrap();
    let report = t.vault.verify_log().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.what.contains("added behind the vault's back")),
        "{report:?}"
    );
    // …or swaps the bytes of the genuine one.
    db.execute(
        "DELETE FROM trust_items WHERE item = 'anchor' AND der = ?1",
        [&p.impostor_root],
    )
    .unwrap();
    db.execute("UPDATE trust_items SET der = ?1", [&p.impostor_root])
        .unwrap();
    let report = t.vault.verify_log().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.what.contains("edited behind the vault's back")),
        "{report:?}"
    );
    // And the swapped anchor is never handed to a verification.
    assert!(t.vault.trust_material().is_err());
}

#[test]
fn a_version_1_vault_is_migrated_to_the_trust_store_and_signature_schemas() {
    // Version 1 kept no PDF check, and its ingest events name none.
    let t = common::temp_vault_with(VaultOptions {
        pdf_signatures: results_vault::PdfSignaturePolicy::Ignore,
        ..options()
    });
    t.vault.ingest(birth_extract("M-1"), b"before the migration").unwrap();
    let path = t.path();
    drop(t.vault);
    // Make the file what version 1 wrote.
    let db = raw_sqlite(&path);
    db.execute_batch(
        "DROP TABLE remote_requests; DROP TABLE kept_crls; DROP TABLE signature_checks; DROP TABLE signing_sessions;
         DROP TABLE signatures; DROP TABLE trust_items; DROP TABLE pdf_checks; DROP INDEX events_trust;
         DROP TABLE signer_rules; DROP INDEX events_policy;
         PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(db);
    let vault = Vault::open(&path, options()).unwrap();
    let p = Pki::new();
    vault.add_trust_anchor(&p.root).unwrap();
    let version: i64 = raw_sqlite(&path)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, results_vault::SCHEMA_VERSION);
    let report = vault.verify_log().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!((report.records, report.events), (1, 2));
}
