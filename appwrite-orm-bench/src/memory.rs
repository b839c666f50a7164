//! This process's resident memory, from Linux's `/proc/self/status`, and the reset of its peak
//! so that the peak of one phase can be told from the phases before it.

/// Resident memory now (`VmRSS`), in bytes; `None` where `/proc` is not available.
pub fn resident() -> Option<u64> {
    status_kib("VmRSS").map(|k| k * 1024)
}

/// The highest resident memory since start or since the last [`reset_peak`] (`VmHWM`), in
/// bytes.
pub fn peak() -> Option<u64> {
    status_kib("VmHWM").map(|k| k * 1024)
}

/// Resets the peak to the current resident memory by writing `5` to `/proc/self/clear_refs`
/// (Linux 4.0+). False when that is not permitted or not supported: the caller then measures
/// in a fresh child process instead, whose peak belongs to the measured phase alone.
pub fn reset_peak() -> bool {
    if std::fs::write("/proc/self/clear_refs", "5").is_err() {
        return false;
    }
    // A kernel that ignores the request leaves the old peak: check that it came down to
    // what is resident now (a little may have been allocated in between).
    match (peak(), resident()) {
        (Some(peak), Some(now)) => peak <= now + 1024 * 1024,
        _ => false,
    }
}

/// A `kB` field of `/proc/self/status`.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_kib(&status, field)
}

fn parse_kib(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_are_read_in_kib() {
        let status = "Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n";
        assert_eq!(parse_kib(status, "VmRSS"), Some(1024));
        assert_eq!(parse_kib(status, "VmHWM"), Some(2048));
        assert_eq!(parse_kib(status, "VmPeak"), None);
    }
}
