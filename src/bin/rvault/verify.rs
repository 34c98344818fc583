//! `rvault verify`: is this the genuine, still-valid result, who signed it, when, and was
//! the signer's certificate good then? For files, record ids and hashes, with or without a
//! vault, one verdict per input.

use std::path::{Path, PathBuf};

use results_vault::pdf::report::{DocumentCheck, Report};
use results_vault::pdf::PdfSignature;
use results_vault::redact;
use results_vault::verify::levels::{BaselineLevel, TimestampKind, TimestampSummary};
use results_vault::verify::path::ChainCache;
use results_vault::verify::signature::{
    verify_detached, CrlUsed, OcspUsed, Policy, SignatureVerdict, ValidationContext,
};
use results_vault::{Indication, Record, RecordVerdict, ResultId, Sha256, StatusKind, SubIndication, Vault};
use serde::Serialize;
use time::OffsetDateTime;

use crate::error::CliError;

pub use results_vault::verify::wording::Lang;

/// What `verify` is given besides its inputs.
pub struct VerifyOptions {
    /// A detached CMS over the (one) file's exact bytes.
    pub signature: Option<PathBuf>,
    /// Extra trust anchors and CRLs for this run only.
    pub anchors: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    /// The validation time.
    pub at: OffsetDateTime,
    /// The policy for `--signature` files.
    pub policy: Policy,
    /// What may change after a PDF's embedded signatures.
    pub pdf_changes: results_vault::pdf::ChangePolicy,
    /// Where to write the PDF verification report, if anywhere.
    pub report: Option<PathBuf>,
    /// Replace an existing report file (else it is refused).
    pub force: bool,
    /// The vault, as the report names it.
    pub vault_name: Option<String>,
    /// Certificate paths and CRL signatures checked once for all inputs of this run (the
    /// trust material does not change during it).
    pub chain_cache: ChainCache,
    /// The trust material, read once for all inputs of this run.
    pub trust: std::cell::OnceCell<Trust>,
}

/// The answer for one input.
#[derive(Serialize)]
pub struct InputVerdict {
    pub input: String,
    pub sha256: Option<Sha256>,
    pub result_id: Option<ResultId>,
    pub indication: Indication,
    pub sub_indication: Option<SubIndication>,
    /// The stored content still hashes to its SHA-256 (`null`: not stored).
    pub integrity: Option<bool>,
    /// The record's legal status at the validation time, when known.
    pub status: Option<StatusKind>,
    pub signatures: Vec<SignatureLine>,
    /// Why a PDF's embedded signatures could not be read, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pdf_problem: Option<String>,
    pub validation_time: String,
    #[serde(skip)]
    pub record: Option<Record>,
    /// The signatures' whole verdicts (chains, CRLs used), for the PDF report.
    #[serde(skip)]
    pub verdicts: Vec<SignatureVerdict>,
    /// The PDF's embedded signatures (first in `verdicts` and `signatures`), for the report.
    #[serde(skip)]
    pub pdf_signatures: Vec<PdfSignature>,
}

/// One signature, as `--json` prints it.
#[derive(Serialize)]
pub struct SignatureLine {
    pub indication: Indication,
    pub sub_indication: Option<SubIndication>,
    pub signer: Option<String>,
    pub issuer: Option<String>,
    pub serial: Option<String>,
    pub signing_time: Option<String>,
    pub proof_of_existence: Option<String>,
    pub valid_at_signing_time: Option<bool>,
    pub revocation: String,
    pub detail: String,
    /// The revocation evidence the verdict stands on: the CRLs and OCSP responses used
    /// (the personal IDs in their issuers' and responders' names masked), and the evidence
    /// policy that accepted them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub crls_used: Vec<CrlUsed>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ocsp_used: Vec<OcspUsed>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_policy: Option<String>,
    /// The baseline level the file proves (B-B, B-T, B-LT, B-LTA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<BaselineLevel>,
    /// The timestamps looked at, and which gave the proof of existence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub timestamps: Vec<TimestampSummary>,
    /// For a signature embedded in a PDF: its field, SubFilter, what it covers and what
    /// later updates changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_filter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub covers_whole_file: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_after_signing: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage_problem: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes_after_signing: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certification: Option<u8>,
}

