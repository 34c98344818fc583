//! Content encoding: zstd where it pays, raw where it does not, and re-hashing on read.
//!
//! Most results are PDFs whose streams are already Flate-compressed, or JPEG scans;
//! zstd gains them almost nothing and would cost a full pass on every read. A cheap probe
//! (a few small samples) decides; a full compression that still gains too little is
//! thrown away and the bytes are stored raw. The codec is recorded per content row.

use crate::hash::Sha256;

/// How content bytes are kept in the `contents` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    /// Stored as given.
    Raw = 0,
    /// A single zstd frame.
    Zstd = 1,
}

impl Codec {
    pub(crate) fn from_i64(v: i64) -> Option<Codec> {
        match v {
            0 => Some(Codec::Raw),
            1 => Some(Codec::Zstd),
            _ => None,
        }
    }
}

/// zstd level: 3 is zstd's default, a good speed/ratio point for text-heavy results.
const LEVEL: i32 = 3;
/// Bytes per probe sample, and how many samples (start, middle, end).
const SAMPLE: usize = 8 * 1024;
const SAMPLES: usize = 3;
/// Compress only when it saves at least 1/16 (about 6%) of the size.
fn worth_it(original: usize, compressed: usize) -> bool {
    compressed + original / 16 <= original
}

/// Content ready to be written: its hash, and the bytes to store under a codec.
pub(crate) struct Encoded {
    pub sha256: Sha256,
    pub size: u64,
    pub codec: Codec,
    /// `None` when the codec is raw: the caller's bytes are stored as they are.
    pub compressed: Option<Vec<u8>>,
}

/// Hashes `bytes` and decides how to store them.
pub(crate) fn encode(bytes: &[u8]) -> Encoded {
    let sha256 = Sha256::of(bytes);
    let size = bytes.len() as u64;
    let compressed = if probe_says_compressible(bytes) {
        zstd::bulk::compress(bytes, LEVEL)
            .ok()
            .filter(|c| worth_it(bytes.len(), c.len()))
    } else {
        None
    };
    let codec = if compressed.is_some() { Codec::Zstd } else { Codec::Raw };
    Encoded {
        sha256,
        size,
        codec,
        compressed,
    }
}

/// Compresses up to three small samples; true when together they shrink enough.
fn probe_says_compressible(bytes: &[u8]) -> bool {
    if bytes.len() <= SAMPLE * SAMPLES {
        return zstd::bulk::compress(bytes, 1).is_ok_and(|c| worth_it(bytes.len(), c.len()));
    }
    let step = (bytes.len() - SAMPLE) / (SAMPLES - 1);
    let mut sample = Vec::with_capacity(SAMPLE * SAMPLES);
    for i in 0..SAMPLES {
        sample.extend_from_slice(&bytes[i * step..i * step + SAMPLE]);
    }
    // Level 1 is enough to tell entropy; compressing each sample alone keeps
    // cross-sample matches from flattering the estimate.
    let total: usize = sample
        .chunks(SAMPLE)
        .map(|s| zstd::bulk::compress(s, 1).map_or(s.len(), |c| c.len()))
        .sum();
    worth_it(sample.len(), total)
}

/// Why stored bytes could not be returned.
pub(crate) enum DecodeError {
    /// The bytes do not hash to the recorded SHA-256 (or have the wrong size).
    Mismatch { actual: String },
}

/// Decodes stored bytes and checks them against the recorded hash and size.
pub(crate) fn decode_and_check(
    codec: Codec,
    stored: &[u8],
    size: u64,
    expected: &Sha256,
) -> Result<Vec<u8>, DecodeError> {
    let bytes = match codec {
        Codec::Raw => stored.to_vec(),
        // The capacity bounds the output: a frame that inflates past the recorded size
        // is an error, not a memory blow-up.
        Codec::Zstd => zstd::bulk::decompress(stored, size as usize).map_err(|e| DecodeError::Mismatch {
            actual: format!("undecodable zstd frame ({e})"),
        })?,
    };
    let actual = Sha256::of(&bytes);
    if &actual != expected || bytes.len() as u64 != size {
        return Err(DecodeError::Mismatch {
            actual: actual.to_hex(),
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize) -> Vec<u8> {
        // xorshift: incompressible, deterministic.
        let mut x = 0x9E3779B97F4A7C15u64;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn incompressible_is_stored_raw() {
        let bytes = noise(200_000);
        let e = encode(&bytes);
        assert_eq!(e.codec, Codec::Raw);
        assert!(e.compressed.is_none());
        assert_eq!(
            decode_and_check(Codec::Raw, &bytes, e.size, &e.sha256).ok(),
            Some(bytes)
        );
    }

    #[test]
    fn text_is_compressed_and_round_trips() {
        let text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM — Độc lập - Tự do - Hạnh phúc\n".repeat(3000);
        let e = encode(text.as_bytes());
        assert_eq!(e.codec, Codec::Zstd);
        let c = e.compressed.unwrap();
        assert!(c.len() * 10 < text.len());
        let back = decode_and_check(Codec::Zstd, &c, e.size, &e.sha256).ok().unwrap();
        assert_eq!(back, text.as_bytes());
    }

    #[test]
    fn tampered_bytes_are_a_mismatch() {
        let bytes = b"%PDF-1.7 hello".to_vec();
        let e = encode(&bytes);
        let mut bad = bytes.clone();
        bad[3] ^= 1;
        assert!(decode_and_check(Codec::Raw, &bad, e.size, &e.sha256).is_err());
        let mut longer = bytes.clone();
        longer.push(b'x');
        assert!(decode_and_check(Codec::Raw, &longer, e.size, &e.sha256).is_err());
    }

    #[test]
    fn a_frame_that_inflates_past_its_size_is_refused() {
        let big = vec![b'a'; 100_000];
        let frame = zstd::bulk::compress(&big, 3).unwrap();
        assert!(decode_and_check(Codec::Zstd, &frame, 10, &Sha256::of(&big[..10])).is_err());
    }
}
