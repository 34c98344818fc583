//! `rvault`: the officer's command-line tool over a results vault.

mod cli;
mod error;
mod export;
mod ingest_many;
mod output;
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
            eprint!("{}", results_vault::redact::shown_message(&e.render().to_string()));
            return ExitCode::from(64);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rvault: {e}");
            if let Some(hint) = e.hint() {
                eprintln!("hint: {hint}");
            }
            e.exit_code()
        }
    }
}
