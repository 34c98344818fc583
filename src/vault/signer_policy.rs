//! The signer policy: who may sign results for which agency, kept in the vault and
//! audited. An agency-signed PDF counts for reuse when each of its signers is accepted by
//! the issuing agency's rules (see `content_signatures`).
//!
//! Each agency has zero or more [`SignerRule`]s; a signer is accepted when one of them
//! matches. An agency with no rule accepts **any trusted signer** (a signature that PASSED
//! against the trust store), and every verdict that relied on that default says so.
//!
//! Each rule is added or removed with an audit event (`policy_add` / `policy_remove`) in
//! the same transaction. The rules a verdict uses are read from the table and checked
//! against those events (fail closed: a rule no unedited event added, or an added rule
//! that is gone, is an error, as for the trust store), so that writing to the vault file
//! cannot widen the policy while `rvault log verify` still says INTACT.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Vault;
use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::log::{self, EventKind};
use crate::record::{check_text, FieldError, MAX_CODE_LEN, MAX_TEXT_LEN};
use crate::store;
use crate::verify::signature::SignatureVerdict;

/// What the default policy (an agency with no rule) is called in verdicts.
pub const DEFAULT_SIGNER_POLICY: &str = "default: any trusted signer";

/// One accepted signer (or family of signers) for an agency. JSON: `{"kind":
/// "certificate", "sha256": HEX}`, `{"kind": "issuer_organization", "issuer": DN,
/// "organization": O}` or `{"kind": "under_ca", "sha256": HEX}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum SignerRule {
    /// Exactly this certificate: the SHA-256 of its DER (a verdict's `signer.sha256`).
    Certificate {
        /// SHA-256 of the signer certificate's DER.
        sha256: Sha256,
    },
    /// Any certificate issued under this issuer DN whose subject has this organization
    /// (O=). The issuer is compared as verdicts show it (`CN=…, O=…, C=VN`), ignoring case
    /// and the spaces around commas; the organization is read from the certificate itself
    /// (not from its name as text) and compared ignoring case.
    IssuerOrganization {
        /// The issuer's DN.
        issuer: String,
        /// The subject's organization (O=).
        organization: String,
    },
    /// Any certificate whose validated chain goes through this CA certificate (an
    /// intermediate or the root): the SHA-256 of its DER.
    UnderCa {
        /// SHA-256 of the CA certificate's DER.
        sha256: Sha256,
    },
}

impl SignerRule {
    /// NFC-normalizes and checks the rule's text (non-empty, at most 512 characters, no
    /// control character).
    pub fn normalize_and_check(&mut self) -> std::result::Result<(), FieldError> {
        if let SignerRule::IssuerOrganization { issuer, organization } = self {
            check_text(issuer, "rule.issuer", MAX_TEXT_LEN)?;
            check_text(organization, "rule.organization", MAX_TEXT_LEN)?;
        }
        Ok(())
    }

    /// The rule in words, as verdicts and `rvault policy list` show it.
    pub fn describe(&self) -> String {
        match self {
            SignerRule::Certificate { sha256 } => format!("certificate sha256 {sha256}"),
            SignerRule::IssuerOrganization { issuer, organization } => {
                format!("issuer \"{issuer}\" and organization \"{organization}\"")
            }
            SignerRule::UnderCa { sha256 } => format!("any certificate under CA sha256 {sha256}"),
        }
    }

    /// Whether the signer of `verdict` (a PASSED one: its chain is the validated path) is
    /// accepted by this rule. `organizations`: the O= values of the signer certificate's
    /// subject, read from its DER (`None`: not known, and no organization rule matches).
    pub(crate) fn matches(&self, verdict: &SignatureVerdict, organizations: Option<&[String]>) -> bool {
        let Some(signer) = &verdict.signer else {
            return false;
        };
        match self {
            SignerRule::Certificate { sha256 } => signer.sha256.eq_ignore_ascii_case(&sha256.to_hex()),
            SignerRule::UnderCa { sha256 } => {
                let hex = sha256.to_hex();
                verdict
                    .chain
                    .iter()
                    .skip(1)
                    .any(|c| c.sha256.eq_ignore_ascii_case(&hex))
            }
            SignerRule::IssuerOrganization { issuer, organization } => {
                let wanted = organization.to_lowercase();
                comparable_dn(&signer.issuer) == comparable_dn(issuer)
                    && organizations.is_some_and(|orgs| orgs.iter().any(|o| o.to_lowercase() == wanted))
            }
        }
    }
}

