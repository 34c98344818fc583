//! One work budget per verification (issue 17, class 7): every SignerInfo of a CMS, every
//! signature of a PDF, draws its signature verifications and path-building steps from one
//! pool, and what failed once is not tried again.
//!
//! A verification opens a [`WorkScope`] on its thread; scopes nest, and an inner one (a
//! CMS inside a PDF, a timestamp token inside a signature) joins the outer one, so that a
//! PDF with a thousand incremental signatures has one budget, not a thousand. Work done
//! outside any scope (a direct [`super::path::validate`] call) gets a budget of its own.
//!
//! The pool: [`SIGNATURE_UNITS`] signature verifications counted in RSA-2048 equivalents
//! ([`super::crypto::verification_cost`]: a 4096-bit key counts 4, an exponent of 2^32 − 1
//! four times more) and [`STEPS`] path-building steps (a certificate parsed into the
//! candidate pool, an issuer candidate considered, a candidate path checked). Past it, the
//! signers not yet judged are INDETERMINATE with a "too costly" detail. Remembered for the
//! rest of the verification: the outcome of every certificate-signature check (by the
//! certificate and the issuer's key), of every SignerInfo signature value (by its key,
//! algorithm, signed bytes and value), and every path search that failed (by the signer's
//! certificate, the certificate pools, the time, the CRLs and the options).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use super::crypto::CryptoOutcome;
use super::path::PathError;

/// Signature verifications one verification may spend, in RSA-2048 (e = 65537)
/// equivalents: about 0.3 s of arithmetic on a small server core. An honest signature
/// costs 2 to 10 (the signer's value, its certificate, one or two intermediates, a CRL).
pub const SIGNATURE_UNITS: u64 = 8192;

/// Path-building steps one verification may spend (each a few microseconds).
pub const STEPS: u64 = 100_000;

/// Entries kept in each memo before it stops growing (a bound on memory; past it, work
/// is done again but still paid for).
const MAX_MEMO: usize = 65_536;

/// The budget and the memos of one verification.
#[derive(Debug)]
pub(crate) struct Work {
    units: Cell<u64>,
    steps: Cell<u64>,
    /// Set once the pool could not pay for something: the verification is too costly.
    exhausted: Cell<bool>,
    /// Certificate (or CRL) signature checks: key → verified.
    checks: RefCell<HashMap<[u8; 32], bool>>,
    /// SignerInfo signature values: key → outcome.
    signers: RefCell<HashMap<[u8; 32], CryptoOutcome>>,
    /// Path searches that failed: key → why.
    searches: RefCell<HashMap<[u8; 32], PathError>>,
}

impl Work {
    fn new() -> Work {
        Work {
            units: Cell::new(SIGNATURE_UNITS),
            steps: Cell::new(STEPS),
            exhausted: Cell::new(false),
            checks: RefCell::default(),
            signers: RefCell::default(),
            searches: RefCell::default(),
        }
    }

    /// Takes `cost` signature units from the pool; `false` (and nothing taken) when it
    /// cannot pay.
    pub(crate) fn spend_units(&self, cost: u64) -> bool {
        let left = self.units.get();
        if cost > left {
            self.exhausted.set(true);
            return false;
        }
        self.units.set(left - cost);
        true
    }

    /// Takes `n` steps from the pool; `false` when it cannot pay.
    pub(crate) fn spend_steps(&self, n: u64) -> bool {
        let left = self.steps.get();
        if n > left {
            self.exhausted.set(true);
            return false;
        }
        self.steps.set(left - n);
        true
    }

    /// Whether something was refused for want of budget.
    #[cfg(test)]
    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted.get()
    }

    pub(crate) fn check(&self, key: &[u8; 32]) -> Option<bool> {
        self.checks.borrow().get(key).copied()
    }

    pub(crate) fn remember_check(&self, key: [u8; 32], verified: bool) {
        insert_bounded(&mut self.checks.borrow_mut(), key, verified);
    }

    pub(crate) fn signer(&self, key: &[u8; 32]) -> Option<CryptoOutcome> {
        self.signers.borrow().get(key).cloned()
    }

    pub(crate) fn remember_signer(&self, key: [u8; 32], outcome: CryptoOutcome) {
        insert_bounded(&mut self.signers.borrow_mut(), key, outcome);
    }

    pub(crate) fn failed_search(&self, key: &[u8; 32]) -> Option<PathError> {
        self.searches.borrow().get(key).cloned()
    }

    pub(crate) fn remember_failed_search(&self, key: [u8; 32], why: PathError) {
        insert_bounded(&mut self.searches.borrow_mut(), key, why);
    }
}

fn insert_bounded<V>(memo: &mut HashMap<[u8; 32], V>, key: [u8; 32], value: V) {
    if memo.len() < MAX_MEMO {
        memo.insert(key, value);
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Work>>> = const { RefCell::new(None) };
}

/// The budget of the verification under way on this thread, or a fresh one (for work
/// done outside any [`WorkScope`]).
pub(crate) fn current() -> Rc<Work> {
    CURRENT
        .with(|c| c.borrow().clone())
        .unwrap_or_else(|| Rc::new(Work::new()))
}

/// One verification's budget, for as long as the scope lives: opened by every entry point
/// of the engine ([`super::signature::verify_detached`] and its siblings, timestamp
/// tokens, [`crate::pdf::verify_pdf`]); a scope opened inside another joins it. A caller
/// that wants several verifications to share one budget (a batch from one untrusted
/// source) opens one around them.
#[derive(Debug)]
#[must_use = "the budget lasts as long as the scope"]
pub struct WorkScope {
    installed: bool,
    /// Thread-bound: the budget lives in a thread-local.
    _not_send: std::marker::PhantomData<*const ()>,
}

impl WorkScope {
    /// Opens a budget on this thread, or joins the one already open.
    pub fn enter() -> WorkScope {
        let installed = CURRENT.with(|c| {
            let mut c = c.borrow_mut();
            if c.is_some() {
                return false;
            }
            *c = Some(Rc::new(Work::new()));
            true
        });
        WorkScope {
            installed,
            _not_send: std::marker::PhantomData,
        }
    }
}

impl Drop for WorkScope {
    fn drop(&mut self) {
        if self.installed {
            CURRENT.with(|c| c.borrow_mut().take());
        }
    }
}

/// A memo key: SHA-256 over length-prefixed `parts`.
pub(crate) fn key(parts: &[&[u8]]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_nest_and_share_one_pool() {
        let outer = WorkScope::enter();
        let a = current();
        {
            let _inner = WorkScope::enter();
            assert!(Rc::ptr_eq(&a, &current()));
            assert!(a.spend_units(SIGNATURE_UNITS - 1));
        }
        // Still the outer budget after the inner scope closed.
        assert!(Rc::ptr_eq(&a, &current()));
        assert!(!current().spend_units(2));
        assert!(current().exhausted());
        drop(outer);
        // Outside any scope: a fresh budget each time.
        assert!(!Rc::ptr_eq(&current(), &current()));
        assert!(current().spend_units(SIGNATURE_UNITS));
    }
}
