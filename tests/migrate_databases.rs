//! Several databases in one binary, each case on the embedded engine and over HTTP through the
//! emulator: models naming their database, typed CRUD through them, and migrations run per
//! database (its own history, lock and versions; the connection's database first, then the
//! others by id; a database created when missing; a failure in one database leaving the
//! versions of the databases before it recorded).

#![allow(clippy::duplicated_attributes)]

mod migrate_support;

use appwrite_orm::Error;
use appwrite_orm::cli::Exit;
use std::sync::{Arc, Mutex};

use appwrite_orm::migrate::{MigrationDef, Migrator, ProgressEvent, RunStatus, VersionStatus};
use appwrite_orm::prelude::*;
use migrate_support::{Fixture, Kind};
use serde_json::json;

/// The connection's database in these cases is the fixture's `app`.
const STATS: &str = "stats";

#[derive(Table, Debug, Clone)]
#[table(id = "users", name = "Users")]
pub struct User {
    #[column(id)]
    pub id: RowId,
    #[column(size = 100)]
    pub name: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(id = "events", name = "Events", database = "stats")]
pub struct Event {
    #[column(id)]
    pub id: RowId,
    #[column(size = 50)]
    pub kind: String,
    #[column(min = 0)]
    pub weight: Option<i64>,
}

/// The database `stats` is gone (on a real server an earlier case may have left it).
async fn without_stats(f: &Fixture) {
    match f.db.backend().delete_database(STATS).await {
        Ok(()) => {}
        Err(e) if e.is_not_found() => {}
        Err(e) => panic!("could not delete the database {STATS}: {e}"),
    }
    f.counter.reset();
}

fn user(id: &str, name: &str) -> User {
    User {
        id: RowId::new(id).unwrap(),
        name: name.into(),
    }
}

fn event(id: &str, kind: &str) -> Event {
    Event {
        id: RowId::new(id).unwrap(),
        kind: kind.into(),
        weight: None,
    }
}

/// Version 1 of `app`: a first user. Versions 1 and 2 of `stats`: a first event, then every
/// event weighed.
fn first_release() -> Vec<MigrationDef> {
    vec![
        MigrationDef::new(1, "first user", |m| {
            Box::pin(async move {
                m.table::<User>().upsert(&user("ada", "Ada")).await?;
                Ok(())
            })
        }),
        MigrationDef::new(1, "first event", |m| {
            Box::pin(async move {
                m.table::<Event>().upsert(&event("e1", "signup")).await?;
                Ok(())
            })
        })
        .database(STATS),
        MigrationDef::new(2, "weigh events", |m| {
            Box::pin(async move {
                m.table::<Event>()
                    .backfill(Event::WEIGHT.is_null(), |_| Event::patch().weight(Some(1)))
                    .await?;
                Ok(())
            })
        })
        .database(STATS),
    ]
}

fn binary(f: &Fixture, migrations: Vec<MigrationDef>) -> Migrator {
    Migrator::new([User::schema(), Event::schema()], migrations).with_options(f.options())
}

/// The history rows of `database` with their status.
async fn history(f: &Fixture, database: &str) -> Vec<(u32, VersionStatus)> {
    let status = Migrator::new([], [])
        .with_options(f.options())
        .status(&f.db.in_database(database))
        .await
        .expect("status");
    status
        .history
        .iter()
        .map(|e| (e.version, e.status))
        .collect()
}

