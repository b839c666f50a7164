//! `insert_many`: N rows written in one call of the library's bulk insert that keeps several
//! requests in flight
//! ([`Rows::insert_many_unordered`](appwrite_orm::rows::Rows::insert_many_unordered)), against
//! the plain loop that sends one `create_rows` chunk of 100 at a time and awaits each (which is
//! also what the order-keeping `insert_many` does).

use super::{OURS_DB, Outcome, SEED_DB, Scenario, Settings, start_bulk};
use crate::BenchResult;
use crate::data::{self, TABLE};
use crate::print;
use crate::seed_pattern::OneChunkAtATime;

/// Runs the scenario.
pub async fn run(settings: &Settings) -> BenchResult<Outcome> {
    let (rows, server) = start_bulk(
        settings,
        "insert_many",
        "create_rows chunks of 100, one at a time",
    )
    .await?;
    let mut direct = Vec::new();
    for id in [SEED_DB, OURS_DB] {
        direct.push(data::database_at_v1(&server, id).await?);
    }
    // Each side gets its own copy, built before the clock starts.
    let seed_rows: Vec<_> = data::batches(rows).flatten().collect();
    let our_rows: Vec<_> = data::batches(rows).flatten().collect();

    let backend = server.http().as_ref();
    let (_, seed) = server
        .measure(async {
            let mut writer = OneChunkAtATime::new(backend, SEED_DB, TABLE);
            for row in seed_rows {
                writer.push(row).await?;
            }
            writer.finish().await
        })
        .await?;
    let rows_handle = server.over_http(OURS_DB).rows(TABLE);
    let (_, ours) = server
        .measure(async { Ok(rows_handle.insert_many_unordered(&our_rows).await?.len()) })
        .await?;

    let checks = vec![
        data::check_count("baseline", &direct[0].rows(TABLE), rows).await?,
        data::check_count("appwrite-orm", &direct[1].rows(TABLE), rows).await?,
    ];
    server.shutdown().await;

    print::throughput(
        rows,
        &[
            ("one chunk of 100 at a time", &seed),
            ("appwrite-orm insert_many_unordered", &ours),
        ],
    );
    Ok(Outcome {
        scenario: Scenario::InsertMany,
        summary: format!(
            "insert_many: {} faster than one chunk of 100 at a time",
            print::speedup(&seed, &ours)
        ),
        checks,
    })
}
