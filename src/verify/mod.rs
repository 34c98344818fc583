//! The verification engine: pure (bytes, certificates, CRLs, a time and a policy in; a
//! verdict out), never touching SQLite, so it can be fuzzed and benchmarked alone.
//!
//! Built so far: the verdict vocabulary ([`verdict`]) and the checks of a detached CMS
//! that need no trust decision ([`cms::check_detached`]): BER/DER parsing, signed
//! attributes, message digest, signer certificate identification, and the signature value
//! (RSA PKCS#1 v1.5, RSA-PSS with the declared salt, ECDSA P-256/P-384, Ed25519).
//! Path validation, CRLs and proof of existence come next; until then nothing here says
//! PASSED.

pub mod cms;
pub mod crypto;
pub mod verdict;
