//! Golden tests of the `rvault` binary: every subcommand run as an officer would, its whole
//! stdout, stderr and exit code compared with `tests/golden/cli/<case>.txt` (one file per
//! case: the command line, `exit: N`, `--- stdout`, `--- stderr`, and for `export` the
//! VERIFY.txt it wrote).
//!
//! What varies from run to run is normalized first: temp folders (`<DIR>` for the office,
//! `<PKI>` for the test PKI), result ids (`<ID1>`, `<ID2>`, … in order of appearance in the
//! case), SHA-256 hashes (`<SHA1>`, …; an all-zero one is kept), longer hex blobs (`<HEX>`),
//! certificate serials (`<SERIAL>`), signing session ids (`<SESSION>`, `<SESSION2>`), RFC
//! 3339 times that come from the clock (`<TIME>`; the test's own times, [`FIXED_TIMES`],
//! are kept) and the version (`<VERSION>`).
//!
//! Regenerate with `RV_BLESS=1 cargo test --test cli_golden` only when the CLI's output
//! deliberately changes, then read the diff of `tests/golden/cli/` before committing it.
#![cfg(feature = "cli")]

mod common;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use common::pki::{openssl, Pki};

/// The validation time given to `--at`: inside the dated PKI's validity, fixed.
const AT: &str = "2026-11-20T10:00:00+07:00";

/// Times set by the test (`--at`, the stats window, the dated PKI's validity, a backdated
/// revocation) or by the CLI's text itself, kept as they are; any other time is `<TIME>`.
const FIXED_TIMES: &[&str] = &[
    AT,
    "2026-01-01T00:00:00Z",
    "2036-01-01T00:00:00Z",
    "2100-01-01T00:00:00Z",
    "2026-11-22T09:00:00+07:00",
];

/// A result id that no vault holds.
const UNKNOWN_ID: &str = "01JDZZZZZZZZZZZZZZZZZZZZZZ";

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/cli")
}

/// The metadata JSON of a birth extract of citizen 001203004567, document number `number`.
fn meta(number: &str, valid_until: Option<&str>) -> String {
    let until = valid_until
        .map(|u| format!(r#""valid_until": "{u}", "#))
        .unwrap_or_default();
    format!(
        r#"{{"dossier_code": "G22.46-261120-0001", "procedure_code": "1.000466",
  "document_type": "Trích lục khai sinh", "document_number": "{number}",
  "issuer": {{"agency_code": "G22.46.01", "agency_name": "UBND phường Hải Châu"}},
  "subject": {{"kind": "citizen", "id": "001203004567", "name": "Nguyễn Văn An"}},
  "issued_at": "2026-01-02", "valid_from": "2026-01-02", {until}
  "media_type": "application/pdf", "provenance": {{"origin": "born_digital"}}}}"#
    )
}

/// A temp office folder (vault `office.vault`) and a dated test PKI; on drop, fails with
/// every case whose output differs from its golden file.
struct Office {
    dir: tempfile::TempDir,
    pki: Pki,
    vault: PathBuf,
    /// A validation time an hour from now, for checks of signatures the vault accepts
    /// during the test (a check at a time before a signature existed does not count it).
    later: String,
    /// Literal replacements besides the folders (session ids, `later`).
    names: RefCell<Vec<(String, String)>>,
    mismatches: RefCell<Vec<String>>,
}

/// What a run printed (not normalized) and its exit code, for the next steps of a test.
struct Run {
    stdout: String,
    code: i32,
}

