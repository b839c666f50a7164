//! The emulator every HTTP scenario talks to, the client that reaches it, and the stopwatch
//! that pairs seconds with the server's own request count.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use appwrite_orm::Database;
use appwrite_orm::backend::Backend;
use appwrite_orm::backend::http::{ApiKey, HttpBackend, HttpConfig};
use appwrite_orm_emulator::{EmulatorConfig, RunningEmulator};

use crate::BenchResult;

/// Requests the HTTP client lets into flight at once. The library's default (16) would cap the
/// seed pattern's 50 concurrent updates and make the baseline look slower than it is; both sides
/// use this one client, so neither is held back by it.
pub const MAX_IN_FLIGHT: usize = 64;

/// An emulator started in-process on 127.0.0.1 with its data in memory, and two ways in: the
/// HTTP backend (what is measured) and the engine behind the server (for seeding and checking,
/// so that setup neither waits for the latency nor shows in the request counts).
pub struct Server {
    emulator: RunningEmulator,
    http: Arc<dyn Backend>,
}

/// What one measured piece of work cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// Wall-clock seconds.
    pub seconds: f64,
    /// HTTP requests the server received meanwhile (retries and faulted ones included).
    pub requests: u64,
}

impl Server {
    /// Starts an emulator that adds `latency` to every request and keeps new columns and
    /// indexes `processing` for `column_delay`, and connects an HTTP backend to it.
    pub async fn start(latency: Duration, column_delay: Duration) -> BenchResult<Server> {
        let emulator = appwrite_orm_emulator::spawn(EmulatorConfig {
            host: "127.0.0.1".to_owned(),
            data: None,
            latency,
            column_delay,
            ..EmulatorConfig::default()
        })
        .await?;
        let mut config = HttpConfig::new(
            emulator.endpoint(),
            emulator.project(),
            ApiKey::new(emulator.key()),
        );
        // The version is known: no `GET /v1/health/version` before the first call, so every
        // request the server counts is one the measured code asked for.
        config.server_version = Some(appwrite_orm_emulator::VERSION.to_owned());
        config.max_in_flight = MAX_IN_FLIGHT;
        config.timeout = Duration::from_secs(120);
        let http: Arc<dyn Backend> = Arc::new(HttpBackend::new(config)?);
        Ok(Server { emulator, http })
    }

    /// Requests the server has received since it started.
    pub fn requests(&self) -> u64 {
        self.emulator.requests()
    }

    /// The HTTP backend, for baselines written against the [`Backend`] trait.
    pub fn http(&self) -> &Arc<dyn Backend> {
        &self.http
    }

    /// Database `id` reached over HTTP; nothing is sent.
    pub fn over_http(&self, id: &str) -> Database {
        Database::new(Arc::clone(&self.http), id)
    }

    /// Database `id` reached through the engine directly (created when missing): no latency,
    /// not counted.
    pub async fn direct(&self, id: &str) -> BenchResult<Database> {
        Ok(Database::ready(self.emulator.backend(), id).await?)
    }

    /// Runs `work` and returns its result with the seconds it took and the requests the server
    /// received meanwhile. Only one measured piece of work runs at a time, so the count is
    /// its own.
    pub async fn measure<T>(
        &self,
        work: impl Future<Output = BenchResult<T>>,
    ) -> BenchResult<(T, Measured)> {
        let before = self.requests();
        let (value, seconds) = timed(work).await?;
        let requests = self.requests() - before;
        Ok((value, Measured { seconds, requests }))
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(self) {
        self.emulator.shutdown().await;
    }
}

/// Runs `work` and returns its result with the wall-clock seconds it took.
pub async fn timed<T>(work: impl Future<Output = BenchResult<T>>) -> BenchResult<(T, f64)> {
    let started = Instant::now();
    let value = work.await?;
    Ok((value, started.elapsed().as_secs_f64()))
}

/// The median of `samples` (the mean of the middle two for an even count); 0 for none.
pub fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if !n.is_multiple_of(2) => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }
}
