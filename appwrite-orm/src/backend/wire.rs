//! What one backend call costs on the wire.
//!
//! A single [`Backend`](super::Backend) call can send several HTTP requests: retries after a
//! 429 or a dropped connection, the polls of a create-table whose columns are created one by
//! one, the read that resolves a repeated create. `observe` runs a call with a tally in
//! task-local storage; the HTTP transport adds every attempt it sends to the tally of the
//! call it belongs to (`note_attempt`). Backends that send nothing (the embedded engine)
//! leave it at zero, and the caller counts the call itself as one request.
//!
//! Tallies nest: a counting wrapper around another counting wrapper sees the same requests,
//! because a finished inner tally is added to the enclosing one.

use std::cell::Cell;
use std::future::Future;

/// Requests one call sent.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WireCount {
    /// Every attempt sent, the first one included.
    pub requests: u64,
    /// Attempts that repeated an earlier one of the same request.
    pub retries: u64,
}

tokio::task_local! {
    static TALLY: Cell<WireCount>;
}

/// Records one attempt in the tally of the call being observed (if any).
pub(crate) fn note_attempt(retry: bool) {
    let _ = TALLY.try_with(|tally| {
        let mut count = tally.get();
        count.requests += 1;
        count.retries += u64::from(retry);
        tally.set(count);
    });
}

/// Runs `call` and returns what it sent on the wire with its output.
pub(crate) async fn observe<F: Future>(call: F) -> (F::Output, WireCount) {
    let (output, count) = TALLY
        .scope(Cell::new(WireCount::default()), async {
            let output = call.await;
            (output, TALLY.with(Cell::get))
        })
        .await;
    // An enclosing observer counts these requests too.
    let _ = TALLY.try_with(|outer| {
        let mut total = outer.get();
        total.requests += count.requests;
        total.retries += count.retries;
        outer.set(total);
    });
    (output, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn attempts_land_in_the_innermost_call_and_add_up_outwards() {
        let ((inner, nested), outer) = observe(async {
            note_attempt(false);
            observe(async {
                note_attempt(false);
                note_attempt(true);
            })
            .await
        })
        .await;
        assert_eq!(inner, ());
        assert_eq!(
            nested,
            WireCount {
                requests: 2,
                retries: 1
            }
        );
        assert_eq!(
            outer,
            WireCount {
                requests: 3,
                retries: 1
            }
        );
        // Outside any observer an attempt is simply not counted.
        note_attempt(true);
    }
}
