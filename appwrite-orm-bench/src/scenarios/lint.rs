//! `lint`: what `MigrateOptions::lint_before_run(true)` costs a deploy, and what it saves when
//! the data would make the deploy fail.
//!
//! Every side works on its own copy of the same N rows at version 1 (see
//! [`crate::accounts`]); version 2 adds a unique index on `email` (unique values), a
//! required `slug` that its step fills, and its step drops `legacy` with a backup directory:
//! lint counts duplicates page by page, rows lacking `slug` and values `legacy` holds, runs the
//! step against the recorder, and finds no error.
//!
//! - (a) baseline: `migrate()` of version 2 without the gate;
//! - (c) `Migrator::lint` alone, on the copy (b) then migrates;
//! - (b) `migrate()` with `lint_before_run(true)`.
//!
//! Then two more copies hold two extra rows whose emails repeat others': the baseline run
//! fails half-way (at the unique index, after creating `slug`), the gated run refuses before
//! any write.

use std::path::Path;
use std::time::Duration;

use appwrite_orm::Database;
use appwrite_orm::migrate::{LintReport, MigrateError, MigrateOptions, MigrationReport};
use appwrite_orm::prelude::*;

use super::{Check, OURS_DB, Outcome, SEED_DB, Scenario, Settings};
use crate::BenchResult;
use crate::accounts::{self, LEGACY, SLUG, TABLE};
use crate::harness::{Measured, Server};
use crate::print::{self, Table, count};

/// The copy the baseline run fails on (duplicated emails).
const SEED_DUPLICATES_DB: &str = "seed-dups";
/// The copy the gated run refuses (duplicated emails).
const OURS_DUPLICATES_DB: &str = "ours-dups";

/// What the four measured deploys and the lint cost.
struct Sides {
    baseline: Measured,
    lint: Measured,
    gated: Measured,
    failing: Measured,
    refused: Measured,
}

/// Runs the scenario.
pub async fn run(settings: &Settings) -> BenchResult<Outcome> {
    let rows = settings.rows_or(10_000, 300);
    let latency = settings.latency();
    print_header(rows, latency);
    let server = Server::start(latency, Duration::ZERO).await?;
    for (id, duplicates) in [
        (SEED_DB, false),
        (OURS_DB, false),
        (SEED_DUPLICATES_DB, true),
        (OURS_DUPLICATES_DB, true),
    ] {
        accounts::copy_at_v1(&server, id, rows, duplicates).await?;
    }
    let backups = tempfile::tempdir()?;

    let (report, sides, failures) = measure(&server, backups.path()).await?;
    // The findings show what lint had to count (and whether its budget cut a count short).
    print!("(c) {report}");
    let mut checks = Vec::new();
    for (label, id) in [("baseline", SEED_DB), ("lint_before_run", OURS_DB)] {
        checks.extend(check_migrated(label, &server.direct(id).await?, rows).await?);
    }
    checks.push(Check::new(
        "(c) lint: reports with errors",
        0,
        u64::from(report.has_errors()),
    ));
    checks.extend(failures);
    let refused = server.direct(OURS_DUPLICATES_DB).await?;
    checks.extend(check_untouched("refused copy", &refused, rows + 2).await?);
    let half_way = server.direct(SEED_DUPLICATES_DB).await?;
    println!(
        "the baseline run that failed left: {} column at version {}",
        if has_column(&half_way, SLUG).await? {
            "a `slug`"
        } else {
            "no `slug`"
        },
        applied(&half_way).await?
    );
    server.shutdown().await;

    print_results(&sides);
    Ok(Outcome {
        scenario: Scenario::Lint,
        summary: format!(
            "lint: lint_before_run made the deploy {} as slow ({} requests; lint alone {} s); \
             refused bad data in {} of the time the ungated run took to fail",
            print::ratio(print::divide(sides.gated.seconds, sides.baseline.seconds)),
            extra(&sides.gated, &sides.baseline),
            print::seconds(sides.lint.seconds),
            print::ratio(print::divide(sides.refused.seconds, sides.failing.seconds)),
        ),
        checks,
    })
}

/// The measured work, one piece at a time: (a), (c), (b), then the two runs on duplicates.
/// Returns the lint's report, the measurements and the checks of how the last two ended.
async fn measure(server: &Server, backups: &Path) -> BenchResult<(LintReport, Sides, Vec<Check>)> {
    let options = || MigrateOptions::default().backups_in(backups);
    let plain = accounts::migrator_v2(options());
    let gated = accounts::migrator_v2(options().lint_before_run(true));
    let migrate = |migrator, id| {
        let db = server.over_http(id);
        async move { deploy(&migrator, &db).await }
    };
    let (_, baseline) = server.measure(ok(migrate(plain.clone(), SEED_DB))).await?;
    let ours = server.over_http(OURS_DB);
    let (report, lint) = server
        .measure(async { Ok(plain.lint(&ours).await?) })
        .await?;
    let (_, gated_run) = server.measure(ok(migrate(gated.clone(), OURS_DB))).await?;
    let (failed, failing) = server.measure(migrate(plain, SEED_DUPLICATES_DB)).await?;
    let (refusal, refused) = server.measure(migrate(gated, OURS_DUPLICATES_DB)).await?;
    let checks = vec![
        Check::new(
            "baseline on duplicates: runs that failed",
            1,
            u64::from(failed.is_err()),
        ),
        Check::new(
            "lint_before_run on duplicates: runs refused by lint",
            1,
            u64::from(refusal.as_ref().is_err_and(refused_by_lint)),
        ),
    ];
    let sides = Sides {
        baseline,
        lint,
        gated: gated_run,
        failing,
        refused,
    };
    Ok((report, sides, checks))
}