async fn each_database_is_an_independent_stream(kind: Kind) {
    let f = Fixture::new(kind).await;
    without_stats(&f).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let report = binary(&f, first_release())
        .with_progress(move |event: &ProgressEvent<'_>| {
            let mut seen = sink.lock().unwrap();
            match event {
                ProgressEvent::DatabaseStarted { database } => seen.push(database.to_string()),
                ProgressEvent::VersionApplied { report, .. } => {
                    seen.push(format!("{}: {}", report.database, report.version))
                }
                _ => {}
            }
        })
        .run(&f.db)
        .await
        .unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        ["app", "app: 1", "stats", "stats: 1", "stats: 2"]
    );

    let parts: Vec<(&str, &[u32], bool)> = report
        .databases
        .iter()
        .map(|d| (d.database.as_str(), d.versions.as_slice(), d.created))
        .collect();
    assert_eq!(
        parts,
        [("app", &[1][..], false), (STATS, &[1, 2][..], true)]
    );
    assert_eq!(
        (report.from_version, report.to_version),
        (0, 1),
        "app's versions"
    );
    assert_eq!(report.database(STATS).unwrap().to_version, 2);
    assert_eq!(report.status, RunStatus::Applied);
    assert_eq!(report.version_in(STATS, 2).unwrap().backfills[0].written, 1);
    assert!(
        report
            .to_string()
            .contains("database \"stats\" (created): version 0 to 2")
    );

    // Each database's history table holds its own versions.
    let applied = VersionStatus::Applied;
    assert_eq!(history(&f, "app").await, [(1, applied)]);
    assert_eq!(history(&f, STATS).await, [(1, applied), (2, applied)]);
    let stored = f.db.in_database(STATS).rows("events").get("e1").await;
    let stored = stored.unwrap().expect("e1 in stats");
    assert_eq!(stored.data()["weight"], json!(1));
    assert!(
        f.db.rows("events").get("e1").await.is_err(),
        "events live in stats only"
    );

    // The next boot finds nothing pending: one request per database.
    f.counter.reset();
    let again = binary(&f, first_release()).run(&f.db).await.unwrap();
    assert_eq!(again.status, RunStatus::NothingPending);
    assert!(again.nothing_pending);
    assert_eq!(again.requests, 2);
    assert_eq!(f.counter.requests(), 2);
    let status = binary(&f, first_release()).status(&f.db).await.unwrap();
    assert!(status.all_databases().all(|s| s.up_to_date));
}

async fn a_step_reaches_another_databases_tables(kind: Kind) {
    let f = Fixture::new(kind).await;
    without_stats(&f).await;
    binary(&f, first_release()).run(&f.db).await.unwrap();

    // Version 2 of `app` writes into `stats` through the typed model, which knows its
    // database: a backfill there, checkpointed in `app`'s history.
    let mut second = first_release();
    second.push(MigrationDef::new(2, "reweigh from app", |m| {
        Box::pin(async move {
            m.table::<Event>().upsert(&event("e2", "login")).await?;
            m.table::<Event>()
                .backfill(Event::WEIGHT.is_null(), |_| Event::patch().weight(Some(5)))
                .await?;
            Ok(())
        })
    }));
    let report = binary(&f, second).run(&f.db).await.unwrap();
    let v2 = report.version_in("app", 2).unwrap();
    assert_eq!(v2.backfills[0].written, 1);
    // One transaction per chunk across both databases (rows in stats, marker in app's history).
    assert!(v2.warnings.is_empty(), "{:?}", v2.warnings);
    assert_eq!(
        report.database(STATS).unwrap().status,
        RunStatus::NothingPending
    );
    let e2 = f.db.table::<Event>().get_or_fail("e2").await.unwrap();
    assert_eq!(e2.weight, Some(5));
    assert_eq!(history(&f, "app").await.len(), 2);
    assert_eq!(
        history(&f, STATS).await.len(),
        2,
        "stats' history is untouched"
    );
}

