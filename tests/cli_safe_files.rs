//! Issue 18, part 7: files written safely. `rvault export` and `verify --report` never
//! write through a symbolic link planted at an output's name or at a temporary name,
//! refuse an existing output unless `--force`, and with `--force` replace it whole (a
//! link itself, never its target). No file outside the output path changes.
#![cfg(all(feature = "cli", unix))]

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use common::office::{code, err, out, Office};

const EXPORTED: [&str; 5] = ["content", "envelope.json", "signature-1.der", "trust.pem", "VERIFY.txt"];

/// Every file under `dir` (symbolic links as where they point), to see that nothing
/// outside an output changed.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = path.symlink_metadata().unwrap();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                files.insert(path, target.into_os_string().into_encoded_bytes());
            } else if meta.is_dir() {
                todo.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// A folder of files an attacker wants overwritten, outside the vault's folder.
fn victims() -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = EXPORTED
        .iter()
        .chain(&["report.pdf"])
        .map(|name| {
            let path = dir.path().join(format!("victim-{name}"));
            std::fs::write(&path, format!("do not touch {name}")).unwrap();
            path
        })
        .collect();
    (dir, files)
}

fn signed_office() -> (Office, String) {
    let o = Office::new();
    let id = o.ingest("a.pdf", b"%PDF-1.7 trich luc khai sinh", None);
    let s = o.sign_local(&id);
    assert!(s.status.success(), "{}", err(&s));
    (o, id)
}

#[test]
fn export_refuses_links_planted_in_its_folder_and_replaces_them_only_with_force() {
    let (o, id) = signed_office();
    let (victim_dir, victims) = victims();
    let before = snapshot(victim_dir.path());
    let folder = o.path("export");
    std::fs::create_dir(&folder).unwrap();
    // Links at every name the export writes: live ones, and a dangling one that would
    // create a file where the attacker wants it.
    for (name, victim) in EXPORTED.iter().zip(&victims) {
        symlink(victim, folder.join(name)).unwrap();
    }
    std::fs::remove_file(folder.join("VERIFY.txt")).unwrap();
    let planted = victim_dir.path().join("planted-by-export");
    symlink(&planted, folder.join("VERIFY.txt")).unwrap();

    let e = o.run(&["export", &id, "--out", folder.to_str().unwrap()]);
    assert_eq!(code(&e), 73, "{}{}", out(&e), err(&e));
    assert!(err(&e).contains("already exists"), "{}", err(&e));
    assert!(err(&e).contains("--force"), "{}", err(&e));
    assert_eq!(snapshot(victim_dir.path()), before, "a file outside the export changed");
    assert!(!planted.exists());
    // Nothing written into the folder either: still only the links.
    for name in EXPORTED {
        assert!(folder.join(name).symlink_metadata().unwrap().file_type().is_symlink());
    }

    // Only the dangling link: still refused (O_EXCL refuses any existing name).
    for name in &EXPORTED[..4] {
        std::fs::remove_file(folder.join(name)).unwrap();
    }
    let e = o.run(&["export", &id, "--out", folder.to_str().unwrap()]);
    assert_eq!(code(&e), 73, "{}", err(&e));
    assert!(!planted.exists());
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1, "files were written");
    for (name, victim) in EXPORTED[..4].iter().zip(&victims) {
        symlink(victim, folder.join(name)).unwrap();
    }

    // With --force the links themselves are replaced by the export's files.
    let e = o.run(&["export", &id, "--out", folder.to_str().unwrap(), "--force"]);
    assert_eq!(code(&e), 0, "{}", err(&e));
    assert_eq!(snapshot(victim_dir.path()), before, "--force wrote through a link");
    assert!(!planted.exists());
    for name in EXPORTED {
        let meta = folder.join(name).symlink_metadata().unwrap();
        assert!(meta.is_file(), "{name} is not a plain file");
    }
    assert_eq!(
        std::fs::read(folder.join("content")).unwrap(),
        b"%PDF-1.7 trich luc khai sinh"
    );
    let names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), EXPORTED.len(), "temporary files left: {names:?}");
}

