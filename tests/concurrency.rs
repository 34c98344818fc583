//! One vault handle shared by threads, and two processes writing one file, as PHP-FPM
//! workers do: every write lands, the chain stays whole, nobody sees "database is locked".

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::thread;

use common::*;
use results_vault::{Requester, ReuseQuery, SubjectId, SubjectKind, Vault, VaultOptions};

const PER_WORKER: usize = 40;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn vault_is_send_and_sync() {
    assert_send_sync::<Vault>();
}

/// Ingests PER_WORKER results tagged `tag`, each followed by a reuse query.
fn work(vault: &Vault, tag: &str) {
    for i in 0..PER_WORKER {
        let dossier = format!("{tag}-{i}");
        vault.ingest(birth_extract(&dossier), dossier.as_bytes()).unwrap();
        let q = ReuseQuery {
            subject_kind: SubjectKind::Citizen,
            subject_id: SubjectId::new(CITIZEN_ID),
            document_type: "birth-extract".to_owned(),
            at: time::OffsetDateTime::now_utc(),
        };
        let req = Requester {
            agency_code: "G22.47".to_owned(),
            procedure_code: "1.001193".to_owned(),
            dossier_code: dossier,
            purpose: "concurrency test".to_owned(),
        };
        vault.find_reusable(q, req).unwrap();
    }
}

#[test]
fn threads_share_one_handle() {
    let t = temp_vault();
    let vault = Arc::new(t.vault);
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let vault = Arc::clone(&vault);
            thread::spawn(move || work(&vault, &format!("T{w}")))
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let report = vault.verify_log().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.records, 4 * PER_WORKER as u64);
}

/// Not a test on its own: the body of each child process of `two_processes_share_one_file`.
#[test]
#[ignore = "run as a child process by two_processes_share_one_file"]
fn child_process_worker() {
    let (Ok(path), Ok(tag)) = (std::env::var("RV_CHILD_VAULT"), std::env::var("RV_CHILD_TAG")) else {
        return;
    };
    let vault = Vault::open(path, VaultOptions::default()).unwrap();
    work(&vault, &tag);
}

#[test]
fn two_processes_share_one_file() {
    let t = temp_vault();
    let path = t.path();
    let me = std::env::current_exe().unwrap();
    let children: Vec<_> = ["P1", "P2"]
        .iter()
        .map(|tag| {
            Command::new(&me)
                .args(["--exact", "child_process_worker", "--ignored", "--test-threads=1"])
                .env("RV_CHILD_VAULT", &path)
                .env("RV_CHILD_TAG", tag)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // This process writes at the same time.
    work(&t.vault, "P0");
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a child process failed:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let report = t.vault.verify_log().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.records, 3 * PER_WORKER as u64);
}
