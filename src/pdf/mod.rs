//! PDF: the verification report the CLI prints for the officer (feature `report`).

#[cfg(feature = "report")]
pub mod report;
