//! `rvault` where the world around it fails: a reader that closes the pipe early, and a
//! vault file on a full disk, read-only, or locked by another program. Each ends with a
//! message in words, a hint and its documented exit code, never a panic.
#![cfg(feature = "cli")]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const META: &str = r#"{
  "dossier_code": "G22.46-261001-0001", "procedure_code": "1.000466",
  "document_type": "birth-extract", "document_number": "NUMBER",
  "issuer": {"agency_code": "G22.46.01"},
  "subject": {"kind": "citizen", "id": "001203004567"},
  "issued_at": "2026-10-01", "valid_from": "2026-10-01",
  "media_type": "application/octet-stream", "provenance": {"origin": "born_digital"}
}"#;

fn rvault() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rvault"));
    c.env_remove("RVAULT_VAULT").env_remove("RVAULT_BUSY_TIMEOUT_MS");
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn no_panic(o: &Output, what: &str) {
    let err = stderr(o);
    assert_ne!(o.status.code(), Some(101), "{what}: {err}");
    assert!(o.status.code().is_some(), "{what}: killed by a signal: {o:?}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{what}: {err}"
    );
    assert!(!err.contains("Broken pipe"), "{what}: {err}");
}

/// A folder with an initialized vault `v.vault`, and what to ingest into it.
struct Office {
    dir: tempfile::TempDir,
}

impl Office {
    fn new() -> Office {
        let o = Office {
            dir: tempfile::tempdir().unwrap(),
        };
        let init = o.run(&["init"]);
        assert!(init.status.success(), "{}", stderr(&init));
        o
    }

    fn vault(&self) -> PathBuf {
        self.dir.path().join("v.vault")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = rvault();
        c.arg("--vault").arg(self.vault()).args(args);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    /// Writes a result file and its metadata (document `number`): the `ingest` arguments.
    fn result(&self, number: &str, content: &[u8]) -> Vec<String> {
        let file = self.dir.path().join(format!("{}.bin", number.replace('/', "-")));
        let meta = file.with_extension("json");
        std::fs::write(&file, content).unwrap();
        std::fs::write(&meta, META.replace("NUMBER", number)).unwrap();
        vec![
            "ingest".into(),
            file.to_str().unwrap().into(),
            "--meta".into(),
            meta.to_str().unwrap().into(),
        ]
    }

    /// Ingests a result: its id.
    fn ingest(&self, number: &str, content: &[u8]) -> String {
        let args = self.result(number, content);
        let o = self.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(o.status.success(), "{}", stderr(&o));
        String::from_utf8(o.stdout)
            .unwrap()
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_owned()
    }
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Runs `cmd` with its standard output a pipe whose reading end is already closed: its
/// first write fails with EPIPE, every time.
fn run_into_closed_pipe(mut cmd: Command) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = cmd.stdout(writer).stderr(Stdio::piped()).spawn().unwrap();
    // `cmd` still holds its copy of the writing end until it is dropped.
    drop(cmd);
    child.wait_with_output().unwrap()
}

#[test]
fn a_reader_that_closes_the_pipe_early_ends_the_output_quietly() {
    let o = Office::new();
    let id = o.ingest("1/TLKS", b"an unsigned result");

    // `rvault verify ID ... | head -c 64`: the reader goes away mid-output; the verdict
    // (INDETERMINATE: unsigned) is still the exit code. 400 answers are far more than a
    // pipe buffers, so rvault is still writing when the pipe closes.
    let mut args = vec!["verify"];
    args.extend(std::iter::repeat_n(id.as_str(), 400));
    let mut child = o
        .cmd(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    assert!(String::from_utf8_lossy(&first).contains(&id));
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    no_panic(&out, "verify | head");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");

    // The same with --json, and a report still written whole after the pipe closed.
    let report = o.dir.path().join("r.pdf");
    let mut args = vec!["verify", "--json", "--report", report.to_str().unwrap()];
    args.extend(std::iter::repeat_n(id.as_str(), 3));
    let out = run_into_closed_pipe(o.cmd(&args));
    no_panic(&out, "verify --json --report");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(std::fs::read(&report).unwrap().starts_with(b"%PDF-"));

    // Every other command that prints: exit 0, nothing said.
    let cases: Vec<Vec<&str>> = vec![
        vec!["show", &id],
        vec!["history", &id],
        vec!["history", &id, "--json"],
        vec!["log", "head"],
        vec!["log", "verify"],
        vec!["trust", "list"],
        vec![
            "stats",
            "--from",
            "2026-01-01T00:00:00Z",
            "--to",
            "2100-01-01T00:00:00Z",
        ],
        vec!["--help"],
        vec!["--version"],
    ];
    for args in cases {
        let out = run_into_closed_pipe(o.cmd(&args));
        no_panic(&out, &args.join(" "));
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
    // An error still goes to standard error, with its code.
    let out = run_into_closed_pipe(o.cmd(&["show", "01JDZZZZZZZZZZZZZZZZZZZZZZ"]));
    no_panic(&out, "show unknown");
    assert_eq!(out.status.code(), Some(65));
    assert!(stderr(&out).contains("no result with id"), "{}", stderr(&out));
    // A write that does its work before printing still does it.
    let args = o.result("2/TLKS", b"another result");
    let out = run_into_closed_pipe(o.cmd(&strs(&args)));
    no_panic(&out, "ingest");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let again = o.run(&strs(&args));
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("already stored"));
}

#[test]
fn another_program_holding_the_vault_locked_is_exit_75_with_a_hint() {
    let o = Office::new();
    let args = o.result("1/TLKS", b"a result");
    let db = rusqlite::Connection::open(o.vault()).unwrap();
    db.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let mut with_option = vec!["--busy-timeout-ms", "200"];
    with_option.extend(strs(&args));
    let started = std::time::Instant::now();
    let out = o.run(&with_option);
    no_panic(&out, "ingest while locked");
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let err = stderr(&out);
    assert!(err.contains("locked by another program"), "{err}");
    assert!(err.contains("hint:") && err.contains("--busy-timeout-ms"), "{err}");
    assert!(!err.contains("storage: database is locked"), "{err}");

    // The same through the environment.
    let out = o
        .cmd(&strs(&args))
        .env("RVAULT_BUSY_TIMEOUT_MS", "100")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));