/// A DN as compared: lower case, no spaces around its separators.
fn comparable_dn(dn: &str) -> String {
    dn.split(',')
        .map(|part| part.split('=').map(str::trim).collect::<Vec<_>>().join("="))
        .collect::<Vec<_>>()
        .join(",")
        .to_lowercase()
}

/// One rule of the policy, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerPolicyEntry {
    /// The rule's identity: SHA-256 of the canonical JSON (RFC 8785) of
    /// `{"agency_code": …, "rule": …}`; what `remove_signer_rule` takes.
    pub rule_id: Sha256,
    /// The issuing agency's e-ID code.
    pub agency_code: String,
    /// Who may sign for it.
    pub rule: SignerRule,
    /// When it was added.
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
    /// Why, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl SignerPolicyEntry {
    /// The rule as a verdict names it: `rule 1a2b3c4d5e6f7a8b: certificate sha256 …`.
    pub fn describe(&self) -> String {
        format!(
            "agency {} rule {}: {}",
            self.agency_code,
            &self.rule_id.to_hex()[..16],
            self.rule.describe()
        )
    }
}

/// The rule id of `rule` for `agency_code`.
fn rule_id(agency_code: &str, rule: &SignerRule) -> Result<(Sha256, String)> {
    let rule_json = String::from_utf8(log::jcs(rule)?).map_err(|e| Error::Malformed(e.to_string()))?;
    let id = Sha256::of(&log::jcs(
        &serde_json::json!({ "agency_code": agency_code, "rule": rule }),
    )?);
    Ok((id, rule_json))
}

/// The rules of one state of the policy table, checked against the log.
pub(crate) struct PolicySnapshot {
    pub state: Sha256,
    pub rules: Vec<SignerPolicyEntry>,
}

impl PolicySnapshot {
    /// The rules of `agency_code` (empty: the default, any trusted signer).
    pub(crate) fn for_agency<'a>(&'a self, agency_code: &'a str) -> impl Iterator<Item = &'a SignerPolicyEntry> + 'a {
        self.rules.iter().filter(move |r| r.agency_code == agency_code)
    }

    /// How `verdict`'s signer stands under `agency_code`'s policy: `Ok(what accepted
    /// it)`, or `Err(())` when the agency has rules and none matches.
    pub(crate) fn judge(
        &self,
        agency_code: &str,
        verdict: &SignatureVerdict,
        organizations: Option<&[String]>,
    ) -> std::result::Result<String, ()> {
        let mut any = false;
        for entry in self.for_agency(agency_code) {
            any = true;
            if entry.rule.matches(verdict, organizations) {
                return Ok(entry.describe());
            }
        }
        if any {
            Err(())
        } else {
            Ok(DEFAULT_SIGNER_POLICY.to_owned())
        }
    }
}

/// The current policy snapshot, replaced when the table's state changes.
#[derive(Default)]
pub(crate) struct PolicyCache(Mutex<Option<Arc<PolicySnapshot>>>);

impl Vault {
    /// Adds a signer rule for `agency_code` (an audit event `policy_add`, naming the rule,
    /// its id and `reason`). Adding a rule that is already there returns it unchanged.
    /// A bad agency code or rule text is an [`Error::InvalidField`] and changes nothing.
    pub fn add_signer_rule(
        &self,
        agency_code: &str,
        mut rule: SignerRule,
        reason: Option<&str>,
    ) -> Result<SignerPolicyEntry> {
        let mut agency_code = agency_code.to_owned();
        check_text(&mut agency_code, "agency_code", MAX_CODE_LEN)?;
        rule.normalize_and_check()?;
        let reason = reason
            .map(|r| {
                let mut r = r.to_owned();
                check_text(&mut r, "reason", MAX_TEXT_LEN).map(|_| r)
            })
            .transpose()?;
        let (id, rule_json) = rule_id(&agency_code, &rule)?;
        let now = self.now()?;
        self.store.write(|tx| {
            if store::signer_rules::exists(tx, &id)? {
                let current = self.policy_in(tx)?;
                if let Some(entry) = current.rules.iter().find(|r| r.rule_id == id) {
                    return Ok(entry.clone());
                }
            }
            store::signer_rules::insert(tx, &id, &agency_code, &rule_json, now, reason.as_deref())?;
            let details = serde_json::json!({
                "agency_code": agency_code,
                "rule": rule,
                "rule_id": id.to_hex(),
                "reason": reason,
            });
            store::events::append(tx, now, EventKind::PolicyAdd, &self.options.actor, None, details)?;
            Ok(SignerPolicyEntry {
                rule_id: id,
                agency_code: agency_code.clone(),
                rule: rule.clone(),
                added_at: now,
                reason: reason.clone(),
            })
        })
    }