impl Office {
    fn new() -> Office {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("office.vault");
        let pki = Pki::dated();
        std::fs::write(dir.path().join("crl.der"), pki.crl("current")).unwrap();
        let later = (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
            .replace_nanosecond(0)
            .unwrap()
            .to_offset(time::macros::offset!(+7))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let names = RefCell::new(vec![(later.clone(), "<LATER>".to_owned())]);
        let mismatches = RefCell::default();
        Office {
            dir,
            pki,
            vault,
            later,
            names,
            mismatches,
        }
    }

    /// A vault that trusts the PKI's root and its current CRL (setup, not golden cases).
    fn ready() -> Office {
        let o = Office::new();
        o.quiet("init");
        o.quiet(&format!("trust add anchor {}", o.pki_path("root.pem")));
        o.quiet(&format!("trust add crl {}", o.p("crl.der")));
        o
    }

    /// A path in the office folder, as an argument.
    fn p(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_owned()
    }

    /// A path in the PKI folder, as an argument.
    fn pki_path(&self, name: &str) -> String {
        self.pki.path(name).to_str().unwrap().to_owned()
    }

    /// Runs `rvault --vault <office.vault> LINE` (split at spaces) without a golden file;
    /// it must succeed.
    fn quiet(&self, line: &str) -> String {
        let (run, transcript) = self.exec(&self.vault, &line.split_whitespace().collect::<Vec<_>>());
        assert_eq!(run.code, 0, "{transcript}");
        run.stdout
    }

    /// Runs `rvault --vault VAULT ARGS`: what it printed, and its transcript.
    fn exec(&self, vault: &Path, args: &[&str]) -> (Run, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_rvault"))
            .current_dir(self.dir.path())
            .env_remove("RVAULT_VAULT")
            .arg("--vault")
            .arg(vault)
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
        let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
        let code = out.status.code().unwrap_or(-1);
        let mut command = vec!["$ rvault --vault".to_owned(), quote(vault.to_str().unwrap())];
        command.extend(args.iter().map(|a| quote(a)));
        let command = command.join(" ");
        let transcript = format!("{command}\nexit: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}");
        (Run { stdout, code }, transcript)
    }

    /// Golden case `case`: `rvault --vault <office.vault> LINE` (LINE split at spaces),
    /// which must exit with `want`.
    fn case(&self, case: &str, want: i32, line: &str) -> Run {
        self.case_args(case, want, &line.split_whitespace().collect::<Vec<_>>())
    }

    /// Golden case `case`: `rvault --vault <office.vault> ARGS`, which must exit with `want`.
    fn case_args(&self, case: &str, want: i32, args: &[&str]) -> Run {
        self.case_in(case, want, &self.vault.clone(), args, &[])
    }

    /// Golden case `case`: `rvault --vault VAULT ARGS`, which must exit with `want`; the
    /// files `show` are appended to the transcript.
    fn case_in(&self, case: &str, want: i32, vault: &Path, args: &[&str], show: &[PathBuf]) -> Run {
        let (run, mut transcript) = self.exec(vault, args);
        for file in show {
            let text = std::fs::read_to_string(file).unwrap();
            transcript.push_str(&format!("--- file {}\n{text}", file.display()));
        }
        self.check(case, &transcript);
        assert_eq!(run.code, want, "{case}: {transcript}");
        run
    }

    /// Normalizes `transcript` and compares it with the golden file of `case`.
    fn check(&self, case: &str, transcript: &str) {
        let version = env!("CARGO_PKG_VERSION");
        let mut names = vec![
            (self.dir.path().to_str().unwrap().to_owned(), "<DIR>".to_owned()),
            (self.pki.dir.path().to_str().unwrap().to_owned(), "<PKI>".to_owned()),
            (format!("rvault {version}"), "rvault <VERSION>".to_owned()),
            (format!("results-vault {version}"), "results-vault <VERSION>".to_owned()),
        ];
        names.extend(self.names.borrow().iter().cloned());
        if let Err(diff) = compare(case, &normalize(transcript, &names)) {
            self.mismatches.borrow_mut().push(diff);
        }
    }

    /// Ingests `content` as file `name`, document number `number` (as golden case `case`,
    /// if given); returns the result id.
    fn ingest(&self, case: Option<&str>, name: &str, number: &str, content: &[u8], until: Option<&str>) -> String {
        std::fs::write(self.p(name), content).unwrap();
        std::fs::write(self.p(&format!("{name}.json")), meta(number, until)).unwrap();
        let line = format!("ingest {} --meta {}.json", self.p(name), self.p(name));
        let stdout = match case {
            Some(case) => self.case(case, 0, &line).stdout,
            None => self.quiet(&line),
        };
        assert!(stdout.starts_with("stored "), "{stdout}");
        stdout.split_whitespace().nth(1).unwrap().to_owned()
    }

    /// `sign local ID` with the PKI's signer key and certificate.
    fn sign_local(&self, id: &str) -> String {
        let (key, cert) = (self.pki_path("signer.key"), self.pki_path("signer.pem"));
        format!("sign local {id} --key {key} --cert {cert}")
    }
}

impl Drop for Office {
    fn drop(&mut self) {
        let mismatches = self.mismatches.borrow();
        if !mismatches.is_empty() && !std::thread::panicking() {
            panic!(
                "{} golden case(s) differ (if deliberate: RV_BLESS=1 cargo test --test cli_golden)\n\n{}",
                mismatches.len(),
                mismatches.join("\n")
            );
        }
    }
}

/// An argument as a shell would need it.
fn quote(arg: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "-_./:=,+@".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Compares `actual` with the golden file of `case` (or writes it, with `RV_BLESS`); the
/// error is a readable diff: the first differing line, with context.
fn compare(case: &str, actual: &str) -> Result<(), String> {
    static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let fresh = SEEN
        .lock()
        .unwrap()
        .get_or_insert_with(HashSet::new)
        .insert(case.to_owned());
    assert!(fresh, "two golden cases are named {case}");
    let path = golden_dir().join(format!("{case}.txt"));
    if std::env::var_os("RV_BLESS").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return Ok(());
    }
    let expected = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e}; write it with RV_BLESS=1\n--- actual\n{actual}",
            path.display()
        )
    })?;
    if expected == actual {
        return Ok(());
    }
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let first = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let mut report = format!(
        "{} differs at line {} (- golden, + actual):\n",
        path.display(),
        first + 1
    );
    for (i, line) in e.iter().enumerate().take(first).skip(first.saturating_sub(3)) {
        report.push_str(&format!("  {:>3}   {line}\n", i + 1));
    }
    for (i, line) in e.iter().enumerate().skip(first).take(6) {
        report.push_str(&format!("  {:>3} - {line}\n", i + 1));
    }
    for (i, line) in a.iter().enumerate().skip(first).take(6) {
        report.push_str(&format!("  {:>3} + {line}\n", i + 1));
    }
    if first == e.len() && first == a.len() {
        report.push_str("  (only the final newline differs)\n");
    }
    Err(report)
}

