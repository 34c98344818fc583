//! Nothing leaks (issue 18): a personal ID (a 12-digit CCCD, a 9-digit CMND, a tax code)
//! is never echoed in full, whether it was typed where it does not belong or it comes
//! from a signer's certificate (`UID=CCCD:…`):
//!
//! - every `rvault` command given an ID as a misplaced, quoted or numeric argument, or in
//!   a metadata, manifest or provider configuration file, says what is wrong without it;
//! - every JSON-taking entry point of the C ABI, given bad JSON with the ID as a value, a
//!   variant, a field name or a number, says what is wrong without it (the PHP and Java
//!   wrappers pass these messages through);
//! - a signer certificate naming its officer by CCCD and tax code is shown with both
//!   masked in `sign local`, `verify` (text and JSON), the PDF report and reuse answers
//!   (CLI and C ABI), while what the vault stores keeps the certificate as it is.
#![cfg(all(feature = "cli", feature = "capi"))]

mod common;

use std::ffi::{c_char, CStr, CString};
use std::path::Path;
use std::process::{Command, Output};
use std::ptr;

use common::office::{code, err, out, Office};
use common::pki::openssl;
use results_vault::ffi::{handle, pdf, records, remote, rv_result, rv_string_free, rv_vault, signing, verification};

/// The ID typed where it does not belong.
const PROBE: &str = "079203001234";
/// Nine of its digits, without the leading zero: found in the ID and in the number
/// `79203001234`, and in any leak that masks fewer than 9 of them.
const PROBE_CORE: &str = "920300123";
/// As the rule shows it: all but the last two digits masked.
const PROBE_MASKED: &str = "**********34";

/// The signing officer's CCCD and tax code, in their certificate's subject.
const SIGNER_CCCD: &str = "036085002468";
const SIGNER_MST: &str = "0312987654";
const SIGNER_SUBJECT: &str = "/CN=Nguyen Van Ky/UID=CCCD:036085002468/serialNumber=MST:0312987654";

/// Whether `text` holds the probe ID (or a 9-digit piece of it).
fn leaks_probe(text: &str) -> bool {
    text.contains(PROBE_CORE)
}

/// Whether `text` holds the signer's CCCD or tax code in full, or 9 digits of either.
fn leaks_signer(text: &str) -> bool {
    text.contains(&SIGNER_CCCD[1..10]) || text.contains(&SIGNER_CCCD[3..]) || text.contains(&SIGNER_MST[1..])
}

fn assert_no_probe(what: &str, o: &Output) {
    let (stdout, stderr) = (out(o), err(o));
    assert!(
        !leaks_probe(&stdout) && !leaks_probe(&stderr),
        "{what}: the ID is echoed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(stderr.len() < 4000, "{what}: {} bytes on stderr", stderr.len());
}

/// A certificate `cccd.pem` (key `cccd.key`) for the officer of [`SIGNER_SUBJECT`], issued by
/// the office PKI's root with the subject kept as asked (`-preserveDN`: the CA's policy
/// names only the CN).
fn issue_cccd_signer(o: &Office) {
    let d = o.pki.dir.path();
    assert!(openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "cccd.key",
            "-out",
            "cccd.csr",
            "-subj",
            SIGNER_SUBJECT
        ]
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
            "cccd.csr",
            "-out",
            "cccd.pem",
            "-extensions",
            "v3_signer",
            "-notext",
            "-days",
            "365",
        ]
    ));
}

