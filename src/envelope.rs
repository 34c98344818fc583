//! The canonical envelope: the exact bytes a vault signature signs.
//!
//! It binds a result's identifying metadata to its content's SHA-256, size and media
//! type, serialized with RFC 8785 (JSON Canonicalization Scheme): object keys sorted,
//! no white space, strings in NFC (the record's text is normalized at ingest) and
//! minimal escapes. Any language can rebuild it byte for byte; `tests/envelope_golden.rs`
//! pins the bytes and their SHA-256.
//!
//! The vault-assigned `result_id` is left out on purpose: the signature is over the
//! result itself (who issued what to whom, and which bytes), so it stays valid when the
//! result is exported to another vault.

use serde::Serialize;

use crate::error::Result;
use crate::hash::Sha256;
use crate::record::{ContentInfo, NewRecord, SubjectKind};

/// The envelope format's name and version, inside the envelope.
pub const ENVELOPE_FORMAT: &str = "results-vault/envelope/v1";

#[derive(Serialize)]
struct EnvelopeV1<'a> {
    format: &'static str,
    dossier_code: &'a str,
    procedure_code: &'a str,
    document_type: &'a str,
    document_number: &'a str,
    agency_code: &'a str,
    subject: SubjectV1<'a>,
    issued_at: String,
    valid_from: String,
    /// `null` when the result never expires: the key set is the same for every envelope.
    valid_until: Option<String>,
    content: ContentV1<'a>,
}

#[derive(Serialize)]
struct SubjectV1<'a> {
    kind: SubjectKind,
    id: &'a str,
}

#[derive(Serialize)]
struct ContentV1<'a> {
    sha256: String,
    size: u64,
    media_type: &'a str,
}

/// The canonical bytes for one result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    bytes: Vec<u8>,
}

impl Envelope {
    /// Builds the envelope of a (normalized) record and its content.
    pub fn new(meta: &NewRecord, content: &ContentInfo) -> Result<Envelope> {
        let date = crate::record::iso_date;
        let envelope = EnvelopeV1 {
            format: ENVELOPE_FORMAT,
            dossier_code: &meta.dossier_code,
            procedure_code: &meta.procedure_code,
            document_type: &meta.document_type,
            document_number: &meta.document_number,
            agency_code: &meta.issuer.agency_code,
            subject: SubjectV1 {
                kind: meta.subject.kind,
                id: meta.subject.id.expose(),
            },
            issued_at: date(meta.issued_at),
            valid_from: date(meta.valid_from),
            valid_until: meta.valid_until.map(date),
            content: ContentV1 {
                sha256: content.sha256.to_hex(),
                size: content.size,
                media_type: &meta.media_type,
            },
        };
        Ok(Envelope {
            bytes: crate::log::jcs(&envelope)?,
        })
    }

    /// The canonical bytes (UTF-8 JSON).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// SHA-256 of the canonical bytes: what a remote signer is asked to sign.
    pub fn sha256(&self) -> Sha256 {
        Sha256::of(&self.bytes)
    }
}
