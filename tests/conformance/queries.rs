//! Every query method on one shared data set (§6). Expected ids are computed here, in Rust, from
//! the same seed data with plain iterator filters, never copied from an engine's answer.
//!
//! The data avoids what §11 says depends on the storage adapter: strings are lower-case (case
//! folding), filters that negate (`notStartsWith`, `notContains`, …) run on columns without nulls,
//! and `search` uses single words none of which is a prefix of another.

use std::cmp::Ordering;

use appwrite_orm::backend::{Backend, ListOptions};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema, TableSchema};
use serde_json::{Value, json};

use super::Env;
use super::support::*;

/// One row of the shared data set.
#[derive(Debug, Clone)]
pub struct Person {
    /// Insertion position.
    pub idx: usize,
    pub id: String,
    pub name: String,
    pub title: Option<String>,
    pub age: Option<i64>,
    pub score: f64,
    pub active: bool,
    pub tags: Vec<&'static str>,
    pub born: Option<String>,
    pub team: &'static str,
}

const NAMES: [&str; 10] = [
    "amber", "basil", "cedar", "delta", "ember", "fable", "gamma", "haven", "ivory", "jasper",
];
const WORDS: [&str; 8] = [
    "river", "mountain", "forest", "ocean", "desert", "valley", "meadow", "canyon",
];
const COLORS: [&str; 5] = ["red", "green", "blue", "black", "white"];
const TEAMS: [&str; 3] = ["north", "south", "east"];

/// Number of rows in the data set.
pub const N: usize = 30;

/// The data set: 30 rows, deterministic.
pub fn people() -> Vec<Person> {
    (0..N)
        .map(|i| Person {
            idx: i,
            id: format!("p{i:02}"),
            name: format!("{}-{i:02}", NAMES[i % 10]),
            title: (i % 7 != 3).then(|| {
                format!(
                    "{} {} {}",
                    WORDS[(i * 3) % 8],
                    WORDS[(i * 5 + 1) % 8],
                    WORDS[(i * 7 + 2) % 8]
                )
            }),
            age: (i % 5 != 4).then(|| 18 + ((i as i64) * 7) % 40),
            score: (i % 6) as f64 * 1.5 + (i / 6) as f64,
            active: i % 3 != 0,
            tags: (0..5)
                .filter(|j| (i >> j) & 1 == 1)
                .map(|j| COLORS[j])
                .collect(),
            born: (i % 4 != 2).then(|| {
                format!(
                    "{}-{:02}-{:02}T{:02}:00:00.000+00:00",
                    1970 + i * 2,
                    (i % 12) + 1,
                    (i % 28) + 1,
                    i % 24
                )
            }),
            team: TEAMS[(i * 2) % 3],
        })
        .collect()
}

impl Person {
    fn to_doc(&self) -> Value {
        json!({
            "name": self.name,
            "title": self.title,
            "age": self.age,
            "score": self.score,
            "active": self.active,
            "tags": self.tags,
            "born": self.born,
            "team": self.team,
        })
    }
}

/// The table schema of the data set (`title` has a fulltext index).
pub fn schema(id: &str) -> TableSchema {
    TableSchema::new(id, "People")
        .column(ColumnSchema::varchar("name", 32).required())
        .column(ColumnSchema::varchar("title", 128))
        .column(ColumnSchema::integer("age"))
        .column(ColumnSchema::float("score").required())
        .column(ColumnSchema::boolean("active").required())
        .column(ColumnSchema::varchar("tags", 16).array())
        .column(ColumnSchema::datetime("born"))
        .column(ColumnSchema::varchar("team", 16).required())
        .index(IndexSchema::new("ft_title", IndexKind::Fulltext, ["title"]))
}

/// Creates the table `id` and inserts the data set one row at a time, in order.
pub async fn seed(b: &dyn Backend, id: &str) -> Vec<Person> {
    table_schema(b, schema(id)).await;
    let data = people();
    for p in &data {
        put(b, id, &p.id, p.to_doc()).await;
    }
    data
}

