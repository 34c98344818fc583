//! `rvault policy`: the signer policy, who may sign results for which agency (an
//! agency-signed PDF counts for reuse when its signer is accepted). Each change is an
//! audit event; an agency with no rule accepts any trusted signer.

use std::path::PathBuf;

use clap::Subcommand;
use results_vault::{redact, Sha256, SignerPolicyEntry, SignerRule, Vault, DEFAULT_SIGNER_POLICY};

use crate::error::CliError;
use crate::verify::read_items;

/// `rvault policy …`.
#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Accept a signer for an agency: one certificate (--cert-sha256 or --cert), the
    /// certificates of one organization under one issuer (--issuer with --organization),
    /// or any certificate under a CA (--under-ca).
    Add {
        /// The issuing agency's e-ID code (a record's agency_code).
        #[arg(long)]
        agency: String,
        /// The signer certificate's SHA-256 (64 hex digits, as verdicts show `sha256`).
        #[arg(long = "cert-sha256", value_name = "HEX")]
        cert_sha256: Option<String>,
        /// The signer certificate (PEM or DER).
        #[arg(long, value_name = "FILE")]
        cert: Option<PathBuf>,
        /// The issuer's DN, as verdicts show it (e.g. "CN=Root CA, O=…, C=VN").
        #[arg(long, value_name = "DN", requires = "organization")]
        issuer: Option<String>,
        /// The subject's organization (O=); with --issuer.
        #[arg(long, value_name = "O", requires = "issuer")]
        organization: Option<String>,
        /// A CA certificate (PEM or DER): any certificate whose chain goes through it.
        #[arg(long = "under-ca", value_name = "FILE")]
        under_ca: Option<PathBuf>,
        /// Why (kept in the audit event), e.g. the decision that appointed the signer.
        #[arg(long)]
        reason: Option<String>,
    },
    /// List the rules: all, or one agency's.
    List {
        /// Only this agency's rules.
        #[arg(long)]
        agency: Option<String>,
        /// Print JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Remove a rule by its id (as `policy list` prints it).
    Remove {
        /// The rule's id (64 hex digits).
        rule_id: String,
        /// Why (kept in the audit event).
        #[arg(long)]
        reason: Option<String>,
    },
}

/// Runs one `rvault policy` command.
pub fn run(vault: &Vault, command: PolicyCommand) -> Result<(), CliError> {
    match command {
        PolicyCommand::Add {
            agency,
            cert_sha256,
            cert,
            issuer,
            organization,
            under_ca,
            reason,
        } => {
            let given = [
                cert_sha256.is_some(),
                cert.is_some(),
                issuer.is_some(),
                under_ca.is_some(),
            ];
            if given.iter().filter(|g| **g).count() != 1 {
                return Err(CliError::Usage(
                    "give one of --cert-sha256 HEX, --cert FILE, --issuer DN --organization O, --under-ca FILE".into(),
                ));
            }
            let rule = match (cert_sha256, cert, issuer.zip(organization), under_ca) {
                (Some(hex), ..) => SignerRule::Certificate {
                    sha256: sha256_arg("--cert-sha256", &hex)?,
                },
                (_, Some(file), ..) => SignerRule::Certificate {
                    sha256: one_certificate(file, "--cert")?,
                },
                (_, _, Some((issuer, organization)), _) => SignerRule::IssuerOrganization { issuer, organization },
                (.., Some(file)) => SignerRule::UnderCa {
                    sha256: one_certificate(file, "--under-ca")?,
                },
                _ => return Err(CliError::Usage("--issuer needs --organization".into())),
            };
            let entry = vault.add_signer_rule(&agency, rule, reason.as_deref())?;
            outln!("added {}", line(&entry))?;
        }
        PolicyCommand::List { agency, json } => {
            let rules = vault.signer_rules(agency.as_deref())?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&rules).unwrap_or_default())?;
            } else if rules.is_empty() {
                // The default, said rather than left to be guessed from an empty list.
                let whom = agency.as_deref().map_or("every agency".to_owned(), |a| {
                    format!("agency {}", redact::shown_argument(a))
                });
                outln!("{whom}: {DEFAULT_SIGNER_POLICY} (no rule)")?;
            } else {
                for entry in &rules {
                    outln!("{}", line(entry))?;
                }
            }
        }
        PolicyCommand::Remove { rule_id, reason } => {
            let id = sha256_arg("rule id", &rule_id)?;
            if !vault.remove_signer_rule(&id, reason.as_deref())? {
                return Err(CliError::Usage(format!(
                    "no signer rule {id}: see `rvault policy list`"
                )));
            }
            outln!("removed {id}")?;
        }
    }
    Ok(())
}

