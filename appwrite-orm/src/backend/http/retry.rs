//! Which failures are worth another attempt, and how long to wait before it.

use std::time::Duration;

use rand::Rng;

use super::config::RetryPolicy;

/// Statuses that say "try again later": rate limit, and the server or a proxy failing.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// The delay before retry number `retry` (0 for the first retry): full jitter, i.e. a random
/// duration in `[0, min(max_delay, base_delay * 2^retry)]` (the cap itself without jitter).
pub(crate) fn backoff(policy: &RetryPolicy, retry: u32) -> Duration {
    let factor = 2u32.saturating_pow(retry.min(30));
    let cap = policy
        .base_delay
        .checked_mul(factor)
        .unwrap_or(policy.max_delay)
        .min(policy.max_delay);
    if policy.jitter && !cap.is_zero() {
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::rng().random_range(0..=nanos))
    } else {
        cap
    }
}

/// A `Retry-After` header in seconds (Appwrite sends seconds; an HTTP date is ignored and the
/// computed backoff used instead).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            jitter: false,
            ..RetryPolicy::default()
        };
        assert_eq!(backoff(&policy, 0), Duration::from_millis(200));
        assert_eq!(backoff(&policy, 1), Duration::from_millis(400));
        assert_eq!(backoff(&policy, 3), Duration::from_millis(1600));
        assert_eq!(backoff(&policy, 10), Duration::from_secs(10));
        assert_eq!(backoff(&policy, u32::MAX), Duration::from_secs(10));
        let jittered = RetryPolicy::default();
        for n in 0..20 {
            assert!(backoff(&jittered, n) <= Duration::from_secs(10));
        }
    }

    #[test]
    fn retry_after_in_seconds() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