    // Once the other program lets go, the same command works.
    db.execute_batch("ROLLBACK").unwrap();
    let out = o.run(&with_option);
    assert!(out.status.success(), "{}", stderr(&out));

    // A timeout SQLite cannot take is a usage error.
    let out = o.run(&["--busy-timeout-ms", "4294967296", "log", "head"]);
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
}

/// Whether this process runs as root (for whom permissions do not stop writes).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[cfg(unix)]
#[test]
fn a_read_only_vault_is_exit_77_with_a_hint() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let o = Office::new();
    let args = o.result("1/TLKS", b"a result");
    let folder = o.dir.path();
    let mode = |path: &Path, mode: u32| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    for entry in std::fs::read_dir(folder).unwrap() {
        mode(&entry.unwrap().path(), 0o444);
    }
    mode(folder, 0o555);
    let mut cmd = o.cmd(&strs(&args));
    if is_root() {
        // Root writes through any permission: run rvault as nobody instead.
        cmd.uid(65534).gid(65534);
    }
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) => {
            mode(folder, 0o755);
            eprintln!("note: read-only case skipped: cannot run rvault as another user ({e})");
            return;
        }
    };
    mode(folder, 0o755);
    no_panic(&out, "ingest into a read-only vault");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(77), "{err}");
    assert!(err.contains("read-only"), "{err}");
    assert!(err.contains("hint:") && err.contains("permissions"), "{err}");
}

/// A tmpfs of 1 MiB mounted for the test (root only), unmounted on drop.
struct TinyDisk {
    dir: tempfile::TempDir,
}

impl TinyDisk {
    fn mount() -> Option<TinyDisk> {
        if !is_root() {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(TinyDisk { dir })
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_is_said_in_words_exit_74() {
    let Some(disk) = TinyDisk::mount() else {
        eprintln!("note: full-disk case skipped: no small file system can be mounted here (needs root); the error mapping is unit-tested in src/bin/rvault/error.rs");
        return;
    };
    let vault = disk.dir.path().join("v.vault");
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("big.bin");
    let meta = scratch.path().join("meta.json");
    // 1.5 MiB that do not compress, on a 1 MiB disk.
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let big: Vec<u8> = (0..1_500_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect();
    std::fs::write(&file, big).unwrap();
    std::fs::write(&meta, META.replace("NUMBER", "1/TLKS")).unwrap();
    let init = rvault().arg("--vault").arg(&vault).arg("init").output().unwrap();
    assert!(init.status.success(), "{}", stderr(&init));
    let out = rvault()
        .arg("--vault")
        .arg(&vault)
        .arg("ingest")
        .arg(&file)
        .arg("--meta")
        .arg(&meta)
        .output()
        .unwrap();
    no_panic(&out, "ingest onto a full disk");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(74), "{err}");
    assert!(
        err.contains("disk is full") || err.contains("disk could not be read or written"),
        "{err}"
    );
    assert!(err.contains("hint:") && err.contains("df -h"), "{err}");
    // The vault is still whole and usable.
    let check = rvault()
        .arg("--vault")
        .arg(&vault)
        .args(["log", "verify"])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
}
