//! Agency-signed results count for reuse (issue 21, point 2): PDFs signed inside by the
//! issuing agency's officers (with the crate's own PDF signer, keys and certificates from
//! a real `openssl ca`) are ingested into a vault on disk that trusts their root and CRL,
//! and `find_reusable` hands them out without a vault envelope signature, each with its
//! verdict; the others are excluded with typed reasons: a signer outside the agency's
//! policy, a PDF modified after signing, an unsigned PDF, a signer revoked before signing,
//! content and envelope signatures that disagree. Every kind of policy rule, the default
//! named in the verdict, the policy's audit events, and the policy after a reopen.
#![cfg(all(feature = "report", feature = "cli"))]

mod common;

use common::pki::{openssl, Pki, DATED};
use common::{birth_extract, options, raw_sqlite, temp_vault_with, TempVault, CITIZEN_ID};
use results_vault::pdf::report::document;
use results_vault::pdf::sign::sign_pdf;
use results_vault::{
    DigestAlgorithm, Exclusion, Indication, LocalSigner, Requester, ResultId, ReuseAnswer, ReuseQuery, Sha256,
    SignerRule, SubIndication, SubjectId, SubjectKind, Vault, DEFAULT_SIGNER_POLICY,
};
use time::macros::datetime;
use time::OffsetDateTime;

const AGENCY: &str = "G22.46.01";
const ORG: &str = "UBND phuong Hai Chau";
/// When the officers sign (the PDFs' /M), before the vault's clock starts (2026-11-01 10:00).
const SIGNED_AT: OffsetDateTime = datetime!(2026-11-01 09:00 UTC);
/// The reuse's time.
const AT: OffsetDateTime = datetime!(2026-11-02 00:00 UTC);

/// The agency's PKI: officers of the agency and of another organization, one revoked
/// (2026-10-15, before it signs), and a CRL listing it.
struct Agency {
    pki: Pki,
    crl: Vec<u8>,
    officer: LocalSigner,
    officer_der: Vec<u8>,
    outsider: LocalSigner,
    outsider_der: Vec<u8>,
    revoked: LocalSigner,
}

/// A certificate `{name}.pem` for a new P-256 key with subject `subject`, kept as given
/// (`-preserveDN`: the CA's policy would drop O=).
fn issue(pki: &Pki, name: &str, subject: &str) -> (LocalSigner, Vec<u8>) {
    let d = pki.dir.path();
    let (key, csr, cert) = (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"));
    assert!(openssl(
        d,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr
        ]
        .into_iter()
        .chain(["-subj", subject, "-utf8"])
        .collect::<Vec<_>>()
    ));
    assert!(openssl(
        d,
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-cert",
            "root.pem",
            "-keyfile",
            "root.key",
            "-preserveDN",
            "-in",
            &csr,
            "-out",
            &cert,
            "-extensions",
            "v3_signer",
            "-notext",
            "-startdate",
            DATED.0,
            "-enddate",
            DATED.1,
        ]
    ));
    let der = pki.der("x509", &cert);
    (
        LocalSigner::from_pkcs8(&pki.pkcs8(&key), vec![der.clone()]).unwrap(),
        der,
    )
}

impl Agency {
    fn new() -> Agency {
        let pki = Pki::dated();
        let (officer, officer_der) = issue(&pki, "officer", &format!("/CN=Nguyen Van Binh/O={ORG}/C=VN"));
        // A comma inside the CN that reads like an O= when the subject is shown as text.
        let (outsider, outsider_der) = issue(&pki, "outsider", &format!("/CN=Mallory\\, O={ORG}/O=Cong ty ABC/C=VN"));
        let (revoked, _) = issue(&pki, "revoked", &format!("/CN=Le Thi Cuc/O={ORG}/C=VN"));
        pki.revoke_dated("revoked.pem", "261015000000Z");
        let crl = pki.crl("root");
        Agency {
            pki,
            crl,
            officer,
            officer_der,
            outsider,
            outsider_der,
            revoked,
        }
    }

