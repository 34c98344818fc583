//! The trust store through the vault: anchors, intermediates, CRLs and OCSP responses,
//! each change an audit event in the same transaction.

use crate::error::Result;
use crate::hash::Sha256;
use crate::log::EventKind;
use crate::store;
use crate::trust::{self, TrustItem, TrustItemKind, TrustMaterial};

use super::Vault;

impl Vault {
    /// Adds a trust anchor (e.g. the National Root CA): a DER CA certificate. Adding one
    /// that is already stored returns it unchanged.
    pub fn add_trust_anchor(&self, der: &[u8]) -> Result<TrustItem> {
        self.add_trust_item(TrustItemKind::Anchor, der)
    }

    /// Adds an intermediate CA certificate (DER), used to build paths to an anchor. It
    /// must be issued by a stored anchor, or by a stored intermediate that is: a CA of a
    /// PKI the vault does not trust is refused ([`crate::Error::TrustRefused`]).
    pub fn add_intermediate(&self, der: &[u8]) -> Result<TrustItem> {
        self.add_trust_item(TrustItemKind::Intermediate, der)
    }

    /// Adds a CRL (DER) after checking it: issued and signed by a stored anchor or
    /// intermediate (with cRLSign), with a cRLNumber.
    pub fn add_crl(&self, der: &[u8]) -> Result<TrustItem> {
        self.add_trust_item(TrustItemKind::Crl, der)
    }

    /// Adds an OCSP response (DER OCSPResponse, RFC 6960) after checking it: signed by a
    /// stored anchor or intermediate, or by a responder one of them authorized, about
    /// certificates that CA issued. Verifications then read it as revocation evidence,
    /// like a CRL (whether it is about a certificate, and current, is decided each time).
    pub fn add_ocsp_response(&self, der: &[u8]) -> Result<TrustItem> {
        self.add_trust_item(TrustItemKind::Ocsp, der)
    }

    pub(crate) fn add_trust_item(&self, kind: TrustItemKind, der: &[u8]) -> Result<TrustItem> {
        let sha256 = Sha256::of(der);
        let now = self.now()?;
        self.store.write(|tx| {
            if let Some(existing) = store::trust::get(tx, &sha256)? {
                if existing.kind != kind {
                    return Err(trust::refuse(format!("already stored as {}", existing.kind)));
                }
                return Ok(existing);
            }
            let cas = || -> Result<Vec<Vec<u8>>> {
                Ok(store::trust::all_bound(tx)?
                    .into_iter()
                    .filter(|(item, _)| matches!(item.kind, TrustItemKind::Anchor | TrustItemKind::Intermediate))
                    .map(|(_, der)| der)
                    .collect())
            };
            let name = match kind {
                TrustItemKind::Crl => trust::check_crl(der, &cas()?)?,
                TrustItemKind::Ocsp => trust::check_ocsp(der, &cas()?)?,
                TrustItemKind::Intermediate => {
                    let (mut anchors, mut intermediates) = (Vec::new(), Vec::new());
                    for (item, der) in store::trust::all_bound(tx)? {
                        match item.kind {
                            TrustItemKind::Anchor => anchors.push(der),
                            TrustItemKind::Intermediate => intermediates.push(der),
                            TrustItemKind::Crl | TrustItemKind::Ocsp => {}
                        }
                    }
                    trust::check_intermediate(der, &anchors, &intermediates)?
                }
                TrustItemKind::Anchor => trust::check_certificate(der)?,
            };
            let item = TrustItem {
                kind,
                sha256,
                name,
                added_at: now,
            };
            store::trust::insert(tx, &item, der)?;
            let details = serde_json::json!({ "item": kind.as_str(), "sha256": sha256.to_hex(), "name": item.name });
            store::events::append(tx, now, EventKind::TrustAdd, &self.options.actor, None, details)?;
            Ok(item)
        })
    }

    /// Removes a trust item by its SHA-256; `Ok(false)` if there was none.
    pub fn remove_trust_item(&self, sha256: &Sha256) -> Result<bool> {
        let now = self.now()?;
        self.store.write(|tx| {
            let Some(item) = store::trust::get(tx, sha256)? else {
                return Ok(false);
            };
            store::trust::delete(tx, sha256)?;
            let details =
                serde_json::json!({ "item": item.kind.as_str(), "sha256": sha256.to_hex(), "name": item.name });
            store::events::append(tx, now, EventKind::TrustRemove, &self.options.actor, None, details)?;
            Ok(true)
        })
    }

    /// The trust store's items, oldest first.
    pub fn trust_items(&self) -> Result<Vec<TrustItem>> {
        Ok(self
            .store
            .read(store::trust::all)?
            .into_iter()
            .map(|(item, _)| item)
            .collect())
    }

    /// The trust material for verification: anchors, intermediates and revocation evidence
    /// (DER), each re-hashed against the SHA-256 it was stored under, each of the kind its
    /// audit event gave it (an item relabelled in the file is left out); and the evidence
    /// kept with verdicts, which outlives its removal from the trust store.
    pub fn trust_material(&self) -> Result<TrustMaterial> {
        self.store.read(Vault::material_in)
    }

    /// The trust store's items, then the evidence kept with verdicts (CRLs and OCSP
    /// responses a signature was proven with: each proves itself by its CA's signature).
    pub(crate) fn material_in(tx: &rusqlite::Transaction<'_>) -> Result<TrustMaterial> {
        let kept = TrustMaterial {
            crls: store::signatures::kept_evidence(tx)?,
            ..TrustMaterial::default()
        };
        Ok(TrustMaterial::from_items(store::trust::all_bound(tx)?).with(kept))
    }
}