/// One rule as a line: id, agency, rule, reason.
fn line(entry: &SignerPolicyEntry) -> String {
    let reason = entry
        .reason
        .as_deref()
        .map_or_else(String::new, |r| format!(" ({})", redact::mask_personal_ids(r)));
    // A certificate hash is no personal ID (a run of digits inside it is not masked); a
    // name may hold one.
    let rule = match &entry.rule {
        SignerRule::Certificate { .. } | SignerRule::UnderCa { .. } => entry.rule.describe(),
        _ => redact::mask_personal_ids(&entry.rule.describe()),
    };
    format!("{} {} {rule}{reason}", entry.rule_id, entry.agency_code)
}

fn sha256_arg(what: &str, value: &str) -> Result<Sha256, CliError> {
    value.parse().map_err(|_| {
        CliError::Usage(format!(
            "{what} {:?} is not a SHA-256 (64 hex digits)",
            redact::shown_argument(value)
        ))
    })
}

/// The SHA-256 of the one certificate in `file` (PEM or DER).
fn one_certificate(file: PathBuf, option: &str) -> Result<Sha256, CliError> {
    let shown = redact::shown_path(&file);
    let items = read_items(&[file], "certificate")?;
    match items.as_slice() {
        [der] => {
            use x509_parser::prelude::{FromDer, X509Certificate};
            let Ok(([], cert)) = X509Certificate::from_der(der) else {
                return Err(CliError::Usage(format!("{option} {shown}: not an X.509 certificate")));
            };
            let is_ca = cert.basic_constraints().ok().flatten().is_some_and(|bc| bc.value.ca);
            if option == "--under-ca" && !is_ca {
                return Err(CliError::Usage(format!(
                    "{option} {shown}: not a CA certificate (basicConstraints cA is not true)"
                )));
            }
            Ok(Sha256::of(der))
        }
        _ => Err(CliError::Usage(format!(
            "{option} {shown}: give a file with exactly one certificate ({} found)",
            items.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A certificate hash whose hex holds a long run of digits is shown whole (it is no
    /// personal ID); a personal ID in an organization rule's names is masked.
    #[test]
    fn rule_lines_mask_names_not_hashes() {
        let hex = "62853bc1dc65e1a123456789012353e06d501d5f962ceafdacb3cf4f95c06462";
        let sha256: Sha256 = hex.parse().unwrap();
        let entry = |rule| SignerPolicyEntry {
            rule_id: sha256,
            agency_code: "G22.46.01".into(),
            rule,
            added_at: time::OffsetDateTime::UNIX_EPOCH,
            reason: None,
        };
        let shown = format!("sha256 {hex}");
        assert!(line(&entry(SignerRule::Certificate { sha256 })).contains(&shown));
        assert!(line(&entry(SignerRule::UnderCa { sha256 })).contains(&shown));
        let named = line(&entry(SignerRule::IssuerOrganization {
            issuer: "CN=CA, UID=CCCD:001203004567".into(),
            organization: "UBND".into(),
        }));
        assert!(
            named.contains("**********67") && !named.contains("001203004567"),
            "{named}"
        );
    }
}
