//! `pull`: adopting a database made in the console. T tables (`--rows`, default 100) of 12
//! columns of mixed kinds and 2 indexes each are created without models; then
//!
//! - baseline: the reads alone, [`Database::live_tables`] (the pages of `list_tables`), what
//!   any tool must send to learn the schema;
//! - appwrite-orm: `appwrite_orm_cli::pull::pull` to one file in a temporary directory, the
//!   same reads followed by generating, formatting and writing the models.
//!
//! The ratio ours / baseline is what generating and writing the code adds to the reads.

use std::time::{Duration, Instant};

use appwrite_orm::Database;
use appwrite_orm::schema::{ColumnKind, ColumnSchema, IndexKind, IndexSchema, TableSchema};
use appwrite_orm_cli::pull::{self, Models, Output, PullSummary};

use super::{Check, Outcome, Scenario, Settings};
use crate::BenchResult;
use crate::harness::{Measured, Server};
use crate::print::{self, Table, count};

/// The database adopted.
const DATABASE: &str = "console";

/// Columns per table.
const COLUMNS: usize = 12;

/// Indexes per table.
const INDEXES: usize = 2;

/// Runs the scenario.
pub async fn run(settings: &Settings) -> BenchResult<Outcome> {
    let tables = settings.rows_or(100, 10);
    let latency = settings.latency();
    print::header(
        "pull",
        &[
            ("tables", count(tables)),
            (
                "per table",
                format!("{COLUMNS} columns of 10 kinds, {INDEXES} indexes"),
            ),
            ("latency", format!("{} ms", latency.as_millis())),
            (
                "baseline",
                "Database::live_tables(), the reads alone".to_owned(),
            ),
        ],
    );
    let server = Server::start(latency, Duration::ZERO).await?;
    let setup = Instant::now();
    let direct = server.direct(DATABASE).await?;
    for i in 0..tables {
        direct
            .backend()
            .create_table(DATABASE, &console_table(i))
            .await?;
    }
    println!(
        "setup (not timed, direct to the engine): {} s",
        print::seconds(setup.elapsed().as_secs_f64())
    );

    let db = server.over_http(DATABASE);
    let (read, reads) = server
        .measure(async { Ok(db.live_tables().await?) })
        .await?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("models.rs");
    let (summary, ours) = server.measure(pulled(&db, &file)).await?;
    server.shutdown().await;

    let source = std::fs::read_to_string(&file)?;
    let bytes = source.len() as u64;
    print_results(&reads, &ours, bytes);
    let ratio = print::divide(ours.seconds, reads.seconds);
    Ok(Outcome {
        scenario: Scenario::Pull,
        summary: format!(
            "pull: {} the reads alone ({} tables, {} vs {} requests, {} bytes written)",
            print::ratio(ratio),
            count(tables),
            count(ours.requests),
            count(reads.requests),
            count(bytes)
        ),
        checks: checks(tables, read.len(), &summary, &source),
    })
}

/// The pull, to one file.
async fn pulled(db: &Database, file: &std::path::Path) -> BenchResult<PullSummary> {
    let out = Output::File(file.to_owned());
    Ok(pull::pull(db, &out, &Models::default()).await?)
}

/// Table `i` as a console user might make it: 12 columns of 10 kinds, some required, one with a
/// default, one an array; a key index and a unique one.
fn console_table(i: u64) -> TableSchema {
    let columns = [
        ColumnSchema::varchar("title", 128).required(),
        ColumnSchema::varchar("code", 32).required(),
        ColumnSchema::new("body", ColumnKind::Text),
        ColumnSchema::integer("quantity").default_value(0),
        ColumnSchema::new(
            "rank",
            ColumnKind::Integer {
                min: Some(0),
                max: Some(100),
            },
        ),
        ColumnSchema::float("price"),
        ColumnSchema::boolean("active"),
        ColumnSchema::datetime("published_at"),
        ColumnSchema::new("contact", ColumnKind::Email),
        ColumnSchema::new("homepage", ColumnKind::Url),
        ColumnSchema::enumeration("status", ["draft", "live", "archived"]),
        ColumnSchema::varchar("tags", 32).array(),
    ];
    let mut table = TableSchema::new(format!("table_{i:04}"), format!("Table {i}"));
    for column in columns {
        table = table.column(column);
    }
    table
        .index(IndexSchema::new("by_title", IndexKind::Key, ["title"]))
        .index(IndexSchema::new("by_code", IndexKind::Unique, ["code"]))
}

/// Every table read by both sides and written once; the file parses as Rust and holds one
/// `#[derive(Table)]` struct per table.
fn checks(tables: u64, read: usize, summary: &PullSummary, source: &str) -> Vec<Check> {
    let parsed = syn::parse_file(source).ok();
    let models = parsed.as_ref().map_or(0, models_in);
    vec![
        Check::new("baseline: tables read", tables, read as u64),
        Check::new("pull: tables written", tables, summary.tables.len() as u64),
        Check::new(
            "pull: columns written",
            tables * COLUMNS as u64,
            summary.columns as u64,
        ),
        Check::new(
            "pull: indexes written",
            tables * INDEXES as u64,
            summary.indexes as u64,
        ),
        Check::new(
            "pull: files that parse as Rust",
            1,
            u64::from(parsed.is_some()),
        ),
        Check::new("pull: #[derive(Table)] structs", tables, models),
    ]
}

/// The structs of `file` whose `#[derive(...)]` names `Table`.
fn models_in(file: &syn::File) -> u64 {
    let derives_table = |attr: &syn::Attribute| {
        let mut table = false;
        if attr.path().is_ident("derive") {
            let _ = attr.parse_nested_meta(|meta| {
                table |= meta
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "Table");
                Ok(())
            });
        }
        table
    };
    file.items
        .iter()
        .filter(|item| matches!(item, syn::Item::Struct(s) if s.attrs.iter().any(derives_table)))
        .count() as u64
}

fn print_results(reads: &Measured, ours: &Measured, bytes: u64) {
    let mut table = Table::new(&[
        "",
        "seconds",
        "server requests",
        "bytes written",
        "vs reads",
    ]);
    table
        .row(vec![
            "baseline: live_tables()".into(),
            print::seconds(reads.seconds),
            count(reads.requests),
            "0".into(),
            print::ratio(1.0),
        ])
        .row(vec![
            "appwrite-orm pull to a file".into(),
            print::seconds(ours.seconds),
            count(ours.requests),
            count(bytes),
            print::ratio(print::divide(ours.seconds, reads.seconds)),
        ]);
    table.print();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_table_has_its_columns_and_indexes() {
        let table = console_table(7);
        assert_eq!(table.id, "table_0007");
        assert_eq!(table.columns.len(), COLUMNS);
        assert_eq!(table.indexes.len(), INDEXES);
    }

    #[test]
    fn only_structs_deriving_table_are_models() {
        let file = syn::parse_file(
            "#[derive(Table, Debug)] struct A; #[derive(Debug)] struct B; \
             #[derive(appwrite_orm::Table)] struct C;",
        )
        .unwrap();
        assert_eq!(models_in(&file), 2);
    }
}
