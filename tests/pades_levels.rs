//! PAdES baseline levels (issue 21, points 1 and 4), against real peers: pyHanko 0.38.0
//! signs B-T, B-LT and B-LTA PDFs (tests/pades/make_levels.py) with a real RFC 3161 TSA
//! (`openssl ts -reply`), a real OCSP responder (`openssl ocsp`) and a CRL download point
//! on 127.0.0.1 (tests/common/tsa.rs). The peers stop before any check: every verdict is
//! made offline, trusting only the root, at two times: just after the run and three years
//! on (the signers' certificates expired, the TSA's and the root's not). What each file
//! must give is in the manifest the generator writes (see tests/pades/README.md,
//! "Baseline levels").

mod common;

use std::path::Path;
use std::process::Command;

use common::pades::pyhanko_python;
use common::pki::{openssl, Pki, DATED};
use common::tsa::LoopbackPeers;
use results_vault::pdf::verify_pdf;
use results_vault::verify::levels::{TimestampKind, TimestampSummary};
use results_vault::verify::signature::{Policy, SignatureVerdict, ValidationContext};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

/// What a correct verifier answers about one signature at one time.
#[derive(Debug, Deserialize)]
struct At {
    indication: String,
    sub_indication: Option<String>,
    /// `None`: not asserted (the verdict relied on the caller's evidence).
    level: Option<String>,
    timestamps: Vec<ExpectedTimestamp>,
}

#[derive(Debug, Deserialize)]
struct ExpectedTimestamp {
    /// `signature_timestamp` or `document_timestamp`.
    kind: String,
    /// The document timestamp's field.
    field: Option<String>,
    /// An indication, or `!PASSED` for any other.
    indication: String,
    sub_indication: Option<String>,
    proof_used: bool,
}