#[test]
fn an_existing_export_is_refused_without_force_and_replaced_with_it() {
    let (o, id) = signed_office();
    let folder = o.path("export");
    let e = o.run(&["export", &id, "--out", folder.to_str().unwrap()]);
    assert_eq!(code(&e), 0, "{}", err(&e));
    // An officer's note in the folder, and an edited envelope.
    std::fs::write(folder.join("note.txt"), b"mine").unwrap();
    std::fs::write(folder.join("envelope.json"), b"edited").unwrap();
    let again = o.run(&["export", &id, "--out", folder.to_str().unwrap()]);
    assert_eq!(code(&again), 73, "{}", err(&again));
    assert_eq!(std::fs::read(folder.join("envelope.json")).unwrap(), b"edited");
    let forced = o.run(&["export", &id, "--out", folder.to_str().unwrap(), "--force"]);
    assert_eq!(code(&forced), 0, "{}", err(&forced));
    assert_ne!(std::fs::read(folder.join("envelope.json")).unwrap(), b"edited");
    assert_eq!(std::fs::read(folder.join("note.txt")).unwrap(), b"mine");

    // A record that cannot be read makes no folder at all.
    let unknown = o.path("unknown");
    let e = o.run(&[
        "export",
        "01M8442DNE2PJSSAEKS0MKZ3CK",
        "--out",
        unknown.to_str().unwrap(),
    ]);
    assert_ne!(code(&e), 0);
    assert!(!unknown.exists());
}

#[test]
fn report_links_at_its_name_and_old_temporary_name_are_never_followed() {
    let (o, id) = signed_office();
    let (victim_dir, victims) = victims();
    let victim = victims.last().unwrap();
    let before = snapshot(victim_dir.path());
    let report = o.path("report.pdf");
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", id.as_str(), "--report", report.to_str().unwrap()];
        args.extend(extra);
        o.run(&args)
    };

    // The temporary name the report used to go through: a planted link there is not
    // followed (temporary names are random, created with O_EXCL).
    let old_tmp = o.path(".report.pdf.partial");
    symlink(victim, &old_tmp).unwrap();
    let v = verify(&[]);
    assert_eq!(code(&v), 0, "{}", err(&v));
    assert!(report.symlink_metadata().unwrap().is_file());
    assert!(std::fs::read(&report).unwrap().starts_with(b"%PDF-"));
    assert_eq!(
        snapshot(victim_dir.path()),
        before,
        "the report went through the planted link"
    );
    assert_eq!(std::fs::read_link(&old_tmp).unwrap(), *victim);

    // An existing report is refused, before any work, and left as it is.
    let first = std::fs::read(&report).unwrap();
    std::fs::write(&report, b"an earlier report").unwrap();
    let v = verify(&[]);
    assert_eq!(code(&v), 73, "{}", err(&v));
    assert!(
        err(&v).contains("already exists") && err(&v).contains("--force"),
        "{}",
        err(&v)
    );
    assert!(out(&v).is_empty(), "verified before refusing: {}", out(&v));
    assert_eq!(std::fs::read(&report).unwrap(), b"an earlier report");
    // With --force it is replaced.
    let v = verify(&["--force"]);
    assert_eq!(code(&v), 0, "{}", err(&v));
    assert_eq!(std::fs::read(&report).unwrap().len(), first.len());

    // A link at the report's name, live or dangling: refused; with --force the link is
    // replaced by the report, its target untouched.
    let planted = victim_dir.path().join("planted-by-report");
    for target in [victim.as_path(), planted.as_path()] {
        std::fs::remove_file(&report).unwrap();
        symlink(target, &report).unwrap();
        let v = verify(&[]);
        assert_eq!(code(&v), 73, "{}", err(&v));
        assert!(report.symlink_metadata().unwrap().file_type().is_symlink());
        let v = verify(&["--force"]);
        assert_eq!(code(&v), 0, "{}", err(&v));
        let meta = report.symlink_metadata().unwrap();
        assert!(meta.is_file(), "the link was followed");
        assert_eq!(snapshot(victim_dir.path()), before, "a file outside the report changed");
        assert!(!planted.exists());
    }

    // --force alone is a usage error: it goes with --report.
    let v = o.run(&["verify", &id, "--force"]);
    assert_eq!(code(&v), 64, "{}", err(&v));

    // No temporary file is left beside the report.
    let leftovers: Vec<_> = std::fs::read_dir(o.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial") && n != ".report.pdf.partial")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
