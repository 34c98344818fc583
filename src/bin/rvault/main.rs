//! `rvault`: the officer's command-line tool over a results vault.

/// One line to standard output, `println!`'s arguments: `Result<(), CliError>`, and a
/// reader that closed the pipe is not an error (see `out`).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))
    };
}

/// One line to standard error, `eprintln!`'s arguments; never fails, never panics.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::out::error_line(format_args!($($arg)*))
    };
}

mod cli;
mod error;
mod export;
mod history;
mod ingest_many;
mod out;
mod output;
mod policy;
mod refresh;
mod remote_sign;
mod trust_sign;
mod verify;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // clap exits 2 on a usage error, which `verify` uses for INDETERMINATE: usage is 64.
    let args = match cli::Args::try_parse() {
        Ok(args) => args,
        Err(e) if e.use_stderr() => {
            // clap quotes the argument it refused, which may be a personal ID: masked.
            out::error_text(&results_vault::redact::shown_message(&e.render().to_string()));
            return ExitCode::from(64);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    match cli::run(args).and_then(|code| out::flush().map(|()| code)) {
        Ok(code) => code,
        Err(e) => {
            errln!("rvault: {e}");
            if let Some(hint) = e.hint() {
                errln!("hint: {hint}");
            }
            e.exit_code()
        }
    }
}
