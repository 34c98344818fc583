//! The verification engine: pure (bytes, certificates, CRLs, a time and a policy in; a
//! verdict out), never touching SQLite, so it can be fuzzed and benchmarked alone.
//!
//! Built so far:
//! - [`verdict`]: the ETSI EN 319 102-1 vocabulary (indications, sub-indications);
//! - [`cms::check_detached`]: the checks of a detached CMS that need no trust decision:
//!   BER/DER parsing, signed attributes, message digest, ESS signing-certificate(-v2),
//!   signer certificate identification, and the signature value (RSA PKCS#1 v1.5,
//!   RSA-PSS with the declared salt, ECDSA P-256/P-384, Ed25519);
//! - [`path::validate`]: certification path validation at a given time with an RFC 5280
//!   profile, name constraints, budgets, and the caller's CRLs (x509-limbo's
//!   document-signing subset: 136 of 137 agree, no false accept).
//! - [`crl_index`]: a CRL read once (its listing by serial), kept across validations by a
//!   [`path::ChainCache`], so that a CRL of 200,000 entries costs a lookup, not a parse;
//!
//! - [`signature::verify_detached`]: one verdict per signature: the CMS checks, the
//!   policy (ESS attribute, the signer-certificate policy of
//!   [`signature::document_signer_problem`], revocation data and its freshness), path
//!   validation now and, on expiry or revocation, at the caller's proof of existence;
//!   [`signature::verify_detached_parts_claimed`] for PAdES: the content in parts (a
//!   PDF's `/ByteRange` pieces, hashed without concatenating them) and the claimed
//!   signing time (`/M`) when the CMS has none, under [`signature::Policy::pades_baseline`]
//!   or [`signature::Policy::pades_pkcs7`];
//! - [`timestamp::verify_timestamp_token_parts`]: RFC 3161 timestamp tokens (PDF document
//!   timestamps): the TSA's signature over the encapsulated TSTInfo, the messageImprint,
//!   the TSA's critical id-kp-timeStamping, its chain now and at genTime.

pub mod budget;
mod chain_cache;
pub mod cms;
mod crl;
pub mod crl_index;
pub mod crypto;
pub mod levels;
pub mod locations;
pub(crate) mod names;
pub(crate) mod ocsp;
pub mod path;
mod policy;
pub(crate) mod prefix_digest;
mod profile;
mod revocation;
pub mod signature;
pub mod timestamp;
pub mod verdict;
pub mod wording;