/// Ids of the rows matching `pred`, in insertion order.
pub fn expect(data: &[Person], pred: impl Fn(&Person) -> bool) -> Vec<String> {
    data.iter()
        .filter(|p| pred(p))
        .map(|p| p.id.clone())
        .collect()
}

/// Ids of every row sorted by `cmp`, ties broken by insertion order (`$sequence` ascending).
pub fn expect_sorted(data: &[Person], cmp: impl Fn(&Person, &Person) -> Ordering) -> Vec<String> {
    let mut v: Vec<&Person> = data.iter().collect();
    v.sort_by(|a, b| cmp(a, b).then(a.idx.cmp(&b.idx)));
    v.into_iter().map(|p| p.id.clone()).collect()
}

/// Seeds a fresh backend; returns the fixture and the data.
async fn seeded(env: &Env) -> (super::Fixture, Vec<Person>) {
    let fx = env.fixture().await;
    let data = seed(fx.b(), T).await;
    (fx, data)
}

/// All matching ids (limit raised above the data size).
async fn q(b: &dyn Backend, queries: Vec<Query>) -> Vec<String> {
    all_ids(b, T, &queries).await
}

fn words(p: &Person) -> Vec<&str> {
    p.title
        .as_deref()
        .map(|t| t.split(' ').collect())
        .unwrap_or_default()
}

// --- comparison filters ----------------------------------------------------------------------

pub async fn equal_single_value(env: Env) {
    let (fx, data) = seeded(&env).await;
    let b = fx.b();
    let want = expect(&data, |p| p.team == "south");
    assert!(!want.is_empty());
    assert_eq!(q(b, vec![Query::equal("team", ["south"])]).await, want);
    assert_eq!(
        q(b, vec![Query::equal("age", [25])]).await,
        expect(&data, |p| p.age == Some(25))
    );
}

pub async fn equal_with_several_values_matches_any(env: Env) {
    let (fx, data) = seeded(&env).await;
    let want = expect(&data, |p| matches!(p.age, Some(25) | Some(39) | Some(53)));
    assert!(want.len() >= 2);
    assert_eq!(
        q(fx.b(), vec![Query::equal("age", [25, 39, 53])]).await,
        want
    );
    assert_eq!(
        q(
            fx.b(),
            vec![Query::equal("name", ["amber-00", "gamma-16", "nobody"])]
        )
        .await,
        expect(&data, |p| p.name == "amber-00" || p.name == "gamma-16")
    );
}

pub async fn equal_on_boolean(env: Env) {
    let (fx, data) = seeded(&env).await;
    assert_eq!(
        q(fx.b(), vec![Query::equal("active", [false])]).await,
        expect(&data, |p| !p.active)
    );
}

pub async fn not_equal_excludes_nulls(env: Env) {
    let (fx, data) = seeded(&env).await;
    // Query model docs / §11 (MariaDB, the adapter the reference follows): rows holding null
    // are left out of `notEqual`.
    let want = expect(&data, |p| p.age.is_some_and(|a| a != 25));
    assert!(data.iter().any(|p| p.age.is_none()));
    assert_eq!(q(fx.b(), vec![Query::not_equal("age", 25)]).await, want);
    assert_eq!(
        q(fx.b(), vec![Query::not_equal("team", "north")]).await,
        expect(&data, |p| p.team != "north")
    );
}

pub async fn less_than_and_less_than_equal(env: Env) {
    let (fx, data) = seeded(&env).await;
    let b = fx.b();
    assert_eq!(
        q(b, vec![Query::less_than("age", 32)]).await,
        expect(&data, |p| p.age.is_some_and(|a| a < 32))
    );
    assert_eq!(
        q(b, vec![Query::less_than_equal("age", 32)]).await,
        expect(&data, |p| p.age.is_some_and(|a| a <= 32))
    );
    assert_ne!(
        expect(&data, |p| p.age.is_some_and(|a| a < 32)),
        expect(&data, |p| p.age.is_some_and(|a| a <= 32)),
        "the data must tell < from <="
    );
}

