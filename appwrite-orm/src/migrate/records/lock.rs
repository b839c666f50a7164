//! The migration lock: a row with a fixed id in the history table (Appwrite has no advisory
//! lock; creating a row whose id exists answers 409, which is the "held" signal).
//!
//! - The row carries its owner (host, process and a random part, unique per run), a lease
//!   (random, new at every renewal) and an expiry. A heartbeat task pushes the expiry forward
//!   while the run migrates, updating the row only where the owner is still this run.
//! - A run that finds the lock expired takes it over by deleting the row *where the lease is
//!   the one it saw*, then creating its own: of several runs taking over at once, one deletes
//!   and one creates, the others meet 409 again and wait.
//! - Release deletes the row where the owner is this run. A lock left by a crash expires by
//!   itself; `Migrator::force_unlock` removes it at once.
//!
//! Clocks: expiries are compared with this machine's clock, so machines whose clocks differ by
//! more than the lock's time to live could take over a live lock. Keep clocks in sync (NTP).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::Rng;
use tokio::task::JoinHandle;

use crate::Result;
use crate::migrate::error::MigrateError;
use crate::migrate::options::MigrateOptions;
use crate::migrate::records::history::{History, LockRow, format_time};

/// A held lock; dropping it stops the heartbeat (the row then expires by itself), release
/// deletes the row.
#[derive(Debug)]
pub(crate) struct Lock {
    history: History,
    owner: String,
    lost: Arc<AtomicBool>,
    heartbeat: Option<JoinHandle<()>>,
    /// The lock that was taken over, if any: its run crashed or stalled.
    pub(crate) took_over: Option<LockRow>,
}

fn random_hex(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

fn expiry(ttl: Duration) -> String {
    let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::seconds(60));
    format_time(chrono::Utc::now() + ttl)
}

/// True when the lock's expiry has passed (an expiry that cannot be read counts as passed:
/// a lock nobody can interpret must not block every boot forever).
fn expired(lock: &LockRow) -> bool {
    match chrono::DateTime::parse_from_rfc3339(&lock.expires_at) {
        Ok(t) => t < chrono::Utc::now(),
        Err(_) => true,
    }
}

impl Lock {
    /// Takes the lock, waiting up to `options.lock_wait` for another run to finish.
    pub(crate) async fn acquire(history: &History, options: &MigrateOptions) -> Result<Lock> {
        let owner = format!(
            "{}:{}:{}",
            options.host.chars().take(80).collect::<String>(),
            std::process::id(),
            random_hex(12)
        );
        let started = Instant::now();
        let mut pause = Duration::from_millis(100);
        let mut took_over = None;
        loop {
            let row = LockRow {
                owner: owner.clone(),
                lease: random_hex(16),
                expires_at: expiry(options.lock_ttl),
                host: options.host.clone(),
            };
            match history.create_lock(&row).await {
                Ok(()) => {
                    tracing::debug!(owner = %owner, "migration lock taken");
                    let lost = Arc::new(AtomicBool::new(false));
                    let heartbeat = tokio::spawn(heartbeat(
                        history.clone(),
                        owner.clone(),
                        options.lock_ttl,
                        options.heartbeat,
                        Arc::clone(&lost),
                    ));
                    return Ok(Lock {
                        history: history.clone(),
                        owner,
                        lost,
                        heartbeat: Some(heartbeat),
                        took_over,
                    });
                }
                Err(e) if e.is_conflict() => {}
                Err(e) => return Err(e),
            }
            let Some(held) = history.read_lock().await? else {
                // Released between the create and the read: try again at once.
                continue;
            };
            if expired(&held) {
                tracing::warn!(
                    holder = %held.owner,
                    expired_at = %held.expires_at,
                    "taking over an expired migration lock: its run crashed or stalled"
                );
                history.delete_lock_with_lease(&held.lease).await?;
                took_over = Some(held);
                continue;
            }
            if started.elapsed() >= options.lock_wait {
                return Err(MigrateError::LockTimeout {
                    holder: held.owner,
                    expires_at: held.expires_at,
                    waited_secs: started.elapsed().as_secs(),
                }
                .into());
            }
            tracing::info!(holder = %held.owner, "waiting for the migration lock");
            tokio::time::sleep(pause).await;
            pause = (pause * 3 / 2).min(Duration::from_secs(2));
        }
    }

    /// True once the heartbeat found the lock taken by another run.
    pub(crate) fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    /// An error when the lock was lost.
    pub(crate) fn check(&self) -> Result<()> {
        if self.is_lost() {
            Err(MigrateError::LockLost.into())
        } else {
            Ok(())
        }
    }

    /// Stops the heartbeat and deletes the row if this run still holds it.
    pub(crate) async fn release(mut self) -> Result<()> {
        if let Some(task) = self.heartbeat.take() {
            task.abort();
        }
        self.history.delete_lock_of(&self.owner).await?;
        tracing::debug!(owner = %self.owner, "migration lock released");
        Ok(())
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if let Some(task) = self.heartbeat.take() {
            task.abort();
        }
    }
}

/// Renews the lock every `every`; marks it lost when another run holds it, or when renewing
/// kept failing until it expired.
async fn heartbeat(
    history: History,
    owner: String,
    ttl: Duration,
    every: Duration,
    lost: Arc<AtomicBool>,
) {
    let every = every.max(Duration::from_millis(10));
    let mut valid_until = Instant::now() + ttl;
    loop {
        tokio::time::sleep(every).await;
        let attempt = Instant::now();
        match history
            .renew_lock(&owner, &random_hex(16), &expiry(ttl))
            .await
        {
            Ok(0) => {
                tracing::error!(owner = %owner, "the migration lock was taken over by another run");
                lost.store(true, Ordering::SeqCst);
                return;
            }
            Ok(_) => valid_until = attempt + ttl,
            Err(e) => {
                tracing::warn!(error = %e, "could not renew the migration lock; retrying");
                if Instant::now() >= valid_until {
                    lost.store(true, Ordering::SeqCst);
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_read_from_appwrites_format() {
        let past = LockRow {
            owner: "a".into(),
            lease: "l".into(),
            expires_at: "2020-01-01T00:00:00.000+00:00".into(),
            host: "h".into(),
        };
        assert!(expired(&past));
        let future = LockRow {
            expires_at: expiry(Duration::from_secs(60)),
            ..past.clone()
        };
        assert!(!expired(&future));
        let garbage = LockRow {
            expires_at: "soon".into(),
            ..past
        };
        assert!(expired(&garbage));
        assert_eq!(random_hex(12).len(), 12);
    }
}
