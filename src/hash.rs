//! SHA-256 digests: the identity of content and of audit events.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::record::FieldError;

/// A SHA-256 digest. Serialized as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sha256(pub [u8; 32]);

impl Sha256 {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self::from_ring(ring::digest::digest(&ring::digest::SHA256, bytes))
    }

    pub(crate) fn from_ring(d: ring::digest::Digest) -> Self {
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        Sha256(out)
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(char::from_digit((b >> 4) as u32, 16).unwrap_or('0'));
            s.push(char::from_digit((b & 15) as u32, 16).unwrap_or('0'));
        }
        s
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(Sha256)
    }
}

impl FromStr for Sha256 {
    type Err = FieldError;
    /// Parses 64 hex digits (either case).
    fn from_str(s: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::new("sha256", "must be 64 hex digits");
        if s.len() != 64 {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (i, pair) in s.as_bytes().chunks(2).enumerate() {
            let hi = (pair[0] as char).to_digit(16).ok_or_else(bad)?;
            let lo = (pair[1] as char).to_digit(16).ok_or_else(bad)?;
            out[i] = (hi * 16 + lo) as u8;
        }
        Ok(Sha256(out))
    }
}

impl TryFrom<String> for Sha256 {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        s.parse()
    }
}

impl From<Sha256> for String {
    fn from(h: Sha256) -> String {
        h.to_hex()
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({})", self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest_and_hex_round_trip() {
        let h = Sha256::of(b"abc");
        assert_eq!(
            h.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(h.to_hex().to_uppercase().parse::<Sha256>().unwrap(), h);
        assert!("zz".repeat(32).parse::<Sha256>().is_err());
        assert!("ab".parse::<Sha256>().is_err());
    }
}

/// Bytes as lower-case hex in JSON (`#[serde(with = "hex")]`), for digests, signatures
/// and DER that cross the C ABI as JSON.
pub(crate) mod hex {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Lower-case hex of `bytes`.
    pub(crate) fn encode(bytes: &[u8]) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            s.push(DIGITS[(b >> 4) as usize] as char);
            s.push(DIGITS[(b & 15) as usize] as char);
        }
        s
    }

    /// The bytes of an even-length hex string (either case).
    pub(crate) fn decode(s: &str) -> Option<Vec<u8>> {
        if !s.len().is_multiple_of(2) {
            return None;
        }
        s.as_bytes()
            .chunks(2)
            .map(|pair| {
                let hi = (pair[0] as char).to_digit(16)?;
                let lo = (pair[1] as char).to_digit(16)?;
                Some((hi * 16 + lo) as u8)
            })
            .collect()
    }

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        decode(&s).ok_or_else(|| serde::de::Error::custom("expected hex digits"))
    }

    /// A list of byte strings, each as hex.
    pub(crate) mod list {
        use serde::{Deserialize, Deserializer, Serializer};

        pub(crate) fn serialize<S: Serializer>(items: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(items.iter().map(|b| super::encode(b)))
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
            Vec::<String>::deserialize(d)?
                .iter()
                .map(|s| super::decode(s).ok_or_else(|| serde::de::Error::custom("expected hex digits")))
                .collect()
        }
    }
}