impl SignatureLine {
    fn of(v: &SignatureVerdict) -> SignatureLine {
        SignatureLine {
            indication: v.indication,
            sub_indication: v.sub_indication,
            // Certificate names carry the officer's personal ID (`UID=CCCD:…`): masked.
            signer: v.signer.as_ref().map(|s| redact::mask_personal_ids(&s.subject)),
            issuer: v.signer.as_ref().map(|s| redact::mask_personal_ids(&s.issuer)),
            serial: v.signer.as_ref().map(|s| s.serial.clone()),
            signing_time: v.claimed_signing_time.clone(),
            proof_of_existence: v.proof_of_existence.clone(),
            valid_at_signing_time: v.valid_at_signing_time,
            revocation: v.revocation.status.clone(),
            detail: v.detail.clone(),
            crls_used: v
                .crls_used
                .iter()
                .map(|c| CrlUsed {
                    issuer: redact::mask_personal_ids(&c.issuer),
                    ..c.clone()
                })
                .collect(),
            ocsp_used: v
                .ocsp_used
                .iter()
                .map(|o| OcspUsed {
                    issuer: redact::mask_personal_ids(&o.issuer),
                    responder: redact::mask_personal_ids(&o.responder),
                    ..o.clone()
                })
                .collect(),
            evidence_policy: v.evidence_policy.clone(),
            level: v.level,
            timestamps: v
                .timestamps
                .iter()
                .map(|t| TimestampSummary {
                    tsa: t.tsa.as_deref().map(redact::mask_personal_ids),
                    ..t.clone()
                })
                .collect(),
            field: None,
            sub_filter: None,
            covers_whole_file: None,
            modified_after_signing: None,
            coverage_problem: None,
            changes_after_signing: Vec::new(),
            certification: None,
        }
    }

    fn of_pdf(s: &PdfSignature) -> SignatureLine {
        SignatureLine {
            field: Some(s.field.clone()),
            sub_filter: Some(s.sub_filter.clone()),
            covers_whole_file: Some(s.covers_whole_file),
            modified_after_signing: Some(s.modified_after_signing),
            coverage_problem: s.coverage_problem.clone(),
            changes_after_signing: s.changes_after_signing.clone(),
            certification: s.certification,
            signing_time: s.verdict.claimed_signing_time.clone().or(s.claimed_time.clone()),
            ..SignatureLine::of(&s.verdict)
        }
    }
}

impl InputVerdict {
    /// The verdict as the PDF report shows it.
    fn into_document_check(self) -> DocumentCheck {
        DocumentCheck {
            input: self.input,
            sha256: self.sha256,
            record: self.record,
            indication: self.indication,
            sub_indication: self.sub_indication,
            integrity: self.integrity,
            status: self.status,
            signatures: self.verdicts,
            pdf_signatures: self.pdf_signatures,
        }
    }

    /// The exit code this input asks for (see README "rvault verify").
    pub fn exit_code(&self) -> u8 {
        match self.indication {
            Indication::Failed => 1,
            Indication::Indeterminate => 2,
            Indication::Passed => match self.status {
                Some(StatusKind::Active) | None => 0,
                Some(_) => 3,
            },
        }
    }
}

/// The worst of the signatures' verdicts: any FAILED, else any INDETERMINATE, else PASSED;
/// no signature at all is INDETERMINATE / SIGNED_DATA_NOT_FOUND, never PASSED.
fn overall(verdicts: &[SignatureVerdict], integrity: Option<bool>) -> (Indication, Option<SubIndication>) {
    if integrity == Some(false) {
        return (Indication::Failed, Some(SubIndication::HashFailure));
    }
    if verdicts.is_empty() {
        return (Indication::Indeterminate, Some(SubIndication::SignedDataNotFound));
    }
    for wanted in [Indication::Failed, Indication::Indeterminate] {
        if let Some(v) = verdicts.iter().find(|v| v.indication == wanted) {
            return (wanted, v.sub_indication);
        }
    }
    (Indication::Passed, None)
}

/// How an input names what to verify.
enum Target {
    Id(ResultId),
    /// A report's QR code: the record, which must still have the SHA-256 the report showed.
    Reverify(Sha256, ResultId),
    Hash(Sha256),
    File(PathBuf),
}