pub async fn greater_than_and_greater_than_equal(env: Env) {
    let (fx, data) = seeded(&env).await;
    let b = fx.b();
    assert_eq!(
        q(b, vec![Query::greater_than("age", 46)]).await,
        expect(&data, |p| p.age.is_some_and(|a| a > 46))
    );
    assert_eq!(
        q(b, vec![Query::greater_than_equal("age", 46)]).await,
        expect(&data, |p| p.age.is_some_and(|a| a >= 46))
    );
    assert_eq!(
        q(b, vec![Query::greater_than("name", "gamma")]).await,
        expect(&data, |p| p.name.as_str() > "gamma")
    );
}

pub async fn comparisons_on_float(env: Env) {
    let (fx, data) = seeded(&env).await;
    let b = fx.b();
    assert_eq!(
        q(b, vec![Query::greater_than("score", 4.5)]).await,
        expect(&data, |p| p.score > 4.5)
    );
    assert_eq!(
        q(b, vec![Query::less_than_equal("score", 3)]).await,
        expect(&data, |p| p.score <= 3.0)
    );
    assert_eq!(
        q(b, vec![Query::equal("score", [7.5])]).await,
        expect(&data, |p| p.score == 7.5)
    );
}

pub async fn comparisons_on_datetime(env: Env) {
    let (fx, data) = seeded(&env).await;
    let b = fx.b();
    let bound = "2000-01-01T00:00:00.000+00:00";
    // Normalised datetimes order like their text.
    assert_eq!(
        q(b, vec![Query::greater_than("born", bound)]).await,
        expect(&data, |p| p.born.as_deref().is_some_and(|d| d > bound))
    );
    assert_eq!(
        q(b, vec![Query::between("born", "1980-01-01", "1995-12-31")]).await,
        expect(&data, |p| {
            p.born.as_deref().is_some_and(|d| {
                ("1980-01-01T00:00:00.000+00:00"..="1995-12-31T00:00:00.000+00:00").contains(&d)
            })
        })
    );
}

pub async fn between_is_inclusive(env: Env) {
    let (fx, data) = seeded(&env).await;
    let want = expect(&data, |p| p.age.is_some_and(|a| (25..=39).contains(&a)));
    assert!(data.iter().any(|p| p.age == Some(25)) && data.iter().any(|p| p.age == Some(39)));
    assert_eq!(q(fx.b(), vec![Query::between("age", 25, 39)]).await, want);
}

pub async fn not_between_is_outside_inclusive_range(env: Env) {
    let (fx, data) = seeded(&env).await;
    assert_eq!(
        q(fx.b(), vec![Query::not_between("score", 3, 6)]).await,
        expect(&data, |p| p.score < 3.0 || p.score > 6.0)
    );
}

// --- string filters --------------------------------------------------------------------------

pub async fn starts_with_and_not_starts_with(env: Env) {
    let (fx, data) = seeded(&env).await;
    let b = fx.b();
    assert_eq!(
        q(b, vec![Query::starts_with("name", "ce")]).await,
        expect(&data, |p| p.name.starts_with("ce"))
    );
    assert_eq!(
        q(b, vec![Query::not_starts_with("name", "ce")]).await,
        expect(&data, |p| !p.name.starts_with("ce"))
    );
    // LIKE wildcards in the value are literal.
    assert!(q(b, vec![Query::starts_with("name", "%")]).await.is_empty());
    assert!(
        q(b, vec![Query::starts_with("name", "_mber")])
            .await
            .is_empty()
    );
}

