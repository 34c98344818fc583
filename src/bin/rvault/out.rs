//! Standard output and standard error, written so that a reader who stops early
//! (`rvault verify … | head -3`) ends the output quietly.
//!
//! `println!` panics when standard output is a closed pipe (Rust ignores SIGPIPE, so the
//! write fails with EPIPE): a backtrace and exit 101. Here every line goes through a
//! locked standard output with `writeln!`, and the first `BrokenPipe` marks it closed:
//! later lines are dropped, and the command finishes its work and exits with its usual
//! code (a verification still gives its verdict's code and still writes its report).
//! Any other failure to write (a full disk under `> out.txt`) is [`CliError::Stdout`].
//! Standard error is written the same way, and a failure there is ignored: there is
//! nowhere left to say it.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::CliError;

/// Set once a write to standard output found the pipe closed.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes one line to standard output (`outln!`).
pub fn line(args: fmt::Arguments<'_>) -> Result<(), CliError> {
    if CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = io::stdout().lock();
    closed_is_done(writeln!(out, "{args}"))
}

/// Flushes standard output: what is still buffered (a line without its newline).
pub fn flush() -> Result<(), CliError> {
    if CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    closed_is_done(io::stdout().lock().flush())
}

/// Writes one line to standard error (`errln!`); a failure is ignored.
pub fn error_line(args: fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "{args}");
}

/// Writes text as it is to standard error; a failure is ignored.
pub fn error_text(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

fn closed_is_done(written: io::Result<()>) -> Result<(), CliError> {
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(error) => Err(CliError::Stdout(error)),
        Ok(()) => Ok(()),
    }
}
