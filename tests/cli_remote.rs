//! `rvault sign --provider … / --resume …` as an officer runs it, against the mock
//! providers: a process killed while the officer has not approved yet, and a new process
//! that resumes and completes (one provider transaction); a rejection and a pending
//! request with their exit codes and hints.

#![cfg(feature = "cli")]

mod common;
#[path = "common/providers/mod.rs"]
mod providers;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use providers::mysign::MySignMock;
use providers::smartca::SmartCaMock;
use providers::{scenarios, End, MockProvider, Script, Setup};
use results_vault::RemoteState;
use serde_json::json;

fn rvault(vault: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rvault"));
    cmd.arg("--vault").arg(vault).env_remove("RVAULT_PROVIDER_CONFIG");
    cmd
}

/// A vault with one record, a mock following `script`, and the mock's configuration in
/// a file, as an officer's portal keeps it.
fn start<M: MockProvider>(script: Script) -> (Setup, M, PathBuf) {
    let (s, mock) = scenarios::start::<M>(script);
    let config = s.t.dir.path().join(format!("{}.json", M::NAME));
    std::fs::write(&config, mock.config(json!({}))).unwrap();
    (s, mock, config)
}

/// `rvault sign --provider <M> <record> --provider-config <config>`.
fn sign<M: MockProvider>(s: &Setup, config: &Path) -> Command {
    let mut cmd = rvault(&s.t.path());
    cmd.args(["sign", "--provider", M::NAME, s.id.as_str(), "--provider-config"])
        .arg(config);
    cmd
}

/// Runs `cmd`, which must exit with `code` and say each of `expected` on stderr.
fn fails_with(cmd: &mut Command, code: i32, expected: &[&str]) {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    for text in expected {
        assert!(stderr.contains(text), "{text:?} not in {stderr}");
    }
}

/// Waits (up to 30 s) for `ready`, polling every 50 ms.
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn vnpt_cli_killed_while_waiting_a_new_process_resumes_and_completes() {
    // The officer does not answer until told to.
    let (s, mock, config) = start::<SmartCaMock>(Script::waiting(u32::MAX));

    // 1. The first process: sends, then waits for the officer; it announces the session.
    let mut first = sign::<SmartCaMock>(&s, &config)
        .args(["--poll-interval-ms", "50", "--wait", "120"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stderr = first.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let announced = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("rvault announces the session before it waits");
    let session = announced
        .strip_prefix("session ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line: {announced}"))
        .to_owned();
    assert!(
        announced.contains(&format!("rvault sign --resume {session}")),
        "{announced}"
    );
    wait_for("two status polls", || {
        s.t.vault
            .remote_request(&session)
            .unwrap()
            .is_some_and(|r| r.state == RemoteState::Waiting && r.polls >= 2)
    });

    // 2. The process dies (a restart of the portal, a closed terminal).
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(s.t.vault.signatures(&s.id).unwrap().is_empty());
    assert_eq!(mock.sign_requests(), 1);
    // A restarted portal finds what to resume.
    let pending = rvault(&s.t.path()).args(["sign", "--pending"]).output().unwrap();
    let listed = String::from_utf8_lossy(&pending.stdout);
    assert!(pending.status.success(), "{listed}");
    assert!(
        listed.starts_with(&session) && listed.contains("vnpt-smartca") && listed.contains("waiting"),
        "{listed}"
    );

    // 3. The officer approves; a new process resumes: it polls, it does not sign again.
    mock.set_script(|script| script.waiting_polls = 0);
    let resumed = rvault(&s.t.path())
        .args(["sign", "--resume", &session, "--provider-config"])
        .arg(&config)
        .args(["--poll-interval-ms", "50", "--wait", "60"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&resumed.stdout);
    assert!(
        resumed.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert!(
        stdout.contains(&format!("signed {} through vnpt-smartca", s.id)),
        "{stdout}"
    );
    assert!(stdout.contains("PASSED"), "{stdout}");
    assert_eq!(mock.sign_requests(), 1, "one session, one provider transaction");
    assert_eq!(s.t.vault.signatures(&s.id).unwrap().len(), 1);
    let request = s.t.vault.remote_request(&session).unwrap().unwrap();
    assert_eq!(request.state, RemoteState::Approved);
    assert!(s.t.vault.unfinished_remote_requests().unwrap().is_empty());

    // 4. Resuming a completed session is harmless: the same signature, nothing sent.
    let again = rvault(&s.t.path())
        .args(["sign", "--resume", &session, "--provider-config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(again.status.success());
    assert_eq!(mock.sign_requests(), 1);
    assert_eq!(s.t.vault.signatures(&s.id).unwrap().len(), 1);
}

#[test]
fn vnpt_cli_pending_after_wait_exits_75_with_the_resume_command() {
    let (s, _mock, config) = start::<SmartCaMock>(Script::waiting(u32::MAX));
    fails_with(
        sign::<SmartCaMock>(&s, &config).args(["--poll-interval-ms", "50", "--wait", "0"]),
        75,
        &["still waiting", "hint:", "rvault sign --resume"],
    );
    assert!(s.t.vault.signatures(&s.id).unwrap().is_empty());
}

#[test]
fn mysign_cli_rejection_on_the_phone_exits_65_with_what_happened() {
    let (s, mock, config) = start::<MySignMock>(Script {
        end: End::Reject,
        ..Script::default()
    });
    fails_with(
        sign::<MySignMock>(&s, &config).args(["--poll-interval-ms", "50", "--wait", "30"]),
        65,
        &["rejected on the phone", "hint: the officer refused"],
    );
    assert!(s.t.vault.signatures(&s.id).unwrap().is_empty());
    // A typo in the configuration is a usage error that names the field.
    std::fs::write(&config, mock.config(json!({ "client_secrett": "x" }))).unwrap();
    fails_with(&mut sign::<MySignMock>(&s, &config), 64, &["client_secrett"]);
}
