//! `regex` and `elemMatch` (Appwrite 1.9) on the shared data set of [`super::queries`].
//! Expected ids come from plain string tests on the seed data, never from a regex engine.
//!
//! The patterns use only what PCRE (MariaDB, MongoDB), POSIX (PostgreSQL) and the engine's
//! `regex` crate read alike, and the data is lower-case, so that the cases hold on a real
//! server whatever its database; the ones that check a known difference skip themselves there.

use appwrite_orm::backend::{Backend, ListOptions};
use appwrite_orm::query::Query;

use super::Env;
use super::queries::{Person, expect, seed};
use super::support::*;

async fn seeded(env: &Env) -> (super::Fixture, Vec<Person>) {
    let fx = env.fixture().await;
    let data = seed(fx.b(), T).await;
    (fx, data)
}

async fn q(b: &dyn Backend, queries: Vec<Query>) -> Vec<String> {
    all_ids(b, T, &queries).await
}

/// Asserts that the queries fail with 400 `general_query_invalid` and exactly this message.
async fn refused(b: &dyn Backend, queries: Vec<Query>, message: &str) {
    assert_err_msg(
        b.list_rows(DB, T, &queries, &ListOptions::default()).await,
        400,
        ty::GENERAL_QUERY_INVALID,
        message,
    );
}

/// The two-digit suffix of a name (`amber-07` → 7).
fn suffix(p: &Person) -> usize {
    p.name[p.name.len() - 2..].parse().unwrap()
}

pub async fn regex_matches_anywhere_unless_anchored(env: Env) {
    let (fx, data) = seeded(&env).await;
    let b = fx.b();
    let anchored = expect(&data, |p| p.name.starts_with("ce"));
    assert!(!anchored.is_empty());
    assert_eq!(q(b, vec![Query::regex("name", "^ce")]).await, anchored);
    // Unanchored: a match anywhere in the value.
    let inside = expect(&data, |p| p.name.contains("mb"));
    assert!(inside.len() > 1 && !inside.iter().all(|id| anchored.contains(id)));
    assert_eq!(q(b, vec![Query::regex("name", "mb")]).await, inside);
    // Classes, alternation and the end anchor.
    assert_eq!(
        q(b, vec![Query::regex("name", "-[12][05]$")]).await,
        expect(&data, |p| [10, 15, 20, 25].contains(&suffix(p)))
    );
    assert_eq!(
        q(b, vec![Query::regex("name", "^(amber|basil)-")]).await,
        expect(&data, |p| p.name.starts_with("amber-")
            || p.name.starts_with("basil-"))
    );
    assert!(q(b, vec![Query::regex("name", "^mb")]).await.is_empty());
}

pub async fn regex_on_system_and_nullable_columns(env: Env) {
    let (fx, data) = seeded(&env).await;
    let b = fx.b();
    assert_eq!(
        q(b, vec![Query::regex("$id", "^p2")]).await,
        expect(&data, |p| p.id.starts_with("p2"))
    );
    // A row holding null matches no pattern, not even one that matches every text.
    let titled = expect(&data, |p| p.title.is_some());
    assert!(titled.len() < data.len());
    assert_eq!(q(b, vec![Query::regex("title", ".*")]).await, titled);
    assert_eq!(
        q(b, vec![Query::regex("team", "^(north|east)$")]).await,
        expect(&data, |p| p.team == "north" || p.team == "east")
    );
}

pub async fn regex_honours_inline_case_flag(env: Env) {
    let (fx, data) = seeded(&env).await;
    // `(?i)` makes the match case-insensitive on every database Appwrite runs on.
    assert_eq!(
        q(fx.b(), vec![Query::regex("name", "(?i)^AMBER")]).await,
        expect(&data, |p| p.name.starts_with("amber"))
    );
}

pub async fn regex_value_of_the_wrong_type_is_invalid_query(env: Env) {
    let (fx, _) = seeded(&env).await;
    // Appwrite checks the pattern against the column's type like any filter value.
    refused(
        fx.b(),
        vec![Query::regex("age", "^1")],
        "Invalid query: Query value is invalid for attribute \"age\"",
    )
    .await;
    refused(
        fx.b(),
        vec![Query::regex("active", "true")],
        "Invalid query: Query value is invalid for attribute \"active\"",
    )
    .await;
    refused(
        fx.b(),
        vec![Query::regex("name", 5)],
        "Invalid query: Query value is invalid for attribute \"name\"",
    )
    .await;
}

