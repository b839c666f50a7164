//! `backfill`: a table of N rows gets two columns, and a per-row transform fills them
//! (`name_upper` from `name`, `n2` from `n`: a different value in every row, so no single bulk
//! update can do it).
//!
//! - The seed pattern: the columns created one at a time and polled, then pages of 50 rows by
//!   offset, each row updated with its own request, the 50 of a page in flight at once.
//! - appwrite-orm: `migrate()` of version 2, which declares the columns (`since = 2`) and runs a
//!   step calling `m.rows("items").backfill(...)`.
//!
//! Each works on its own database, seeded with the same N rows at version 1.

use std::time::Duration;

use appwrite_orm::backend::Backend;
use appwrite_orm::migrate::{MigrateOptions, MigrationReport};

use super::{OURS_DB, Outcome, SEED_DB, Scenario, Settings};
use crate::data::{self, TABLE};
use crate::harness::{Measured, Server};
use crate::print::{self, Table, count};
use crate::{BenchResult, seed_pattern};

/// Row updates per transaction: Appwrite stages at most 100 operations, and one of them is the
/// backfill's checkpoint.
pub const TRANSACTION_ROWS: u64 = 99;

/// Requests per transaction: create it, stage its operations, commit it.
pub const REQUESTS_PER_TRANSACTION: u64 = 3;

/// The fewest requests the API needs for the backfill, and the time they take at best.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LowerBound {
    /// List requests: `ceil(N / read page)`, one after the other (each needs the cursor the
    /// previous one returned); the read page is the library's
    /// [`MigrateOptions::read_page_rows`](appwrite_orm::migrate::MigrateOptions::read_page_rows).
    pub lists: u64,
    /// Transactions: `ceil(N / TRANSACTION_ROWS)`, each [`REQUESTS_PER_TRANSACTION`] requests.
    pub transactions: u64,
    /// Every request: lists and transaction requests.
    pub requests: u64,
    /// `max(lists × latency, requests × latency ÷ concurrency)`: the lists cannot overlap each
    /// other, and no more than `concurrency` requests are in flight at once.
    pub seconds: f64,
}

impl LowerBound {
    /// The bound for `rows` rows read `read_page` at a time, at `latency`, with `concurrency`
    /// requests in flight.
    pub fn new(rows: u64, read_page: u64, latency: Duration, concurrency: usize) -> Self {
        let lists = rows.div_ceil(read_page.max(1));
        let transactions = rows.div_ceil(TRANSACTION_ROWS);
        let requests = lists + REQUESTS_PER_TRANSACTION * transactions;
        let latency = latency.as_secs_f64();
        let seconds =
            (lists as f64 * latency).max(requests as f64 * latency / concurrency.max(1) as f64);
        LowerBound {
            lists,
            transactions,
            requests,
            seconds,
        }
    }
}

