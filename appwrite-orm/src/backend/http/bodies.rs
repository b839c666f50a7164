//! Request bodies, in the names of the API and the column types of the server version at hand.
//!
//! Optional parameters that are not set are left out (never sent as `null`), as the official
//! SDKs do; the one exception is the `default` of a column update, which Appwrite requires
//! (`null` clears it).

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::routes::Api;
use super::version::{BIGINT, ServerVersion, TEXT_TYPES};
use crate::api::legacy::{self, Renamed};
use crate::backend::{Document, TableUpdate};
use crate::query::Query;
use crate::schema::limits::{MAX_STRING_SIZE, MEDIUMTEXT_SIZE, TEXT_SIZE};
use crate::schema::{ColumnKind, ColumnSchema, IndexSchema, TableSchema};

/// The column as a server of `version` can create it.
///
/// - Before 1.9 there are no `varchar`/`text`/`mediumtext`/`longtext` routes: those become the
///   legacy `string` with a size (varchar: its size; text 65,535; mediumtext 16,777,215;
///   longtext 1,073,741,824, the largest size the `string` route accepts, as 2,147,483,647
///   would be refused). Such a column reads back as `string`.
/// - Before 1.9.5 there is no `bigint`: it becomes `integer` with the same bounds (Appwrite
///   stores an integer without bounds in 64 bits, so no value is lost).
pub(crate) fn server_column(column: &ColumnSchema, version: ServerVersion) -> ColumnSchema {
    let legacy_string = version < TEXT_TYPES;
    let kind = match &column.kind {
        ColumnKind::Varchar { size } if legacy_string => ColumnKind::String { size: *size },
        ColumnKind::Text if legacy_string => ColumnKind::String { size: TEXT_SIZE },
        ColumnKind::MediumText if legacy_string => ColumnKind::String {
            size: MEDIUMTEXT_SIZE,
        },
        ColumnKind::LongText if legacy_string => ColumnKind::String {
            size: MAX_STRING_SIZE,
        },
        ColumnKind::BigInt { min, max } if version < BIGINT => ColumnKind::Integer {
            min: *min,
            max: *max,
        },
        other => other.clone(),
    };
    ColumnSchema {
        kind,
        ..column.clone()
    }
}

/// Body of `POST …/columns/{type}`.
pub(crate) fn column_create(column: &ColumnSchema, api: Api) -> Value {
    in_names_of(api, column.create_body(), legacy::RELATED_TABLE_ID)
}

/// `body` with the parameter `param` (sent under its TablesDB name) renamed for `api`.
fn in_names_of(api: Api, mut body: Value, param: Renamed) -> Value {
    if api == Api::Legacy
        && let Some(obj) = body.as_object_mut()
        && let Some(value) = obj.remove(param.tables_db)
    {
        obj.insert(param.legacy.into(), value);
    }
    body
}

/// Body of `PATCH …/columns/{type}/{key}`, with `newKey` when the column is renamed.
pub(crate) fn column_update(column: &ColumnSchema, old_key: &str) -> Value {
    let mut body = column.update_body();
    if column.key != old_key
        && let Some(obj) = body.as_object_mut()
    {
        obj.insert("newKey".into(), json!(column.key));
    }
    body
}

/// Body of `PATCH …/columns/{key}/relationship`: what a relationship can change in place.
pub(crate) fn relationship_update(column: &ColumnSchema, old_key: &str) -> Value {
    let mut body = Map::new();
    if let ColumnKind::Relationship(rel) = &column.kind {
        body.insert("onDelete".into(), json!(rel.on_delete.as_str()));
    }
    if column.key != old_key {
        body.insert("newKey".into(), json!(column.key));
    }
    Value::Object(body)
}

/// Body of `POST …/indexes` (legacy servers name the column list `attributes`).
pub(crate) fn index_create(index: &IndexSchema, api: Api) -> Value {
    in_names_of(api, index.create_body(), legacy::COLUMNS)
}