pub async fn ends_with_and_not_ends_with(env: Env) {
    let (fx, data) = seeded(&env).await;
    let b = fx.b();
    assert_eq!(
        q(b, vec![Query::ends_with("name", "5")]).await,
        expect(&data, |p| p.name.ends_with('5'))
    );
    assert_eq!(
        q(b, vec![Query::not_ends_with("name", "5")]).await,
        expect(&data, |p| !p.name.ends_with('5'))
    );
}

pub async fn contains_on_string_is_substring(env: Env) {
    let (fx, data) = seeded(&env).await;
    let b = fx.b();
    let want = expect(&data, |p| p.name.contains("er-"));
    assert!(!want.is_empty());
    assert_eq!(q(b, vec![Query::contains("name", ["er-"])]).await, want);
    // Several values: any of them.
    assert_eq!(
        q(b, vec![Query::contains("name", ["va", "-07"])]).await,
        expect(&data, |p| p.name.contains("va") || p.name.contains("-07"))
    );
    assert!(q(b, vec![Query::contains("name", ["%"])]).await.is_empty());
}

pub async fn contains_on_array_matches_any_element(env: Env) {
    let (fx, data) = seeded(&env).await;
    let b = fx.b();
    assert_eq!(
        q(b, vec![Query::contains("tags", ["blue"])]).await,
        expect(&data, |p| p.tags.contains(&"blue"))
    );
    assert_eq!(
        q(b, vec![Query::contains("tags", ["white", "red"])]).await,
        expect(&data, |p| p.tags.contains(&"white")
            || p.tags.contains(&"red"))
    );
    // Elements are compared whole, not as substrings.
    assert!(q(b, vec![Query::contains("tags", ["bl"])]).await.is_empty());
}

pub async fn contains_any_matches_any_value(env: Env) {
    let (fx, data) = seeded(&env).await;
    assert_eq!(
        q(
            fx.b(),
            vec![Query::contains_any("tags", ["black", "green"])]
        )
        .await,
        expect(&data, |p| p.tags.contains(&"black")
            || p.tags.contains(&"green"))
    );
}

pub async fn contains_all_needs_every_value(env: Env) {
    let (fx, data) = seeded(&env).await;
    let want = expect(&data, |p| {
        p.tags.contains(&"red") && p.tags.contains(&"blue")
    });
    assert!(!want.is_empty());
    assert_ne!(want, expect(&data, |p| p.tags.contains(&"red")));
    assert_eq!(
        q(fx.b(), vec![Query::contains_all("tags", ["red", "blue"])]).await,
        want
    );
}

pub async fn not_contains_on_array(env: Env) {
    let (fx, data) = seeded(&env).await;
    // Tags are never null in the data, so only the negation itself is tested.
    assert_eq!(
        q(fx.b(), vec![Query::not_contains("tags", ["green"])]).await,
        expect(&data, |p| !p.tags.contains(&"green"))
    );
}

pub async fn not_contains_on_string(env: Env) {
    let (fx, data) = seeded(&env).await;
    assert_eq!(
        q(fx.b(), vec![Query::not_contains("name", ["a-"])]).await,
        expect(&data, |p| !p.name.contains("a-"))
    );
}

pub async fn search_matches_whole_word(env: Env) {
    let (fx, data) = seeded(&env).await;
    let want = expect(&data, |p| words(p).contains(&"forest"));
    assert!(!want.is_empty() && want.len() < N);
    assert_eq!(
        q(fx.b(), vec![Query::search("title", "forest")]).await,
        want
    );
}

pub async fn search_without_fulltext_index_is_invalid(env: Env) {
    let (fx, _) = seeded(&env).await;
    // §6: 'Searching by attribute "name" requires a fulltext index.' → `general_query_invalid`.
    assert_err(
        fx.b()
            .list_rows(
                DB,
                T,
                &[Query::search("name", "amber")],
                &ListOptions::default(),
            )
            .await,
        400,
        ty::GENERAL_QUERY_INVALID,
    );
}