pub async fn regex_on_array_or_unknown_column_is_invalid_query(env: Env) {
    let (fx, _) = seeded(&env).await;
    refused(
        fx.b(),
        vec![Query::regex("tags", "^r")],
        "Invalid query: Cannot query regex on attribute \"tags\" because it is an array.",
    )
    .await;
    refused(
        fx.b(),
        vec![Query::regex("ghost", "x")],
        "Invalid query: Attribute not found in schema: ghost",
    )
    .await;
}

pub async fn regex_on_non_string_column_is_refused_by_the_engine(env: Env) {
    let (fx, _) = seeded(&env).await;
    if !fx.is_emulated() {
        return;
    }
    // A number passes Appwrite's value check on a number column; MariaDB then matches the
    // number's text, other databases fail. The engine refuses it.
    refused(
        fx.b(),
        vec![Query::regex("age", 5)],
        "Invalid query: Cannot query regex on attribute \"age\" because it is not a string.",
    )
    .await;
}

pub async fn invalid_regex_pattern_is_invalid_query_in_the_engine(env: Env) {
    let (fx, _) = seeded(&env).await;
    if !fx.is_emulated() {
        return;
    }
    // Appwrite hands the pattern to its database, whose error becomes a 500; the engine
    // checks it first.
    refused(
        fx.b(),
        vec![Query::regex("name", "(ab")],
        "Invalid query: Invalid regular expression for attribute \"name\": unclosed group",
    )
    .await;
    // PCRE has backreferences; the engine's regex crate does not, and says so.
    refused(
        fx.b(),
        vec![Query::regex("name", r"(a)\1")],
        "Invalid query: Invalid regular expression for attribute \"name\": backreferences are not supported",
    )
    .await;
}

pub async fn regex_inside_logical_queries(env: Env) {
    let (fx, data) = seeded(&env).await;
    let b = fx.b();
    assert_eq!(
        q(
            b,
            vec![Query::or([
                Query::regex("name", "^ce"),
                Query::and([Query::regex("team", "^s"), Query::greater_than("score", 6)]),
            ])]
        )
        .await,
        expect(&data, |p| p.name.starts_with("ce")
            || (p.team.starts_with('s') && p.score > 6.0))
    );
    // And in a count.
    let list = b
        .list_rows(
            DB,
            T,
            &[Query::regex("name", "7$"), Query::limit(1)],
            &ListOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        list.total,
        expect(&data, |p| p.name.ends_with('7')).len() as u64
    );
}

/// `elemMatch` as it arrives from the wire: the crate offers no constructor for it.
fn elem_match(attribute: &str, queries: Vec<Query>) -> Query {
    Query::ElemMatch {
        attribute: attribute.to_owned(),
        queries,
    }
}

pub async fn elem_match_is_refused_on_tables(env: Env) {
    let (fx, _) = seeded(&env).await;
    let message = "Invalid query: elemMatch is not supported by the database";
    refused(
        fx.b(),
        vec![elem_match("tags", vec![Query::equal("team", ["north"])])],
        message,
    )
    .await;
    // Refused before its column or the number of its sub-queries is looked at.
    refused(fx.b(), vec![elem_match("ghost", vec![])], message).await;
    // Inside a logical query too.
    refused(
        fx.b(),
        vec![Query::or([
            Query::equal("team", ["north"]),
            elem_match("tags", vec![Query::is_null("title")]),
        ])],
        message,
    )
    .await;
}

pub async fn elem_match_checks_its_sub_queries_first(env: Env) {
    let (fx, _) = seeded(&env).await;
    // The sub-queries are checked against the table's own columns, so the element fields a
    // schemaless `elemMatch` would name are unknown here.
    refused(
        fx.b(),
        vec![elem_match("items", vec![Query::equal("sku", ["a1"])])],
        "Invalid query: Attribute not found in schema: sku",
    )
    .await;
    refused(
        fx.b(),
        vec![elem_match("tags", vec![Query::equal("age", ["old"])])],
        "Invalid query: Query value is invalid for attribute \"age\"",
    )
    .await;
}