async fn a_failure_stops_the_run_and_keeps_what_was_recorded(kind: Kind) {
    let f = Fixture::new(kind).await;
    without_stats(&f).await;
    let mut migrations = first_release();
    migrations.push(
        MigrationDef::new(3, "broken", |_m| {
            Box::pin(async { Err(Error::Internal("boom".into())) })
        })
        .database(STATS),
    );
    migrations
        .push(MigrationDef::new(1, "never run", |_m| Box::pin(async { Ok(()) })).database("zlogs"));
    let failed = binary(&f, migrations).try_run(&f.db).await.unwrap_err();
    assert!(
        failed.error.to_string().contains("boom"),
        "{}",
        failed.error
    );
    let report = &failed.report;
    assert_eq!(report.status, RunStatus::Failed);
    let parts: Vec<(&str, RunStatus)> = report
        .databases
        .iter()
        .map(|d| (d.database.as_str(), d.status))
        .collect();
    assert_eq!(
        parts,
        [("app", RunStatus::Applied), (STATS, RunStatus::Failed)]
    );
    assert!(
        report.errors[0].starts_with("database stats: "),
        "{:?}",
        report.errors
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("database zlogs: not migrated"))
    );

    // `app` is recorded; `stats` keeps its applied versions and the failed one.
    let applied = VersionStatus::Applied;
    assert_eq!(history(&f, "app").await, [(1, applied)]);
    assert_eq!(
        history(&f, STATS).await,
        [(1, applied), (2, applied), (3, VersionStatus::Failed)]
    );
    // The database after the failure was not even created.
    let zlogs = f.db.backend().get_database("zlogs").await.unwrap_err();
    assert!(zlogs.is_not_found(), "{zlogs}");
}