    /// Removes a signer rule by its id (an audit event `policy_remove`); `Ok(false)` if
    /// there was none. When an agency's last rule goes, it is back to the default (any
    /// trusted signer).
    pub fn remove_signer_rule(&self, rule_id: &Sha256, reason: Option<&str>) -> Result<bool> {
        let reason = reason
            .map(|r| {
                let mut r = r.to_owned();
                check_text(&mut r, "reason", MAX_TEXT_LEN).map(|_| r)
            })
            .transpose()?;
        let now = self.now()?;
        self.store.write(|tx| {
            let Some(row) = store::signer_rules::delete(tx, rule_id)? else {
                return Ok(false);
            };
            let rule: serde_json::Value = serde_json::from_str(&row.rule).unwrap_or(serde_json::Value::Null);
            let details = serde_json::json!({
                "agency_code": row.agency_code,
                "rule": rule,
                "rule_id": rule_id.to_hex(),
                "reason": reason,
            });
            store::events::append(tx, now, EventKind::PolicyRemove, &self.options.actor, None, details)?;
            Ok(true)
        })
    }

    /// The signer rules, oldest first: all of them, or those of one agency. An agency
    /// with none accepts any trusted signer.
    pub fn signer_rules(&self, agency_code: Option<&str>) -> Result<Vec<SignerPolicyEntry>> {
        let snapshot = self.store.read(|tx| self.policy_in(tx))?;
        Ok(snapshot
            .rules
            .iter()
            .filter(|r| agency_code.is_none_or(|a| r.agency_code == a))
            .cloned()
            .collect())
    }

    /// The policy as `tx` sees it (read and checked against the log again only when the
    /// table changed).
    pub(crate) fn policy_in(&self, tx: &rusqlite::Transaction<'_>) -> Result<Arc<PolicySnapshot>> {
        let state = store::signer_rules::state(tx)?;
        let mut current = self.policy_cache.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(snapshot) = current.as_ref().filter(|s| s.state == state) {
            return Ok(snapshot.clone());
        }
        let snapshot = Arc::new(PolicySnapshot {
            state,
            rules: bound_rules(tx)?,
        });
        *current = Some(snapshot.clone());
        Ok(snapshot)
    }
}

/// The stored rules, each checked against the `policy_add` event that brought it in and
/// not removed since; any disagreement is an error (fail closed).
fn bound_rules(tx: &rusqlite::Transaction<'_>) -> Result<Vec<SignerPolicyEntry>> {
    let mut logged = logged_rules(tx)?;
    let disagree = |what: String| {
        Error::Malformed(format!(
            "the signer policy disagrees with the audit log ({what}): run `rvault log verify`"
        ))
    };
    let mut out = Vec::new();
    for row in store::signer_rules::all(tx)? {
        let rule: SignerRule =
            serde_json::from_str(&row.rule).map_err(|e| store::signer_rules::malformed(format!("stored rule: {e}")))?;
        let (id, _) = rule_id(&row.agency_code, &rule)?;
        if row.rule_id != Some(id) {
            return Err(disagree(format!("rule {id} was edited")));
        }
        if logged.remove(&id).is_none() {
            return Err(disagree(format!("rule {id} has no policy_add event")));
        }
        out.push(SignerPolicyEntry {
            rule_id: id,
            agency_code: row.agency_code.clone(),
            rule,
            added_at: store::signer_rules::added_at(&row)?,
            reason: row.reason.clone(),
        });
    }
    if let Some(gone) = logged.keys().next() {
        return Err(disagree(format!("rule {gone} was added and is gone")));
    }
    Ok(out)
}

/// The rules the unedited policy events say are in force: rule id → (agency, rule).
pub(crate) fn logged_rules(
    tx: &rusqlite::Transaction<'_>,
) -> Result<std::collections::HashMap<Sha256, (String, serde_json::Value)>> {
    let mut logged = std::collections::HashMap::new();
    for event in store::signer_rules::events(tx)? {
        if !log::bound::event_self_consistent(&event) {
            continue;
        }
        let Ok(details) = serde_json::from_str::<serde_json::Value>(&event.details) else {
            continue;
        };
        let Some(id) = details
            .get("rule_id")
            .and_then(|v| v.as_str())
            .and_then(|h| h.parse::<Sha256>().ok())
        else {
            continue;
        };
        if event.kind == EventKind::PolicyAdd.as_str() {
            let agency = details
                .get("agency_code")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            logged.insert(id, (agency, details.get("rule").cloned().unwrap_or_default()));
        } else {
            logged.remove(&id);
        }
    }
    Ok(logged)
}
