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
/// Work units (one object parsed, copied or compared, one xref entry, one form field) a
/// document may cost: a floor for small files plus a multiple of the file's length, so
/// that an honest 200 MB file is read in full and a hostile 2 MB one cannot buy minutes
/// of work. A unit is 20-100 ns in release builds: at most ~0.5 s per MB of input.
pub(crate) const WORK_FLOOR: u64 = 4_000_000;
/// See [`WORK_FLOOR`]: a file of N bytes holds at most N/2 tokens, so 4 units a byte
/// read every object several times over.
pub(crate) const WORK_PER_BYTE: u64 = 4;
/// Bytes of parsed objects, xref entries and inflated stream data a document may make
/// (counted when made, never given back: an upper bound of what is held), so that peak
/// memory stays within ~10x the file: a 2-byte token `0 ` is a 40-byte object.
pub(crate) const MEMORY_FLOOR: usize = 8 << 20;
/// See [`MEMORY_FLOOR`]: the bound is the larger of the floor and this multiple of the
/// file's length (the file itself and the allocator's slack take the rest of the 10x).
pub(crate) const MEMORY_PER_BYTE: usize = 5;
/// What one parsed object node is counted as in memory: an `Object` and the slack of
/// the vector holding it.
pub(crate) const OBJECT_BYTES: usize = std::mem::size_of::<super::object::Object>() + 24;
/// What one parsed indirect object costs in memory besides its value (its cache slot).
pub(crate) const INDIRECT_BYTES: usize = std::mem::size_of::<super::object::Indirect>() + 64;
/// What one xref entry is counted as in memory (a map node's share, or a row).
pub(crate) const ENTRY_BYTES: usize = 40;
/// Dictionaries larger than this get a sorted index at parse time (lookups and duplicate
/// detection by binary search, not a scan of every entry).
pub(crate) const SMALL_DICT: usize = 16;
/// Signature fields examined.
pub(crate) const MAX_FIELDS: usize = 10_000;

/// What one document may still cost: one per document, drawn on by every step (parsing,
/// the `startxref` retries, copies of objects, the form walk, the change analysis).
#[derive(Debug)]
pub(crate) struct Budget {
    work: Cell<u64>,
    max_work: u64,
    memory: Cell<usize>,
    max_memory: usize,
    inflated: Cell<usize>,
}

impl Default for Budget {
    /// The floors: for objects parsed out of any file (tests, small snippets).
    fn default() -> Budget {
        Budget::for_input(0)
    }
}

impl Budget {
    /// The budget of a file of `len` bytes.
    pub fn for_input(len: usize) -> Budget {
        Budget {
            work: Cell::new(0),
            max_work: WORK_FLOOR.saturating_add(WORK_PER_BYTE.saturating_mul(len as u64)),
            memory: Cell::new(0),
            max_memory: MEMORY_FLOOR.max(MEMORY_PER_BYTE.saturating_mul(len)),
            inflated: Cell::new(0),
        }
    }

    /// Counts `steps` units of work; an error once the document has used its share.
    pub fn spend(&self, steps: u64) -> Result<(), PdfError> {
        let used = self.work.get().saturating_add(steps);
        self.work.set(used);
        if used > self.max_work {
            return Err(PdfError::TooComplex("too much work to verify (for the file's size)"));
        }
        Ok(())
    }

    /// Whether the work or the memory budget is used up (then every further step fails).
    pub fn spent_out(&self) -> bool {
        self.work.get() > self.max_work || self.memory.get() > self.max_memory
    }

    /// Counts `bytes` of memory made (parsed objects, xref entries, inflated data); an
    /// error once the document has made more than its share.
    pub fn hold(&self, bytes: usize) -> Result<(), PdfError> {
        let used = self.memory.get().saturating_add(bytes);
        self.memory.set(used);
        if used > self.max_memory {
            return Err(PdfError::TooComplex("too much memory to verify (for the file's size)"));
        }
        Ok(())
    }

    /// How many bytes the next stream may inflate to: within the per-stream and total
    /// caps, and within what is left of the memory budget.
    pub fn inflate_allowance(&self) -> usize {
        MAX_INFLATED_STREAM
            .min(MAX_INFLATED_TOTAL.saturating_sub(self.inflated.get()))
            .min(self.max_memory.saturating_sub(self.memory.get()))
    }

    /// Counts inflated bytes (also as memory made).
    pub fn inflated(&self, bytes: usize) {
        self.inflated.set(self.inflated.get().saturating_add(bytes));
        self.memory.set(self.memory.get().saturating_add(bytes));
    }

    /// Work and memory used so far (for tests and measurements).
    #[cfg(test)]
    pub fn used(&self) -> (u64, usize) {
        (self.work.get(), self.memory.get())
    }
}
