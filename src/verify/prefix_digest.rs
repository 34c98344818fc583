//! One hash pass shared by the signatures of one PDF. Every `/ByteRange` starts at byte 0,
//! so a document timestamp's digest begins with the same bytes as the signature before
//! it: while a PDF is verified, the hash state at each signature's first cut (where its
//! `/Contents` hole begins) is kept, and a later digest of a longer prefix of the same
//! bytes continues from the nearest one instead of starting again (a B-LTA file is then
//! hashed about once, not once per signature).
//!
//! The states are keyed by the address of the file's first byte and used only while the
//! [`PrefixScope`] that holds them is alive: the PDF verifier opens it over the bytes it
//! borrows for the whole verification, so those bytes cannot change meanwhile. A part
//! that does not start at that address, or is longer than the file, is hashed from zero.

use std::cell::RefCell;

use super::crypto::DigestAlgorithm;

/// The kept hash states of the file being verified on this thread.
struct Prefixes {
    /// Address and length of the file.
    start: usize,
    len: usize,
    /// Where states are kept (sorted, each at most `len`).
    cuts: Vec<usize>,
    /// (algorithm, offset, state after hashing the file's first `offset` bytes).
    kept: Vec<(DigestAlgorithm, usize, ring::digest::Context)>,
}

thread_local! {
    static PREFIXES: RefCell<Option<Prefixes>> = const { RefCell::new(None) };
}

/// The hash states kept for one file, on this thread, until dropped.
pub(crate) struct PrefixScope<'a> {
    installed: bool,
    _file: std::marker::PhantomData<&'a [u8]>,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl<'a> PrefixScope<'a> {
    /// Keeps hash states of `file` at `cuts` (offsets into it) while the scope lives. A
    /// scope already open on this thread stays the one in force.
    pub(crate) fn enter(file: &'a [u8], mut cuts: Vec<usize>) -> PrefixScope<'a> {
        cuts.retain(|&c| c > 0 && c <= file.len());
        cuts.sort_unstable();
        cuts.dedup();
        let installed = PREFIXES.with(|p| {
            let mut p = p.borrow_mut();
            if p.is_some() {
                return false;
            }
            *p = Some(Prefixes {
                start: file.as_ptr() as usize,
                len: file.len(),
                cuts,
                kept: Vec::new(),
            });
            true
        });
        PrefixScope {
            installed,
            _file: std::marker::PhantomData,
            _not_send: std::marker::PhantomData,
        }
    }
}

impl Drop for PrefixScope<'_> {
    fn drop(&mut self) {
        if self.installed {
            PREFIXES.with(|p| *p.borrow_mut() = None);
        }
    }
}

/// The digest of the concatenation of `parts`, continuing from a kept state when the
/// first part is a prefix of the file in scope.
pub(crate) fn digest_parts(algorithm: DigestAlgorithm, parts: &[&[u8]]) -> Vec<u8> {
    let from_kept = PREFIXES.with(|p| {
        let mut p = p.borrow_mut();
        let prefixes = p.as_mut()?;
        let first = *parts.first()?;
        if first.as_ptr() as usize != prefixes.start || first.len() > prefixes.len {
            return None;
        }
        // The nearest kept state at or before the end of the first part.
        let (mut context, mut at) = prefixes
            .kept
            .iter()
            .filter(|(a, offset, _)| *a == algorithm && *offset <= first.len())
            .max_by_key(|(_, offset, _)| *offset)
            .map(|(_, offset, context)| (context.clone(), *offset))
            .unwrap_or_else(|| (ring::digest::Context::new(algorithm.ring()), 0));
        let start = at;
        let cuts: Vec<usize> = prefixes
            .cuts
            .iter()
            .copied()
            .filter(|&c| c > start && c <= first.len())
            .collect();
        for cut in cuts {
            context.update(&first[at..cut]);
            at = cut;
            if !prefixes.kept.iter().any(|(a, o, _)| *a == algorithm && *o == cut) {
                prefixes.kept.push((algorithm, cut, context.clone()));
            }
        }
        context.update(&first[at..]);
        Some(context)
    });
    let (mut context, rest) = match from_kept {
        Some(context) => (context, &parts[1..]),
        None => (ring::digest::Context::new(algorithm.ring()), parts),
    };
    for part in rest {
        context.update(part);
    }
    context.finish().as_ref().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Digests through kept states equal digests from zero, in any order of requests,
    /// and a part that is not a prefix of the file in scope is hashed from zero.
    #[test]
    fn kept_states_give_the_same_digests() {
        let file: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        let plain = |parts: &[&[u8]]| {
            let mut c = ring::digest::Context::new(&ring::digest::SHA256);
            parts.iter().for_each(|p| c.update(p));
            c.finish().as_ref().to_vec()
        };
        let other = file.clone();
        let _scope = PrefixScope::enter(&file, vec![30_000, 60_000, 0, 200_000]);
        for (a, b, c) in [
            (90_000, 91_000, 100_000),
            (30_000, 31_000, 59_000),
            (60_000, 62_000, 99_000),
            (45_000, 46_000, 50_000),
        ] {
            let parts: [&[u8]; 2] = [&file[..a], &file[b..c]];
            for algorithm in [DigestAlgorithm::Sha256, DigestAlgorithm::Sha384] {
                let want = match algorithm {
                    DigestAlgorithm::Sha256 => plain(&parts),
                    _ => {
                        let mut c = ring::digest::Context::new(&ring::digest::SHA384);
                        parts.iter().for_each(|p| c.update(p));
                        c.finish().as_ref().to_vec()
                    }
                };
                assert_eq!(digest_parts(algorithm, &parts), want, "{a} {b} {c}");
            }
            // The same bytes elsewhere in memory: hashed from zero, same answer.
            let elsewhere: [&[u8]; 2] = [&other[..a], &other[b..c]];
            assert_eq!(digest_parts(DigestAlgorithm::Sha256, &elsewhere), plain(&parts));
        }
        // A first part that is not at the file's start.
        let shifted: [&[u8]; 1] = [&file[1..50_000]];
        assert_eq!(digest_parts(DigestAlgorithm::Sha256, &shifted), plain(&shifted));
    }
}