/// One deploy; its failure is a result here, not an error of the scenario.
async fn deploy(
    migrator: &appwrite_orm::migrate::Migrator,
    db: &Database,
) -> BenchResult<Result<MigrationReport, appwrite_orm::Error>> {
    Ok(migrator.run(db).await)
}

/// A deploy that must succeed.
async fn ok(
    run: impl Future<Output = BenchResult<Result<MigrationReport, appwrite_orm::Error>>>,
) -> BenchResult<MigrationReport> {
    Ok(run.await??)
}

fn refused_by_lint(error: &appwrite_orm::Error) -> bool {
    matches!(error, appwrite_orm::Error::Migrate(e) if matches!(**e, MigrateError::Lint(_)))
}

/// A migrated copy: every row kept, `slug` filled everywhere (counted by the server's own
/// `isNull`), `legacy` gone, version 2 applied.
async fn check_migrated(label: &str, db: &Database, rows: u64) -> BenchResult<Vec<Check>> {
    let table = db.rows(TABLE);
    let without_slug = table.query().with(Query::is_null(SLUG)).count().await?;
    Ok(vec![
        Check::new(format!("{label}: rows"), rows, table.query().count().await?),
        Check::new(format!("{label}: rows without a slug"), 0, without_slug),
        Check::new(
            format!("{label}: legacy columns left"),
            0,
            u64::from(has_column(db, LEGACY).await?),
        ),
        Check::new(format!("{label}: version applied"), 2, applied(db).await?),
    ])
}

/// A copy nothing was written to: its rows, still at version 1, no `slug`.
async fn check_untouched(label: &str, db: &Database, rows: u64) -> BenchResult<Vec<Check>> {
    Ok(vec![
        Check::new(
            format!("{label}: rows"),
            rows,
            db.rows(TABLE).query().count().await?,
        ),
        Check::new(format!("{label}: version applied"), 1, applied(db).await?),
        Check::new(
            format!("{label}: slug columns created"),
            0,
            u64::from(has_column(db, SLUG).await?),
        ),
    ])
}

async fn has_column(db: &Database, key: &str) -> BenchResult<bool> {
    let table = db.backend().get_table(db.id(), TABLE).await?;
    Ok(table.column(key).is_some())
}

/// The version the history says is applied.
async fn applied(db: &Database) -> BenchResult<u64> {
    let status = accounts::migrator_v2(MigrateOptions::default())
        .status(db)
        .await?;
    Ok(u64::from(status.applied))
}

/// `+N` requests of `side` over `base` (`-N` when it made fewer).
fn extra(side: &Measured, base: &Measured) -> String {
    if side.requests >= base.requests {
        format!("+{}", count(side.requests - base.requests))
    } else {
        format!("-{}", count(base.requests - side.requests))
    }
}

fn print_header(rows: u64, latency: Duration) {
    print::header(
        "lint",
        &[
            ("rows", count(rows)),
            ("latency", format!("{} ms", latency.as_millis())),
            (
                "version 2",
                "unique index on email, required slug filled by its step, legacy dropped \
                 (backups on)"
                    .to_owned(),
            ),
            ("refusal", "2 more rows repeating emails".to_owned()),
        ],
    );
}

/// Each side's seconds and requests against its baseline: the clean deploy's for the first
/// three, the failing run's for the refusal.
fn print_results(sides: &Sides) {
    let mut table = Table::new(&[
        "",
        "seconds",
        "server requests",
        "vs baseline",
        "extra requests",
    ]);
    let rows = [
        ("(a) migrate(), no gate", &sides.baseline, &sides.baseline),
        ("(c) Migrator::lint alone", &sides.lint, &sides.baseline),
        (
            "(b) migrate(), lint_before_run",
            &sides.gated,
            &sides.baseline,
        ),
        (
            "duplicates: migrate() fails half-way",
            &sides.failing,
            &sides.failing,
        ),
        (
            "duplicates: lint_before_run refuses",
            &sides.refused,
            &sides.failing,
        ),
    ];
    for (label, side, base) in rows {
        table.row(vec![
            label.to_owned(),
            print::seconds(side.seconds),
            count(side.requests),
            print::ratio(print::divide(side.seconds, base.seconds)),
            extra(side, base),
        ]);
    }
    table.print();
}