/// Runs the scenario.
pub async fn run(settings: &Settings) -> BenchResult<Outcome> {
    let rows = settings.rows_or(10_000, 500);
    let latency = settings.latency();
    let library_default = MigrateOptions::default().concurrency;
    let concurrency = settings.concurrency.unwrap_or(library_default);
    print::header(
        "backfill",
        &[
            ("rows", count(rows)),
            ("latency", format!("{} ms", latency.as_millis())),
            (
                "concurrency",
                format!("{concurrency} (library default {library_default})"),
            ),
            (
                "seed pattern",
                format!(
                    "pages of {} by offset, {} updates in flight",
                    seed_pattern::PAGE,
                    seed_pattern::PAGE
                ),
            ),
        ],
    );

    let server = Server::start(latency, Duration::ZERO).await?;
    // Same rows, same starting schema (version 1) on both sides, written through the engine.
    let seed_db = data::database_at_v1(&server, SEED_DB).await?;
    data::fill(&seed_db.rows(TABLE), rows).await?;
    let ours_db = server.direct(OURS_DB).await?;
    data::migrator(MigrateOptions::default().target(1))
        .run(&ours_db)
        .await?;
    data::fill(&ours_db.rows(TABLE), rows).await?;

    let (updated, seed) = server
        .measure(the_seed_pattern(server.http().as_ref()))
        .await?;
    let options = MigrateOptions::default().concurrency(concurrency);
    let read_page = options.read_page_rows();
    let migrator = data::migrator(options);
    let over_http = server.over_http(OURS_DB);
    let (report, ours) = server
        .measure(async { Ok(migrator.run(&over_http).await?) })
        .await?;
    let bound = LowerBound::new(rows, read_page, latency, concurrency);

    let mut checks = data::check_transformed("seed pattern", &seed_db.rows(TABLE), rows).await?;
    checks.extend(data::check_transformed("appwrite-orm", &ours_db.rows(TABLE), rows).await?);
    server.shutdown().await;

    print_results(rows, updated, &seed, &ours, &report, &bound);
    println!(
        "lower bound inputs: {} rows, read page R = {read_page} -> {} list requests in sequence; \
         {TRANSACTION_ROWS} rows per transaction -> {} transactions x {REQUESTS_PER_TRANSACTION} \
         requests; latency L = {} ms; concurrency C = {concurrency}",
        count(rows),
        count(bound.lists),
        count(bound.transactions),
        latency.as_millis(),
    );
    println!(
        "lower bound = max(lists x L, (lists + 3 x transactions) x L / C) = max({:.3}, {:.3}) = {:.3} s",
        bound.lists as f64 * latency.as_secs_f64(),
        bound.requests as f64 * latency.as_secs_f64() / concurrency.max(1) as f64,
        bound.seconds,
    );
    if let Some(job) = report.version(2).and_then(|v| v.backfills.first()) {
        println!(
            "library backfill (its report): {} pages read, {} rows matched, {} written",
            count(job.pages),
            count(job.matched),
            count(job.written),
        );
    }
    let by_operation: Vec<String> = report
        .requests_by_operation
        .iter()
        .map(|(operation, n)| format!("{operation} {n}"))
        .collect();
    println!("library requests by operation: {}", by_operation.join(", "));
    let of_bound = print::divide(ours.seconds, bound.seconds);
    Ok(Outcome {
        scenario: Scenario::Backfill,
        summary: format!(
            "backfill: {} faster than the seed pattern, {} the lower bound",
            print::speedup(&seed, &ours),
            print::ratio(of_bound)
        ),
        checks,
    })
}

/// The seed pattern's version of the migration: both columns one at a time, each polled until
/// available, then every row updated page by page. Returns the rows updated.
async fn the_seed_pattern(backend: &dyn Backend) -> BenchResult<u64> {
    for column in data::schema().columns.iter().filter(|c| c.since == 2) {
        seed_pattern::create_column_and_wait(backend, SEED_DB, TABLE, column).await?;
    }
    seed_pattern::update_every_row_by_offset(backend, SEED_DB, TABLE, data::transform).await
}

fn print_results(
    rows: u64,
    updated: u64,
    seed: &Measured,
    ours: &Measured,
    report: &MigrationReport,
    bound: &LowerBound,
) {
    let rate = |m: &Measured| count((print::divide(rows as f64, m.seconds)) as u64);
    let mut table = Table::new(&[
        "",
        "seconds",
        "server requests",
        "report requests",
        "rows/s",
    ]);
    table
        .row(vec![
            format!("seed pattern ({} rows updated)", count(updated)),
            print::seconds(seed.seconds),
            count(seed.requests),
            "-".into(),
            rate(seed),
        ])
        .row(vec![
            "appwrite-orm migrate()".into(),
            print::seconds(ours.seconds),
            count(ours.requests),
            count(report.requests),
            rate(ours),
        ])
        .row(vec![
            "lower bound".into(),
            print::seconds(bound.seconds),
            count(bound.requests),
            "-".into(),
            count(print::divide(rows as f64, bound.seconds) as u64),
        ]);
    table.print();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lower_bound_follows_its_formula() {
        // 10,000 rows read 99 at a time: 102 lists, 102 transactions (306 requests), 408 in
        // all; the lists, one after the other, dominate.
        let b = LowerBound::new(10_000, 99, Duration::from_millis(30), 8);
        assert_eq!((b.lists, b.transactions, b.requests), (102, 102, 408));
        assert!((b.seconds - 3.06).abs() < 1e-9, "{}", b.seconds);
        // Read 792 at a time: 13 lists; the requests over the concurrency dominate.
        let b = LowerBound::new(10_000, 792, Duration::from_millis(30), 8);
        assert_eq!((b.lists, b.requests), (13, 319));
        assert!(
            (b.seconds - 319.0 * 0.03 / 8.0).abs() < 1e-9,
            "{}",
            b.seconds
        );
        // One request in flight: every request waits for the one before.
        let serial = LowerBound::new(10_000, 99, Duration::from_millis(30), 1);
        assert!((serial.seconds - 408.0 * 0.03).abs() < 1e-9);
    }
}
