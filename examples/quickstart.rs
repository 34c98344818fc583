//! The main job on the embedded default: create a vault file, trust a demo root CA and
//! its CRL, ingest sample results, sign them as an officer would (a local demo key here;
//! a provider's HSM in production), revoke one, verify a record, answer a reuse request
//! with its verdicts, and print the statistics and the audit-log check.
//!
//! The sample results are real PDFs, rendered in Rust (`pdf::report::document`). The birth
//! extract arrives as agencies issue theirs: signed inside by the officer (PAdES,
//! `pdf::sign::sign_pdf`), and the vault verifies that signature when it ingests the file.
//! The vault then adds its own signatures over the records (the envelope) as before.
//!
//! The demo PKI (a root CA, an officer's certificate, an empty CRL) is made fresh each
//! run, in Rust, with `rcgen`: no openssl needed.
//!
//! ```sh
//! cargo run --release --example quickstart            # writes quickstart.vault
//! cargo run --release --example quickstart -- my.vault
//! ```

use std::error::Error;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, IsCa, KeyIdMethod, KeyPair,
    KeyUsagePurpose, SerialNumber,
};
use results_vault::pdf::report::document;
use results_vault::pdf::sign::sign_pdf;
use results_vault::{
    DigestAlgorithm, Indication, Issuer, LocalSigner, NewRecord, Provenance, Requester, ResultId, ReuseQuery,
    StatusChange, Subject, SubjectId, SubjectKind, Vault, VaultOptions,
};
use time::format_description::well_known::Rfc3339;
use time::macros::date;
use time::{Duration, OffsetDateTime};

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "quickstart.vault".to_owned());
    // The demo owns this file: start from a fresh one each run.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    let vault = Vault::create(
        &path,
        VaultOptions {
            actor: "quickstart-portal".into(),
            ..VaultOptions::default()
        },
    )?;
    println!(
        "created vault {path} (schema v{}, results-vault {})",
        results_vault::SCHEMA_VERSION,
        results_vault::VERSION
    );

    // 1. Trust: the root CA (the National Root CA in production) and its current CRL.
    let pki = DemoPki::new()?;
    vault.add_trust_anchor(&pki.root)?;
    vault.add_crl(&pki.crl)?;
    let officer = LocalSigner::from_pkcs8(&pki.officer_key, vec![pki.officer.clone()])?;
    println!("trusting the demo root CA and its CRL; officer key in memory (demo only)");

    // 2. Ingest: a birth extract (signed inside the PDF by the officer, as agencies issue
    // results), a residence confirmation (expires), and an extract issued in error. Each is
    // a real PDF; the vault verifies a PDF's embedded signatures as it ingests it.
    let citizen = SubjectId::new("001203004567");
    let birth_pdf = sample_pdf(
        "TRÍCH LỤC KHAI SINH",
        "123/TLKS",
        &[("Ngày, tháng, năm sinh", "05/10/2026"), ("Nơi sinh", "Đà Nẵng")],
    )?;
    let birth_pdf = sign_pdf(&birth_pdf, &officer, "Signature1", OffsetDateTime::now_utc())?;
    let birth = vault.ingest(
        result(
            "G22.46-261001-0001",
            "1.000466",
            "Trích lục khai sinh",
            "123/TLKS",
            &citizen,
            None,
        ),
        &birth_pdf,
    )?;
    let residence = vault.ingest(
        result(
            "G22.46-261005-0002",
            "1.004194",
            "Xác nhận cư trú",
            "45/XN-CA",
            &citizen,
            Some(date!(2027 - 04 - 05)),
        ),
        &sample_pdf(
            "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ",
            "45/XN-CA",
            &[
                ("Nơi thường trú", "phường Hải Châu, thành phố Đà Nẵng"),
                ("Có giá trị đến", "05/04/2027"),
            ],
        )?,
    )?;
    let wrong = vault.ingest(
        result(
            "G22.46-261006-0003",
            "1.000466",
            "Trích lục khai sinh",
            "124/TLKS",
            &citizen,
            None,
        ),
        &sample_pdf(
            "TRÍCH LỤC KHAI SINH",
            "124/TLKS",
            &[("Ngày, tháng, năm sinh", "05/10/2025"), ("Nơi sinh", "Đà Nẵng")],
        )?,
    )?;
    for done in [&birth, &residence, &wrong] {
        let r = &done.record;
        println!(
            "ingested {}  {:<22} sha256 {}…  subject {}",
            r.result_id,
            r.meta.document_type,
            &r.content.sha256.to_hex()[..16],
            r.meta.subject.id // masked on display
        );
        print_pdf_check(&vault, &r.result_id)?;
    }
    // CI runs this example: the officer's signature inside the PDF must have passed.
    let inside = vault.pdf_check(&birth.record.result_id)?.and_then(|c| c.verdict);
    if inside.is_none_or(|v| v.indication != Indication::Passed || v.signatures.len() != 1) {
        return Err("the birth extract's signature inside the PDF did not pass at ingest".into());
    }
    // Ingest is idempotent: the same result again is the stored one.
    let again = vault.ingest(birth.record.meta.clone(), &vault.read_content(&birth.record.result_id)?)?;
    println!("ingesting the birth extract again: created = {}", again.created);

    // 3. Sign the records: begin a session, sign what it asks for (the record's canonical
    // envelope), complete it. The vault verifies the signature (chain to the root, CRL)
    // before it keeps it, and reuse decides on these. The residence confirmation stays
    // unsigned, as a scanned paper would be until an officer signs it.
    for done in [&birth, &wrong] {
        let signature = vault.sign_with(&done.record.result_id, &officer, DigestAlgorithm::Sha256)?;
        println!(
            "signed   {}  record envelope by {}  accepted at {}",
            done.record.result_id,
            signature.acceptance.signer.as_ref().map_or("?", |s| s.subject.as_str()),
            signature.proof_of_existence.format(&Rfc3339)?
        );
    }

    // 4. A status change: the wrongly issued extract is revoked by decision.
    vault.revoke(
        &wrong.record.result_id,
        StatusChange {
            reason: "Cấp nhầm thông tin".into(),
            decision_ref: "08/QĐ-UBND".into(),
            at: OffsetDateTime::now_utc(),
            by: "G22.46.01".into(),
        },
    )?;

    // 5. Verify one record now: integrity, signatures, legal status, one answer.
    let verdict = vault.verify_record(&birth.record.result_id, OffsetDateTime::now_utc())?;
    println!("\nverify {}: {}", verdict.result_id, verdict.summary);
    for checked in &verdict.signatures {
        println!(
            "  signature {}…  {:?}  {}",
            &checked.signature.to_hex()[..16],
            checked.verdict.indication,
            checked.verdict.detail
        );
    }

    // 6. Reuse: a school enrolment asks for the citizen's birth extracts valid now.
    let answer = vault.find_reusable(
        ReuseQuery {
            subject_kind: SubjectKind::Citizen,
            subject_id: citizen.clone(),
            document_type: "Trích lục khai sinh".into(),
            at: OffsetDateTime::now_utc(),
        },
        Requester {
            agency_code: "G22.47".into(),
            procedure_code: "1.001193".into(),
            dossier_code: "G22.47-261110-0042".into(),
            purpose: "Tuyển sinh lớp 1".into(),
        },
    )?;
    println!("\nreuse request for {} / Trích lục khai sinh:", citizen);
    for (r, verdict) in answer.results.iter().zip(&answer.verdicts) {
        println!(
            "  handed out {} ({}, issued {}): {}",
            r.result_id, r.meta.document_number, r.meta.issued_at, verdict.summary
        );
    }
    for e in &answer.excluded {
        println!("  excluded   {} ({:?})", e.result_id, e.exclusion);
    }
    // CI runs this example: a demo that hands out nothing has regressed.
    if answer.results.len() != 1 || answer.results[0].result_id != birth.record.result_id {
        return Err("the signed birth extract was not handed out".into());
    }

    // 7. Statistics for today, and the audit-log check.
    let now = OffsetDateTime::now_utc();
    println!("\nstatistics (last hour):");
    for s in vault.stats(now - Duration::hours(1), now + Duration::minutes(1))? {
        println!(
            "  {:<10} ingested {}  reuses made {}  own results reused {}  reuse rate {}",
            s.agency_code,
            s.results_ingested,
            s.reuses_made,
            s.results_reused,
            s.reuse_rate.map_or("-".into(), |r| format!("{:.0}%", r * 100.0))
        );
    }
    for line in vault.storage_summary()? {
        println!(
            "  storage: {} contents {} bytes -> {} stored ({})",
            line.contents, line.bytes, line.stored_bytes, line.codec
        );
    }
    let report = vault.verify_log()?;
    let head = report.head.expect("events were written");
    println!(
        "\naudit log: {} events, {} records, {} reuses checked: {}",
        report.events,
        report.records,
        report.reuses,
        if report.is_intact() { "INTACT" } else { "PROBLEMS FOUND" }
    );
    println!(
        "log head to keep outside the vault: seq {} hash {}",
        head.seq, head.hash
    );
    if !report.is_intact() {
        return Err(format!("{:?}", report.problems).into());
    }
    Ok(())
}

