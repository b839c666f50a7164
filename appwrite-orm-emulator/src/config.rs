//! The emulator's settings: where it listens, which project and key it accepts, where the data
//! lives, and the test knobs (latency, faults, column delay).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Everything [`spawn`](crate::spawn) needs. `Default` gives project `test`, key `secret`, data
/// in memory, a free port on 127.0.0.1, and no latency, faults or column delay.
#[derive(Clone, PartialEq)]
pub struct EmulatorConfig {
    /// Address to bind (`127.0.0.1` by default: the emulator has no TLS and one shared key).
    pub host: String,
    /// Port to bind; `0` picks a free one.
    pub port: u16,
    /// The only project id accepted in `X-Appwrite-Project`.
    pub project: String,
    /// The only API key accepted in `X-Appwrite-Key`. Never logged or printed by `Debug`.
    pub key: String,
    /// SQLite file holding the data; `None` keeps it in memory.
    pub data: Option<PathBuf>,
    /// Delay added to every request before it is handled.
    pub latency: Duration,
    /// Share of requests (0.0 to 1.0) answered by an injected fault: a 429 with `Retry-After`,
    /// a 503, or a connection closed without an answer, chosen at random.
    pub fault_rate: f64,
    /// Let faults also strike after a non-idempotent write was applied (creates without a
    /// client id, increments, commits). Off by default: those faults happen before the write.
    pub faults_after_write: bool,
    /// How long new columns and indexes stay `processing` (and deleted ones `deleting`).
    pub column_delay: Duration,
    /// Seed of the fault generator, for reproducible fault sequences; `None` seeds from the OS.
    pub seed: Option<u64>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 0,
            project: "test".to_owned(),
            key: "secret".to_owned(),
            data: None,
            latency: Duration::ZERO,
            fault_rate: 0.0,
            faults_after_write: false,
            column_delay: Duration::ZERO,
            seed: None,
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("project", &self.project)
            .field("key", &"<redacted>")
            .field("data", &self.data)
            .field("latency", &self.latency)
            .field("fault_rate", &self.fault_rate)
            .field("faults_after_write", &self.faults_after_write)
            .field("column_delay", &self.column_delay)
            .field("seed", &self.seed)
            .finish()
    }
}

impl EmulatorConfig {
    /// Checks the settings that could make the server misbehave: an empty project or key, a
    /// fault rate outside `0.0..=1.0`.
    pub fn validate(&self) -> Result<(), String> {
        if self.project.is_empty() {
            return Err("the project id must not be empty".to_owned());
        }
        if self.key.is_empty() {
            return Err("the API key must not be empty".to_owned());
        }
        if !(0.0..=1.0).contains(&self.fault_rate) {
            return Err(format!(
                "the fault rate must be between 0 and 1, got {}",
                self.fault_rate
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_key() {
        let config = EmulatorConfig {
            key: "very-secret-key".into(),
            ..EmulatorConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret-key"));
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn validate_rejects_bad_settings() {
        assert!(EmulatorConfig::default().validate().is_ok());
        let bad_rate = EmulatorConfig {
            fault_rate: 1.5,
            ..EmulatorConfig::default()
        };
        assert!(bad_rate.validate().is_err());
        let nan_rate = EmulatorConfig {
            fault_rate: f64::NAN,
            ..EmulatorConfig::default()
        };
        assert!(nan_rate.validate().is_err());
        let no_key = EmulatorConfig {
            key: String::new(),
            ..EmulatorConfig::default()
        };
        assert!(no_key.validate().is_err());
    }
}
