//! Appwrite's limits (§5): column count, row width, index count, enum elements, sizes, ranges.

use appwrite_orm::backend::UNIQUE_ID;
use appwrite_orm::schema::{ColumnKind, ColumnSchema, IndexKind, IndexSchema, TableSchema};
use serde_json::json;

use super::Env;
use super::support::*;

pub async fn more_than_1010_columns_is_limit_exceeded(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    // Inline columns are capped at 100 (§3.2), so the rest go through create_column.
    let inline: Vec<ColumnSchema> = (0..100)
        .map(|i| ColumnSchema::boolean(format!("c{i:04}")))
        .collect();
    table_with(b, T, inline).await;
    for i in 100..1010 {
        b.create_column(DB, T, &ColumnSchema::boolean(format!("c{i:04}")))
            .await
            .unwrap_or_else(|e| panic!("column {i}: {e}"));
    }
    // §5: 1010 user columns (booleans are 1 byte wide, so the width limit is far away).
    assert_err(
        b.create_column(DB, T, &ColumnSchema::boolean("c1010"))
            .await,
        400,
        ty::COLUMN_LIMIT_EXCEEDED,
    );
    assert_eq!(b.list_columns(DB, T).await.unwrap().total, 1010);
}

pub async fn row_width_over_limit_is_limit_exceeded(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![]).await;
    // §5: base 1,067 + varchar(16000) at 4·16000+2 = 65,069 < 65,535: fits.
    add_column(b, T, ColumnSchema::varchar("big", 16_000)).await;
    // + varchar(200) at 4·200+1 = 801 → 65,870: too wide.
    assert_err(
        b.create_column(DB, T, &ColumnSchema::varchar("more", 200))
            .await,
        400,
        ty::COLUMN_LIMIT_EXCEEDED,
    );
    // + text at 20 → 65,089: fits.
    add_column(b, T, ColumnSchema::new("notes", ColumnKind::Text)).await;
    let keys: Vec<String> = b
        .list_columns(DB, T)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.schema.key)
        .collect();
    assert_eq!(keys, strings(&["big", "notes"]));
}

pub async fn more_than_58_indexes_is_limit_exceeded(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    let mut schema = TableSchema::new(T, T);
    for i in 0..60 {
        schema = schema.column(ColumnSchema::integer(format!("c{i:02}")));
    }
    for i in 0..58 {
        let col = format!("c{i:02}");
        schema = schema.index(IndexSchema::new(format!("i{i:02}"), IndexKind::Key, [col]));
    }
    table_schema(b, schema).await;
    // §5: 64 − 6 internal = 58 indexes.
    assert_err(
        b.create_index(DB, T, &IndexSchema::new("i58", IndexKind::Key, ["c58"]))
            .await,
        400,
        ty::COLUMN_INDEX_LIMIT_EXCEEDED,
    );
    assert_eq!(b.list_indexes(DB, T).await.unwrap().total, 58);
}

pub async fn more_than_100_inline_columns_is_rejected(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    new_db(b).await;
    let mut schema = TableSchema::new(T, T);
    for i in 0..101 {
        schema = schema.column(ColumnSchema::boolean(format!("c{i:03}")));
    }
    // §3.2: `columns` ≤100 is a limit of the request param, so `general_argument_invalid`.
    assert_err(
        b.create_table(DB, &schema).await,
        400,
        ty::GENERAL_ARGUMENT_INVALID,
    );
    assert_err(b.get_table(DB, T).await, 404, ty::TABLE_NOT_FOUND);
}

pub async fn enum_with_more_than_100_elements_is_rejected(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![]).await;
    let elements: Vec<String> = (0..101).map(|i| format!("e{i}")).collect();
    // §5: ≤100 elements; `elements` is a request array (≤100), so `general_argument_invalid`.
    assert_err(
        b.create_column(
            DB,
            T,
            &ColumnSchema::enumeration("status", elements.clone()),
        )
        .await,
        400,
        ty::GENERAL_ARGUMENT_INVALID,
    );
    add_column(
        b,
        T,
        ColumnSchema::enumeration("status", elements[..100].to_vec()),
    )
    .await;
}