fn result(
    dossier: &str,
    procedure: &str,
    document_type: &str,
    number: &str,
    subject: &SubjectId,
    valid_until: Option<time::Date>,
) -> NewRecord {
    NewRecord {
        dossier_code: dossier.into(),
        procedure_code: procedure.into(),
        document_type: document_type.into(),
        document_number: number.into(),
        issuer: Issuer {
            agency_code: "G22.46.01".into(),
            agency_name: Some("UBND phường Hải Châu".into()),
        },
        subject: Subject {
            kind: SubjectKind::Citizen,
            id: subject.clone(),
            name: Some("Nguyễn Văn An".into()),
        },
        issued_at: date!(2026 - 10 - 05),
        valid_from: date!(2026 - 10 - 05),
        valid_until,
        media_type: "application/pdf".into(),
        file_name: Some(format!("{}.pdf", number.replace('/', "-"))),
        provenance: Provenance::BornDigital,
        extra: serde_json::Map::new(),
    }
}

/// A one-page result as the ward issues it, a real PDF: `title`, its number, the
/// citizen, `lines`, the issuer.
fn sample_pdf(title: &str, number: &str, lines: &[(&str, &str)]) -> Result<Vec<u8>, Box<dyn Error>> {
    let mut all = vec![("Số", number), ("Họ, chữ đệm, tên", "NGUYỄN VĂN AN")];
    all.extend_from_slice(lines);
    all.extend([
        ("Cơ quan cấp", "Ủy ban nhân dân phường Hải Châu"),
        ("Ngày cấp", "05/10/2026"),
        ("Ghi chú", "Tài liệu mẫu của results-vault, không có giá trị pháp lý"),
    ]);
    Ok(document(
        "UBND PHƯỜNG HẢI CHÂU",
        title,
        &all,
        OffsetDateTime::now_utc(),
    )?)
}

