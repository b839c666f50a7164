//! The error collector shared by every pass.
//!
//! A derive reports every mistake of an item at once: each pass records its errors here and
//! goes on with a best-effort value, and the entry point turns them into one combined
//! `syn::Error` at the end (serde_derive's `Ctxt`).

use std::cell::RefCell;
use std::fmt::Display;

use quote::ToTokens;

/// Collects errors; [`Ctxt::check`] must be called before it is dropped.
pub(crate) struct Ctxt {
    // `None` once checked, so that a forgotten check is caught in debug builds.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub(crate) fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// Records an error spanned on the tokens of `obj`.
    pub(crate) fn error_spanned_by<T: ToTokens, M: Display>(&self, obj: T, message: M) {
        self.syn_error(syn::Error::new_spanned(obj.into_token_stream(), message));
    }

    /// Records an error at `loc` (a span, or a range of tokens).
    pub(crate) fn error_at<M: Display>(&self, loc: impl Into<crate::attr::Loc>, message: M) {
        let loc = loc.into();
        self.syn_error(syn::Error::new_spanned(loc, message));
    }

    /// Records an error that was already built (e.g. by syn's parser).
    pub(crate) fn syn_error(&self, error: syn::Error) {
        if let Some(errors) = self.errors.borrow_mut().as_mut() {
            errors.push(error);
        }
    }

    /// True when an error has been recorded.
    pub(crate) fn has_errors(&self) -> bool {
        self.errors.borrow().as_ref().is_some_and(|e| !e.is_empty())
    }

    /// Every recorded error combined into one, or `Ok` when there was none.
    pub(crate) fn check(self) -> syn::Result<()> {
        let mut errors = self.errors.borrow_mut().take().unwrap_or_default();
        // The passes find errors in their own order (parse, then check); the reader wants
        // them in the order of the source.
        errors.sort_by_key(|e| {
            let start = e.span().start();
            (start.line, start.column)
        });
        let mut iter = errors.into_iter();
        let Some(mut combined) = iter.next() else {
            return Ok(());
        };
        for error in iter {
            combined.combine(error);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        // An unchecked context would silently lose errors; only the macro's own tests could
        // hit this, and a panic inside a panic would abort, hence the guard.
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("Ctxt dropped without check()");
        }
    }
}