    fn vault(&self) -> TempVault {
        let t = temp_vault_with(options());
        t.vault.add_trust_anchor(&self.pki.root).unwrap();
        t.vault.add_crl(&self.crl).unwrap();
        t
    }
}

fn unsigned_pdf(n: u32) -> Vec<u8> {
    let number = format!("{n}/TLKS");
    document(
        "UBND PHƯỜNG HẢI CHÂU",
        "TRÍCH LỤC KHAI SINH",
        &[("Họ, chữ đệm, tên", "NGUYỄN VĂN AN"), ("Số", number.as_str())],
        OffsetDateTime::UNIX_EPOCH,
    )
    .unwrap()
}

fn signed_pdf(n: u32, signer: &LocalSigner) -> Vec<u8> {
    sign_pdf(&unsigned_pdf(n), signer, "Signature1", SIGNED_AT).unwrap()
}

/// `pdf` with an incremental update that replaces its first page's content stream: what
/// is shown is no longer what was signed.
fn modified_after_signing(pdf: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(pdf).into_owned();
    let number_before = |at: usize, suffix: &str| -> Option<u64> {
        let rest = &text[at..];
        let end = rest.find(suffix)?;
        rest[..end].trim().parse().ok()
    };
    let contents = text
        .match_indices("/Contents ")
        .find_map(|(i, m)| number_before(i + m.len(), " 0 R").filter(|_| !text[i + m.len()..].starts_with('<')))
        .expect("a page content reference");
    let trailer = text.rfind("trailer").expect("a classic trailer");
    let size = number_before(text[trailer..].find("/Size").unwrap() + trailer + 5, "/").expect("/Size");
    let root_at = text[trailer..].find("/Root").unwrap() + trailer + 5;
    let root = number_before(root_at, " 0 R").expect("/Root");
    let prev = number_before(text.rfind("startxref").unwrap() + 9, "%%EOF").expect("startxref");
    let mut out = pdf.to_vec();
    let stream = b"BT /F1 24 Tf 72 700 Td (DA THANH TOAN) Tj ET";
    let offset = out.len() + 1;
    out.extend(format!("\n{contents} 0 obj\n<< /Length {} >>\nstream\n", stream.len()).as_bytes());
    out.extend(stream);
    out.extend(b"\nendstream\nendobj\n");
    let xref = out.len();
    out.extend(
        format!(
            "xref\n{contents} 1\n{offset:010} 00000 n \ntrailer\n<< /Size {size} /Root {root} 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

fn ingest(vault: &Vault, n: u32, pdf: &[u8]) -> ResultId {
    let mut meta = birth_extract(&format!("G22.46-AR-{n}"));
    meta.issuer.agency_code = AGENCY.into();
    vault.ingest(meta, pdf).unwrap().record.result_id
}

fn reuse(vault: &Vault) -> ReuseAnswer {
    vault
        .find_reusable(
            ReuseQuery {
                subject_kind: SubjectKind::Citizen,
                subject_id: SubjectId::new(CITIZEN_ID),
                document_type: "birth-extract".into(),
                at: AT,
            },
            Requester {
                agency_code: "G22.47".into(),
                procedure_code: "1.001193".into(),
                dossier_code: "G22.47-D1".into(),
                purpose: "Tuyển sinh lớp 1".into(),
            },
        )
        .unwrap()
}

/// Why `id` was excluded (`None`: handed out).
fn exclusion(answer: &ReuseAnswer, id: &ResultId) -> Option<Exclusion> {
    if answer.results.iter().any(|r| r.result_id == *id) {
        return None;
    }
    let e = answer.excluded.iter().find(|e| e.result_id == *id).expect("judged");
    Some(e.exclusion.clone())
}

#[test]
fn agency_signed_pdfs_are_reused_under_the_default_policy_and_the_others_excluded_with_reasons() {
    let a = Agency::new();
    let t = a.vault();
    let v = &t.vault;
    let good = ingest(v, 1, &signed_pdf(1, &a.officer));
    let unsigned = ingest(v, 2, &unsigned_pdf(2));
    let modified = ingest(v, 3, &modified_after_signing(&signed_pdf(3, &a.officer)));
    let revoked = ingest(v, 4, &signed_pdf(4, &a.revoked));

    let answer = reuse(v);
    assert_eq!(exclusion(&answer, &good), None, "{answer:#?}");
    let verdict = &answer.verdicts[answer.results.iter().position(|r| r.result_id == good).unwrap()];
    assert!(verdict.reusable && verdict.integrity);
    assert_eq!(verdict.signatures.len(), 1);
    let s = &verdict.signatures[0];
    assert_eq!(s.pdf_field.as_deref(), Some("Signature1"));
    assert_eq!(s.verdict.indication, Indication::Passed, "{:#?}", s.verdict);
    assert_eq!(s.signer_policy.as_deref(), Some(DEFAULT_SIGNER_POLICY));
    assert_eq!(verdict.signer_policy.as_deref(), Some(DEFAULT_SIGNER_POLICY));
    assert!(verdict.summary.contains(DEFAULT_SIGNER_POLICY), "{}", verdict.summary);
    // The PDF's proof of existence is the vault's ingest.
    assert_eq!(s.proof_of_existence, v.get(&good).unwrap().ingested_at);
    let json = serde_json::to_value(verdict).unwrap();
    assert_eq!(json["signer_policy"], DEFAULT_SIGNER_POLICY);
    assert_eq!(json["signatures"][0]["pdf_field"], "Signature1");

    assert_eq!(exclusion(&answer, &unsigned), Some(Exclusion::Unsigned));
    assert_eq!(
        exclusion(&answer, &modified),
        Some(Exclusion::PdfModifiedAfterSigning {
            field: "Signature1".into()
        })
    );
    match exclusion(&answer, &revoked) {
        Some(Exclusion::PdfSignatureNotPassed {
            field,
            indication: Indication::Failed,
            sub_indication: Some(SubIndication::Revoked),
        }) => assert_eq!(field, "Signature1"),
        other => panic!("revoked before signing: {other:?}"),
    }
    let json = serde_json::to_value(&answer.excluded).unwrap().to_string();
    for reason in [
        "\"UNSIGNED\"",
        "\"PDF_MODIFIED_AFTER_SIGNING\"",
        "\"PDF_SIGNATURE_NOT_PASSED\"",
    ] {
        assert!(json.contains(reason), "{reason}: {json}");
    }
    // One reuse event, for the one handed out; the log still verifies.
    let events = v.history(&good).unwrap();
    assert_eq!(events.last().unwrap().kind, results_vault::EventKind::Reuse);
    assert!(v.verify_log().unwrap().is_intact());

    // Before the ingest, the PDF did not exist for the vault: signed after, not unsigned.
    let before = v.verify_record(&good, datetime!(2026-10-01 00:00 UTC)).unwrap();
    assert!(
        matches!(before.reasons[0], Exclusion::SignedAfter { .. }),
        "{:?}",
        before.reasons
    );
}

#[test]
fn each_kind_of_rule_decides_who_may_sign_for_the_agency() {
    let a = Agency::new();
    let t = a.vault();
    let v = &t.vault;
    let by_officer = ingest(v, 1, &signed_pdf(1, &a.officer));
    let by_outsider = ingest(v, 2, &signed_pdf(2, &a.outsider));
    // Under the default both are reused.
    let answer = reuse(v);
    assert_eq!(answer.results.len(), 2, "{:?}", answer.excluded);

    let outsider_sha = Sha256::of(&a.outsider_der);
    let not_in_policy = || Exclusion::SignerNotInPolicy {
        agency_code: AGENCY.into(),
        signer: "CN=Mallory\\, O=UBND phuong Hai Chau, O=Cong ty ABC, C=VN".into(),
        sha256: outsider_sha.to_hex(),
    };
    let rules = [
        (
            "certificate",
            SignerRule::Certificate {
                sha256: Sha256::of(&a.officer_der),
            },
        ),
        (
            "issuer and organization",
            SignerRule::IssuerOrganization {
                issuer: "cn = Root CA".into(),
                organization: ORG.to_lowercase(),
            },
        ),
    ];
    for (what, rule) in rules {
        let entry = v
            .add_signer_rule(AGENCY, rule.clone(), Some("Quyết định 12/QĐ-UBND"))
            .unwrap();
        let answer = reuse(v);
        assert_eq!(exclusion(&answer, &by_officer), None, "{what}: {answer:#?}");
        match exclusion(&answer, &by_outsider) {
            Some(Exclusion::SignerNotInPolicy {
                agency_code,
                signer,
                sha256,
            }) => {
                assert_eq!(
                    (agency_code.as_str(), sha256.as_str()),
                    (AGENCY, outsider_sha.to_hex().as_str())
                );
                assert!(signer.contains("Mallory"), "{what}: {signer}");
            }
            other => panic!("{what}: {other:?} (wanted {:?})", not_in_policy()),
        }
        let verdict = v.verify_record(&by_officer, AT).unwrap();
        let named = verdict.signer_policy.unwrap();
        assert!(
            named.contains(&entry.rule_id.to_hex()[..16]) && named.contains(AGENCY),
            "{what}: {named}"
        );
        assert!(v.remove_signer_rule(&entry.rule_id, Some("thay đổi")).unwrap());
        assert!(!v.remove_signer_rule(&entry.rule_id, None).unwrap(), "removed once");
    }

    // Any certificate under a named CA: the root takes both, another CA neither.
    let under_root = v
        .add_signer_rule(
            AGENCY,
            SignerRule::UnderCa {
                sha256: Sha256::of(&a.pki.root),
            },
            None,
        )
        .unwrap();
    assert_eq!(reuse(v).results.len(), 2);
    v.remove_signer_rule(&under_root.rule_id, None).unwrap();
    v.add_signer_rule(
        AGENCY,
        SignerRule::UnderCa {
            sha256: Sha256::of(&a.pki.impostor_root),
        },
        None,
    )
    .unwrap();
    let answer = reuse(v);
    assert!(answer.results.is_empty(), "{answer:#?}");
    assert!(answer
        .excluded
        .iter()
        .all(|e| matches!(e.exclusion, Exclusion::SignerNotInPolicy { .. })));
    // Another agency's rules do not touch this one's results.
    let other = v
        .add_signer_rule("G01.99", SignerRule::Certificate { sha256: outsider_sha }, None)
        .unwrap();
    assert_eq!(v.signer_rules(Some("G01.99")).unwrap(), vec![other.clone()]);
    assert_eq!(v.signer_rules(Some(AGENCY)).unwrap().len(), 1);
    assert_eq!(v.signer_rules(None).unwrap().len(), 2);

    // Every change is an audit event; the log verifies; the policy survives a reopen.
    assert!(v.verify_log().unwrap().is_intact());
    let path = t.path();
    let out = common::office::rvault(&path, &["log", "verify"]);
    assert!(
        out.status.success(),
        "{}{}",
        common::office::out(&out),
        common::office::err(&out)
    );
    let rules_before = v.signer_rules(None).unwrap();
    drop(t.vault);
    let reopened = Vault::open(&path, options()).unwrap();
    assert_eq!(reopened.signer_rules(None).unwrap(), rules_before);
    assert!(reuse(&reopened).results.is_empty());
    let kinds: Vec<String> = raw_sqlite(&path)
        .prepare("SELECT kind FROM events WHERE kind LIKE 'policy_%' ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        kinds,
        [
            "policy_add",
            "policy_remove",
            "policy_add",
            "policy_remove",
            "policy_add",
            "policy_remove",
            "policy_add",
            "policy_add"
        ]
    );
    drop(t.dir);
}

#[test]
fn bad_rules_are_refused_and_change_nothing() {
    let a = Agency::new();
    let t = a.vault();
    let v = &t.vault;
    let head = v.log_head().unwrap();
    for (agency, rule) in [
        (
            "",
            SignerRule::Certificate {
                sha256: Sha256::of(b"x"),
            },
        ),
        (
            AGENCY,
            SignerRule::IssuerOrganization {
                issuer: String::new(),
                organization: ORG.into(),
            },
        ),
        (
            AGENCY,
            SignerRule::IssuerOrganization {
                issuer: "CN=Root CA".into(),
                organization: "a\u{0}b".into(),
            },
        ),
    ] {
        assert!(matches!(
            v.add_signer_rule(agency, rule, None),
            Err(results_vault::Error::InvalidField(_))
        ));
    }
    assert_eq!(v.log_head().unwrap(), head);
    // The same rule twice: one rule, one event.
    let rule = SignerRule::Certificate {
        sha256: Sha256::of(&a.officer_der),
    };
    let first = v.add_signer_rule(AGENCY, rule.clone(), None).unwrap();
    let again = v.add_signer_rule(AGENCY, rule, Some("again")).unwrap();
    assert_eq!(first, again);
    assert_eq!(v.log_head().unwrap().unwrap().seq, head.unwrap().seq + 1);
}

#[test]
fn a_rule_planted_in_the_file_is_refused_and_reported() {
    let a = Agency::new();
    let t = a.vault();
    let v = &t.vault;
    let by_outsider = ingest(v, 1, &signed_pdf(1, &a.outsider));
    let entry = v
        .add_signer_rule(
            AGENCY,
            SignerRule::Certificate {
                sha256: Sha256::of(&a.officer_der),
            },
            None,
        )
        .unwrap();
    assert!(reuse(v).results.is_empty());
    // Widen the policy behind the vault's back: the outsider's certificate instead.
    let rule = format!(
        "{{\"kind\":\"certificate\",\"sha256\":\"{}\"}}",
        Sha256::of(&a.outsider_der).to_hex()
    );
    let db = raw_sqlite(&t.path());
    db.execute("UPDATE signer_rules SET rule = ?1", [&rule]).unwrap();
    // Fail closed: no answer rather than the outsider's result.
    assert!(v.verify_record(&by_outsider, AT).is_err());
    let report = v.verify_log().unwrap();
    assert!(!report.is_intact());
    assert!(
        report.problems.iter().any(|p| p.what.contains(&entry.rule_id.to_hex())),
        "{report:?}"
    );
}

#[test]
fn content_and_envelope_signatures_must_agree() {
    let a = Agency::new();
    let t = a.vault();
    let v = &t.vault;
    let envelope_signer = LocalSigner::from_pkcs8(&a.pki.pkcs8("signer.key"), vec![a.pki.signer.clone()]).unwrap();
    // Both PASSED: reused, the envelope signature first, then the PDF's.
    let both = ingest(v, 1, &signed_pdf(1, &a.officer));
    v.sign_with(&both, &envelope_signer, DigestAlgorithm::Sha256).unwrap();
    // The PDF's signer was revoked before signing; the vault's envelope signature PASSED.
    let disagree = ingest(v, 2, &signed_pdf(2, &a.revoked));
    v.sign_with(&disagree, &envelope_signer, DigestAlgorithm::Sha256)
        .unwrap();
    let answer = reuse(v);
    assert_eq!(exclusion(&answer, &both), None, "{answer:#?}");
    let verdict = v.verify_record(&both, AT).unwrap();
    assert_eq!(verdict.signatures.len(), 2);
    assert_eq!(verdict.signatures[0].pdf_field, None);
    assert_eq!(verdict.signatures[1].pdf_field.as_deref(), Some("Signature1"));
    assert_eq!(
        exclusion(&answer, &disagree),
        Some(Exclusion::SignaturesDisagree {
            content: Indication::Failed,
            envelope: Indication::Passed,
        })
    );
    let verdict = v.verify_record(&disagree, AT).unwrap();
    assert!(
        matches!(verdict.reasons.get(1), Some(Exclusion::PdfSignatureNotPassed { .. })),
        "{:?}",
        verdict.reasons
    );
    let json = serde_json::to_value(&verdict.reasons[0]).unwrap();
    assert_eq!(json["reason"], "SIGNATURES_DISAGREE");
}

#[test]
fn rvault_policy_adds_lists_and_removes_rules() {
    use common::office::{code, err, out, rvault};
    let a = Agency::new();
    let t = a.vault();
    let path = t.path();
    let officer = a.pki.path("officer.pem");
    let root = a.pki.path("root.pem");
    let run = |args: &[&str]| rvault(&path, args);

    let o = run(&["policy", "list", "--agency", AGENCY]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o), format!("agency {AGENCY}: {DEFAULT_SIGNER_POLICY} (no rule)\n"));

    let o = run(&[
        "policy",
        "add",
        "--agency",
        AGENCY,
        "--cert",
        officer.to_str().unwrap(),
        "--reason",
        "QĐ 12",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let officer_sha = Sha256::of(&a.officer_der).to_hex();
    assert!(
        out(&o).starts_with("added ") && out(&o).contains(&officer_sha),
        "{}",
        out(&o)
    );
    let o = run(&[
        "policy",
        "add",
        "--agency",
        AGENCY,
        "--issuer",
        "CN=Root CA",
        "--organization",
        ORG,
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = run(&[
        "policy",
        "add",
        "--agency",
        AGENCY,
        "--under-ca",
        root.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let hex = Sha256::of(&a.outsider_der).to_hex();
    let o = run(&["policy", "add", "--agency", "G01", "--cert-sha256", &hex]);
    assert_eq!(code(&o), 0, "{}", err(&o));

    let o = run(&["policy", "list", "--agency", AGENCY, "--json"]);
    let rules: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let kinds: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["certificate", "issuer_organization", "under_ca"]);
    assert_eq!(rules[0]["rule"]["sha256"], officer_sha.as_str());
    assert_eq!(rules[0]["reason"], "QĐ 12");
    assert_eq!(rules[2]["rule"]["sha256"], Sha256::of(&a.pki.root).to_hex().as_str());
    assert_eq!(out(&run(&["policy", "list"])).lines().count(), 4);

    // Refused, with a usage error and nothing changed: two kinds at once, none, bad hex,
    // a signer certificate as a CA, an --issuer without --organization, an unknown id.
    let head = t.vault.log_head().unwrap();
    for args in [
        vec![
            "policy",
            "add",
            "--agency",
            AGENCY,
            "--cert-sha256",
            &hex,
            "--cert",
            officer.to_str().unwrap(),
        ],
        vec!["policy", "add", "--agency", AGENCY],
        vec!["policy", "add", "--agency", AGENCY, "--cert-sha256", "00ff"],
        vec![
            "policy",
            "add",
            "--agency",
            AGENCY,
            "--under-ca",
            officer.to_str().unwrap(),
        ],
        vec!["policy", "add", "--agency", AGENCY, "--issuer", "CN=Root CA"],
        vec!["policy", "remove", &hex],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 64, "{args:?}: {}{}", out(&o), err(&o));
    }
    assert_eq!(t.vault.log_head().unwrap(), head);

    let id = rules[0]["rule_id"].as_str().unwrap();
    let o = run(&["policy", "remove", id, "--reason", "nghỉ hưu"]);
    assert_eq!((code(&o), out(&o)), (0, format!("removed {id}\n")), "{}", err(&o));
    assert_eq!(t.vault.signer_rules(Some(AGENCY)).unwrap().len(), 2);
    let o = run(&["log", "verify"]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
}