fn target(input: &str) -> Target {
    // A file that exists wins over an id-looking or hash-looking name.
    if Path::new(input).exists() {
        return Target::File(input.into());
    }
    if let Ok(id) = input.parse::<ResultId>() {
        return Target::Id(id);
    }
    match results_vault::pdf::report::parse_reverify_uri(input) {
        Some((hash, Some(id))) => return Target::Reverify(hash, id),
        Some((hash, None)) => return Target::Hash(hash),
        None => {}
    }
    if let Ok(hash) = input.parse::<Sha256>() {
        return Target::Hash(hash);
    }
    Target::File(input.into())
}

/// An input as the answer shows it: a record id, a hash or a report's QR code as it is;
/// a file's path masked and cut (a scan may be named after a citizen's ID).
fn shown_input(input: &str, target: &Target) -> String {
    match target {
        Target::File(path) => redact::shown_path(path),
        _ => input.to_owned(),
    }
}

/// Verifies one input. An unreadable file or an id/hash without a vault is an error.
pub fn verify_input(input: &str, vault: Option<&Vault>, opts: &VerifyOptions) -> Result<InputVerdict, CliError> {
    let mut verdicts = Vec::new();
    let mut record_verdict: Option<(Record, RecordVerdict)> = None;
    let target = target(input);
    let shown = shown_input(input, &target);
    let needs_vault = || {
        CliError::Usage(format!(
            "{shown} is a record id or a hash: give the vault that holds it (--vault or RVAULT_VAULT)"
        ))
    };
    let (sha256, content) = match target {
        Target::Id(id) => {
            let vault = vault.ok_or_else(needs_vault)?;
            let record = vault.get(&id)?;
            record_verdict = Some((record.clone(), vault.verify_record(&id, opts.at)?));
            (Some(record.content.sha256), None)
        }
        Target::Reverify(hash, id) => {
            let vault = vault.ok_or_else(needs_vault)?;
            let record = vault.get(&id)?;
            if record.content.sha256 != hash {
                return Err(CliError::Usage(format!(
                    "record {id} does not hold the document of this QR code (SHA-256 {hash}, the record has {})",
                    record.content.sha256
                )));
            }
            record_verdict = Some((record.clone(), vault.verify_record(&id, opts.at)?));
            (Some(hash), None)
        }
        Target::Hash(hash) => {
            let vault = vault.ok_or_else(needs_vault)?;
            if let Some(record) = vault.find_by_hash(&hash)?.into_iter().next() {
                record_verdict = Some((record.clone(), vault.verify_record(&record.result_id, opts.at)?));
            }
            (Some(hash), None)
        }
        Target::File(path) => {
            let bytes = std::fs::read(&path).map_err(|error| CliError::Input {
                path: path.display().to_string(),
                error,
            })?;
            let hash = Sha256::of(&bytes);
            if let Some(vault) = vault {
                if let Some(record) = vault.find_by_hash(&hash)?.into_iter().next() {
                    record_verdict = Some((record.clone(), vault.verify_record(&record.result_id, opts.at)?));
                }
            }
            (Some(hash), Some(bytes))
        }
    };
    // A stored PDF verified by id or hash: its embedded signatures count too (content
    // that no longer reads back intact is already a FAILED integrity check).
    let content = match (content, &record_verdict, vault) {
        (None, Some((record, _)), Some(vault)) if record.meta.media_type == "application/pdf" => {
            vault.read_content(&record.result_id).ok()
        }
        (content, _, _) => content,
    };
    // A stored PDF has existed since the vault ingested it: that is its signatures' proof
    // of existence, so their verdict does not decay when CRLs go stale (issue 20).
    let held_since = record_verdict.as_ref().map(|(record, _)| record.ingested_at);
    let mut pdf = PdfFacts::default();
    if let Some(bytes) = content.as_deref().filter(|b| results_vault::pdf::is_pdf(b)) {
        pdf = verify_embedded(bytes, vault, opts, held_since)?;
    }
    if let Some(sig_path) = &opts.signature {
        let Some(content) = &content else {
            return Err(CliError::Usage(
                "--signature verifies a file's exact bytes: give the file, not an id or a hash".into(),
            ));
        };
        let cms = std::fs::read(sig_path).map_err(|error| CliError::Input {
            path: sig_path.display().to_string(),
            error,
        })?;
        let cms = pem_unwrapped(&cms);
        let trust = Trust::once(vault, opts)?;
        verdicts.extend(verify_detached(&cms, content, &trust.context(opts, true)));
    }
    let (result_id, integrity, status, record) = match record_verdict {
        Some((record, rv)) => {
            // The PDF's own signatures are shown from the file itself (below).
            verdicts.extend(
                rv.signatures
                    .into_iter()
                    .filter(|s| s.pdf_field.is_none())
                    .map(|s| s.verdict),
            );
            (Some(rv.result_id), Some(rv.integrity), Some(rv.status), Some(record))
        }
        None => (None, None, None, None),
    };
    let pdf_lines: Vec<SignatureLine> = pdf.signatures.iter().map(SignatureLine::of_pdf).collect();
    verdicts.splice(0..0, pdf.signatures.iter().map(|s| s.verdict.clone()));
    let (indication, sub_indication) = overall(&verdicts, integrity);
    // A file that says %PDF- but does not parse has no signature we can find (the answer
    // stays INDETERMINATE / SIGNED_DATA_NOT_FOUND, and why is said); a vault or detached
    // signature over it still decides.
    if let Some(problem) = pdf.problem.as_ref().filter(|_| verdicts.is_empty()) {
        errln!("rvault: {shown}: {problem}");
    }
    let mut signatures: Vec<SignatureLine> = verdicts[pdf_lines.len()..].iter().map(SignatureLine::of).collect();
    signatures.splice(0..0, pdf_lines);
    Ok(InputVerdict {
        input: shown,
        sha256,
        result_id,
        indication,
        sub_indication,
        integrity,
        status,
        signatures,
        pdf_problem: pdf.problem,
        validation_time: opts
            .at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        record,
        verdicts,
        pdf_signatures: pdf.signatures,
    })
}

