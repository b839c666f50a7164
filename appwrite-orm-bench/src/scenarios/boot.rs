//! `boot`: `migrate()` on a database that is already migrated, as every replica and every
//! serverless cold start calls it. The baseline is the cost floor of any request: one `get_row`
//! round trip.

use std::time::Duration;

use appwrite_orm::migrate::MigrateOptions;

use super::{Check, Outcome, Scenario, Settings};
use crate::BenchResult;
use crate::data::{self, TABLE};
use crate::harness::{Measured, Server, median};
use crate::print::{self, Table, count};

/// The database booted.
const DB: &str = "app";

/// Runs the scenario.
pub async fn run(settings: &Settings) -> BenchResult<Outcome> {
    let boots = settings.sized(50, 10);
    let latency = settings.latency();
    print::header(
        "boot",
        &[
            ("boots", boots.to_string()),
            ("latency", format!("{} ms", latency.as_millis())),
            ("concurrency", "1 (one boot or round trip at a time)".into()),
            (
                "database",
                "migrated to version 2 (one table, one step)".into(),
            ),
        ],
    );

    let server = Server::start(latency, Duration::ZERO).await?;
    server.direct(DB).await?;
    let db = server.over_http(DB);
    let migrator = data::migrator(MigrateOptions::default());
    migrator.run(&db).await?;
    // One row for the round trip to read.
    data::fill(&server.direct(DB).await?.rows(TABLE), 1).await?;

    let mut boot_runs = Vec::with_capacity(boots);
    let mut report_requests = Vec::with_capacity(boots);
    let mut nothing_pending = 0u64;
    for _ in 0..boots {
        let (report, measured) = server
            .measure(async { Ok(migrator.run(&db).await?) })
            .await?;
        nothing_pending += u64::from(report.nothing_pending);
        report_requests.push(report.requests);
        boot_runs.push(measured);
    }
    let row = data::row_id(0);
    let mut round_trips = Vec::with_capacity(boots);
    for _ in 0..boots {
        let (_, measured) = server
            .measure(async { Ok(db.backend().get_row(DB, TABLE, &row, &[]).await?) })
            .await?;
        round_trips.push(measured);
    }
    server.shutdown().await;

    let server_requests: Vec<u64> = boot_runs.iter().map(|m| m.requests).collect();
    let mut table = Table::new(&[
        "",
        "median s",
        "min s",
        "max s",
        "server requests per call",
        "report requests per call",
    ]);
    table
        .row(vec![
            "migrate(), nothing pending".into(),
            print::seconds(median(&seconds(&boot_runs))),
            print::seconds(fold(&boot_runs, f64::min)),
            print::seconds(fold(&boot_runs, f64::max)),
            per_call(&server_requests),
            per_call(&report_requests),
        ])
        .row(vec![
            "get_row round trip".into(),
            print::seconds(median(&seconds(&round_trips))),
            print::seconds(fold(&round_trips, f64::min)),
            print::seconds(fold(&round_trips, f64::max)),
            per_call(&round_trips.iter().map(|m| m.requests).collect::<Vec<_>>()),
            "-".into(),
        ]);
    table.print();

    let ratio = print::divide(median(&seconds(&boot_runs)), median(&seconds(&round_trips)));
    Ok(Outcome {
        scenario: Scenario::Boot,
        summary: format!(
            "boot: {} one round trip (median of {boots} boots, {} server request(s) per boot)",
            print::ratio(ratio),
            per_call(&server_requests)
        ),
        checks: vec![Check::new(
            "boots that found nothing pending",
            boots as u64,
            nothing_pending,
        )],
    })
}

fn seconds(runs: &[Measured]) -> Vec<f64> {
    runs.iter().map(|m| m.seconds).collect()
}

fn fold(runs: &[Measured], pick: fn(f64, f64) -> f64) -> f64 {
    runs.iter().map(|m| m.seconds).reduce(pick).unwrap_or(0.0)
}

/// `1` when every call made the same number of requests, `min-max` otherwise.
fn per_call(requests: &[u64]) -> String {
    let min = requests.iter().copied().min().unwrap_or(0);
    let max = requests.iter().copied().max().unwrap_or(0);
    if min == max {
        count(min)
    } else {
        format!("{}-{}", count(min), count(max))
    }
}