async fn a_failure_in_the_connections_database_stops_before_the_others(kind: Kind) {
    let f = Fixture::new(kind).await;
    without_stats(&f).await;
    let mut migrations = first_release();
    migrations[0] = MigrationDef::new(1, "broken", |_m| {
        Box::pin(async { Err(Error::Internal("boom".into())) })
    });
    let failed = binary(&f, migrations).try_run(&f.db).await.unwrap_err();
    assert_eq!(failed.report.databases.len(), 1);
    assert!(
        failed
            .report
            .warnings
            .iter()
            .any(|w| w.starts_with("database stats: not migrated"))
    );
    assert!(
        f.db.backend()
            .get_database(STATS)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

async fn looks_write_nothing_and_show_each_database(kind: Kind) {
    let f = Fixture::new(kind).await;
    without_stats(&f).await;
    let binary = binary(&f, first_release());

    let status = binary.status(&f.db).await.unwrap();
    let seen: Vec<(&str, u32, u32)> = status
        .all_databases()
        .map(|s| (s.database.as_str(), s.applied, s.target))
        .collect();
    assert_eq!(seen, [("app", 0, 1), (STATS, 0, 2)]);

    let dry = binary.dry_run(&f.db).await.unwrap();
    let pending: Vec<(&str, usize)> = dry
        .all_databases()
        .map(|d| (d.database.as_str(), d.versions.len()))
        .collect();
    assert_eq!(pending, [("app", 1), (STATS, 2)]);
    assert!(
        f.db.backend()
            .get_database(STATS)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

async fn typed_crud_through_a_model_in_another_database(kind: Kind) {
    let f = Fixture::new(kind).await;
    without_stats(&f).await;
    f.db.create_table::<Event>().await.unwrap();
    let events = f.db.table::<Event>();
    events.create(&event("e1", "signup")).await.unwrap();
    events
        .update("e1", Event::patch().weight(Some(3)))
        .await
        .unwrap();
    let read = events.get_or_fail("e1").await.unwrap();
    assert_eq!((read.kind.as_str(), read.weight), ("signup", Some(3)));
    assert_eq!(events.query().count().await.unwrap(), 1);

    // The same rows through the sibling handle; untyped rows stay on the connection's database.
    let sibling = f.db.in_database(STATS);
    assert_eq!(sibling.id(), STATS);
    assert!(sibling.rows("events").get("e1").await.unwrap().is_some());
    let missing = f.db.rows("events").get("e1").await.unwrap_err();
    assert!(missing.is_not_found(), "{missing}");

    events.delete("e1").await.unwrap();
    assert_eq!(sibling.rows("events").query().count().await.unwrap(), 0);
    assert!(f.db.live_table::<Event>().await.unwrap().is_some());
    f.db.drop_table::<Event>().await.unwrap();
    assert!(f.db.live_table::<Event>().await.unwrap().is_none());
}

async fn each_database_is_locked_in_its_own_history(kind: Kind) {
    let f = Fixture::new(kind).await;
    without_stats(&f).await;
    // While a version of `stats` runs, the lock row is in stats' history, and app's lock,
    // taken and released before, is gone.
    let lock_rows =
        |m: &Migration<'_>, database: &str| m.db().in_database(database).rows("orm_migrations");
    let probe = MigrationDef::new(1, "probe the locks", move |m| {
        Box::pin(async move {
            let in_stats = lock_rows(m, STATS).get("lock").await?;
            let in_app = lock_rows(m, "app").get("lock").await?;
            if in_stats.is_none() || in_app.is_some() {
                return Err(Error::Internal(format!(
                    "lock in stats: {}, in app: {}",
                    in_stats.is_some(),
                    in_app.is_some()
                )));
            }
            Ok(())
        })
    })
    .database(STATS);
    let m = binary(&f, vec![first_release().remove(0), probe]);
    let report = m.run(&f.db).await.unwrap();
    assert_eq!(report.database(STATS).unwrap().versions, [1]);
    // Both locks were released.
    for database in ["app", STATS] {
        let rows = f.db.in_database(database).rows("orm_migrations");
        assert!(rows.get("lock").await.unwrap().is_none(), "{database}");
    }
}

/// Runs a command line; returns the exit and stdout.
async fn cli(args: &[&str], migrator: &Migrator, db: &appwrite_orm::Database) -> (Exit, String) {
    let mut out = Vec::new();
    let argv = std::iter::once("migrate").chain(args.iter().copied());
    let exit = appwrite_orm::cli::execute(argv, migrator, Some(db), &mut out).await;
    (exit, String::from_utf8_lossy(&out).into_owned())
}

async fn the_command_line_shows_each_database(kind: Kind) {
    let f = Fixture::new(kind).await;
    without_stats(&f).await;
    let m = binary(&f, first_release());

    let (exit, out) = cli(&["status"], &m, &f.db).await;
    assert_eq!(exit, Exit::Ok);
    let app = out
        .find("database \"app\"\napplied version 0 · target 1")
        .expect(&out);
    let stats = out
        .find("database \"stats\"\napplied version 0 · target 2")
        .expect(&out);
    assert!(app < stats, "{out}");
    let (_, out) = cli(&["plan"], &m, &f.db).await;
    assert!(
        out.contains("database \"stats\"\nfrom version 0 to 2"),
        "{out}"
    );
    assert!(out.contains("create table events"), "{out}");
    let (exit, out) = cli(&["verify"], &m, &f.db).await;
    assert_eq!(exit, Exit::Drift);
    assert!(
        out.contains("database stats: version 2 (weigh events) is pending"),
        "{out}"
    );
    let (_, out) = cli(&["up", "--dry-run"], &m, &f.db).await;
    assert!(
        out.contains("database \"stats\"\ndry run: version 0 -> 2"),
        "{out}"
    );

    // `unlock` looks in every database, `stats` not created yet included.
    let (exit, out) = cli(&["unlock"], &m, &f.db).await;
    assert_eq!((exit, out.as_str()), (Exit::Ok, "no lock was held\n"));

    let (exit, out) = cli(&["up"], &m, &f.db).await;
    assert_eq!(exit, Exit::Ok, "{out}");
    assert!(out.starts_with("2 databases ("), "{out}");
    let (exit, out) = cli(&["verify"], &m, &f.db).await;
    assert_eq!(exit, Exit::Ok, "{out}");
    assert_eq!(
        out,
        "ok: database app at version 1, database stats at version 2, schema as declared\n"
    );
    let (_, out) = cli(&["--json", "status"], &m, &f.db).await;
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["other_databases"][0]["database"], STATS);
    assert_eq!(json["other_databases"][0]["applied"], 2);
}

on_both_backends!(
    each_database_is_locked_in_its_own_history,
    the_command_line_shows_each_database,
    each_database_is_an_independent_stream,
    a_step_reaches_another_databases_tables,
    a_failure_stops_the_run_and_keeps_what_was_recorded,
    a_failure_in_the_connections_database_stops_before_the_others,
    looks_write_nothing_and_show_each_database,
    typed_crud_through_a_model_in_another_database,
);