pub async fn not_search_excludes_matches(env: Env) {
    let (fx, data) = seeded(&env).await;
    // Rows with a null title are filtered out explicitly: the reference does not say how
    // `notSearch` treats them.
    assert_eq!(
        q(
            fx.b(),
            vec![
                Query::is_not_null("title"),
                Query::not_search("title", "ocean")
            ]
        )
        .await,
        expect(&data, |p| p.title.is_some() && !words(p).contains(&"ocean"))
    );
}

// --- null and existence ----------------------------------------------------------------------

pub async fn is_null_and_is_not_null(env: Env) {
    let (fx, data) = seeded(&env).await;
    let b = fx.b();
    let nulls = expect(&data, |p| p.born.is_none());
    assert!(!nulls.is_empty());
    assert_eq!(q(b, vec![Query::is_null("born")]).await, nulls);
    assert_eq!(
        q(b, vec![Query::is_not_null("born")]).await,
        expect(&data, |p| p.born.is_some())
    );
}

pub async fn exists_and_not_exists(env: Env) {
    let (fx, _) = seeded(&env).await;
    // Both carry their columns in `values` and leave `attribute` empty; Appwrite 1.9.6 looks the
    // empty attribute up in the table's schema (utopia-php/database `Validator/Query/Filter.php`)
    // and refuses them on every schema-full table.
    for query in [Query::exists(["title"]), Query::not_exists(["title"])] {
        assert_err_msg(
            fx.b()
                .list_rows(DB, T, &[query], &ListOptions::default())
                .await,
            400,
            ty::GENERAL_QUERY_INVALID,
            "Invalid query: Attribute not found in schema: ",
        );
    }
}

pub async fn select_limits_returned_columns(env: Env) {
    let (fx, data) = seeded(&env).await;
    let list = fx
        .b()
        .list_rows(
            DB,
            T,
            &[Query::select(["name", "age"]), Query::limit(100)],
            &ListOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(ids(&list), expect(&data, |_| true));
    for (row, p) in list.items.iter().zip(&data) {
        assert_eq!(keys(row), system_plus(&["name", "age"]));
        assert_eq!(row["name"], json!(p.name));
        assert_eq!(row["age"], json!(p.age));
    }
}

// --- order -----------------------------------------------------------------------------------

pub async fn order_asc_puts_nulls_first_and_breaks_ties_by_sequence(env: Env) {
    let (fx, data) = seeded(&env).await;
    // §6: nulls first ascending (MariaDB); `$sequence` ascending breaks ties.
    // `Option` orders `None` first, as wanted.
    let want = expect_sorted(&data, |a, b| a.age.cmp(&b.age));
    assert_eq!(q(fx.b(), vec![Query::order_asc("age")]).await, want);
}

pub async fn order_desc_puts_nulls_last_and_breaks_ties_by_sequence_ascending(env: Env) {
    let (fx, data) = seeded(&env).await;
    // §6: the `$sequence` tie-breaker stays ascending after `orderDesc`; nulls last descending.
    let want = expect_sorted(&data, |a, b| b.team.cmp(a.team));
    assert_eq!(q(fx.b(), vec![Query::order_desc("team")]).await, want);
    let want = expect_sorted(&data, |a, b| b.age.cmp(&a.age));
    assert_eq!(q(fx.b(), vec![Query::order_desc("age")]).await, want);
}

pub async fn order_on_two_columns(env: Env) {
    let (fx, data) = seeded(&env).await;
    let want = expect_sorted(&data, |a, b| {
        a.team
            .cmp(b.team)
            .then(b.score.partial_cmp(&a.score).unwrap())
    });
    assert_eq!(
        q(
            fx.b(),
            vec![Query::order_asc("team"), Query::order_desc("score")]
        )
        .await,
        want
    );
}

pub async fn order_random_returns_the_same_set(env: Env) {
    let (fx, data) = seeded(&env).await;
    let got = q(fx.b(), vec![Query::order_random()]).await;
    assert_eq!(got.len(), N);
    assert_eq!(sorted(got), sorted(expect(&data, |_| true)));
    let filtered = q(
        fx.b(),
        vec![Query::order_random(), Query::equal("active", [true])],
    )
    .await;
    assert_eq!(sorted(filtered), sorted(expect(&data, |p| p.active)));
}

// --- pagination ------------------------------------------------------------------------------

pub async fn limit_and_offset(env: Env) {
    let (fx, data) = seeded(&env).await;
    let all = expect(&data, |_| true);
    let b = fx.b();
    assert_eq!(list_ids(b, T, &[Query::limit(5)]).await, all[..5]);
    assert_eq!(
        list_ids(b, T, &[Query::limit(5), Query::offset(10)]).await,
        all[10..15]
    );
    assert_eq!(
        list_ids(b, T, &[Query::limit(10), Query::offset(25)]).await,
        all[25..]
    );
    assert!(list_ids(b, T, &[Query::offset(40)]).await.is_empty());
}

pub async fn default_limit_is_25_and_total_counts_all(env: Env) {
    let (fx, data) = seeded(&env).await;
    let list = fx
        .b()
        .list_rows(DB, T, &[], &ListOptions::default())
        .await
        .unwrap();
    // §5: default limit 25.
    assert_eq!(list.items.len(), 25);
    assert_eq!(list.total, N as u64);
    assert_eq!(ids(&list), expect(&data, |_| true)[..25]);
}

pub async fn default_order_is_insertion(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![ColumnSchema::varchar("name", 10)]).await;
    // Ids in non-alphabetical insertion order: the answer follows `$sequence`, not `$id`.
    for id in ["zeta", "alpha", "mid", "beta"] {
        put(b, T, id, json!({"name": id})).await;
    }
    assert_eq!(list_ids(b, T, &[]).await, ["zeta", "alpha", "mid", "beta"]);
}

