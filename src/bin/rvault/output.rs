//! Files rvault writes (the export's files, the PDF report): whole or not at all, never
//! through a symbolic link planted at their name or at a temporary name, and never over
//! an existing file unless `--force`.

use std::io::Write;
use std::path::Path;

use crate::error::CliError;

/// `CliError::OutputExists` if something (a file, a folder, a symbolic link, dangling or
/// not) is at `path` and `force` is off: said before any work is done.
pub fn refuse_existing(path: &Path, force: bool) -> Result<(), CliError> {
    if !force && path.symlink_metadata().is_ok() {
        return Err(CliError::OutputExists {
            path: path.display().to_string(),
        });
    }
    Ok(())
}

/// Writes `bytes` to `path`: into a new temporary file beside it (a random name, created
/// with O_CREAT|O_EXCL, so that nothing planted there is followed), then renamed to
/// `path`. Without `force` the rename fails if anything is at `path`, even a dangling
/// symbolic link (`renameat2(RENAME_NOREPLACE)`, or `link` + `unlink`); with `force` it
/// replaces what is there atomically (a symbolic link itself, never its target). The
/// temporary file is removed on any failure.
pub fn write_new(path: &Path, bytes: &[u8], force: bool) -> Result<(), CliError> {
    let output_error = |error| CliError::Output {
        path: path.display().to_string(),
        error,
    };
    let name = path.file_name().ok_or_else(|| {
        CliError::Usage(format!(
            "{} does not name a file to write",
            results_vault::redact::shown_path(path)
        ))
    })?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{}.", name.to_string_lossy());
    builder.prefix(&prefix).suffix(".partial");
    // The permissions `std::fs::write` gives (0666 less the umask), not tempfile's 0600:
    // an export is meant to be read by others.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir).map_err(output_error)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(output_error)?;
    let persisted = if force {
        tmp.persist(path)
    } else {
        tmp.persist_noclobber(path)
    };
    // On failure the temporary file comes back in the error and is removed as it drops.
    persisted.map(drop).map_err(|e| match e.error.kind() {
        std::io::ErrorKind::AlreadyExists => CliError::OutputExists {
            path: path.display().to_string(),
        },
        _ => output_error(e.error),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the module relies on: O_EXCL refuses any existing name, a symbolic link
    /// (dangling or not) included, and writes nothing through it.
    #[cfg(unix)]
    #[test]
    fn create_new_refuses_symbolic_links_dangling_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, b"keep").unwrap();
        let live = dir.path().join("live");
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(&target, &live).unwrap();
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        for link in [&live, &dangling] {
            let e = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(link)
                .unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        }
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        assert!(!dir.path().join("nowhere").exists());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_refused_or_replaced_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, b"keep").unwrap();
        let out = dir.path().join("out");
        std::os::unix::fs::symlink(&target, &out).unwrap();
        assert!(matches!(
            write_new(&out, b"new", false),
            Err(CliError::OutputExists { .. })
        ));
        assert!(matches!(
            refuse_existing(&out, false),
            Err(CliError::OutputExists { .. })
        ));
        write_new(&out, b"new", true).ok().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        assert!(!out.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
