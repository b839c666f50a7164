//! Columns: every kind's value rules (§3.3, §5, §7 message forms) and the column lifecycle
//! (§3.3 PATCH/DELETE, §4 asynchronous creation, "Defaults" in §3.5).

use std::time::Duration;

use appwrite_orm::AppwriteError;
use appwrite_orm::backend::{Backend, ColumnStatus, ListOptions, UNIQUE_ID};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{
    ColumnKind, ColumnSchema, IndexKind, IndexSchema, SortOrder, TableSchema,
};
use serde_json::{Value, json};

use super::support::*;
use super::{Env, FixtureOptions};

/// Column delay used by the lifecycle cases: long enough that the checks made right after
/// `create_column` see `processing`.
const DELAY: Duration = Duration::from_millis(1500);

const PREFIX: &str = "Invalid document structure: ";

/// Stores `{"v": value}` in table [`T`] and returns what reading the row gives for `v`.
async fn store(b: &dyn Backend, value: Value) -> Value {
    let created = b
        .create_row(DB, T, UNIQUE_ID, &doc(json!({ "v": value })), None)
        .await
        .unwrap_or_else(|e| panic!("storing {value}: {e}"));
    let read = get(b, T, created.id()).await;
    // What create answers and what a later read gives agree.
    assert_eq!(created.get("v"), read.get("v"), "create vs get for {value}");
    read.get("v").cloned().unwrap_or(Value::Null)
}