/// The trust material of a check: the vault's, and this run's `--trust` and `--crl`.
pub struct Trust(results_vault::TrustMaterial);

impl Trust {
    /// This run's trust material, read at its first use.
    fn once<'a>(vault: Option<&Vault>, opts: &'a VerifyOptions) -> Result<&'a Trust, CliError> {
        if let Some(trust) = opts.trust.get() {
            return Ok(trust);
        }
        let trust = Trust::of(vault, opts)?;
        Ok(opts.trust.get_or_init(|| trust))
    }

    fn of(vault: Option<&Vault>, opts: &VerifyOptions) -> Result<Trust, CliError> {
        let stored = vault.map(Vault::trust_material).transpose()?.unwrap_or_default();
        Ok(Trust(stored.with(results_vault::TrustMaterial {
            anchors: opts.anchors.clone(),
            intermediates: Vec::new(),
            crls: opts.crls.clone(),
        })))
    }

    fn context<'a>(&'a self, opts: &'a VerifyOptions, all_signers: bool) -> ValidationContext<'a> {
        ValidationContext {
            all_signers,
            chain_cache: Some(&opts.chain_cache),
            ..self.0.context(opts.at, None, &opts.policy)
        }
    }
}

/// What the PDF layer found in a file.
#[derive(Default)]
struct PdfFacts {
    signatures: Vec<PdfSignature>,
    /// The PDF could not be read (then no embedded signature is known).
    problem: Option<String>,
}

/// The signatures embedded in a PDF (PAdES), checked with the vault's trust material and
/// the anchors and CRLs given for this run.
fn verify_embedded(
    bytes: &[u8],
    vault: Option<&Vault>,
    opts: &VerifyOptions,
    proof_of_existence: Option<time::OffsetDateTime>,
) -> Result<PdfFacts, CliError> {
    let trust = Trust::once(vault, opts)?;
    let ctx = ValidationContext {
        proof_of_existence,
        ..trust.context(opts, false)
    };
    Ok(
        match results_vault::pdf::verify_pdf_with(bytes, &ctx, opts.pdf_changes) {
            Ok(verdict) => PdfFacts {
                signatures: verdict.signatures,
                problem: None,
            },
            Err(e) => PdfFacts {
                signatures: Vec::new(),
                problem: Some(format!("the PDF cannot be read for its signatures: {e}")),
            },
        },
    )
}