/// How many leading columns and indexes can go inline into create-table: the longest prefix of
/// columns [`ColumnSchema::inline_body`] accepts, then the longest prefix of indexes over those columns or
/// system fields. Prefixes keep the declared order, which Appwrite keeps as creation order.
pub(crate) fn inline_split(columns: &[ColumnSchema], indexes: &[IndexSchema]) -> (usize, usize) {
    let n_columns = columns
        .iter()
        .take_while(|c| c.inline_body().is_some())
        .count();
    let inlined: HashSet<&str> = columns[..n_columns]
        .iter()
        .map(|c| c.key.as_str())
        .chain(["$id", "$createdAt", "$updatedAt"])
        .collect();
    let n_indexes = indexes
        .iter()
        .take_while(|i| i.columns.iter().all(|c| inlined.contains(c.as_str())))
        .count();
    (n_columns, n_indexes)
}

/// Body of `POST /tablesdb/{db}/tables` (or `…/collections`), with inline columns and indexes.
pub(crate) fn table_create(
    api: Api,
    id: &str,
    schema: &TableSchema,
    columns: &[ColumnSchema],
    indexes: &[IndexSchema],
) -> Value {
    let names = api.names();
    let mut body = Map::new();
    body.insert(names.table_id.into(), json!(id));
    body.insert("name".into(), json!(schema.name));
    if !schema.permissions.is_empty() {
        body.insert("permissions".into(), json!(schema.permissions));
    }
    body.insert(names.row_security.into(), json!(schema.row_security));
    if !columns.is_empty() {
        let columns: Vec<Value> = columns
            .iter()
            .filter_map(ColumnSchema::inline_body)
            .collect();
        body.insert("columns".into(), Value::Array(columns));
    }
    if !indexes.is_empty() {
        let indexes: Vec<Value> = indexes.iter().map(IndexSchema::inline_body).collect();
        body.insert("indexes".into(), Value::Array(indexes));
    }
    Value::Object(body)
}

/// Body of `PUT …/tables/{t}`: `rowSecurity` and `enabled` always (Appwrite resets them when
/// left out), name and permissions when they change.
pub(crate) fn table_update(api: Api, update: &TableUpdate) -> Value {
    let mut body = Map::new();
    if let Some(name) = &update.name {
        body.insert("name".into(), json!(name));
    }
    if let Some(permissions) = &update.permissions {
        body.insert("permissions".into(), json!(permissions));
    }
    body.insert(api.names().row_security.into(), json!(update.row_security));
    body.insert("enabled".into(), json!(update.enabled));
    Value::Object(body)
}

/// Body of a single-row create: `{rowId, data, permissions?}`.
pub(crate) fn row_create(
    api: Api,
    id: &str,
    data: &Document,
    permissions: Option<&[String]>,
) -> Value {
    let mut body = Map::new();
    body.insert(api.names().row_id.into(), json!(id));
    body.insert("data".into(), Value::Object(data.clone()));
    if let Some(permissions) = permissions {
        body.insert("permissions".into(), json!(permissions));
    }
    Value::Object(body)
}

/// Body of a single-row update or upsert: `{data, permissions?}`.
pub(crate) fn row_write(data: &Document, permissions: Option<&[String]>) -> Value {
    let mut body = Map::new();
    body.insert("data".into(), Value::Object(data.clone()));
    if let Some(permissions) = permissions {
        body.insert("permissions".into(), json!(permissions));
    }
    Value::Object(body)
}

/// Body of a bulk create or upsert: `{rows: [...]}` (legacy `documents`).
pub(crate) fn rows(api: Api, rows: &[Document]) -> Value {
    let rows: Vec<Value> = rows.iter().cloned().map(Value::Object).collect();
    json!({ api.names().rows: rows })
}

/// Body of a bulk update or delete: `data` (update only) and `queries` as wire strings.
pub(crate) fn rows_by_queries(data: Option<&Document>, queries: &[Query]) -> Value {
    let mut body = Map::new();
    if let Some(data) = data {
        body.insert("data".into(), Value::Object(data.clone()));
    }
    if !queries.is_empty() {
        let queries: Vec<String> = queries.iter().map(Query::to_wire).collect();
        body.insert("queries".into(), json!(queries));
    }
    Value::Object(body)
}

