//! Walking whole tables page by page (§6 cursor rules).

use std::collections::HashSet;

use appwrite_orm::query::Query;
use serde_json::json;

use super::Env;
use super::queries::{N, expect, expect_sorted, seed};
use super::support::*;

fn assert_no_repeats(ids: &[String]) {
    let mut seen = HashSet::new();
    for id in ids {
        assert!(seen.insert(id), "{id} visited twice in {ids:?}");
    }
}

pub async fn cursor_pagination_visits_every_row_once(env: Env) {
    let fx = env.fixture().await;
    let data = seed(fx.b(), T).await;
    let got = scan_all(fx.b(), T, &[], 7).await;
    assert_eq!(got, expect(&data, |_| true));
}

pub async fn cursor_pagination_survives_inserts_between_pages(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    let data = seed(b, T).await;
    let originals = expect(&data, |_| true);
    let mut visited: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut inserted = 0;
    loop {
        let mut q = vec![Query::limit(7)];
        if let Some(c) = &cursor {
            q.push(Query::cursor_after(c.clone()));
        }
        let page = list_ids(b, T, &q).await;
        if page.is_empty() {
            break;
        }
        cursor = page.last().cloned();
        visited.extend(page);
        // New rows between the first pages (15 in all, so the walk ends); in the default
        // order they sort after every original.
        for _ in 0..3 {
            if inserted >= 15 {
                break;
            }
            let p = &data[inserted % N];
            let d = json!({
                "name": format!("new-{inserted}"),
                "score": p.score,
                "active": p.active,
                "team": p.team,
            });
            put(b, T, &format!("new{inserted:03}"), d).await;
            inserted += 1;
        }
        assert!(visited.len() < 1_000, "pagination does not end");
    }
    assert_no_repeats(&visited);
    let seen_originals: Vec<String> = visited
        .iter()
        .filter(|id| id.starts_with('p'))
        .cloned()
        .collect();
    assert_eq!(
        seen_originals, originals,
        "every original exactly once, in order"
    );
    // Whatever new rows were seen came after all the originals.
    let first_new = visited.iter().position(|id| id.starts_with("new"));
    if let Some(pos) = first_new {
        assert!(visited[pos..].iter().all(|id| id.starts_with("new")));
    }
}

pub async fn cursor_pagination_over_many_ties(env: Env) {
    let fx = env.fixture().await;
    let data = seed(fx.b(), T).await;
    // Three teams over 30 rows: most rows tie; `$sequence` decides inside a team.
    let want = expect_sorted(&data, |a, b| a.team.cmp(b.team));
    let got = scan_all(fx.b(), T, &[Query::order_asc("team")], 7).await;
    assert_eq!(got, want);
    let want = expect_sorted(&data, |a, b| b.active.cmp(&a.active));
    let got = scan_all(fx.b(), T, &[Query::order_desc("active")], 4).await;
    assert_eq!(got, want);
}

pub async fn cursor_pagination_with_filter_and_order_desc(env: Env) {
    let fx = env.fixture().await;
    let data = seed(fx.b(), T).await;
    let mut want: Vec<&super::queries::Person> = data.iter().filter(|p| p.active).collect();
    want.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap()
            .then(a.idx.cmp(&b.idx))
    });
    let want: Vec<String> = want.into_iter().map(|p| p.id.clone()).collect();
    let got = scan_all(
        fx.b(),
        T,
        &[Query::equal("active", [true]), Query::order_desc("score")],
        3,
    )
    .await;
    assert_eq!(got, want);
}

pub async fn cursor_before_walks_back_to_the_start(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    let data = seed(b, T).await;
    let order = expect_sorted(&data, |a, b| a.team.cmp(b.team));
    // Start after the last row and walk backwards with cursorBefore.
    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut cursor = order.last().unwrap().clone();
    let mut collected = vec![cursor.clone()];
    loop {
        let page = list_ids(
            b,
            T,
            &[
                Query::order_asc("team"),
                Query::cursor_before(cursor.clone()),
                Query::limit(7),
            ],
        )
        .await;
        if page.is_empty() {
            break;
        }
        // Each page is in normal order and ends just before the cursor.
        let end = order.iter().position(|id| *id == cursor).unwrap();
        let start = end.saturating_sub(7);
        assert_eq!(page, order[start..end], "page before {cursor}");
        cursor = page[0].clone();
        pages.push(page);
        assert!(pages.len() < 100, "walk does not end");
    }
    for page in pages.iter() {
        collected.extend(page.iter().cloned());
    }
    assert_no_repeats(&collected);
    assert_eq!(sorted(collected), sorted(order));
}

pub async fn offset_pagination_visits_every_row_once(env: Env) {
    let fx = env.fixture().await;
    let data = seed(fx.b(), T).await;
    let mut got = Vec::new();
    for page in 0.. {
        let ids = list_ids(
            fx.b(),
            T,
            &[
                Query::order_desc("age"),
                Query::limit(8),
                Query::offset(page * 8),
            ],
        )
        .await;
        if ids.is_empty() {
            break;
        }
        got.extend(ids);
    }
    assert_eq!(got, expect_sorted(&data, |a, b| b.age.cmp(&a.age)));
}