pub async fn enum_element_longer_than_255_is_rejected(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![]).await;
    // §5: each element non-empty, ≤255 chars (a param rule: `general_argument_invalid`).
    let long = "e".repeat(256);
    assert_err(
        b.create_column(
            DB,
            T,
            &ColumnSchema::enumeration("status", ["ok", long.as_str()]),
        )
        .await,
        400,
        ty::GENERAL_ARGUMENT_INVALID,
    );
    // The reference does not say which type an empty element gets; only the code is checked.
    assert_code(
        b.create_column(DB, T, &ColumnSchema::enumeration("status", ["ok", ""]))
            .await,
        400,
    );
    assert_eq!(b.list_columns(DB, T).await.unwrap().total, 0);
}

pub async fn varchar_size_above_16381_is_rejected(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![]).await;
    // §3.3: varchar size 1…16381, a param range: `general_argument_invalid`.
    assert_err(
        b.create_column(DB, T, &ColumnSchema::varchar("s", 16_382))
            .await,
        400,
        ty::GENERAL_ARGUMENT_INVALID,
    );
    assert_err(
        b.create_column(DB, T, &ColumnSchema::varchar("s", 0)).await,
        400,
        ty::GENERAL_ARGUMENT_INVALID,
    );
    // 16381 passes the size rule, but alone it is wider than a row may be (§5: 4·16381+2 plus
    // the base 1,067 > 65,535).
    assert_err(
        b.create_column(DB, T, &ColumnSchema::varchar("s", 16_381))
            .await,
        400,
        ty::COLUMN_LIMIT_EXCEEDED,
    );
    add_column(b, T, ColumnSchema::varchar("s", 16_000)).await;
}

pub async fn string_at_size_is_accepted_one_more_is_rejected(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    single_column(b, ColumnSchema::varchar("s", 10)).await;
    put(b, T, "ok", json!({"s": "0123456789"})).await;
    assert_err(
        b.create_row(DB, T, "bad", &doc(json!({"s": "0123456789a"})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
    );
    assert_err(
        b.update_row(DB, T, "ok", &doc(json!({"s": "0123456789a"})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
    );
    assert_eq!(get(b, T, "ok").await["s"], json!("0123456789"));
}

pub async fn size_counts_characters_not_bytes(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    single_column(b, ColumnSchema::varchar("s", 3)).await;
    // §5: lengths are characters (mb_strlen).
    put(b, T, "ok", json!({"s": "日本語"})).await;
    assert_err(
        b.create_row(DB, T, "bad", &doc(json!({"s": "日本語x"})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
    );
}

pub async fn integer_outside_32_bit_on_small_column(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    // §3.3/§5: with max ≤ 2^31−1 the column is 4 bytes wide and takes signed 32-bit values,
    // even though the omitted min is i64::MIN.
    single_column(
        b,
        ColumnSchema::new(
            "n",
            ColumnKind::Integer {
                min: None,
                max: Some(100),
            },
        ),
    )
    .await;
    put(b, T, "ok", json!({"n": i32::MIN})).await;
    assert_err(
        b.create_row(
            DB,
            T,
            UNIQUE_ID,
            &doc(json!({"n": i32::MIN as i64 - 1})),
            None,
        )
        .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
    );
    assert_err(
        b.create_row(DB, T, UNIQUE_ID, &doc(json!({"n": 101})), None)
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
    );
    assert_eq!(count(b, T).await, 1);
}

pub async fn key_longer_than_36_is_rejected(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    table_with(b, T, vec![]).await;
    // §5: keys follow the id rule, `$`-prefixed keys are refused; param rule errors.
    for bad in [
        "k".repeat(37),
        "$key".to_owned(),
        "_key".to_owned(),
        "a b".to_owned(),
    ] {
        assert_err(
            b.create_column(DB, T, &ColumnSchema::integer(bad.clone()))
                .await,
            400,
            ty::GENERAL_ARGUMENT_INVALID,
        );
    }
    add_column(b, T, ColumnSchema::integer("k".repeat(36))).await;
    assert_eq!(b.list_columns(DB, T).await.unwrap().total, 1);
}