/// pyHanko 0.38.0's answers at `now`, offline (see make_levels.py `check`).
#[derive(Debug, Deserialize)]
struct PyhankoNow {
    /// Its AdES LTA process: `INDICATION/SUB_INDICATION` or `PASSED`.
    lta: String,
    /// Its classic check with the file's current DSS: intact, valid and trusted.
    classic_trusted: bool,
    /// Why it departs from the correct answer, where it does.
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SignatureCase {
    field: String,
    signer: String,
    now: At,
    later: At,
    pyhanko_now: PyhankoNow,
}

#[derive(Debug, Deserialize)]
struct Case {
    file: String,
    case: u32,
    description: String,
    /// A CRL of the PKI dir the caller hands over (made after the run).
    caller_crl: Option<String>,
    signatures: Vec<SignatureCase>,
}

/// `YYYYMMDDHHMMSSZ`.
fn generalized(t: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The certificates' extensions.
const END_ENTITY: &str = "basicConstraints = critical, CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid";

struct Fixtures {
    pki: Pki,
    dir: tempfile::TempDir,
    cases: Vec<Case>,
    /// Just after the run, and three years on.
    now: OffsetDateTime,
    later: OffsetDateTime,
}

/// The PKI, the peers, the PDFs; the peers stopped, the late CRL made.
fn make() -> Fixtures {
    let python = pyhanko_python();
    let start = OffsetDateTime::now_utc();
    let pki = Pki::dated();
    let d = pki.dir.path();
    let peers = LoopbackPeers::start(d);
    let (ocsp_url, crl_url) = (peers.url("/ocsp/ocsp"), peers.url("/crl/root.crl.der"));
    assert!(openssl(d, &["ecparam", "-name", "prime256v1", "-out", "p256.param"]));
    let short = (
        generalized(start - Duration::days(20)),
        generalized(start + Duration::days(30)),
    );
    let short = (short.0.as_str(), short.1.as_str());
    let signer = "keyUsage = critical, digitalSignature, nonRepudiation";
    for name in ["signer-ocsp", "signer-late", "signer-early"] {
        let ext = format!("{END_ENTITY}\n{signer}\nauthorityInfoAccess = OCSP;URI:{ocsp_url}");
        pki.issue_custom(name, "ec:p256.param", short, &ext);
    }
    let ext = format!("{END_ENTITY}\n{signer}\ncrlDistributionPoints = URI:{crl_url}");
    pki.issue_custom("signer-crl", "ec:p256.param", short, &ext);
    let tsa = format!(
        "{END_ENTITY}\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = critical, timeStamping\n\
         crlDistributionPoints = URI:{crl_url}"
    );
    pki.issue_custom("tsa", "rsa:2048", DATED, &tsa);
    let no_eku = format!("{END_ENTITY}\nkeyUsage = critical, digitalSignature\ncrlDistributionPoints = URI:{crl_url}");
    pki.issue_custom("tsa-noeku", "rsa:2048", DATED, &no_eku);
    let responder = format!(
        "{END_ENTITY}\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = OCSPSigning\nnoCheck = ignored"
    );
    pki.issue_custom("ocsp", "ec:p256.param", DATED, &responder);
    let this_update = start - Duration::minutes(1);
    pki.crl_dated(
        "root",
        &generalized(this_update),
        &generalized(this_update + Duration::days(30)),
    );

    let roles: serde_json::Map<String, serde_json::Value> = [
        "signer-ocsp",
        "signer-late",
        "signer-early",
        "signer-crl",
        "tsa",
        "tsa-noeku",
        "ocsp",
    ]
    .iter()
    .map(|r| {
        (
            r.to_string(),
            serde_json::json!({"key": format!("{r}.key"), "cert": format!("{r}.pem")}),
        )
    })
    .collect();
    let spec = serde_json::json!({
        "root": "root.pem",
        "roles": roles,
        "urls": {"tsa": peers.url("/tsa/tsa"), "ocsp": ocsp_url, "crl": crl_url},
    });
    std::fs::write(pki.path("levels.json"), serde_json::to_vec_pretty(&spec).unwrap()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let began = std::time::Instant::now();
    let out = Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pades/make_levels.py"))
        .arg(dir.path())
        .arg(d)
        .output()
        .expect("the pyHanko virtualenv's python");
    assert!(
        out.status.success(),
        "make_levels.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("make_levels.py: {:.1} s", began.elapsed().as_secs_f64());
    let addr = peers.addr();
    let served = peers.stop();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the peers still listen: the checks would not be offline"
    );
    for route in ["/tsa/", "/ocsp/", "/crl/"] {
        let ok = served
            .iter()
            .filter(|s| s.path.starts_with(route) && s.status == 200)
            .count();
        assert!(ok > 0, "the peers never answered {route}: {served:?}");
    }
    assert!(
        served.iter().all(|s| s.status == 200),
        "a peer refused a request: {served:?}"
    );

    // Learnt after the run: signer-late revoked 10 minutes after it, signer-early 10 days
    // before it; the CRL saying so is issued 20 minutes after the run.
    let end = OffsetDateTime::now_utc();
    pki.revoke_dated("signer-late.pem", &generalized(end + Duration::minutes(10))[2..]);
    pki.revoke_dated("signer-early.pem", &generalized(start - Duration::days(10))[2..]);
    let issued = end + Duration::minutes(20);
    pki.crl_dated("later", &generalized(issued), &generalized(issued + Duration::days(30)));

    let manifest = std::fs::read(dir.path().join("manifest.json")).unwrap();
    let cases = serde_json::from_slice(&manifest).expect("manifest.json");
    Fixtures {
        pki,
        dir,
        cases,
        now: end + Duration::hours(1),
        later: end + Duration::days(3 * 365),
    }
}

fn text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).unwrap().as_str().unwrap_or_default().to_owned()
}

fn kind(k: TimestampKind) -> &'static str {
    match k {
        TimestampKind::SignatureTimestamp => "signature_timestamp",
        TimestampKind::DocumentTimestamp => "document_timestamp",
    }
}

