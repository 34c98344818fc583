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
/// The probe looks at this many samples of this many bytes, spread over the content.
const SAMPLES: usize = 4;
const SAMPLE: usize = 4 * 1024;
/// Samples whose bytes carry more than this many bits of order-0 entropy per byte are
/// what Flate streams, JPEG and already-zstd'ed data look like: zstd cannot shrink them.
const INCOMPRESSIBLE_BITS_PER_BYTE: f64 = 7.5;

/// Compress only when it saves at least 1/16 (about 6%) of the size.
fn worth_it(original: usize, compressed: usize) -> bool {
    compressed + original / 16 <= original
}

thread_local! {
    // Contexts are costly to build (allocations of the match tables): one per thread.
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

fn compress(bytes: &[u8]) -> Option<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = zstd::bulk::Compressor::new(LEVEL).ok();
        }
        slot.as_mut()?.compress(bytes).ok()
    })
}

fn decompress(frame: &[u8], capacity: usize) -> std::io::Result<Vec<u8>> {
    DECOMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(zstd::bulk::Decompressor::new()?);
        }
        match slot.as_mut() {
            Some(d) => d.decompress(frame, capacity),
            None => Err(std::io::Error::other("no zstd decompressor")),
        }
    })
}

/// Decodes a frame into at most `limit` bytes (a frame that holds more is an error).
/// `limit` is read from the file: it is never allocated up front, as a size cell edited to
/// 2^40 would abort the process. Small contents are decoded at once into a buffer of
/// their size; larger ones through a stream whose output grows with what the frame holds.
fn decompress_at_most(frame: &[u8], limit: u64) -> std::io::Result<Vec<u8>> {
    if limit <= DECODE_WHOLE_UP_TO {
        return decompress(frame, limit as usize);
    }
    let mut out = Vec::new();
    let decoder = zstd::stream::read::Decoder::with_buffer(frame)?;
    std::io::Read::read_to_end(&mut std::io::Read::take(decoder, limit.saturating_add(1)), &mut out)?;
    if out.len() as u64 > limit {
        return Err(std::io::Error::other("the frame inflates past the recorded size"));
    }
    Ok(out)
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
        compress(bytes).filter(|c| worth_it(bytes.len(), c.len()))
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

/// Estimates, from a few samples' byte entropy, whether zstd can shrink `bytes`. Costs a
/// histogram of 16 KiB: a small fraction of the SHA-256 pass, where trial compressions
/// of samples cost about a third of it. A wrong "yes" only costs time (the full
/// compression is kept only if it gains); a wrong "no" (high byte entropy yet repetitive,
/// which documents are not) stores bytes raw.
fn probe_says_compressible(bytes: &[u8]) -> bool {
    let mut histogram = [0u32; 256];
    let mut count = |sample: &[u8]| sample.iter().for_each(|&b| histogram[b as usize] += 1);
    if bytes.len() <= SAMPLE * SAMPLES {
        count(bytes);
    } else {
        let step = (bytes.len() - SAMPLE) / (SAMPLES - 1);
        (0..SAMPLES).for_each(|i| count(&bytes[i * step..i * step + SAMPLE]));
    }
    let total: f64 = histogram.iter().map(|&n| n as f64).sum();
    let bits: f64 = histogram
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = n as f64 / total;
            -p * p.log2()
        })
        .sum();
    bits < INCOMPRESSIBLE_BITS_PER_BYTE
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
        // The recorded size bounds the output: a frame that inflates past it is an error,
        // not a memory blow-up.
        Codec::Zstd => decompress_at_most(stored, size).map_err(|e| DecodeError::Mismatch {
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

/// Zstd contents up to this size are decoded whole by [`check_stream`].
const DECODE_WHOLE_UP_TO: u64 = 1 << 20;

/// Checks stored bytes read from `stored` against the recorded hash and size without
/// holding them: raw bytes are hashed chunk by chunk, zstd frames decoded into the hash.
/// Used where only integrity matters (reuse, record verification), so a 200 KB result
/// costs no 200 KB allocation nor copy.
pub(crate) fn check_stream(
    codec: Codec,
    stored: impl std::io::Read,
    size: u64,
    expected: &Sha256,
) -> Result<(), DecodeError> {
    let mut stored = stored;
    if codec == Codec::Zstd && size <= DECODE_WHOLE_UP_TO {
        // Most results are small: decoding the frame at once with the thread's decoder
        // is cheaper than building a streaming context (its window tables) per check.
        let mut frame = Vec::new();
        let decoded = stored
            .read_to_end(&mut frame)
            .and_then(|_| decompress(&frame, size as usize + 1));
        return match decoded {
            Ok(bytes) if bytes.len() as u64 == size && &Sha256::of(&bytes) == expected => Ok(()),
            Ok(bytes) => Err(DecodeError::Mismatch {
                actual: Sha256::of(&bytes).to_hex(),
            }),
            Err(e) => Err(DecodeError::Mismatch {
                actual: format!("unreadable stored bytes ({e})"),
            }),
        };
    }
    let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
    // One byte more than recorded is enough to see a longer content.
    let mut buffer = vec![0u8; (size.saturating_add(1)).min(64 * 1024) as usize];
    let mut total: u64 = 0;
    let mut feed = |reader: &mut dyn std::io::Read| -> std::io::Result<()> {
        loop {
            let n = reader.read(&mut buffer)?;
            if n == 0 {
                return Ok(());
            }
            total += n as u64;
            if total > size {
                // More than recorded: no need to read the rest.
                return Ok(());
            }
            hash.update(&buffer[..n]);
        }
    };
    let read = match codec {
        Codec::Raw => feed(&mut stored),
        Codec::Zstd => zstd::stream::read::Decoder::new(stored).and_then(|mut d| feed(&mut d)),
    };
    if let Err(e) = read {
        return Err(DecodeError::Mismatch {
            actual: format!("unreadable stored bytes ({e})"),
        });
    }
    let actual = Sha256::from_ring(hash.finish());
    if &actual != expected || total != size {
        return Err(DecodeError::Mismatch {
            actual: actual.to_hex(),
        });
    }
    Ok(())
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
    fn streamed_checks_agree_with_decoding() {
        for bytes in [noise(300_000), b"text ".repeat(50_000)] {
            let encoded = encode(&bytes);
            let ok = check_stream(
                encoded.codec,
                encoded.compressed.as_deref().unwrap_or(&bytes),
                bytes.len() as u64,
                &encoded.sha256,
            );
            assert!(ok.is_ok());
            let mut bad = encoded.compressed.clone().unwrap_or_else(|| bytes.clone());
            let mid = bad.len() / 2;
            bad[mid] ^= 1;
            assert!(check_stream(encoded.codec, &bad[..], bytes.len() as u64, &encoded.sha256).is_err());
            let short = bytes.len() as u64 - 1;
            assert!(check_stream(
                encoded.codec,
                encoded.compressed.as_deref().unwrap_or(&bytes),
                short,
                &encoded.sha256
            )
            .is_err());
        }
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
        // Past the whole-frame limit too, through the stream.
        let big = vec![b'a'; 3 << 20];
        let frame = zstd::bulk::compress(&big, 3).unwrap();
        let size = DECODE_WHOLE_UP_TO + 10;
        assert!(decode_and_check(Codec::Zstd, &frame, size, &Sha256::of(&big)).is_err());
        assert_eq!(
            decode_and_check(Codec::Zstd, &frame, big.len() as u64, &Sha256::of(&big)).ok(),
            Some(big)
        );
    }

    /// A size cell edited to 2^40 (or u64::MAX) is a mismatch, never an allocation of
    /// that size (which would abort the process).
    #[test]
    fn a_huge_recorded_size_allocates_nothing_up_front() {
        let text = b"a results vault ".repeat(1000);
        let frame = zstd::bulk::compress(&text, 3).unwrap();
        for size in [1u64 << 40, u64::MAX] {
            assert!(decode_and_check(Codec::Zstd, &frame, size, &Sha256::of(&text)).is_err());
            assert!(check_stream(Codec::Zstd, &frame[..], size, &Sha256::of(&text)).is_err());
            assert!(decode_and_check(Codec::Raw, &text, size, &Sha256::of(&text)).is_err());
        }
    }
}
