//! Time stamps and generated ids in Appwrite's formats.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

/// Milliseconds since the Unix epoch.
pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A time stamp as Appwrite writes one: `YYYY-MM-DDTHH:MM:SS.mmm+00:00`.
pub(super) fn format_ms(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3f+00:00")
        .to_string()
}

/// The current time stamp.
pub(super) fn now() -> String {
    format_ms(now_ms())
}

/// Milliseconds since the Unix epoch of a stored time stamp (see [`format_ms`]); `None` for
/// text that is not one. Sub-millisecond digits are dropped, as Appwrite stores none.
pub(super) fn parse_ms(stamp: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(stamp)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// An id like Appwrite's `ID.unique()`.
pub(super) fn unique_id() -> String {
    crate::backend::new_unique_id()
}