/// One line per timestamp: `kind field INDICATION/SUB proof`.
fn show_timestamps(list: &[TimestampSummary]) -> String {
    list.iter()
        .map(|t| {
            format!(
                "{}{} {}{}{}",
                kind(t.kind),
                t.field.as_deref().map(|f| format!(" {f}")).unwrap_or_default(),
                text(&t.indication),
                t.sub_indication.map(|s| format!("/{}", s.as_str())).unwrap_or_default(),
                if t.proof_used { " (POE)" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where `got` departs from `want`, in words (empty: it does not).
fn departures(got: &SignatureVerdict, want: &At) -> Vec<String> {
    let mut bad = Vec::new();
    let (indication, sub) = (text(&got.indication), got.sub_indication.map(|s| s.as_str().to_owned()));
    if indication != want.indication || sub != want.sub_indication {
        bad.push(format!(
            "verdict {indication}/{sub:?}, want {}/{:?}",
            want.indication, want.sub_indication
        ));
    }
    if let Some(level) = &want.level {
        let have = got.level.map(|l| l.as_str().to_owned());
        if have.as_deref() != Some(level.as_str()) {
            bad.push(format!("level {have:?}, want {level}"));
        }
    }
    if got.timestamps.len() != want.timestamps.len() {
        bad.push(format!(
            "{} timestamps listed, want {}: {}",
            got.timestamps.len(),
            want.timestamps.len(),
            show_timestamps(&got.timestamps)
        ));
    }
    // The timestamp expected to be the proof of existence; another one with the same
    // genTime (pyHanko often gets both tokens within one second) proves the same instant.
    let poe_gen_time = want
        .timestamps
        .iter()
        .filter(|w| w.proof_used)
        .find_map(|w| {
            got.timestamps
                .iter()
                .find(|t| kind(t.kind) == w.kind && (w.field.is_none() || t.field == w.field))
        })
        .and_then(|t| t.gen_time.clone());
    for w in &want.timestamps {
        let found = got
            .timestamps
            .iter()
            .find(|t| kind(t.kind) == w.kind && (w.field.is_none() || t.field == w.field));
        let Some(t) = found else {
            bad.push(format!("no {} {:?} listed", w.kind, w.field));
            continue;
        };
        let ind = text(&t.indication);
        let ok = match w.indication.as_str() {
            "!PASSED" => ind != "PASSED",
            want_ind => {
                ind == want_ind
                    && (w.sub_indication.is_none()
                        || t.sub_indication.map(|s| s.as_str()) == w.sub_indication.as_deref())
            }
        };
        let same_instant = t.proof_used && !w.proof_used && t.gen_time.is_some() && t.gen_time == poe_gen_time;
        if !ok || (t.proof_used != w.proof_used && !same_instant) {
            bad.push(format!(
                "{} {:?}: {ind}/{:?} proof_used={} ({}), want {}/{:?} proof_used={}",
                w.kind,
                w.field,
                t.sub_indication.map(|s| s.as_str()),
                t.proof_used,
                t.detail,
                w.indication,
                w.sub_indication,
                w.proof_used
            ));
        }
    }
    bad
}

#[test]
fn baseline_levels_are_proven_offline_by_what_the_file_carries() {
    let fx = make();
    if std::env::var_os("LEVELS_KEEP").is_some() {
        // for a look by hand: the PDFs, manifest.json and the PKI (levels.json, later.crl.der)
        let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("levels-keep");
        let _ = std::fs::remove_dir_all(&keep);
        for (from, to) in [(fx.dir.path(), "pdfs"), (fx.pki.dir.path(), "pki")] {
            std::fs::create_dir_all(keep.join(to)).unwrap();
            for f in std::fs::read_dir(from)
                .unwrap()
                .flatten()
                .filter(|f| f.path().is_file())
            {
                std::fs::copy(f.path(), keep.join(to).join(f.file_name())).unwrap();
            }
        }
        println!("kept in {} (now = {}, later = {})", keep.display(), fx.now, fx.later);
    }
    let anchors = [fx.pki.root.clone()];
    let policy = Policy::pades_baseline();
    let mut table = Vec::new();
    let mut failures = Vec::new();
    for case in &fx.cases {
        let bytes = std::fs::read(fx.dir.path().join(&case.file)).unwrap();
        let caller: Vec<Vec<u8>> = case
            .caller_crl
            .iter()
            .map(|c| std::fs::read(fx.pki.path(c)).unwrap())
            .collect();
        for (label, at) in [("now", fx.now), ("+3y", fx.later)] {
            let ctx = ValidationContext {
                anchors: &anchors,
                intermediates: &[],
                crls: &caller,
                validation_time: at,
                proof_of_existence: None,
                policy: &policy,
                all_signers: false,
                chain_cache: None,
            };
            let verdict = verify_pdf(&bytes, &ctx).unwrap_or_else(|e| panic!("{}: {e}", case.file));
            for want in &case.signatures {
                let want_at = if label == "now" { &want.now } else { &want.later };
                let got = verdict
                    .signatures
                    .iter()
                    .find(|s| s.field == want.field)
                    .unwrap_or_else(|| panic!("{}: no field {}", case.file, want.field));
                let v = &got.verdict;
                let bad = departures(v, want_at);
                table.push(format!(
                    "{:>2} {:<36} {:<4} {:<6} {}{} [{}] {}",
                    case.case,
                    case.file,
                    label,
                    v.level.map(|l| l.as_str()).unwrap_or("-"),
                    text(&v.indication),
                    v.sub_indication.map(|s| format!("/{}", s.as_str())).unwrap_or_default(),
                    show_timestamps(&v.timestamps),
                    if bad.is_empty() { "ok" } else { "MISMATCH" }
                ));
                for b in bad {
                    failures.push(format!(
                        "{} ({}, {}) at {label}: {b}",
                        case.file, want.signer, want.field
                    ));
                }
            }
        }
    }
    println!("{}", table.join("\n"));
    for case in &fx.cases {
        println!("{}: {}", case.file, case.description);
    }
    #[cfg(feature = "cli")]
    counter_offline(&fx);
    pyhanko_says(&fx);
    assert!(
        failures.is_empty(),
        "{} departures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// pyHanko's own verdicts on every file, offline, at both times, printed beside ours; at
/// `now` they must be those the manifest records (`pyhanko_now`, with a note where pyHanko
/// departs from the correct answer): the fixtures are what pyHanko itself makes of them.
fn pyhanko_says(fx: &Fixtures) {
    let mut disagree = Vec::new();
    let mut crls: Vec<Option<&String>> = fx.cases.iter().map(|c| c.caller_crl.as_ref()).collect();
    crls.sort();
    crls.dedup();
    for (label, at) in [("now", fx.now), ("+3y", fx.later)] {
        let when = at.format(&time::format_description::well_known::Rfc3339).unwrap();
        // one pyHanko run per caller's CRL (file names are unique within one)
        for crl in &crls {
            let cases: Vec<&Case> = fx.cases.iter().filter(|c| c.caller_crl.as_ref() == *crl).collect();
            let crl_arg = crl
                .map(|c| fx.pki.path(c).display().to_string())
                .unwrap_or_else(|| "-".into());
            let out = Command::new(pyhanko_python())
                .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pades/make_levels.py"))
                .args(["check", &fx.pki.path("").display().to_string(), &when, &crl_arg])
                .args(cases.iter().map(|c| fx.dir.path().join(&c.file)))
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "make_levels.py check: {stderr}");
            let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            for case in cases {
                for want in &case.signatures {
                    let v = lines
                        .iter()
                        .find(|v| v["file"] == case.file.as_str() && v["field"] == want.field.as_str())
                        .unwrap_or_else(|| panic!("pyHanko said nothing of {} {}", case.file, want.field));
                    let lta = match v["sub_indication"].as_str() {
                        Some(sub) => format!("{}/{sub}", v["indication"].as_str().unwrap_or("?")),
                        None => v["indication"].as_str().unwrap_or("?").to_owned(),
                    };
                    let classic = v["classic_trusted"].as_bool();
                    let p = &want.pyhanko_now;
                    println!(
                        "pyHanko {:>2} {:<36} {:<4} LTA {lta}, classic trusted {classic:?}{}{}{}",
                        case.case,
                        case.file,
                        label,
                        v.get("error").map(|e| format!(" {e}")).unwrap_or_default(),
                        v.get("classic_error").map(|e| format!(" {e}")).unwrap_or_default(),
                        match (&p.note, label) {
                            (Some(note), "now") => format!(" (departs: {note})"),
                            _ => String::new(),
                        }
                    );
                    // Three years on pyHanko's answers are only shown: its LTA process
                    // wants revocation data of the TSA fresh at that time.
                    if label == "now" && (lta != p.lta || classic != Some(p.classic_trusted)) {
                        disagree.push(format!(
                            "{} (caller's CRL {:?}): pyHanko LTA {lta}, classic {classic:?}; recorded {} / {}",
                            case.file, case.caller_crl, p.lta, p.classic_trusted
                        ));
                    }
                }
            }
        }
    }
    assert!(
        disagree.is_empty(),
        "pyHanko departs from what the manifest records: {disagree:#?}"
    );
}

/// `rvault verify FILE.pdf --trust root.pem --json`, no CRL, no network: the B-LTA file
/// PASSED with its level, now and (`--at`) three years on.
#[cfg(feature = "cli")]
fn counter_offline(fx: &Fixtures) {
    let none = fx.dir.path().join("no.vault");
    let file = fx.dir.path().join("levels-b-lta.pdf");
    let root = fx.pki.path("root.pem");
    let later = fx.later.format(&time::format_description::well_known::Rfc3339).unwrap();
    for at in [None, Some(later.as_str())] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rvault"));
        cmd.arg("--vault")
            .arg(&none)
            .arg("verify")
            .arg(&file)
            .arg("--trust")
            .arg(&root)
            .arg("--json");
        if let Some(at) = at {
            cmd.args(["--at", at]);
        }
        let o = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&o.stderr));
        let j: serde_json::Value = serde_json::from_str(text.lines().next().unwrap_or_default()).unwrap();
        assert_eq!(j["indication"], "PASSED", "{j}");
        let signature = j["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["field"] == "Signature1")
            .unwrap_or_else(|| panic!("no Signature1: {j}"));
        assert_eq!(signature["level"], "B-LTA", "at {at:?}: {signature}");
        let stamps = signature["timestamps"]
            .as_array()
            .unwrap_or_else(|| panic!("no timestamps: {signature}"));
        assert!(
            stamps
                .iter()
                .any(|t| t["kind"] == "signature_timestamp" && t["proof_used"] == true),
            "{signature}"
        );
        assert!(
            stamps
                .iter()
                .any(|t| t["kind"] == "document_timestamp" && t["indication"] == "PASSED"),
            "{signature}"
        );
        println!("rvault verify levels-b-lta.pdf at {at:?}: PASSED, B-LTA");
    }
}
