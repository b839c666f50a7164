//! `appwrite-emulator`: serves Appwrite's Databases REST API on the embedded engine.
//!
//! Prints the base URL (`http://127.0.0.1:PORT/v1`) as the first line of stdout, then logs to
//! stderr until interrupted (Ctrl-C or SIGTERM).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use appwrite_orm_emulator::{EmulatorConfig, spawn};
use clap::Parser;

/// Appwrite 1.9.6 Databases API emulator on SQLite.
#[derive(Debug, Parser)]
#[command(name = "appwrite-emulator", version)]
struct Cli {
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to bind (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Project id clients must send in X-Appwrite-Project.
    #[arg(long, default_value = "test")]
    project: String,
    /// API key clients must send in X-Appwrite-Key.
    #[arg(
        long,
        default_value = "secret",
        env = "APPWRITE_EMULATOR_KEY",
        hide_env_values = true
    )]
    key: String,
    /// SQLite file for the data (default: in memory).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Milliseconds added to every request.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of requests (0 to 1) answered by a fault: 429, 503 or a dropped connection.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    /// Let faults also hit non-idempotent requests after their write was applied.
    #[arg(long)]
    faults_after_write: bool,
    /// Milliseconds new columns and indexes stay `processing`.
    #[arg(long, default_value_t = 0)]
    column_delay_ms: u64,
    /// Seed of the fault generator (reproducible fault sequences).
    #[arg(long)]
    seed: Option<u64>,
}

impl From<Cli> for EmulatorConfig {
    fn from(cli: Cli) -> Self {
        EmulatorConfig {
            host: cli.host,
            port: cli.port,
            project: cli.project,
            key: cli.key,
            data: cli.data,
            latency: Duration::from_millis(cli.latency_ms),
            fault_rate: cli.fault_rate,
            faults_after_write: cli.faults_after_write,
            column_delay: Duration::from_millis(cli.column_delay_ms),
            seed: cli.seed,
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = EmulatorConfig::from(Cli::parse());
    let emulator = match spawn(config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("appwrite-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    if writeln!(stdout, "{}", emulator.endpoint())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        // Nobody reads stdout any more; keep serving all the same.
        tracing::warn!("could not write the endpoint to stdout");
    }
    wait_for_signal().await;
    tracing::info!("shutting down");
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