/// What the vault found inside a stored PDF when it ingested it: each embedded signature,
/// its signer and its verdict.
fn print_pdf_check(vault: &Vault, id: &ResultId) -> Result<(), Box<dyn Error>> {
    let Some(check) = vault.pdf_check(id)? else {
        return Ok(());
    };
    match (check.verdict, check.problem) {
        (Some(verdict), _) if verdict.signatures.is_empty() => println!("         PDF, no signature inside"),
        (Some(verdict), _) => {
            for s in &verdict.signatures {
                println!(
                    "         PDF signed inside by {}: {}{} ({}, field {}{})",
                    s.verdict.signer.as_ref().map_or("?", |s| s.subject.as_str()),
                    s.verdict.indication.as_str(),
                    s.verdict
                        .sub_indication
                        .map(|s| format!("/{}", s.as_str()))
                        .unwrap_or_default(),
                    s.sub_filter,
                    s.field,
                    if s.covers_whole_file {
                        ", covers the whole file"
                    } else {
                        ""
                    }
                );
            }
        }
        (None, problem) => println!("         PDF unreadable: {}", problem.unwrap_or_default()),
    }
    Ok(())
}

/// A throw-away PKI for the demo: a root CA, an officer's certificate under it and the
/// root's current (empty) CRL, all DER, with ECDSA P-256 keys.
struct DemoPki {
    root: Vec<u8>,
    officer: Vec<u8>,
    /// The officer's private key, PKCS#8 DER.
    officer_key: Vec<u8>,
    crl: Vec<u8>,
}

impl DemoPki {
    fn new() -> Result<DemoPki, rcgen::Error> {
        let now = OffsetDateTime::now_utc();

        let mut root = CertificateParams::default();
        root.distinguished_name.push(DnType::CountryName, "VN");
        root.distinguished_name
            .push(DnType::OrganizationName, "results-vault demo");
        root.distinguished_name
            .push(DnType::CommonName, "Demo Root CA (not for production)");
        root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        root.not_before = now - Duration::days(1);
        root.not_after = now + Duration::days(3650);
        let root_key = KeyPair::generate()?;
        let root_cert = root.self_signed(&root_key)?;
        let root = rcgen::Issuer::new(root, root_key);

        let mut officer = CertificateParams::default();
        officer.distinguished_name.push(DnType::CountryName, "VN");
        officer
            .distinguished_name
            .push(DnType::OrganizationName, "UBND phường Hải Châu");
        officer.distinguished_name.push(DnType::CommonName, "Trần Thị Bình");
        officer.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::ContentCommitment];
        officer.use_authority_key_identifier_extension = true;
        officer.serial_number = Some(SerialNumber::from(0x2026_u64));
        officer.not_before = now - Duration::hours(1);
        officer.not_after = now + Duration::days(730);
        let officer_key = KeyPair::generate()?;
        let officer_cert = officer.signed_by(&officer_key, &root)?;

        let crl = CertificateRevocationListParams {
            this_update: now - Duration::minutes(5),
            next_update: now + Duration::days(7),
            crl_number: SerialNumber::from(1_u64),
            issuing_distribution_point: None,
            revoked_certs: Vec::new(),
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&root)?;

        Ok(DemoPki {
            root: root_cert.der().to_vec(),
            officer: officer_cert.der().to_vec(),
            officer_key: officer_key.serialize_der(),
            crl: crl.der().to_vec(),
        })
    }
}
