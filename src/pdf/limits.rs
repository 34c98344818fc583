//! Bounds on everything a hostile PDF could make us do: nesting, sizes, object counts,
//! inflated bytes and total work. Every parser step draws on one [`Budget`]; when it runs
//! out the document is refused as too complex, never parsed for ever.

use std::cell::Cell;

use super::PdfError;

/// The largest PDF verified (a result is a document, not an archive).
pub(crate) const MAX_FILE_SIZE: usize = 256 << 20;
/// Revisions (incremental updates) followed from the end of the file.
pub(crate) const MAX_REVISIONS: usize = 1_000;
/// Nesting of arrays and dictionaries.
pub(crate) const MAX_DEPTH: usize = 64;
/// Entries in one dictionary.
pub(crate) const MAX_DICT_ENTRIES: usize = 4_096;
/// Elements in one array.
pub(crate) const MAX_ARRAY_LEN: usize = 100_000;
/// Object numbers (an xref section's `/Size`).
pub(crate) const MAX_OBJECTS: u64 = 8_000_000;
/// Objects in one object stream.
pub(crate) const MAX_OBJECTS_PER_STREAM: usize = 100_000;
/// Bytes one stream may inflate to.
pub(crate) const MAX_INFLATED_STREAM: usize = 64 << 20;
/// Bytes all streams of one document may inflate to, together.
pub(crate) const MAX_INFLATED_TOTAL: usize = 256 << 20;
/// Parser steps (tokens, objects, entries) for one document.
pub(crate) const MAX_WORK: u64 = 50_000_000;
/// Signature fields examined.
pub(crate) const MAX_FIELDS: usize = 10_000;

/// What one document may still cost.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    work: Cell<u64>,
    inflated: Cell<usize>,
}

impl Budget {
    /// Counts `steps` units of work; an error once the document has used [`MAX_WORK`].
    pub fn spend(&self, steps: u64) -> Result<(), PdfError> {
        let used = self.work.get().saturating_add(steps);
        self.work.set(used);
        if used > MAX_WORK {
            return Err(PdfError::TooComplex("too much work to parse"));
        }
        Ok(())
    }

    /// How many bytes the next stream may inflate to.
    pub fn inflate_allowance(&self) -> usize {
        MAX_INFLATED_STREAM.min(MAX_INFLATED_TOTAL.saturating_sub(self.inflated.get()))
    }

    /// Counts inflated bytes.
    pub fn inflated(&self, bytes: usize) {
        self.inflated.set(self.inflated.get().saturating_add(bytes));
    }
}