pub async fn total_counts_all_matches_not_just_page(env: Env) {
    let (fx, data) = seeded(&env).await;
    let want = expect(&data, |p| p.active);
    let list = fx
        .b()
        .list_rows(
            DB,
            T,
            &[
                Query::equal("active", [true]),
                Query::limit(3),
                Query::offset(2),
            ],
            &ListOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(list.total, want.len() as u64);
    assert_eq!(ids(&list), want[2..5]);
}

pub async fn cursor_after_returns_next_page(env: Env) {
    let (fx, data) = seeded(&env).await;
    let all = expect(&data, |_| true);
    assert_eq!(
        list_ids(fx.b(), T, &[Query::cursor_after("p04"), Query::limit(5)]).await,
        all[5..10]
    );
    assert!(
        list_ids(fx.b(), T, &[Query::cursor_after("p29")])
            .await
            .is_empty()
    );
}

pub async fn cursor_before_returns_previous_page_in_normal_order(env: Env) {
    let (fx, data) = seeded(&env).await;
    let all = expect(&data, |_| true);
    // §6: the page immediately preceding the cursor, in normal (requested) order.
    assert_eq!(
        list_ids(fx.b(), T, &[Query::cursor_before("p10"), Query::limit(5)]).await,
        all[5..10]
    );
    assert_eq!(
        list_ids(fx.b(), T, &[Query::cursor_before("p02"), Query::limit(5)]).await,
        all[..2]
    );
}

pub async fn cursor_after_with_order_desc(env: Env) {
    let (fx, data) = seeded(&env).await;
    let order = expect_sorted(&data, |a, b| b.score.partial_cmp(&a.score).unwrap());
    let cursor = &order[6];
    assert_eq!(
        list_ids(
            fx.b(),
            T,
            &[
                Query::order_desc("score"),
                Query::cursor_after(cursor.clone()),
                Query::limit(8)
            ]
        )
        .await,
        order[7..15]
    );
}

// --- logical ---------------------------------------------------------------------------------

pub async fn and_requires_every_filter(env: Env) {
    let (fx, data) = seeded(&env).await;
    let want = expect(&data, |p| p.active && p.team == "north");
    assert_eq!(
        q(
            fx.b(),
            vec![Query::and([
                Query::equal("active", [true]),
                Query::equal("team", ["north"])
            ])]
        )
        .await,
        want
    );
    // Top-level filters are and-ed too.
    assert_eq!(
        q(
            fx.b(),
            vec![
                Query::equal("active", [true]),
                Query::equal("team", ["north"])
            ]
        )
        .await,
        want
    );
}

pub async fn or_matches_any_filter(env: Env) {
    let (fx, data) = seeded(&env).await;
    assert_eq!(
        q(
            fx.b(),
            vec![Query::or([
                Query::less_than("age", 22),
                Query::starts_with("name", "ivory")
            ])]
        )
        .await,
        expect(&data, |p| p.age.is_some_and(|a| a < 22)
            || p.name.starts_with("ivory"))
    );
}

pub async fn nested_and_or(env: Env) {
    let (fx, data) = seeded(&env).await;
    let query = Query::or([
        Query::and([
            Query::greater_than("age", 40),
            Query::equal("active", [true]),
        ]),
        Query::and([
            Query::is_null("age"),
            Query::or([
                Query::equal("team", ["east"]),
                Query::contains("tags", ["white"]),
            ]),
        ]),
    ]);
    let want = expect(&data, |p| {
        (p.age.is_some_and(|a| a > 40) && p.active)
            || (p.age.is_none() && (p.team == "east" || p.tags.contains(&"white")))
    });
    assert!(!want.is_empty());
    assert_eq!(q(fx.b(), vec![query]).await, want);
}

pub async fn filter_on_id(env: Env) {
    let (fx, _) = seeded(&env).await;
    // §6: `$id` is queryable.
    assert_eq!(
        q(fx.b(), vec![Query::equal("$id", ["p07", "p03", "zz"])]).await,
        ["p03", "p07"]
    );
}

// --- invalid queries -------------------------------------------------------------------------

async fn invalid(b: &dyn Backend, queries: Vec<Query>, error_type: &str) {
    assert_err(
        b.list_rows(DB, T, &queries, &ListOptions::default()).await,
        400,
        error_type,
    );
}

pub async fn type_mismatch_value_is_invalid_query(env: Env) {
    let (fx, _) = seeded(&env).await;
    // §6: "Query value is invalid for attribute".
    invalid(
        fx.b(),
        vec![Query::equal("age", ["abc"])],
        ty::GENERAL_QUERY_INVALID,
    )
    .await;
    invalid(
        fx.b(),
        vec![Query::greater_than("born", "not a date")],
        ty::GENERAL_QUERY_INVALID,
    )
    .await;
    invalid(
        fx.b(),
        vec![Query::equal("active", ["yes"])],
        ty::GENERAL_QUERY_INVALID,
    )
    .await;
}

pub async fn unknown_attribute_is_invalid_query(env: Env) {
    let (fx, _) = seeded(&env).await;
    let e = assert_err(
        fx.b()
            .list_rows(
                DB,
                T,
                &[Query::equal("ghost", [1])],
                &ListOptions::default(),
            )
            .await,
        400,
        ty::GENERAL_QUERY_INVALID,
    );
    assert_eq!(
        e.message,
        "Invalid query: Attribute not found in schema: ghost"
    );
    invalid(
        fx.b(),
        vec![Query::order_asc("ghost")],
        ty::GENERAL_QUERY_INVALID,
    )
    .await;
}

pub async fn more_than_100_queries_is_rejected(env: Env) {
    let (fx, data) = seeded(&env).await;
    // §5: ≤100 queries per request. The limit is on the `queries` array param
    // (APP_LIMIT_ARRAY_PARAMS_SIZE), so the error is the framework's `general_argument_invalid`.
    let many: Vec<Query> = (0..101).map(|_| Query::is_not_null("name")).collect();
    invalid(fx.b(), many, ty::GENERAL_ARGUMENT_INVALID).await;
    // 100 is fine.
    let hundred: Vec<Query> = (0..99)
        .map(|_| Query::is_not_null("name"))
        .chain([Query::limit(100)])
        .collect();
    assert_eq!(list_ids(fx.b(), T, &hundred).await, expect(&data, |_| true));
}

pub async fn more_than_500_values_is_rejected(env: Env) {
    let (fx, _) = seeded(&env).await;
    // §5: ≤500 values inside one filter; a query rule, so `general_query_invalid`.
    let values: Vec<i64> = (0..501).collect();
    invalid(
        fx.b(),
        vec![Query::equal("age", values)],
        ty::GENERAL_QUERY_INVALID,
    )
    .await;
    let values: Vec<i64> = (0..500).collect();
    list_ids(fx.b(), T, &[Query::equal("age", values)]).await;
}

pub async fn query_longer_than_4096_chars_is_an_invalid_argument(env: Env) {
    let (fx, _) = seeded(&env).await;
    // §5: each element of `queries` is a string of at most 4,096 characters, checked as a
    // parameter before the query is parsed.
    let values: Vec<String> = (0..200)
        .map(|i| format!("name-{i:04}-{}", "x".repeat(20)))
        .collect();
    invalid(
        fx.b(),
        vec![Query::equal("name", values)],
        ty::GENERAL_ARGUMENT_INVALID,
    )
    .await;
}

pub async fn cursor_on_missing_row_is_cursor_not_found(env: Env) {
    let (fx, _) = seeded(&env).await;
    invalid(
        fx.b(),
        vec![Query::cursor_after("nope")],
        ty::GENERAL_CURSOR_NOT_FOUND,
    )
    .await;
    invalid(
        fx.b(),
        vec![Query::cursor_before("nope")],
        ty::GENERAL_CURSOR_NOT_FOUND,
    )
    .await;
}

pub async fn cursor_row_with_null_in_order_column_is_refused(env: Env) {
    let (fx, data) = seeded(&env).await;
    let null_age = data.iter().find(|p| p.age.is_none()).unwrap().id.clone();
    // §6: every ordered column of the cursor row must be non-null.
    invalid(
        fx.b(),
        vec![Query::order_asc("age"), Query::cursor_after(null_age)],
        ty::DATABASE_QUERY_ORDER_NULL,
    )
    .await;
}

pub async fn equal_on_array_column_is_invalid_query(env: Env) {
    let (fx, _) = seeded(&env).await;
    // §5/§6: arrays only take contains/containsAny/containsAll/notContains/isNull/isNotNull/
    // exists/notExists.
    invalid(
        fx.b(),
        vec![Query::equal("tags", ["red"])],
        ty::GENERAL_QUERY_INVALID,
    )
    .await;
    invalid(
        fx.b(),
        vec![Query::starts_with("tags", "re")],
        ty::GENERAL_QUERY_INVALID,
    )
    .await;
    invalid(
        fx.b(),
        vec![Query::contains_all("age", [1])],
        ty::GENERAL_QUERY_INVALID,
    )
    .await;
}

pub async fn logical_query_with_one_filter_is_invalid(env: Env) {
    let (fx, _) = seeded(&env).await;
    // §6: `and`/`or` need ≥2 filters and hold only filters.
    invalid(
        fx.b(),
        vec![Query::or([Query::equal("team", ["east"])])],
        ty::GENERAL_QUERY_INVALID,
    )
    .await;
    invalid(
        fx.b(),
        vec![Query::and([
            Query::equal("team", ["east"]),
            Query::limit(2),
        ])],
        ty::GENERAL_QUERY_INVALID,
    )
    .await;
}

pub async fn limit_zero_is_invalid(env: Env) {
    let (fx, _) = seeded(&env).await;
    // §5: `limit` ≥1.
    invalid(fx.b(), vec![Query::limit(0)], ty::GENERAL_QUERY_INVALID).await;
}