/// A CMS given as PEM (`-----BEGIN PKCS7-----` / `CMS`) is unwrapped; DER or BER as is.
fn pem_unwrapped(bytes: &[u8]) -> Vec<u8> {
    match results_vault::trust::pem_or_der_items(bytes) {
        Ok(mut items) if bytes.trim_ascii_start().starts_with(b"-----BEGIN") && items.len() == 1 => items.remove(0),
        _ => bytes.to_vec(),
    }
}

/// Certificates or CRLs from `--trust` / `--crl` files (PEM, possibly several blocks, or DER).
pub fn read_items(paths: &[PathBuf], what: &str) -> Result<Vec<Vec<u8>>, CliError> {
    let mut items = Vec::new();
    for path in paths {
        let bytes = std::fs::read(path).map_err(|error| CliError::Input {
            path: path.display().to_string(),
            error,
        })?;
        items.extend(
            results_vault::trust::pem_or_der_items(&bytes)
                .map_err(|why| CliError::Usage(format!("{} ({what}): {why}", redact::shown_path(path))))?,
        );
    }
    Ok(items)
}

/// `--lang`.
pub fn lang_arg(name: &str) -> Result<Lang, CliError> {
    match name {
        "vi" => Ok(Lang::Vi),
        "en" => Ok(Lang::En),
        other => Err(CliError::Usage(format!(
            "--lang {:?} is not vi or en",
            redact::shown_argument(other)
        ))),
    }
}