/// Asserts that `{"v": value}` is refused as `row_invalid_structure` and nothing is stored.
async fn refused(b: &dyn Backend, value: Value) -> AppwriteError {
    let before = count(b, T).await;
    let e = assert_err(
        b.create_row(DB, T, UNIQUE_ID, &doc(json!({ "v": value })), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
    );
    assert!(e.message.starts_with(PREFIX), "{}", e.message);
    assert_eq!(count(b, T).await, before, "a refused row was stored");
    e
}

async fn with_column(env: &Env, column: ColumnSchema) -> super::Fixture {
    let fx = env.fixture().await;
    single_column(fx.b(), column).await;
    fx
}

fn v(kind: ColumnKind) -> ColumnSchema {
    ColumnSchema::new("v", kind)
}

// --- kinds -----------------------------------------------------------------------------------

pub async fn varchar_round_trips(env: Env) {
    let fx = with_column(&env, ColumnSchema::varchar("v", 10)).await;
    let b = fx.b();
    // Size counts characters (§5), so ten non-ASCII characters fit in varchar(10).
    assert_eq!(store(b, json!("héllo wörl")).await, json!("héllo wörl"));
    assert_eq!(store(b, json!("")).await, json!(""));
}

pub async fn varchar_longer_than_size_is_rejected_with_message(env: Env) {
    let fx = with_column(&env, ColumnSchema::varchar("v", 255)).await;
    let e = refused(fx.b(), json!("x".repeat(256))).await;
    assert_eq!(
        e.message,
        "Invalid document structure: Attribute \"v\" has invalid type. Value must be a valid string and no longer than 255 chars"
    );
    assert_eq!(
        store(fx.b(), json!("x".repeat(255))).await,
        json!("x".repeat(255))
    );
}

pub async fn text_round_trips(env: Env) {
    let fx = with_column(&env, v(ColumnKind::Text)).await;
    let long = "t".repeat(20_000);
    assert_eq!(store(fx.b(), json!(long)).await, json!(long));
}

pub async fn text_rejects_non_string(env: Env) {
    let fx = with_column(&env, v(ColumnKind::Text)).await;
    let e = refused(fx.b(), json!(5)).await;
    assert!(
        e.message
            .starts_with("Invalid document structure: Attribute \"v\" has invalid type."),
        "{}",
        e.message
    );
    refused(fx.b(), json!(["a"])).await;
    refused(fx.b(), json!({"a": 1})).await;
}

pub async fn mediumtext_round_trips_a_long_value(env: Env) {
    let fx = with_column(&env, v(ColumnKind::MediumText)).await;
    // Longer than the text limit of 65,535 characters.
    let long = "m".repeat(70_000);
    assert_eq!(store(fx.b(), json!(long)).await, json!(long));
}

pub async fn longtext_round_trips_a_long_value(env: Env) {
    let fx = with_column(&env, v(ColumnKind::LongText)).await;
    let long = "é".repeat(100_000);
    assert_eq!(store(fx.b(), json!(long)).await, json!(long));
    refused(fx.b(), json!(true)).await;
}

pub async fn legacy_string_round_trips_and_enforces_size(env: Env) {
    let fx = with_column(&env, v(ColumnKind::String { size: 20 })).await;
    assert_eq!(
        store(fx.b(), json!("legacy string")).await,
        json!("legacy string")
    );
    let e = refused(fx.b(), json!("s".repeat(21))).await;
    assert_eq!(
        e.message,
        "Invalid document structure: Attribute \"v\" has invalid type. Value must be a valid string and no longer than 20 chars"
    );
}

pub async fn integer_without_bounds_accepts_i64_extremes(env: Env) {
    let fx = with_column(&env, ColumnSchema::integer("v")).await;
    let b = fx.b();
    // §3.3: omitted bounds become the i64 range, so the column is 8 bytes wide (§5).
    assert_eq!(store(b, json!(i64::MAX)).await, json!(i64::MAX));
    assert_eq!(store(b, json!(i64::MIN)).await, json!(i64::MIN));
    assert_eq!(store(b, json!(0)).await, json!(0));
}

pub async fn integer_rejects_float_and_string(env: Env) {
    let fx = with_column(&env, ColumnSchema::integer("v")).await;
    // §5: JSON integers only.
    refused(fx.b(), json!(1.5)).await;
    refused(fx.b(), json!("5")).await;
    refused(fx.b(), json!(true)).await;
}

pub async fn integer_with_bounds_rejects_out_of_range_with_message(env: Env) {
    let col = v(ColumnKind::Integer {
        min: Some(0),
        max: Some(3000),
    });
    let fx = with_column(&env, col).await;
    let b = fx.b();
    assert_eq!(store(b, json!(3000)).await, json!(3000));
    assert_eq!(store(b, json!(0)).await, json!(0));
    // §7: range failures are "invalid format" with a thousands-separated range.
    let e = refused(b, json!(3001)).await;
    assert_eq!(
        e.message,
        "Invalid document structure: Attribute \"v\" has invalid format. Value must be a valid range between 0 and 3,000"
    );
    refused(b, json!(-1)).await;
}

pub async fn bigint_accepts_numeric_string(env: Env) {
    let fx = with_column(
        &env,
        v(ColumnKind::BigInt {
            min: None,
            max: None,
        }),
    )
    .await;
    let b = fx.b();
    assert_eq!(store(b, json!(42)).await, json!(42));
    // §5: bigint also accepts numeric strings. Not settled by the reference: what comes back.
    // A bigint is an integer column, so we expect the JSON integer (as Appwrite casts integer
    // columns when reading them).
    assert_eq!(
        store(b, json!("9007199254740993")).await,
        json!(9_007_199_254_740_993_i64)
    );
    assert_eq!(store(b, json!("-12")).await, json!(-12));
}

pub async fn bigint_rejects_non_numeric_string(env: Env) {
    let fx = with_column(
        &env,
        v(ColumnKind::BigInt {
            min: None,
            max: None,
        }),
    )
    .await;
    refused(fx.b(), json!("12abc")).await;
    refused(fx.b(), json!(1.25)).await;
}

pub async fn float_accepts_integer_and_fraction(env: Env) {
    let fx = with_column(&env, ColumnSchema::float("v")).await;
    let b = fx.b();
    // §5: JSON int or float. `3` may read back as `3` or `3.0`; compare numerically.
    assert_eq!(store(b, json!(2.5)).await.as_f64(), Some(2.5));
    assert_eq!(store(b, json!(3)).await.as_f64(), Some(3.0));
    assert_eq!(store(b, json!(-0.125)).await.as_f64(), Some(-0.125));
}

pub async fn float_rejects_string_with_message(env: Env) {
    let fx = with_column(&env, ColumnSchema::float("v")).await;
    let e = refused(fx.b(), json!("1.5")).await;
    assert_eq!(
        e.message,
        "Invalid document structure: Attribute \"v\" has invalid type. Value must be a valid float"
    );
}

pub async fn boolean_round_trips(env: Env) {
    let fx = with_column(&env, ColumnSchema::boolean("v")).await;
    assert_eq!(store(fx.b(), json!(true)).await, json!(true));
    assert_eq!(store(fx.b(), json!(false)).await, json!(false));
}

pub async fn boolean_is_strict_with_message(env: Env) {
    let fx = with_column(&env, ColumnSchema::boolean("v")).await;
    // §5: strict true/false.
    let e = refused(fx.b(), json!("true")).await;
    assert_eq!(
        e.message,
        "Invalid document structure: Attribute \"v\" has invalid type. Value must be a valid boolean"
    );
    refused(fx.b(), json!(1)).await;
}

pub async fn datetime_is_normalised_to_utc_millis(env: Env) {
    let fx = with_column(&env, ColumnSchema::datetime("v")).await;
    // §3.5, e2e example.
    assert_eq!(
        store(fx.b(), json!("1975-06-12 14:12:55+02:00")).await,
        json!("1975-06-12T12:12:55.000+00:00")
    );
    assert_eq!(
        store(fx.b(), json!("2024-02-29T23:30:00.5-01:00")).await,
        json!("2024-03-01T00:30:00.500+00:00")
    );
}

pub async fn datetime_keeps_canonical_value_byte_identical(env: Env) {
    let fx = with_column(&env, ColumnSchema::datetime("v")).await;
    assert_eq!(
        store(fx.b(), json!("2025-03-04T05:06:07.089+00:00")).await,
        json!("2025-03-04T05:06:07.089+00:00")
    );
}

pub async fn datetime_rejects_garbage_and_out_of_range(env: Env) {
    let fx = with_column(&env, ColumnSchema::datetime("v")).await;
    refused(fx.b(), json!("not a date")).await;
    refused(fx.b(), json!(1_700_000_000)).await;
    // §5: between 1000-01-01 00:00:00 and 9999-12-31 23:59:59.
    refused(fx.b(), json!("0999-12-31T00:00:00.000+00:00")).await;
    assert_eq!(
        store(fx.b(), json!("1000-01-01T00:00:00.000+00:00")).await,
        json!("1000-01-01T00:00:00.000+00:00")
    );
}

pub async fn email_round_trips_and_rejects_invalid(env: Env) {
    let fx = with_column(&env, v(ColumnKind::Email)).await;
    assert_eq!(
        store(fx.b(), json!("ada@example.com")).await,
        json!("ada@example.com")
    );
    let e = refused(fx.b(), json!("not-an-email")).await;
    assert!(
        e.message
            .starts_with("Invalid document structure: Attribute \"v\" has invalid format."),
        "{}",
        e.message
    );
}

pub async fn url_round_trips_and_rejects_invalid(env: Env) {
    let fx = with_column(&env, v(ColumnKind::Url)).await;
    let url = "https://example.com/a/b?q=1#frag";
    assert_eq!(store(fx.b(), json!(url)).await, json!(url));
    let e = refused(fx.b(), json!("not a url")).await;
    assert!(
        e.message
            .starts_with("Invalid document structure: Attribute \"v\" has invalid format."),
        "{}",
        e.message
    );
}

pub async fn ip_accepts_v4_and_v6_and_rejects_invalid(env: Env) {
    let fx = with_column(&env, v(ColumnKind::Ip)).await;
    assert_eq!(
        store(fx.b(), json!("192.168.1.20")).await,
        json!("192.168.1.20")
    );
    assert_eq!(
        store(fx.b(), json!("2001:db8::1")).await,
        json!("2001:db8::1")
    );
    let e = refused(fx.b(), json!("999.1.1.1")).await;
    assert!(
        e.message
            .starts_with("Invalid document structure: Attribute \"v\" has invalid format."),
        "{}",
        e.message
    );
    refused(fx.b(), json!("localhost")).await;
}

pub async fn enum_accepts_element_and_rejects_other_with_message(env: Env) {
    let fx = with_column(&env, ColumnSchema::enumeration("v", ["draft", "published"])).await;
    assert_eq!(store(fx.b(), json!("published")).await, json!("published"));
    let e = refused(fx.b(), json!("archived")).await;
    assert_eq!(
        e.message,
        "Invalid document structure: Attribute \"v\" has invalid format. Value must be one of (draft, published)"
    );
}

pub async fn array_round_trips_and_validates_elements(env: Env) {
    let fx = with_column(&env, ColumnSchema::varchar("v", 5).array()).await;
    let b = fx.b();
    assert_eq!(
        store(b, json!(["a", "bb", "a"])).await,
        json!(["a", "bb", "a"])
    );
    assert_eq!(store(b, json!([])).await, json!([]));
    // §5: optional arrays accept null.
    assert_eq!(store(b, Value::Null).await, Value::Null);
    // Each element is validated.
    refused(b, json!(["ok", "toolong"])).await;
    refused(b, json!(["ok", 5])).await;
}

pub async fn array_rejects_scalar_with_message(env: Env) {
    let fx = with_column(&env, ColumnSchema::integer("v").array()).await;
    let e = refused(fx.b(), json!(5)).await;
    assert_eq!(
        e.message,
        "Invalid document structure: Attribute \"v\" must be an array"
    );
    assert_eq!(store(fx.b(), json!([1, -2, 3])).await, json!([1, -2, 3]));
}

pub async fn unknown_attribute_is_rejected_with_message(env: Env) {
    let fx = with_column(&env, ColumnSchema::varchar("v", 10)).await;
    let b = fx.b();
    assert_err_msg(
        b.create_row(DB, T, "r1", &doc(json!({"v": "x", "k": 1})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
        "Invalid document structure: Unknown attribute: \"k\"",
    );
    assert_eq!(count(b, T).await, 0);
}

pub async fn missing_required_attribute_is_rejected_with_message(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(
        b,
        T,
        vec![
            ColumnSchema::varchar("v", 10),
            ColumnSchema::varchar("k", 10).required(),
        ],
    )
    .await;
    assert_err_msg(
        b.create_row(DB, T, "r1", &doc(json!({"v": "x"})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
        "Invalid document structure: Missing required attribute \"k\"",
    );
    // An explicit null on a required column is missing too.
    assert_err_msg(
        b.create_row(DB, T, "r1", &doc(json!({"k": null})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
        "Invalid document structure: Missing required attribute \"k\"",
    );
    assert_eq!(count(b, T).await, 0);
}

pub async fn column_models_report_kind_settings(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    let declared = vec![
        ColumnSchema::varchar("title", 120).required(),
        ColumnSchema::new(
            "year",
            ColumnKind::Integer {
                min: Some(0),
                max: Some(3000),
            },
        ),
        ColumnSchema::new(
            "price",
            ColumnKind::Float {
                min: Some(0.0),
                max: None,
            },
        )
        .default_value(1.5),
        ColumnSchema::enumeration("status", ["a", "b"]).default_value("a"),
        ColumnSchema::new("mail", ColumnKind::Email),
        ColumnSchema::datetime("at"),
        ColumnSchema::boolean("ok").default_value(false),
        ColumnSchema::new("body", ColumnKind::Text),
        ColumnSchema::varchar("tags", 16).array(),
    ];
    table_with(b, T, declared.clone()).await;
    let listed = b.list_columns(DB, T).await.unwrap();
    assert_eq!(listed.total, declared.len() as u64);
    let got: Vec<ColumnSchema> = listed.items.iter().map(|c| c.schema.clone()).collect();
    assert_eq!(got, declared);
    // And through the model JSON a client would read: float reports as `double` (§3.2/§3.3).
    let price = b.get_column(DB, T, "price").await.unwrap();
    assert_eq!(price.to_json()["type"], json!("double"));
    let mail = b.get_column(DB, T, "mail").await.unwrap();
    assert_eq!(mail.to_json()["format"], json!("email"));
    assert_eq!(mail.to_json()["size"], json!(254));
}

// --- lifecycle -------------------------------------------------------------------------------

async fn delayed_table(env: &Env) -> super::Fixture {
    let fx = env.fixture_with(FixtureOptions::delayed(DELAY)).await;
    table_with(fx.b(), T, vec![ColumnSchema::varchar("name", 20)]).await;
    fx
}

pub async fn create_column_answers_processing_then_available(env: Env) {
    let fx = delayed_table(&env).await;
    let b = fx.b();
    let created = b
        .create_column(DB, T, &ColumnSchema::integer("age"))
        .await
        .unwrap();
    assert_eq!(created.status, ColumnStatus::Processing);
    assert_eq!(created.error, "");
    assert_eq!(created.schema.key, "age");
    let ready = wait_column(b, T, "age").await;
    assert_eq!(ready.status, ColumnStatus::Available);
    // Once available, it can be written and queried.
    put(b, T, "r1", json!({"name": "a", "age": 3})).await;
    assert_eq!(list_ids(b, T, &[Query::equal("age", [3])]).await, ["r1"]);
}

pub async fn create_column_without_delay_is_available_on_next_get(env: Env) {
    let fx = env.fixture().await;
    if !fx.column_timing_is_set() {
        return;
    }
    let b = fx.b();
    table_with(b, T, vec![]).await;
    b.create_column(DB, T, &ColumnSchema::integer("age"))
        .await
        .unwrap();
    let got = b.get_column(DB, T, "age").await.unwrap();
    assert_eq!(got.status, ColumnStatus::Available);
}

pub async fn processing_column_is_listed_with_its_status(env: Env) {
    let fx = delayed_table(&env).await;
    if !fx.column_timing_is_set() {
        return;
    }
    let b = fx.b();
    b.create_column(DB, T, &ColumnSchema::integer("age"))
        .await
        .unwrap();
    let listed = b.list_columns(DB, T).await.unwrap();
    let age = listed
        .items
        .iter()
        .find(|c| c.schema.key == "age")
        .expect("a processing column is listed (§3.2)");
    assert_eq!(age.status, ColumnStatus::Processing);
    let table = b.get_table(DB, T).await.unwrap();
    assert_eq!(
        table.column("age").unwrap().status,
        ColumnStatus::Processing
    );
    assert_eq!(
        table.column("name").unwrap().status,
        ColumnStatus::Available
    );
}

pub async fn writing_a_processing_column_is_unknown_attribute(env: Env) {
    let fx = delayed_table(&env).await;
    if !fx.column_timing_is_set() {
        return;
    }
    let b = fx.b();
    b.create_column(DB, T, &ColumnSchema::integer("age").required())
        .await
        .unwrap();
    // §4: the live schema does not have the key yet.
    assert_err_msg(
        b.create_row(DB, T, "r1", &doc(json!({"name": "a", "age": 1})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
        "Invalid document structure: Unknown attribute: \"age\"",
    );
    // §4: and a required column is not enforced yet.
    put(b, T, "r2", json!({"name": "b"})).await;
}

pub async fn querying_a_processing_column_is_invalid_query(env: Env) {
    let fx = delayed_table(&env).await;
    if !fx.column_timing_is_set() {
        return;
    }
    let b = fx.b();
    b.create_column(DB, T, &ColumnSchema::integer("age"))
        .await
        .unwrap();
    assert_err(
        b.list_rows(DB, T, &[Query::equal("age", [1])], &ListOptions::default())
            .await,
        400,
        ty::GENERAL_QUERY_INVALID,
    );
}

pub async fn updating_a_processing_column_is_not_available(env: Env) {
    let fx = delayed_table(&env).await;
    if !fx.column_timing_is_set() {
        return;
    }
    let b = fx.b();
    b.create_column(DB, T, &ColumnSchema::integer("age"))
        .await
        .unwrap();
    assert_err(
        b.update_column(DB, T, "age", &ColumnSchema::integer("age").default_value(4))
            .await,
        400,
        ty::COLUMN_NOT_AVAILABLE,
    );
}

pub async fn duplicate_column_key_is_conflict(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![ColumnSchema::varchar("name", 20)]).await;
    assert_err(
        b.create_column(DB, T, &ColumnSchema::integer("name")).await,
        409,
        ty::COLUMN_ALREADY_EXISTS,
    );
    add_column(b, T, ColumnSchema::integer("age")).await;
    assert_err(
        b.create_column(DB, T, &ColumnSchema::integer("age")).await,
        409,
        ty::COLUMN_ALREADY_EXISTS,
    );
    assert_eq!(b.list_columns(DB, T).await.unwrap().total, 2);
}

pub async fn default_on_required_column_is_unsupported(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![]).await;
    let col = ColumnSchema::varchar("name", 20)
        .required()
        .default_value("x");
    assert_err(
        b.create_column(DB, T, &col).await,
        400,
        ty::COLUMN_DEFAULT_UNSUPPORTED,
    );
    assert_err(b.get_column(DB, T, "name").await, 404, ty::COLUMN_NOT_FOUND);
}

pub async fn default_on_array_column_is_unsupported(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![]).await;
    let col = ColumnSchema::varchar("tags", 20).array().default_value("x");
    assert_err(
        b.create_column(DB, T, &col).await,
        400,
        ty::COLUMN_DEFAULT_UNSUPPORTED,
    );
}

pub async fn default_of_the_wrong_json_type_is_an_invalid_argument(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![]).await;
    // Appwrite's `default` param of a varchar column is a string (or null): a list or a number
    // fails the parameter check before any column rule is looked at.
    for default in [json!(["x"]), json!(5)] {
        let col = ColumnSchema::varchar("tags", 20).default_value(default);
        assert_err(
            b.create_column(DB, T, &col).await,
            400,
            ty::GENERAL_ARGUMENT_INVALID,
        );
    }
    let col = ColumnSchema::integer("n").default_value("5");
    assert_err(
        b.create_column(DB, T, &col).await,
        400,
        ty::GENERAL_ARGUMENT_INVALID,
    );
}

pub async fn invalid_default_is_rejected(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![]).await;
    // §5: the default must satisfy size/range/format, else `column_value_invalid`.
    let bad_enum = ColumnSchema::enumeration("status", ["a", "b"]).default_value("c");
    assert_err(
        b.create_column(DB, T, &bad_enum).await,
        400,
        ty::COLUMN_VALUE_INVALID,
    );
    let bad_range = ColumnSchema::new(
        "n",
        ColumnKind::Integer {
            min: Some(0),
            max: Some(10),
        },
    )
    .default_value(11);
    assert_err(
        b.create_column(DB, T, &bad_range).await,
        400,
        ty::COLUMN_VALUE_INVALID,
    );
    let bad_size = ColumnSchema::varchar("s", 3).default_value("toolong");
    assert_err(
        b.create_column(DB, T, &bad_size).await,
        400,
        ty::COLUMN_VALUE_INVALID,
    );
    assert_eq!(b.list_columns(DB, T).await.unwrap().total, 0);
}

pub async fn get_missing_column_is_not_found(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![]).await;
    assert_err(b.get_column(DB, T, "nope").await, 404, ty::COLUMN_NOT_FOUND);
    assert_err(
        b.delete_column(DB, T, "nope").await,
        404,
        ty::COLUMN_NOT_FOUND,
    );
}

pub async fn delete_column_removes_it_eventually(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(
        b,
        T,
        vec![
            ColumnSchema::varchar("name", 20),
            ColumnSchema::integer("age"),
        ],
    )
    .await;
    put(b, T, "r1", json!({"name": "a", "age": 3})).await;
    b.delete_column(DB, T, "age").await.unwrap();
    wait_column_gone(b, T, "age").await;
    assert_err(b.get_column(DB, T, "age").await, 404, ty::COLUMN_NOT_FOUND);
    let row = get(b, T, "r1").await;
    assert!(
        row.get("age").is_none(),
        "deleted column still in row: {row:?}"
    );
    assert_eq!(row["name"], json!("a"));
    // The key is free again and the row cannot carry the old column.
    assert_err(
        b.update_row(DB, T, "r1", &doc(json!({"age": 1})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
    );
    add_column(b, T, ColumnSchema::varchar("age", 5)).await;
}

pub async fn delete_column_used_by_index_takes_it_out_of_the_index(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    let schema = TableSchema::new(T, T)
        .column(ColumnSchema::integer("age"))
        .column(ColumnSchema::varchar("name", 20))
        .column(ColumnSchema::varchar("city", 20))
        .index(IndexSchema::new("by_age", IndexKind::Key, ["age"]))
        .index(
            IndexSchema::new("by_age_city", IndexKind::Key, ["age", "city"])
                .orders([SortOrder::Asc, SortOrder::Desc]),
        )
        .index(IndexSchema::new(
            "by_age_name",
            IndexKind::Unique,
            ["age", "name"],
        ))
        .index(IndexSchema::new("by_name", IndexKind::Unique, ["name"]));
    table_schema(b, schema).await;
    put(b, T, "r1", json!({"age": 1, "name": "a", "city": "x"})).await;
    // Appwrite 1.9.6 refuses only an array column in an index, on databases that index
    // arrays (`Attributes/Delete.php`, `Validator/IndexDependency.php`); its worker then takes
    // the column out of every index (`Workers/Databases.php`).
    b.delete_column(DB, T, "age").await.unwrap();
    wait_column_gone(b, T, "age").await;
    // Left with no column: dropped.
    wait_index_gone(b, T, "by_age").await;
    // Left with other columns: kept over them, with their orders.
    let by_city = wait_index(b, T, "by_age_city").await;
    assert_eq!(by_city.schema.columns, ["city"]);
    assert_eq!(by_city.to_json()["orders"], json!(["DESC"]));
    // Left the same as another index: dropped.
    wait_index_gone(b, T, "by_age_name").await;
    assert_eq!(wait_index(b, T, "by_name").await.schema.columns, ["name"]);
    // The remaining unique index still holds.
    assert_err(
        b.create_row(DB, T, "r2", &doc(json!({"name": "a"})), None)
            .await,
        409,
        ty::ROW_ALREADY_EXISTS,
    );
}

pub async fn update_column_required_is_enforced(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(
        b,
        T,
        vec![
            ColumnSchema::varchar("name", 20),
            ColumnSchema::varchar("nick", 20),
        ],
    )
    .await;
    put(b, T, "r1", json!({"name": "a"})).await;
    let updated = b
        .update_column(DB, T, "nick", &ColumnSchema::varchar("nick", 20).required())
        .await
        .unwrap();
    assert!(updated.schema.required);
    assert!(b.get_column(DB, T, "nick").await.unwrap().schema.required);
    assert_err_msg(
        b.create_row(DB, T, "r2", &doc(json!({"name": "b"})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
        "Invalid document structure: Missing required attribute \"nick\"",
    );
    put(b, T, "r3", json!({"name": "c", "nick": "cc"})).await;
}

/// Appwrite's float routes take `?float $default`: a whole number is kept and answered as a
/// float (`3.0`), on create and on update, so that a declared `default = 3.0` matches it.
pub async fn float_default_is_kept_as_a_float(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![ColumnSchema::integer("n")]).await;
    let created = b
        .create_column(DB, T, &ColumnSchema::float("price").default_value(3))
        .await
        .unwrap();
    assert_eq!(created.schema.default, Some(json!(3.0)));
    let live = b.get_table(DB, T).await.unwrap();
    assert_eq!(
        live.column("price").unwrap().schema.default,
        Some(json!(3.0))
    );
    let updated = b
        .update_column(
            DB,
            T,
            "price",
            &ColumnSchema::float("price").default_value(4),
        )
        .await
        .unwrap();
    assert_eq!(updated.schema.default, Some(json!(4.0)));
    assert!(updated.schema.default.unwrap().is_f64());
}

pub async fn update_column_default_applies_to_new_rows(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(
        b,
        T,
        vec![
            ColumnSchema::integer("n"),
            ColumnSchema::varchar("nick", 20).default_value("old"),
        ],
    )
    .await;
    put(b, T, "r1", json!({"n": 1})).await;
    let updated = b
        .update_column(
            DB,
            T,
            "nick",
            &ColumnSchema::varchar("nick", 20).default_value("new"),
        )
        .await
        .unwrap();
    assert_eq!(updated.schema.default, Some(json!("new")));
    put(b, T, "r2", json!({"n": 1})).await;
    assert_eq!(get(b, T, "r2").await["nick"], json!("new"));
    // §3.5 Defaults: changing a default does not touch stored values.
    assert_eq!(get(b, T, "r1").await["nick"], json!("old"));
    // `default: None` clears it.
    b.update_column(DB, T, "nick", &ColumnSchema::varchar("nick", 20))
        .await
        .unwrap();
    put(b, T, "r3", json!({"n": 1})).await;
    assert_eq!(get(b, T, "r3").await["nick"], Value::Null);
}

pub async fn update_column_size_grows(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![ColumnSchema::varchar("name", 5)]).await;
    assert_err(
        b.create_row(DB, T, "r1", &doc(json!({"name": "eightchr"})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
    );
    let updated = b
        .update_column(DB, T, "name", &ColumnSchema::varchar("name", 10))
        .await
        .unwrap();
    assert_eq!(updated.schema.kind, ColumnKind::Varchar { size: 10 });
    put(b, T, "r1", json!({"name": "eightchr"})).await;
    assert_eq!(
        b.get_column(DB, T, "name").await.unwrap().schema.kind,
        ColumnKind::Varchar { size: 10 }
    );
}

pub async fn shrinking_size_below_existing_data_is_invalid_resize(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![ColumnSchema::varchar("name", 10)]).await;
    put(b, T, "r1", json!({"name": "abcdefgh"})).await;
    assert_err(
        b.update_column(DB, T, "name", &ColumnSchema::varchar("name", 5))
            .await,
        400,
        ty::COLUMN_INVALID_RESIZE,
    );
    assert_eq!(
        b.get_column(DB, T, "name").await.unwrap().schema.kind,
        ColumnKind::Varchar { size: 10 }
    );
    assert_eq!(get(b, T, "r1").await["name"], json!("abcdefgh"));
    // Shrinking to a size the data still fits is fine.
    b.update_column(DB, T, "name", &ColumnSchema::varchar("name", 8))
        .await
        .unwrap();
}

pub async fn update_column_with_new_key_renames_it(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![ColumnSchema::varchar("old", 10)]).await;
    put(b, T, "r1", json!({"old": "kept"})).await;
    let renamed = b
        .update_column(DB, T, "old", &ColumnSchema::varchar("new", 10))
        .await
        .unwrap();
    assert_eq!(renamed.schema.key, "new");
    let cols = b.list_columns(DB, T).await.unwrap();
    let keys: Vec<&str> = cols.items.iter().map(|c| c.schema.key.as_str()).collect();
    assert_eq!(keys, ["new"]);
    let row = get(b, T, "r1").await;
    assert_eq!(row["new"], json!("kept"));
    assert!(row.get("old").is_none());
    assert_err(b.get_column(DB, T, "old").await, 404, ty::COLUMN_NOT_FOUND);
}

pub async fn added_column_default_is_not_backfilled(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![ColumnSchema::varchar("name", 10)]).await;
    put(b, T, "old", json!({"name": "a"})).await;
    add_column(b, T, ColumnSchema::integer("level").default_value(1)).await;
    put(b, T, "new", json!({"name": "b"})).await;
    // §3.5 Defaults: existing rows read null (get, list and filters alike); new rows get it.
    assert_eq!(get(b, T, "old").await["level"], Value::Null);
    assert_eq!(get(b, T, "new").await["level"], json!(1));
    assert_eq!(list_ids(b, T, &[Query::equal("level", [1])]).await, ["new"]);
    assert_eq!(list_ids(b, T, &[Query::is_null("level")]).await, ["old"]);
}