/// An hour from now, in RFC 3339: a validation time after the signature was accepted.
fn later() -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[test]
fn cli_arguments_and_files_holding_an_id_are_not_echoed() {
    let o = Office::new();
    let id = o.ingest("a.pdf", b"%PDF-1.7 a", None);
    let file = o.path("a.pdf");
    let file = file.to_str().unwrap();
    let key = o.pki.path("signer.key");
    let key = key.to_str().unwrap();
    let cert = o.pki.path("signer.pem");
    let cert = cert.to_str().unwrap();
    let quoted = format!("\"{PROBE}\"");
    let in_dir = o.path(PROBE).join("x.pdf");
    let in_dir = in_dir.to_str().unwrap();
    let against = format!("7:{PROBE}");
    let long = format!("{}{PROBE}", "x".repeat(100_000));
    let probe_x = format!("{PROBE}x");

    // Metadata, manifests and a provider configuration with the ID in the wrong places.
    let metas = [
        (
            "kind",
            r#"{"kind": "079203001234", "id": "001203004567"}"#,
            "2026-01-02",
        ),
        ("number", r#"{"kind": "citizen", "id": 79203001234}"#, "2026-01-02"),
        (
            "unknown field",
            r#"{"kind": "citizen", "id": "001203004567", "079203001234": 1}"#,
            "2026-01-02",
        ),
        ("date", r#"{"kind": "citizen", "id": "001203004567"}"#, PROBE),
        ("short id", r#"{"kind": "citizen", "id": "07920300123"}"#, "2026-01-02"),
    ];
    let mut meta_files = Vec::new();
    for (name, subject, issued_at) in metas {
        let text = format!(
            r#"{{"dossier_code": "D1", "procedure_code": "P", "document_type": "T", "document_number": "N {name}",
               "issuer": {{"agency_code": "G01"}}, "subject": {subject}, "issued_at": "{issued_at}",
               "valid_from": "2026-01-02", "media_type": "application/pdf", "provenance": {{"origin": "born_digital"}}}}"#
        );
        let path = o.path(&format!("meta-{}.json", name.replace(' ', "-")));
        std::fs::write(&path, text).unwrap();
        meta_files.push(path);
    }
    std::fs::write(
        o.path("m.csv"),
        format!(
            "file,dossier_code,procedure_code,document_type,document_number,issuer_agency_code,subject_kind,subject_id,issued_at,valid_from,media_type\n\
             a.pdf,D9,P,T,N9,G01,citizen,001203004567,{PROBE},2026-01-02,application/pdf\n"
        ),
    )
    .unwrap();
    std::fs::write(o.path("m2.csv"), format!("file,{PROBE}\na.pdf,1\n")).unwrap();
    std::fs::write(
        o.path("m.jsonl"),
        format!("{{\"file\": \"a.pdf\", \"dossier_code\": {PROBE_CORE}}}\n"),
    )
    .unwrap();
    std::fs::write(
        o.path("csc.json"),
        r#"{"base_url": "https://csc.example/csc/v2", "access_token": "t", "pin": 79203001234}"#,
    )
    .unwrap();
    std::fs::write(
        o.path("smartca.json"),
        r#"{"provider": "079203001234", "base_url": "https://x.example", "sp_id": "a", "sp_password": "b", "user_id": "1"}"#,
    )
    .unwrap();
    let csc = o.path("csc.json");
    let smartca = o.path("smartca.json");

    let mut cases: Vec<(&str, Vec<&str>)> = vec![
        ("verify a missing file", vec!["verify", PROBE]),
        ("verify a quoted one", vec!["verify", &quoted]),
        ("verify --json", vec!["verify", "--json", PROBE]),
        ("verify in a folder", vec!["verify", in_dir]),
        ("verify --at", vec!["verify", file, "--at", PROBE]),
        ("verify --lang", vec!["verify", file, "--lang", PROBE]),
        ("verify --policy", vec!["verify", file, "--policy", PROBE]),
        ("verify --pdf-changes", vec!["verify", file, "--pdf-changes", PROBE]),
        ("verify --trust", vec!["verify", file, "--trust", PROBE]),
        ("verify --crl", vec!["verify", file, "--crl", PROBE]),
        ("verify --signature", vec!["verify", file, "--signature", PROBE]),
        ("verify --report", vec!["verify", &id, "--report", in_dir]),
        ("verify a long argument", vec!["verify", &long]),
        ("show", vec!["show", PROBE]),
        ("show, one too many", vec!["show", &id, PROBE]),
        ("an unknown command", vec![PROBE]),
        (
            "revoke",
            vec!["revoke", PROBE, "--reason", "r", "--decision", "d", "--by", "b"],
        ),
        (
            "supersede",
            vec!["supersede", PROBE, &id, "--reason", "r", "--decision", "d", "--by", "b"],
        ),
        (
            "supersede, the new one",
            vec!["supersede", &id, PROBE, "--reason", "r", "--decision", "d", "--by", "b"],
        ),
        ("history", vec!["history", PROBE]),
        ("history --json", vec!["history", PROBE, "--json"]),
        ("export", vec!["export", PROBE, "--out", in_dir]),
        ("export to a bad folder", vec!["export", &id, "--out", file]),
        (
            "reuse --kind",
            vec![
                "reuse",
                "--kind",
                PROBE,
                "--subject",
                "001203004567",
                "--type",
                "t",
                "--agency",
                "a",
                "--procedure",
                "p",
                "--dossier",
                "d",
                "--purpose",
                "x",
            ],
        ),
        (
            "reuse --at",
            vec![
                "reuse",
                "--subject",
                PROBE,
                "--type",
                "t",
                "--agency",
                "a",
                "--procedure",
                "p",
                "--dossier",
                "d",
                "--purpose",
                "x",
                "--at",
                PROBE,
            ],
        ),
        (
            "reuse with a bad subject",
            vec![
                "reuse",
                "--subject",
                &probe_x,
                "--type",
                "t",
                "--agency",
                "a",
                "--procedure",
                "p",
                "--dossier",
                "d",
                "--purpose",
                "x",
            ],
        ),
        ("stats", vec!["stats", "--from", PROBE, "--to", PROBE]),
        ("log verify --against", vec!["log", "verify", "--against", PROBE]),
        (
            "log verify --against SEQ:ID",
            vec!["log", "verify", "--against", &against],
        ),
        ("trust add KIND", vec!["trust", "add", PROBE, cert]),
        ("trust add FILE", vec!["trust", "add", "anchor", PROBE]),
        ("trust remove", vec!["trust", "remove", PROBE]),
        (
            "sign local ID",
            vec!["sign", "local", PROBE, "--key", key, "--cert", cert],
        ),
        (
            "sign local --key",
            vec!["sign", "local", &id, "--key", PROBE, "--cert", cert],
        ),
        (
            "sign local --cert",
            vec!["sign", "local", &id, "--key", key, "--cert", PROBE],
        ),
        (
            "sign local --digest",
            vec!["sign", "local", &id, "--key", key, "--cert", cert, "--digest", PROBE],
        ),
        ("sign begin", vec!["sign", "begin", PROBE, "--cert", cert]),
        ("sign complete", vec!["sign", "complete", PROBE, "--cms", file]),
        (
            "sign complete --algorithm",
            vec!["sign", "complete", PROBE, "--signature", file, "--algorithm", PROBE],
        ),
        ("sign cancel", vec!["sign", "cancel", PROBE]),
        ("sign --resume", vec!["sign", "--resume", PROBE]),
        ("sign --provider RECORD", vec!["sign", "--provider", "csc", PROBE]),
        ("sign --provider NAME", vec!["sign", "--provider", PROBE, &id]),
        ("sign --wait", vec!["sign", "--resume", PROBE, "--wait", &probe_x]),
        (
            "sign, a PIN as a number",
            vec![
                "sign",
                "--provider",
                "csc",
                &id,
                "--provider-config",
                csc.to_str().unwrap(),
            ],
        ),
        (
            "sign, a configuration for another provider",
            vec![
                "sign",
                "--provider",
                "vnpt-smartca",
                &id,
                "--provider-config",
                smartca.to_str().unwrap(),
            ],
        ),
        (
            "sign, a missing configuration",
            vec!["sign", "--provider", "csc", &id, "--provider-config", in_dir],
        ),
        ("ingest", vec!["ingest", PROBE, "--meta", PROBE]),
        ("ingest --jobs", vec!["ingest", "--manifest", PROBE, "--jobs", &probe_x]),
    ];
    let meta_args: Vec<(String, String)> = meta_files
        .iter()
        .map(|m| (format!("ingest --meta {}", m.display()), m.to_str().unwrap().to_owned()))
        .collect();
    for (what, meta) in &meta_args {
        cases.push((what, vec!["ingest", file, "--meta", meta]));
    }
    let manifests: Vec<String> = ["m.csv", "m2.csv", "m.jsonl"]
        .iter()
        .map(|m| o.path(m).to_str().unwrap().to_owned())
        .collect();
    for m in &manifests {
        cases.push(("ingest --manifest", vec!["ingest", "--manifest", m]));
    }
    for (what, args) in &cases {
        let run = o.run(args);
        assert_ne!(code(&run), 0, "{what}: accepted\n{}{}", out(&run), err(&run));
        assert_no_probe(what, &run);
    }
    // A vault path naming a citizen, for every command that opens it.
    let vault = o.path(&format!("{PROBE}.vault"));
    for args in [vec!["show", id.as_str()], vec!["log", "head"], vec!["trust", "list"]] {
        let run = Command::new(env!("CARGO_BIN_EXE_rvault"))
            .arg("--vault")
            .arg(&vault)
            .args(&args)
            .output()
            .unwrap();
        assert_ne!(code(&run), 0, "{args:?}: accepted");
        assert_no_probe(&format!("--vault {PROBE}.vault {args:?}"), &run);
    }

    // The messages still say what was wrong, with the ID masked where it is shown.
    let said = |args: &[&str]| err(&o.run(args));
    let missing = said(&["verify", PROBE]);
    assert!(missing.contains(&format!("cannot read {PROBE_MASKED}")), "{missing}");
    let at = said(&["verify", file, "--at", PROBE]);
    assert!(
        at.contains("is not an RFC 3339 time") && at.contains(PROBE_MASKED),
        "{at}"
    );
    let unknown = said(&[PROBE]);
    assert!(
        unknown.contains("unrecognized subcommand") && unknown.contains(PROBE_MASKED),
        "{unknown}"
    );
    let long = said(&["verify", &long]);
    assert!(long.contains("cannot read") && long.len() < 400, "{long}");
    let cancel = said(&["sign", "cancel", PROBE]);
    assert!(
        cancel.contains(&format!("no signing session {PROBE_MASKED}")),
        "{cancel}"
    );
    let number = said(&["ingest", file, "--meta", &meta_args[1].1]);
    assert!(
        number.contains("invalid type: integer (11 digits), expected a string"),
        "{number}"
    );
    let field = said(&["ingest", file, "--meta", &meta_args[2].1]);
    assert!(field.contains(&format!("unknown field `{PROBE_MASKED}`")), "{field}");
}

// ---- The C ABI ----

fn last_error() -> String {
    // SAFETY: the library's thread-local message, read before the next call.
    unsafe { CStr::from_ptr(results_vault::ffi::rv_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

fn take(out: *mut c_char) -> String {
    // SAFETY: a string the library returned; freed right after the copy.
    let text = unsafe { CStr::from_ptr(out) }.to_string_lossy().into_owned();
    // SAFETY: as above.
    unsafe { rv_string_free(out) };
    text
}

fn c(text: &str) -> CString {
    CString::new(text).unwrap()
}

/// One entry point given a JSON or text argument, with its out-param.
type Call<'a> = Box<dyn Fn(*const c_char, *mut *mut c_char) -> rv_result + 'a>;

#[test]
fn c_abi_messages_describe_bad_json_without_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = c(dir.path().join("v.vault").to_str().unwrap());
    let mut v: *mut rv_vault = ptr::null_mut();
    // SAFETY: valid strings and out-param.
    assert_eq!(
        unsafe { handle::rv_vault_open(path.as_ptr(), ptr::null(), &mut v) },
        rv_result::RV_OK
    );
    let meta = |subject: &str, extra: &str| {
        format!(
            r#"{{"dossier_code": "D1", "procedure_code": "P", "document_type": "T", "document_number": "N",
               "issuer": {{"agency_code": "G01"}}, "subject": {subject}, "issued_at": "2026-01-02",
               "valid_from": "2026-01-02", "media_type": "application/pdf",
               "provenance": {{"origin": "born_digital"}}{extra}}}"#
        )
    };
    let good_subject = r#"{"kind": "citizen", "id": "001203004567"}"#;
    // The ID as a string where a number or a name is wanted, as a number where a string is,
    // as a variant, a field name, a date; in syntax errors; and a huge field name.
    let mut texts: Vec<String> = vec![
        meta(&format!(r#"{{"kind": "{PROBE}", "id": "001203004567"}}"#), ""),
        meta(&format!(r#"{{"kind": "citizen", "id": {}}}"#, &PROBE[1..]), ""),
        meta(
            &format!(r#"{{"kind": "citizen", "id": "001203004567", "{PROBE}": true}}"#),
            "",
        ),
        meta(good_subject, &format!(r#", "{PROBE}": 1"#)),
        meta(good_subject, &format!(r#", "valid_until": "{PROBE}""#)),
        meta(
            good_subject,
            &format!(r#", "extra": {{"a": 1}}, "issued_at": {}"#, &PROBE[1..]),
        ),
        meta(&format!(r#"{{"kind": "citizen", "id": "{PROBE}x"}}"#), ""),
        meta(good_subject, "").replace(r#""origin": "born_digital""#, &format!(r#""origin": "{PROBE}""#)),
        meta(good_subject, "").replace(r#""document_type": "T""#, &format!(r#""document_type": ["{PROBE}"]"#)),
        format!(
            r#"{{"subject_kind": "{PROBE}", "subject_id": "{PROBE}", "document_type": "t", "at": "2026-11-20T00:00:00Z"}}"#
        ),
        format!(
            r#"{{"subject_kind": "citizen", "subject_id": {}, "document_type": "t"}}"#,
            &PROBE[1..]
        ),
        format!(r#"{{"subject_kind": "citizen", "subject_id": "{PROBE}", "document_type": "t", "at": "{PROBE}"}}"#),
        format!(
            r#"{{"agency_code": {}, "procedure_code": "p", "dossier_code": "d", "purpose": "x"}}"#,
            &PROBE[1..]
        ),
        format!(r#"{{"reason": "r", "decision_ref": "d", "at": "{PROBE}", "by": "b"}}"#),
        format!(r#"{{"seq": "{PROBE}", "hash": "00"}}"#),
        format!(r#"{{"mode": "{PROBE}"}}"#),
        format!(r#"{{"pdf_signatures": "{PROBE}"}}"#),
        format!(r#"{{"policy": "{PROBE}"}}"#),
        format!(r#"{{"validation_time": "{PROBE}"}}"#),
        format!(r#"{{"proof_of_existence": "{PROBE}"}}"#),
        format!(r#"{{"anchors": [{}]}}"#, &PROBE[1..]),
        format!(r#"{{"changes": "{PROBE}"}}"#),
        format!(r#"{{"digest": "{PROBE}"}}"#),
        format!(r#"{{"wait_seconds": "{PROBE}"}}"#),
        format!(r#"{{"{PROBE}": "x" "#),
        format!(r#"{{"a": "{PROBE}" x}}"#),
        format!(r#"["{PROBE}", {}]"#, &PROBE[1..]),
        PROBE.to_owned(),
        PROBE[1..].to_owned(),
        format!("\"{PROBE}\""),
        format!(r#"{{"{}{PROBE}": 1}}"#, "f".repeat(10 << 20)),
    ];
    texts.push(format!(r#"{{"{PROBE}{}": 1}}"#, "f".repeat(1 << 20)));

    let id = c("01M8442DNE2PJSSAEKS0MKZ3CK");
    let good_query = c(r#"{"subject_kind": "citizen", "subject_id": "001203004567", "document_type": "t"}"#);
    let good_requester = c(r#"{"agency_code": "G01", "procedure_code": "p", "dossier_code": "d", "purpose": "x"}"#);
    let content = b"%PDF-1.7 content";
    let csc = c("csc");
    let calls: Vec<(&str, Call)> = vec![
        // SAFETY (every closure): a live handle, NUL-terminated arguments, a valid out.
        (
            "open options",
            Box::new(|a, _| unsafe {
                let mut other = ptr::null_mut();
                let rc = handle::rv_vault_open(path.as_ptr(), a, &mut other);
                if rc == rv_result::RV_OK {
                    handle::rv_vault_free(other);
                }
                rc
            }),
        ),
        (
            "ingest",
            Box::new(|a, o| unsafe { records::rv_vault_ingest(v, a, content.as_ptr(), content.len(), o) }),
        ),
        (
            "ingest_batch",
            Box::new(|a, o| unsafe {
                let (p, len) = (content.as_ptr(), content.len());
                records::rv_vault_ingest_batch(v, a, &p, &len, 1, o)
            }),
        ),
        (
            "revoke",
            Box::new(|a, o| unsafe { records::rv_vault_revoke(v, id.as_ptr(), a, o) }),
        ),
        (
            "find_reusable query",
            Box::new(|a, o| unsafe {
                records::rv_vault_find_reusable(v, a, good_requester.as_ptr(), ptr::null_mut(), o)
            }),
        ),
        (
            "find_reusable requester",
            Box::new(|a, o| unsafe { records::rv_vault_find_reusable(v, good_query.as_ptr(), a, ptr::null_mut(), o) }),
        ),
        (
            "verify_log",
            Box::new(|a, o| unsafe { records::rv_vault_verify_log(v, a, ptr::null_mut(), o) }),
        ),
        (
            "verify_detached",
            Box::new(|a, o| unsafe {
                verification::rv_verify_detached(content.as_ptr(), content.len(), content.as_ptr(), content.len(), a, o)
            }),
        ),
        (
            "verify_pdf",
            Box::new(|a, o| unsafe { pdf::rv_verify_pdf(content.as_ptr(), content.len(), a, o) }),
        ),
        (
            "vault_verify_pdf",
            Box::new(|a, o| unsafe { pdf::rv_vault_verify_pdf(v, content.as_ptr(), content.len(), a, o) }),
        ),
        (
            "sign_remote config",
            Box::new(|a, o| unsafe { remote::rv_vault_sign_remote(v, csc.as_ptr(), a, id.as_ptr(), ptr::null(), o) }),
        ),
        (
            "sign_remote options",
            Box::new(|a, o| unsafe {
                let config = c(r#"{"base_url": "https://csc.example/csc/v2", "access_token": "t"}"#);
                remote::rv_vault_sign_remote(v, csc.as_ptr(), config.as_ptr(), id.as_ptr(), a, o)
            }),
        ),
    ];
    for text in &texts {
        let label = &text[..text.len().min(90)];
        let arg = c(text);
        for (name, call) in &calls {
            let mut out = ptr::null_mut();
            let rc = call(arg.as_ptr(), &mut out);
            if rc == rv_result::RV_OK {
                // Options that happen to be valid (e.g. `{"mode": …}` is refused, `{}` is not).
                if !out.is_null() {
                    let answer = take(out);
                    assert!(
                        !leaks_probe(&answer) || *name == "verify_detached",
                        "{name} {label}: {answer}"
                    );
                }
                continue;
            }
            assert_ne!(rc, rv_result::RV_PANIC, "{name} {label}: {}", last_error());
            let message = last_error();
            assert!(!message.is_empty(), "{name} {label}: no message");
            assert!(!leaks_probe(&message), "{name} with {label}: {message}");
            assert!(
                message.len() < 1200,
                "{name} {label}: a message of {} bytes",
                message.len()
            );
        }
    }

    // Plain string arguments: ids, hashes, times, names, sessions, paths.
    let probe = c(PROBE);
    let text_calls: Vec<(&str, Call)> = vec![
        // SAFETY (every closure): as above.
        ("get", Box::new(|a, o| unsafe { records::rv_vault_get(v, a, o) })),
        (
            "history",
            Box::new(|a, o| unsafe { records::rv_vault_history(v, a, o) }),
        ),
        (
            "find_by_hash",
            Box::new(|a, o| unsafe { records::rv_vault_find_by_hash(v, a, o) }),
        ),
        (
            "supersede",
            Box::new(|a, o| unsafe { records::rv_vault_supersede(v, a, a, a, o) }),
        ),
        ("stats", Box::new(|a, o| unsafe { records::rv_vault_stats(v, a, a, o) })),
        (
            "verify_record at",
            Box::new(|a, o| unsafe { verification::rv_vault_verify_record(v, id.as_ptr(), a, ptr::null_mut(), o) }),
        ),
        (
            "begin_signing digest",
            Box::new(|a, o| unsafe { signing::rv_vault_begin_signing(v, id.as_ptr(), content.as_ptr(), 0, a, o) }),
        ),
        (
            "signing_session",
            Box::new(|a, o| unsafe { signing::rv_vault_signing_session(v, a, o) }),
        ),
        (
            "cancel_signing",
            Box::new(|a, o| unsafe { signing::rv_vault_cancel_signing(v, a, o) }),
        ),
        (
            "complete_signing_raw",
            Box::new(|a, o| unsafe { signing::rv_vault_complete_signing_raw(v, a, a, content.as_ptr(), 1, o) }),
        ),
        (
            "remote_request",
            Box::new(|a, o| unsafe { remote::rv_vault_remote_request(v, a, o) }),
        ),
        (
            "pdf_check",
            Box::new(|a, o| unsafe { pdf::rv_vault_pdf_check(v, a, o) }),
        ),
        (
            "sign_remote provider",
            Box::new(|a, o| unsafe { remote::rv_vault_sign_remote(v, a, ptr::null(), id.as_ptr(), ptr::null(), o) }),
        ),
        (
            "resume_remote session",
            Box::new(|a, o| unsafe {
                let config = c(r#"{"base_url": "https://csc.example/csc/v2", "access_token": "t"}"#);
                remote::rv_vault_resume_remote(v, csc.as_ptr(), config.as_ptr(), a, ptr::null(), o)
            }),
        ),
        (
            "open path",
            Box::new(|_, _| unsafe {
                let missing = c(dir.path().join(format!("{PROBE}.vault")).to_str().unwrap());
                let options = c(r#"{"mode": "open"}"#);
                let mut other = ptr::null_mut();
                handle::rv_vault_open(missing.as_ptr(), options.as_ptr(), &mut other)
            }),
        ),
    ];
    let long = c(&format!("{}{PROBE}", "7".repeat(100_000)));
    for arg in [&probe, &long] {
        for (name, call) in &text_calls {
            let mut out = ptr::null_mut();
            let rc = call(arg.as_ptr(), &mut out);
            assert!(rc != rv_result::RV_OK && rc != rv_result::RV_PANIC, "{name}: {rc:?}");
            let message = last_error();
            assert!(!message.is_empty() && !leaks_probe(&message), "{name}: {message}");
            assert!(message.len() < 1200, "{name}: a message of {} bytes", message.len());
        }
    }

    // A few messages in full: what was wrong is said, the ID is not.
    let mut out = ptr::null_mut();
    let bad = c(&texts[1]);
    // SAFETY: as above.
    let rc = unsafe { records::rv_vault_ingest(v, bad.as_ptr(), content.as_ptr(), content.len(), &mut out) };
    assert_eq!(rc, rv_result::RV_INVALID_JSON);
    let message = last_error();
    assert!(
        message.starts_with("meta_json: data error: invalid type: integer (11 digits), expected a string at line "),
        "{message}"
    );
    let bad = c(&texts[2]);
    // SAFETY: as above.
    unsafe { records::rv_vault_ingest(v, bad.as_ptr(), content.as_ptr(), content.len(), &mut out) };
    assert!(
        last_error().contains(&format!("unknown field `{PROBE_MASKED}`")),
        "{}",
        last_error()
    );
    // SAFETY: as above.
    unsafe { records::rv_vault_get(v, probe.as_ptr(), &mut out) };
    assert_eq!(last_error(), format!("id: \"{PROBE_MASKED}\" is not valid"));
    // SAFETY: as above.
    unsafe { signing::rv_vault_cancel_signing(v, probe.as_ptr(), &mut out) };
    assert_eq!(last_error(), format!("no signing session {PROBE_MASKED}"));
    // SAFETY: not used after.
    unsafe { handle::rv_vault_free(v) };
}

// ---- A signer named by CCCD and tax code ----

/// pdftotext's text of a PDF, with all white space removed (the layout may wrap a name).
fn report_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext is needed (apt install poppler-utils)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let info = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo is needed");
    let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&info.stdout);
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn a_signer_named_by_cccd_is_shown_masked_everywhere() {
    let o = Office::new();
    issue_cccd_signer(&o);
    let id = o.ingest("scan.pdf", b"%PDF-1.7 a result signed by an officer with a CCCD", None);
    // The same file, named after the citizen's ID, as a scan may be.
    let file = o.path(&format!("{PROBE}.pdf"));
    std::fs::copy(o.path("scan.pdf"), &file).unwrap();
    let key = o.pki.path("cccd.key");
    let cert = o.pki.path("cccd.pem");
    let signed = o.run(&[
        "sign",
        "local",
        &id,
        "--key",
        key.to_str().unwrap(),
        "--cert",
        cert.to_str().unwrap(),
    ]);
    assert!(signed.status.success(), "{}", err(&signed));
    let said = out(&signed);
    assert!(!leaks_signer(&said) && said.contains("CCCD:**********68"), "{said}");
    assert!(said.contains("MST:********54"), "{said}");

    let at = later();
    let report = o.path("report.pdf");
    for args in [
        vec!["verify", &id, "--at", &at],
        vec!["verify", &id, "--at", &at, "--lang", "en"],
        vec!["verify", file.to_str().unwrap(), "--at", &at],
        vec!["verify", &id, "--at", &at, "--json"],
        vec!["verify", file.to_str().unwrap(), "--at", &at, "--json"],
        vec![
            "verify",
            &id,
            file.to_str().unwrap(),
            "--at",
            &at,
            "--report",
            report.to_str().unwrap(),
        ],
    ] {
        let v = o.run(&args);
        assert_eq!(code(&v), 0, "{args:?}: {}{}", out(&v), err(&v));
        let (stdout, stderr) = (out(&v), err(&v));
        assert!(
            !leaks_signer(&stdout) && !leaks_signer(&stderr),
            "{args:?}:\n{stdout}\n{stderr}"
        );
        assert!(
            !leaks_probe(&stdout) && !leaks_probe(&stderr),
            "{args:?}:\n{stdout}\n{stderr}"
        );
        assert!(
            stdout.contains("CCCD:**********68"),
            "{args:?}: the signer is named\n{stdout}"
        );
    }
    let json = common::office::json(&o.run(&["verify", &id, "--at", &at, "--json"]));
    let signer = json["signatures"][0]["signer"].as_str().unwrap();
    assert!(
        signer.starts_with("CN=Nguyen Van Ky") && signer.contains("**********68"),
        "{signer}"
    );

    let text = report_text(&report);
    assert!(!leaks_signer(&text) && !leaks_probe(&text), "the report: {text}");
    assert!(
        text.contains("CCCD:**********68") && text.contains(PROBE_MASKED),
        "the report: {text}"
    );

    // The reuse answer handed to another agency, from the CLI and through the C ABI.
    let reuse_args = [
        "reuse",
        "--subject",
        "001203004567",
        "--type",
        "Trích lục khai sinh",
        "--agency",
        "G01.02",
        "--procedure",
        "1.001",
        "--dossier",
        "D-2",
        "--purpose",
        "khai sinh",
        "--at",
        &at,
    ];
    let reuse = o.run(&reuse_args);
    assert!(reuse.status.success(), "{}", err(&reuse));
    let answer = out(&reuse);
    assert!(answer.contains(&id) && answer.contains("CCCD:**********68"), "{answer}");
    assert!(!leaks_signer(&answer), "{answer}");

    let path = c(o.vault.to_str().unwrap());
    let mut v: *mut rv_vault = ptr::null_mut();
    // SAFETY: valid strings and out-param.
    assert_eq!(
        unsafe { handle::rv_vault_open(path.as_ptr(), ptr::null(), &mut v) },
        rv_result::RV_OK
    );
    let query = c(&format!(
        r#"{{"subject_kind": "citizen", "subject_id": "001203004567", "document_type": "Trích lục khai sinh", "at": "{at}"}}"#
    ));
    let requester = c(r#"{"agency_code": "G01.02", "procedure_code": "1.001", "dossier_code": "D-3", "purpose": "x"}"#);
    let (mut count, mut out_json) = (0usize, ptr::null_mut());
    // SAFETY: a live handle, NUL-terminated strings, writable outs.
    let rc =
        unsafe { records::rv_vault_find_reusable(v, query.as_ptr(), requester.as_ptr(), &mut count, &mut out_json) };
    assert_eq!(rc, rv_result::RV_OK, "{}", last_error());
    assert_eq!(count, 1);
    let answer = take(out_json);
    assert!(
        answer.contains("CCCD:**********68") && answer.contains("MST:********54"),
        "{answer}"
    );
    assert!(!leaks_signer(&answer), "{answer}");
    // SAFETY: not used after.
    unsafe { handle::rv_vault_free(v) };

    // Only what is shown is masked: the vault keeps the certificate as it was signed.
    let vault = results_vault::Vault::open(&o.vault, results_vault::VaultOptions::default()).unwrap();
    let stored = vault.signatures(&id.parse().unwrap()).unwrap();
    assert!(stored[0]
        .cms
        .windows(SIGNER_CCCD.len())
        .any(|w| w == SIGNER_CCCD.as_bytes()));
    let accepted = &stored[0].acceptance.signer.as_ref().unwrap().subject;
    assert!(accepted.contains(SIGNER_CCCD), "{accepted}");
    let checks = vault.signature_checks(&id.parse().unwrap()).unwrap();
    let subject = &checks[0].as_ref().unwrap().signer.as_ref().unwrap().subject;
    assert!(subject.contains(SIGNER_CCCD), "{subject}");
}