/// Verifies every input, prints each answer, and returns
/// the exit code: 1 if any FAILED, else 2 if any INDETERMINATE, else 3 if any record is not
/// in force, else 0; an input that cannot be read makes it 66 (after the others are done).
pub fn run(
    inputs: &[String],
    vault: Option<&Vault>,
    opts: &VerifyOptions,
    json: bool,
    lang: Lang,
) -> Result<std::process::ExitCode, CliError> {
    if opts.signature.is_some() && inputs.len() != 1 {
        return Err(CliError::Usage("--signature goes with exactly one file".into()));
    }
    if let Some(path) = &opts.report {
        // Said before the work; the final rename refuses it again if one appears meanwhile.
        crate::output::refuse_existing(path, opts.force)?;
    }
    let mut code = 0u8;
    let mut unreadable = None;
    let mut checked = Vec::new();
    for input in inputs {
        match verify_input(input, vault, opts) {
            Ok(v) => {
                if json {
                    outln!("{}", serde_json::to_string(&v).unwrap_or_default())?;
                } else {
                    print_human(&v, lang, vault.is_some())?;
                }
                code = worse(code, v.exit_code());
                if opts.report.is_some() {
                    checked.push(v.into_document_check());
                }
            }
            Err(e @ CliError::Input { .. }) => {
                // Said now, and the other inputs still answered; the exit code says it too.
                errln!("rvault: {e}");
                if let Some(hint) = e.hint() {
                    errln!("hint: {hint}");
                }
                unreadable = Some(e.exit_code());
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(path) = &opts.report {
        write_report(path, checked, opts, lang)?;
    }
    if let Some(code) = unreadable {
        return Ok(code);
    }
    Ok(std::process::ExitCode::from(code))
}

/// Writes the PDF report of the inputs that were verified, whole or not at all, as
/// [`crate::output::write_new`] does: to a temporary file beside `path` under a random
/// name, renamed to `path` once complete; over an existing file only with `--force`.
fn write_report(path: &Path, documents: Vec<DocumentCheck>, opts: &VerifyOptions, lang: Lang) -> Result<(), CliError> {
    if documents.is_empty() {
        return Err(CliError::Usage(format!(
            "no report written to {}: no input could be verified",
            redact::shown_path(path)
        )));
    }
    let report = Report {
        lang,
        checked_at: opts.at,
        vault: opts.vault_name.clone(),
        documents,
    };
    let bytes = report.render().map_err(|e| CliError::Report(e.to_string()))?;
    crate::output::write_new(path, &bytes, opts.force)?;
    errln!("rvault: report written to {}", redact::shown_path(path));
    Ok(())
}

/// The more serious of two exit codes: 1 (FAILED) > 2 (INDETERMINATE) > 3 (not in force) > 0.
fn worse(a: u8, b: u8) -> u8 {
    let rank = |c: u8| match c {
        1 => 3,
        2 => 2,
        3 => 1,
        _ => 0,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

fn words(lang: Lang, en: &'static str, vi: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Vi => vi,
    }
}

/// A few short lines an officer reads at the counter.
fn print_human(v: &InputVerdict, lang: Lang, with_vault: bool) -> Result<(), CliError> {
    use results_vault::verify::wording;
    outln!("{}", v.input)?;
    let proven = v.signatures.iter().all(|s| s.valid_at_signing_time == Some(true));
    outln!(
        "  {}: {} — {}",
        words(lang, "Verdict", "Kết luận"),
        wording::indication_label(lang, v.indication),
        wording::verdict_sentence(lang, v.indication, v.sub_indication, v.status, proven)
    )?;
    if with_vault && v.record.is_none() && v.signatures.is_empty() {
        // Most often a copy that differs from the stored result by a byte: say so, rather
        // than let "no signature" suggest an unsigned original.
        outln!(
            "  {}",
            words(
                lang,
                "Note: this file is not in the vault (its SHA-256 matches no stored result): it may be another version, or altered; check by the record id",
                "Ghi chú: tệp này không có trong kho (SHA-256 không khớp kết quả nào đã lưu): có thể là một bản khác, hoặc đã bị sửa; hãy kiểm tra bằng mã kết quả",
            )
        )?;
    }
    if v.integrity == Some(false) {
        outln!(
            "  {}",
            words(
                lang,
                "Integrity: the stored content does NOT match its SHA-256: it was changed in the vault",
                "Toàn vẹn: nội dung lưu trong kho KHÔNG khớp mã băm SHA-256: dữ liệu trong kho đã bị thay đổi",
            )
        )?;
    }
    if let Some(record) = &v.record {
        outln!(
            "  {}: {} {}, {} {} ({})",
            words(lang, "Result", "Kết quả"),
            record.meta.document_type,
            record.meta.document_number,
            words(lang, "issued by", "do"),
            record
                .meta
                .issuer
                .agency_name
                .as_deref()
                .unwrap_or(&record.meta.issuer.agency_code),
            v.status.map(|s| wording::status_label(lang, s)).unwrap_or("-"),
        )?;
        outln!("  {}: {}", words(lang, "Record", "Mã kết quả"), record.result_id)?;
    }
    if let Some(hash) = &v.sha256 {
        outln!("  SHA-256: {hash}")?;
    }
    for (i, s) in v.signatures.iter().enumerate() {
        let sub = s
            .sub_indication
            .map(|x| format!(" / {}", x.as_str()))
            .unwrap_or_default();
        outln!(
            "  {} {}: {}{sub}; {} {}; {} {}; {} {}",
            words(lang, "Signature", "Chữ ký"),
            i + 1,
            wording::indication_label(lang, s.indication),
            words(lang, "signer", "người ký"),
            s.signer.as_deref().unwrap_or("?"),
            words(lang, "issued by", "tổ chức cấp"),
            s.issuer.as_deref().unwrap_or("?"),
            words(lang, "signed at", "thời điểm ký"),
            s.proof_of_existence
                .as_deref()
                .or(s.signing_time.as_deref())
                .unwrap_or("?"),
        )?;
        if let Some(level) = s.level {
            outln!("    {}: {}", words(lang, "Level", "Mức"), level)?;
        }
        for t in &s.timestamps {
            let what = match (t.kind, &t.field) {
                (TimestampKind::SignatureTimestamp, _) => {
                    words(lang, "signature timestamp", "dấu thời gian chữ ký").to_string()
                }
                (TimestampKind::DocumentTimestamp, field) => format!(
                    "{} {}",
                    words(lang, "document timestamp", "dấu thời gian tài liệu"),
                    field.as_deref().unwrap_or("?")
                ),
            };
            let used = if t.proof_used {
                words(lang, " (the proof of existence)", " (bằng chứng thời điểm tồn tại)")
            } else {
                ""
            };
            outln!(
                "    {}: {} {}, TSA {}: {}{used}",
                what,
                words(lang, "at", "lúc"),
                t.gen_time.as_deref().unwrap_or("?"),
                t.tsa.as_deref().unwrap_or("?"),
                wording::indication_label(lang, t.indication),
            )?;
        }
    }
    Ok(())
}