/// True when a value is one of Appwrite's atomic operators: a JSON string such as
/// `{"method":"increment","values":[1]}` (1.8+). A write carrying one is not idempotent, so it
/// is not retried.
pub(crate) fn has_operator<'a>(mut values: impl Iterator<Item = &'a Value>) -> bool {
    values.any(|v| match v {
        Value::String(s) if s.trim_start().starts_with('{') && s.contains("\"method\"") => {
            serde_json::from_str::<Value>(s)
                .ok()
                .and_then(|v| v.get("method").map(Value::is_string))
                .unwrap_or(false)
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::IndexKind;

    #[test]
    fn text_kinds_become_strings_before_1_9() {
        let v18 = ServerVersion::new(1, 8, 1);
        let v19 = ServerVersion::new(1, 9, 0);
        let varchar = ColumnSchema::varchar("t", 100);
        assert_eq!(
            server_column(&varchar, v18).kind,
            ColumnKind::String { size: 100 }
        );
        assert_eq!(server_column(&varchar, v19).kind, varchar.kind);
        let long = ColumnSchema::new("l", ColumnKind::LongText);
        assert_eq!(
            server_column(&long, v18).kind,
            ColumnKind::String {
                size: MAX_STRING_SIZE
            }
        );
        let big = ColumnSchema::new(
            "b",
            ColumnKind::BigInt {
                min: Some(0),
                max: None,
            },
        );
        assert_eq!(
            server_column(&big, ServerVersion::new(1, 9, 4)).kind,
            ColumnKind::Integer {
                min: Some(0),
                max: None
            }
        );
        assert_eq!(
            server_column(&big, ServerVersion::new(1, 9, 5)).kind,
            big.kind
        );
    }

    #[test]
    fn inline_prefix_keeps_declared_order() {
        let columns = vec![
            ColumnSchema::integer("a"),
            ColumnSchema::new("e", ColumnKind::Email),
            ColumnSchema::varchar("v", 10),
            ColumnSchema::boolean("b"),
        ];
        let indexes = vec![
            IndexSchema::new("i1", IndexKind::Key, ["a", "$createdAt"]),
            IndexSchema::new("i2", IndexKind::Key, ["v"]),
            IndexSchema::new("i3", IndexKind::Key, ["a"]),
        ];
        assert_eq!(inline_split(&columns, &indexes), (2, 1));
        let email = columns[1].inline_body().unwrap();
        assert_eq!(
            email,
            json!({"key":"e","type":"string","size":254,"format":"email","required":false})
        );
        assert_eq!(
            indexes[0].inline_body(),
            json!({"key":"i1","type":"key","attributes":["a","$createdAt"]})
        );
    }

    #[test]
    fn operators_are_detected() {
        let op = json!(r#"{"method":"increment","values":[1]}"#);
        assert!(has_operator([&op].into_iter()));
        assert!(!has_operator(
            [&json!("{plain text}"), &json!(3)].into_iter()
        ));
    }

    #[test]
    fn update_body_keeps_null_default_and_adds_new_key() {
        let c = ColumnSchema::varchar("new", 20);
        let body = column_update(&c, "old");
        assert_eq!(
            body,
            json!({"required": false, "default": null, "size": 20, "newKey": "new"})
        );
    }

    #[test]
    fn a_declared_rename_is_never_sent() {
        let c = ColumnSchema::varchar("name", 20).renamed_from("fullName");
        let email = ColumnSchema::new("mail", ColumnKind::Email).renamed_from("fullName");
        let bodies = [
            column_create(&c, Api::TablesDb),
            column_create(&c, Api::Legacy),
            column_update(&c, "name"),
            email.inline_body().unwrap_or_default(),
        ];
        for body in bodies {
            let text = body.to_string();
            assert!(body.is_object() && !text.contains("fullName"), "{text}");
        }
    }
}