/// The length of the RFC 3339 date-time at the start of `s`, if there is one.
fn time_len(s: &[u8]) -> Option<usize> {
    let digits_at = |s: &[u8], shape: &[u8]| {
        s.len() >= shape.len()
            && shape
                .iter()
                .zip(s)
                .all(|(&p, &c)| if p == b'd' { c.is_ascii_digit() } else { p == c })
    };
    if !digits_at(s, b"dddd-dd-ddTdd:dd:dd") {
        return None;
    }
    let mut n = 19;
    if s.get(n) == Some(&b'.') {
        n += 1 + s[n + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
    }
    match s.get(n) {
        Some(b'Z') => Some(n + 1),
        Some(b'+' | b'-') if digits_at(&s[n + 1..], b"dd:dd") => Some(n + 6),
        _ => None,
    }
}

/// Replaces what varies between runs with placeholders (see the module comment).
fn normalize(text: &str, names: &[(String, String)]) -> String {
    let mut text = text.to_owned();
    let mut names = names.to_vec();
    names.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
    for (value, placeholder) in &names {
        text = text.replace(value.as_str(), placeholder);
    }
    for key in ["\"serial\":\"", "\"serial\": \""] {
        let mut from = 0;
        while let Some(at) = text[from..].find(key) {
            let start = from + at + key.len();
            let end = start + text[start..].find('"').unwrap();
            text.replace_range(start..end, "<SERIAL>");
            from = start;
        }
    }
    let bytes = text.as_bytes();
    let (mut out, mut i) = (String::new(), 0);
    let mut numbered: HashMap<String, String> = HashMap::new();
    let (mut ids, mut shas) = (0, 0);
    while i < bytes.len() {
        let boundary = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if let (true, Some(n)) = (boundary, time_len(&bytes[i..])) {
            let time = &text[i..i + n];
            out.push_str(if FIXED_TIMES.contains(&time) { time } else { "<TIME>" });
            i += n;
            continue;
        }
        let len = bytes[i..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        if !boundary || len == 0 {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let word = &text[i..i + len];
        let hex = word.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
        let ulid = len == 26
            && word.bytes().any(|c| c.is_ascii_uppercase())
            && word
                .bytes()
                .all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !b"ILOU".contains(&c)));
        let sha = hex && len == 64 && word.bytes().any(|c| c != b'0');
        if ulid || sha {
            let placeholder = numbered.entry(word.to_owned()).or_insert_with(|| {
                let n = if ulid { &mut ids } else { &mut shas };
                *n += 1;
                format!("<{}{n}>", if ulid { "ID" } else { "SHA" })
            });
            out.push_str(placeholder);
        } else {
            out.push_str(if hex && len > 64 { "<HEX>" } else { word });
        }
        i += len;
    }
    out
}

#[test]
fn an_office_day_from_init_to_export() {
    let o = Office::new();
    let later = o.later.clone();
    o.case("version", 0, "--version");
    o.case("init", 0, "init");
    o.case(
        "trust_add_anchor",
        0,
        &format!("trust add anchor {}", o.pki_path("root.pem")),
    );
    o.case("trust_add_crl", 0, &format!("trust add crl {}", o.p("crl.der")));
    let list = o.case("trust_list", 0, "trust list").stdout;

    let id = o.ingest(
        Some("ingest_one"),
        "birth.pdf",
        "123/TLKS",
        "%PDF-1.7 Trích lục".as_bytes(),
        None,
    );
    let again = format!("ingest {} --meta {}.json", o.p("birth.pdf"), o.p("birth.pdf"));
    o.case("ingest_again", 0, &again);
    std::fs::create_dir(o.p("scans")).unwrap();
    let mut csv = String::from(
        "file,dossier_code,procedure_code,document_type,document_number,issuer_agency_code,issuer_agency_name,\
         subject_kind,subject_id,subject_name,issued_at,valid_from,valid_until,media_type,provenance,scan_unit,scanned_on\n",
    );
    for i in 0..3 {
        if i != 2 {
            std::fs::write(o.p(&format!("scans/kq-{i}.pdf")), format!("%PDF-1.7 scan {i}")).unwrap();
        }
        csv.push_str(&format!(
            "kq-{i}.pdf,G22.46-261101-000{i},1.000466,Trích lục khai sinh,{i}/TLKS,G22.46.01,\"UBND phường Hải Châu\",\
             citizen,00120300456{i},Trần Thị Bình,2026-01-02,2026-01-02,,application/pdf,digitized,Bộ phận một cửa,2026-11-01\n"
        ));
    }
    std::fs::write(o.p("scans/manifest.csv"), csv).unwrap();
    o.case(
        "ingest_manifest",
        65,
        &format!("ingest --manifest {} --jobs 2", o.p("scans/manifest.csv")),
    );

    o.case("show", 0, &format!("show {id}"));
    o.case("sign_local", 0, &o.sign_local(&id));
    o.case("show_signed", 0, &format!("show {id}"));
    o.case("history", 0, &format!("history {id}"));
    let birth = o.p("birth.pdf");
    o.case("verify_vi", 0, &format!("verify {birth} --at {later}"));
    o.case("verify_en", 0, &format!("verify {birth} --at {later} --lang en"));
    o.case("verify_json", 0, &format!("verify {id} --at {later} --json"));
    // `_` stands for a space inside an argument.
    let reuse = "reuse --subject 001203004567 --type Trích_lục_khai_sinh --agency G22.47 --procedure 1.001193 \
                 --dossier G22.47-261120-0042 --purpose Đăng_ký_thường_trú --at";
    let reuse: Vec<String> = reuse.split_whitespace().map(|a| a.replace('_', " ")).collect();
    let reuse: Vec<&str> = reuse.iter().map(String::as_str).chain([later.as_str()]).collect();
    o.case_args("reuse", 0, &reuse);
    o.case(
        "stats",
        0,
        "stats --from 2026-01-01T00:00:00Z --to 2100-01-01T00:00:00Z",
    );
    let out = o.dir.path().join("export");
    let args = ["export", &id, "--out", out.to_str().unwrap()];
    o.case_in("export", 0, &o.vault, &args, &[out.join("VERIFY.txt")]);

    // Revoked by decision afterwards: the signature still passes, the record is not in force.
    let revoked = o.ingest(None, "revoked.pdf", "124/TLKS", b"%PDF-1.7 later revoked", None);
    o.quiet(&o.sign_local(&revoked));
    let by = ["--reason", "Cấp nhầm", "--decision", "08/QĐ-UBND", "--by", "G22.46.01"];
    o.case_args("revoke", 0, &[&["revoke", revoked.as_str()][..], &by].concat());
    o.case("verify_revoked_record", 3, &format!("verify {revoked}"));
    o.case("history_revoked_json", 0, &format!("history {revoked} --json"));

    let head = o.case("log_head", 0, "log head").stdout.trim().to_owned();
    o.case("log_verify_intact", 0, &format!("log verify --against {head}"));
    let seq = head.split(':').next().unwrap();
    o.case(
        "log_verify_wrong_head",
        1,
        &format!("log verify --against {seq}:{}", "0".repeat(64)),
    );

    // The root leaves the trust store: the same file can no longer be vouched for.
    let anchor = list.lines().find(|l| l.starts_with("anchor")).unwrap();
    let anchor = anchor.split_whitespace().nth(1).unwrap();
    o.case("trust_remove", 0, &format!("trust remove {anchor}"));
    o.case("trust_list_after_remove", 0, "trust list");
    o.case("trust_remove_again", 64, &format!("trust remove {anchor}"));
    o.case("verify_after_root_removed", 2, &format!("verify {birth} --at {later}"));

    // A result replaced by a corrected one: superseded once, and its history says so.
    let wrong = o.ingest(None, "wrong.pdf", "126/TLKS", b"%PDF-1.7 wrong name", None);
    let corrected = o.ingest(None, "corrected.pdf", "126/TLKS-BS", b"%PDF-1.7 corrected", None);
    let by = [
        "--reason",
        "Sai họ tên",
        "--decision",
        "09/QĐ-UBND",
        "--by",
        "G22.46.01",
    ];
    let supersede = [&["supersede", wrong.as_str(), corrected.as_str()][..], &by].concat();
    o.case_args("supersede", 0, &supersede);
    o.case_args("supersede_again", 65, &supersede);
    o.case("history_superseded", 0, &format!("history {wrong}"));
}

#[test]
fn an_external_signer_begins_completes_and_cancels() {
    let o = Office::ready();
    let later = o.later.clone();
    let id = o.ingest(None, "birth.pdf", "125/TLKS", b"%PDF-1.7 external", None);
    let cert = o.pki_path("signer.pem");
    let begin = ["sign", "begin", &id, "--cert", &cert];
    let (begun, transcript) = o.exec(&o.vault, &begin);
    let session: serde_json::Value = serde_json::from_str(&begun.stdout).unwrap();
    let sid = session["session_id"].as_str().unwrap().to_owned();
    o.names.borrow_mut().push((sid.clone(), "<SESSION>".into()));
    o.check("sign_begin", &transcript);
    assert_eq!(begun.code, 0);

    // The external signer signs the signed attributes (openssl standing in for an HSM).
    let hex = session["signed_attributes"].as_str().unwrap();
    let attrs: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    std::fs::write(o.pki.path("attrs.der"), attrs).unwrap();
    let dgst = "dgst -sha256 -sign signer.key -out attrs.sig attrs.der";
    assert!(openssl(o.pki.dir.path(), &dgst.split(' ').collect::<Vec<_>>()));
    let complete = format!("sign complete {sid} --signature {}", o.pki_path("attrs.sig"));
    o.case("sign_complete_without_algorithm", 64, &complete);
    o.case("sign_complete", 0, &format!("{complete} --algorithm RSA_PKCS1"));
    o.case("verify_after_external_signing", 0, &format!("verify {id} --at {later}"));

    let second: serde_json::Value = serde_json::from_str(&o.quiet(&begin.join(" "))).unwrap();
    let second = second["session_id"].as_str().unwrap().to_owned();
    o.names.borrow_mut().push((second.clone(), "<SESSION2>".into()));
    o.case("sign_cancel", 0, &format!("sign cancel {second}"));
    let late = complete.replace(&sid, &second);
    o.case("sign_complete_cancelled", 65, &format!("{late} --algorithm RSA_PKCS1"));
    o.case("sign_cancel_unknown_session", 65, &format!("sign cancel {UNKNOWN_ID}"));
}

#[test]
fn verdicts_of_stored_results() {
    let o = Office::ready();
    let later = o.later.clone();
    let unsigned = o.ingest(None, "unsigned.pdf", "126/TLKS", b"%PDF-1.7 unsigned", None);
    o.case("verify_unsigned", 2, &format!("verify {unsigned} --at {later}"));

    let expired = o.ingest(None, "old.pdf", "127/TLKS", b"%PDF-1.7 expired", Some("2026-06-30"));
    o.quiet(&o.sign_local(&expired));
    o.case("verify_expired", 3, &format!("verify {} --at {later}", o.p("old.pdf")));
    o.case(
        "verify_expired_json",
        3,
        &format!("verify {expired} --at {later} --json"),
    );

    // One byte of a stored, signed result changed behind the vault's back.
    let content = b"%PDF-1.7 tampered later";
    let id = o.ingest(None, "tampered.pdf", "128/TLKS", content, None);
    o.quiet(&o.sign_local(&id));
    let mut changed = content.to_vec();
    changed[9] ^= 0x20;
    let db = rusqlite::Connection::open(&o.vault).unwrap();
    let n = db.execute(
        "UPDATE contents SET data = ?1 WHERE data = ?2",
        (&changed, &content[..]),
    );
    assert_eq!(n.unwrap(), 1, "the content is stored raw");
    drop(db);
    o.case("verify_tampered_stored", 1, &format!("verify {id} --at {later}"));
    // The citizen's copy with the same byte changed: a file the vault does not know.
    std::fs::write(o.p("copy.pdf"), &changed).unwrap();
    o.case(
        "verify_tampered_copy",
        2,
        &format!("verify {} --at {later}", o.p("copy.pdf")),
    );

    // A missing file: said on stderr, exit 66, and the other input still answered.
    o.case(
        "verify_missing_file",
        66,
        &format!("verify {} {unsigned} --at {later}", o.p("nowhere.pdf")),
    );
    o.case("verify_unknown_id", 65, &format!("verify {UNKNOWN_ID} --at {later}"));
    o.case("show_unknown_id", 65, &format!("show {UNKNOWN_ID}"));
}

#[test]
fn files_checked_without_a_vault() {
    let o = Office::new();
    let content = b"%PDF-1.7 signed elsewhere";
    std::fs::write(o.p("doc.pdf"), content).unwrap();
    std::fs::write(o.p("doc.p7s"), o.pki.sign(content, &[])).unwrap();
    std::fs::write(o.p("impostor.der"), &o.pki.impostor_root).unwrap();
    let none = o.dir.path().join("no.vault");
    let run = |case: &str, want: i32, line: String| {
        o.case_in(case, want, &none, &line.split_whitespace().collect::<Vec<_>>(), &[]);
    };
    let (doc, sig) = (o.p("doc.pdf"), o.p("doc.p7s"));
    let with = |trust: &str, crl: &str, extra: &str| {
        format!("verify {doc} --signature {sig} --trust {trust} --crl {crl} --at {AT} {extra}")
    };
    let (root, crl, impostor) = (o.pki_path("root.pem"), o.p("crl.der"), o.p("impostor.der"));
    run("no_vault_unsigned_file", 2, format!("verify {doc} --at {AT}"));
    run("detached_passed", 0, with(&root, &crl, ""));
    run("detached_passed_json", 0, with(&root, &crl, "--json"));
    run("detached_untrusted_root", 2, with(&impostor, &crl, "--lang en"));
    run("detached_untrusted_root_json", 2, with(&impostor, &crl, "--json"));

    // The CA learnt late of a key compromise: the signer is revoked since 2026-06-01.
    o.pki.revoke_dated("signer.pem", "260601000000Z");
    std::fs::write(o.p("revoked.der"), o.pki.crl("revoked")).unwrap();
    let revoked = o.p("revoked.der");
    run("detached_revoked_signer", 1, with(&root, &revoked, ""));
    run("detached_revoked_signer_en", 1, with(&root, &revoked, "--lang en"));
    run("detached_revoked_signer_json", 1, with(&root, &revoked, "--json"));

    let mut changed = content.to_vec();
    changed[9] ^= 0x20;
    std::fs::write(o.p("doc.pdf"), changed).unwrap();
    run("detached_tampered", 1, with(&root, &crl, ""));
}

#[test]
fn usage_errors_and_hints() {
    let o = Office::ready();
    let id = o.ingest(None, "birth.pdf", "129/TLKS", b"%PDF-1.7 usage", None);
    let birth = o.p("birth.pdf");
    o.case("usage_bad_at", 64, &format!("verify {birth} --at 20/11/2026"));
    o.case("usage_bad_policy", 64, &format!("verify {birth} --policy strict"));
    o.case("usage_bad_lang", 64, &format!("verify {birth} --lang fr"));
    o.case("usage_bad_id", 64, "show 123");
    o.case("usage_bad_against", 64, "log verify --against yesterday");
    // clap's own usage errors exit with 2, the code `verify` uses for INDETERMINATE.
    o.case("usage_verify_without_input", 64, "verify");
    o.case("usage_ingest_without_meta", 64, &format!("ingest {birth}"));
    // A malformed personal ID is named as a field, never echoed.
    std::fs::write(
        o.p("bad.json"),
        meta("130/TLKS", None).replace("001203004567", "00120300456"),
    )
    .unwrap();
    o.case(
        "ingest_bad_meta",
        65,
        &format!("ingest {birth} --meta {}", o.p("bad.json")),
    );
    let missing = o.dir.path().join("missing.vault");
    o.case_in("show_without_vault", 66, &missing, &["show", &id], &[]);
    o.case_in(
        "verify_id_without_vault",
        64,
        &missing,
        &["verify", &id, "--at", AT],
        &[],
    );
}

/// Serves `body` (a CRL) to every request on `listener`, from a thread that lives as long
/// as the test process (the `rvault` runs are other processes).
fn serve_crl_forever(listener: std::net::TcpListener, body: Vec<u8>) {
    use std::io::{Read, Write};
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match stream.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
}

#[test]
fn revocation_data_refreshed_and_named_by_verdicts() {
    let o = Office::ready();
    let later = o.later.clone();
    o.case("trust_refresh_nothing_to_fetch", 0, "trust refresh");

    // The officer's certificate names a distribution point served on 127.0.0.1 and an
    // OCSP responder on a port where nobody listens.
    let crl_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let crl_port = crl_listener.local_addr().unwrap().port();
    let ocsp_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    o.names
        .borrow_mut()
        .push((format!("127.0.0.1:{crl_port}"), "127.0.0.1:<CRL_PORT>".into()));
    o.names
        .borrow_mut()
        .push((format!("127.0.0.1:{ocsp_port}"), "127.0.0.1:<OCSP_PORT>".into()));
    o.pki.issue_with_extensions(
        "officer",
        &format!(
            "basicConstraints = critical, CA:FALSE\n\
             keyUsage = critical, digitalSignature, nonRepudiation\n\
             subjectKeyIdentifier = hash\n\
             authorityKeyIdentifier = keyid\n\
             crlDistributionPoints = URI:http://127.0.0.1:{crl_port}/root.crl\n\
             authorityInfoAccess = OCSP;URI:http://127.0.0.1:{ocsp_port}/"
        ),
    );
    serve_crl_forever(crl_listener, o.pki.crl("refreshed"));
    let id = o.ingest(None, "birth.pdf", "131/TLKS", b"%PDF-1.7 refreshed", None);
    let (key, cert) = (o.pki_path("officer.key"), o.pki_path("officer.pem"));
    o.quiet(&format!("sign local {id} --key {key} --cert {cert}"));

    // The CRL is fetched and kept; the responder cannot be reached: exit 1.
    o.case("trust_refresh", 1, "trust refresh --timeout-secs 5");
    o.case("trust_refresh_json", 1, "trust refresh --json");
    o.case("verify_json_names_crl", 0, &format!("verify {id} --at {later} --json"));

    // An OCSP response about the officer, made by the CA's responder (openssl, offline).
    let dir = o.pki.dir.path();
    let request = "ocsp -issuer root.pem -cert officer.pem -no_nonce -reqout officer-req.der";
    assert!(openssl(dir, &request.split(' ').collect::<Vec<_>>()));
    let respond = "ocsp -index index.txt -rsigner root.pem -rkey root.key -CA root.pem -reqin officer-req.der \
                   -respout officer-ocsp.der -ndays 7";
    assert!(openssl(dir, &respond.split_whitespace().collect::<Vec<_>>()));
    std::fs::copy(o.pki.path("officer-ocsp.der"), o.p("officer-ocsp.der")).unwrap();
    o.case(
        "trust_add_ocsp",
        0,
        &format!("trust add ocsp {}", o.p("officer-ocsp.der")),
    );
    std::fs::write(o.p("another.crl"), o.pki.crl("another")).unwrap();
    o.case(
        "trust_add_ocsp_not_ocsp",
        65,
        &format!("trust add ocsp {}", o.p("another.crl")),
    );
    o.case("trust_list_with_ocsp", 0, "trust list");
    // An export keeps the OCSP response out of trust.pem (openssl would refuse the file),
    // and what its VERIFY.txt says works with openssl alone.
    let out = o.dir.path().join("export");
    let args = ["export", &id, "--out", out.to_str().unwrap()];
    o.case_in("export_with_ocsp", 0, &o.vault, &args, &[out.join("VERIFY.txt")]);
    let verify = "cms -verify -binary -inform DER -in signature-1.der -content envelope.json -CAfile trust.pem \
                  -crl_check_all -purpose any -out /dev/null";
    assert!(openssl(&out, &verify.split_whitespace().collect::<Vec<_>>()));
    let ocsp = Command::new("openssl")
        .current_dir(&out)
        .args(["ocsp", "-respin", "ocsp-1.der", "-CAfile", "trust.pem", "-resp_text"])
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&ocsp.stdout),
        String::from_utf8_lossy(&ocsp.stderr)
    );
    assert!(said.contains("Response verify OK"), "{said}");

    // The verdict names the evidence it stands on (the OCSP response now) and the policy
    // that accepted it.
    o.case("verify_json_names_ocsp", 0, &format!("verify {id} --at {later} --json"));
}
