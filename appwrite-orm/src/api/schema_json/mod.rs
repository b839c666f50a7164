//! Column and index schemas in Appwrite's JSON forms, both ways: the bodies of the create and
//! update requests (`POST …/columns/{type}`, `PATCH …/columns/{type}/{key}`, `POST …/indexes`,
//! the inline `columns` and `indexes` of a table create) and the column and index models a
//! server answers with.
//!
//! Decoding an inline definition answers Appwrite's own validator messages
//! ([`InlineError`]); the parameters of the single routes are checked by whoever reads the
//! request (the emulator), with [`index_kind`], [`IndexSchema::from_request`],
//! [`orders_from_json`] and [`lengths_from_json`] for the shared parts.

mod inline;

use serde_json::{Map, Value, json};

pub use inline::InlineError;

use super::error::{AppwriteError, types};
use crate::schema::{
    ColumnKind, ColumnSchema, DEFAULT_SINCE, IndexKind, IndexSchema, OnDelete, RelationSide,
    RelationType, Relationship, SortOrder,
};

/// The JSON types a column model reports in its `type` field.
pub fn model_type(kind: &ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Varchar { .. } => "varchar",
        ColumnKind::Text => "text",
        ColumnKind::MediumText => "mediumtext",
        ColumnKind::LongText => "longtext",
        ColumnKind::String { .. }
        | ColumnKind::Email
        | ColumnKind::Url
        | ColumnKind::Ip
        | ColumnKind::Enum { .. } => "string",
        ColumnKind::Integer { .. } => "integer",
        ColumnKind::BigInt { .. } => "bigint",
        ColumnKind::Float { .. } => "double",
        ColumnKind::Boolean => "boolean",
        ColumnKind::Datetime => "datetime",
        ColumnKind::Relationship(_) => "relationship",
        ColumnKind::Point => "point",
        ColumnKind::Line => "linestring",
        ColumnKind::Polygon => "polygon",
        // The server's own name is in the kind; this names the variant.
        ColumnKind::Opaque { .. } => "opaque",
    }
}

/// An opaque column's model as the server answered it, without what `Column` holds apart
/// (status, error, time stamps).
fn opaque_fields(model: &Value) -> Map<String, Value> {
    let mut m = model.as_object().cloned().unwrap_or_default();
    for key in ["status", "error", "$createdAt", "$updatedAt"] {
        m.remove(key);
    }
    m
}

fn format_of(kind: &ColumnKind) -> Option<&'static str> {
    match kind {
        ColumnKind::Email => Some("email"),
        ColumnKind::Url => Some("url"),
        ColumnKind::Ip => Some("ip"),
        ColumnKind::Enum { .. } => Some("enum"),
        ColumnKind::Datetime => Some("datetime"),
        _ => None,
    }
}

impl ColumnSchema {
    /// The JSON body of `POST …/columns/{kind.route_type()}`. Optional parameters that are not
    /// set are left out, as the official SDKs do.
    pub fn create_body(&self) -> Value {
        let mut body = Map::new();
        if let ColumnKind::Relationship(rel) = &self.kind {
            body.insert("relatedTableId".into(), json!(rel.related_table));
            body.insert("type".into(), json!(rel.relation_type.as_str()));
            body.insert("twoWay".into(), json!(rel.two_way));
            body.insert("key".into(), json!(self.key));
            if let Some(k) = &rel.two_way_key {
                body.insert("twoWayKey".into(), json!(k));
            }
            body.insert("onDelete".into(), json!(rel.on_delete.as_str()));
            return Value::Object(body);
        }
        body.insert("key".into(), json!(self.key));
        body.insert("required".into(), json!(self.required));
        self.insert_kind_params(&mut body);
        if let Some(default) = &self.default {
            body.insert("default".into(), default.clone());
        }
        if self.array {
            body.insert("array".into(), json!(true));
        }
        // Only when set, like the other optional parameters; the text routes take it.
        if self.encrypt {
            body.insert("encrypt".into(), json!(true));
        }
        Value::Object(body)
    }

    /// The JSON body of `PATCH …/columns/{type}/{key}`: `required`, `default` (always present,
    /// `null` to clear) and the kind's in-place settings.
    pub fn update_body(&self) -> Value {
        let mut body = Map::new();
        body.insert("required".into(), json!(self.required));
        body.insert(
            "default".into(),
            self.default.clone().unwrap_or(Value::Null),
        );
        self.insert_kind_params(&mut body);
        Value::Object(body)
    }

    fn insert_kind_params(&self, body: &mut Map<String, Value>) {
        match &self.kind {
            ColumnKind::Varchar { size } | ColumnKind::String { size } => {
                body.insert("size".into(), json!(size));
            }
            ColumnKind::Integer { min, max } | ColumnKind::BigInt { min, max } => {
                insert_bounds(body, min, max);
            }
            ColumnKind::Float { min, max } => insert_bounds(body, min, max),
            ColumnKind::Enum { elements } => {
                body.insert("elements".into(), json!(elements));
            }
            _ => {}
        }
    }

    /// The column's fields of Appwrite's column model (`key`, `type`, `required`, `array`,
    /// `default` and the kind's own fields), without `status`, `error` and timestamps.
    pub fn model_fields(&self) -> Map<String, Value> {
        if let ColumnKind::Opaque { model, .. } = &self.kind {
            return opaque_fields(model);
        }
        let mut m = Map::new();
        m.insert("key".into(), json!(self.key));
        m.insert("type".into(), json!(model_type(&self.kind)));
        m.insert("required".into(), json!(self.required));
        m.insert("array".into(), json!(self.array));
        match &self.kind {
            ColumnKind::Varchar { size } | ColumnKind::String { size } => {
                m.insert("size".into(), json!(size));
                m.insert("encrypt".into(), json!(self.encrypt));
            }
            ColumnKind::Text | ColumnKind::MediumText | ColumnKind::LongText => {
                m.insert("encrypt".into(), json!(self.encrypt));
            }
            ColumnKind::Email | ColumnKind::Url | ColumnKind::Ip => {
                m.insert("size".into(), json!(self.kind.max_chars()));
            }
            ColumnKind::Enum { elements } => {
                m.insert("size".into(), json!(self.kind.max_chars()));
                m.insert("elements".into(), json!(elements));
            }
            ColumnKind::Integer { min, max } | ColumnKind::BigInt { min, max } => {
                m.insert("min".into(), json!(min.unwrap_or(i64::MIN)));
                m.insert("max".into(), json!(max.unwrap_or(i64::MAX)));
            }
            ColumnKind::Float { min, max } => {
                m.insert("min".into(), json!(min.unwrap_or(-f64::MAX)));
                m.insert("max".into(), json!(max.unwrap_or(f64::MAX)));
            }
            ColumnKind::Relationship(rel) => {
                m.insert("relatedTable".into(), json!(rel.related_table));
                m.insert("relationType".into(), json!(rel.relation_type.as_str()));
                m.insert("twoWay".into(), json!(rel.two_way));
                m.insert(
                    "twoWayKey".into(),
                    json!(rel.two_way_key.clone().unwrap_or_default()),
                );
                m.insert("onDelete".into(), json!(rel.on_delete.as_str()));
                m.insert("side".into(), json!(rel.side.as_str()));
            }
            ColumnKind::Boolean
            | ColumnKind::Datetime
            | ColumnKind::Point
            | ColumnKind::Line
            | ColumnKind::Polygon
            | ColumnKind::Opaque { .. } => {}
        }
        if let Some(format) = format_of(&self.kind) {
            m.insert("format".into(), json!(format));
        }
        if !matches!(self.kind, ColumnKind::Relationship(_)) {
            m.insert(
                "default".into(),
                self.default.clone().unwrap_or(Value::Null),
            );
        }
        m
    }

    /// Reads a column back from Appwrite's column model (TablesDB or legacy names).
    ///
    /// Bounds equal to the type's extremes (what Appwrite stores when none were given) read as
    /// `None`, so a declared schema and the live one compare equal.
    pub fn from_model(model: &Value) -> Result<Self, AppwriteError> {
        let obj = model
            .as_object()
            .ok_or_else(|| bad_model("a column must be a JSON object"))?;
        let key = str_field(obj, "key")?;
        let ty = str_field(obj, "type")?;
        let format = obj.get("format").and_then(Value::as_str).unwrap_or("");
        let size = || -> Result<u32, AppwriteError> {
            obj.get("size")
                .and_then(Value::as_u64)
                .and_then(|s| u32::try_from(s).ok())
                .ok_or_else(|| bad_model(&format!("column {key:?} has no valid size")))
        };
        let int_bound = |name: &str, extreme: i64| {
            obj.get(name)
                .and_then(Value::as_i64)
                .filter(|v| *v != extreme)
        };
        let float_bound = |name: &str, extreme: f64| {
            obj.get(name)
                .and_then(Value::as_f64)
                .filter(|v| *v != extreme)
        };
        let kind = match (ty, format) {
            ("varchar", _) => ColumnKind::Varchar { size: size()? },
            ("text", _) => ColumnKind::Text,
            ("mediumtext", _) => ColumnKind::MediumText,
            ("longtext", _) => ColumnKind::LongText,
            ("string", "email") => ColumnKind::Email,
            ("string", "url") => ColumnKind::Url,
            ("string", "ip") => ColumnKind::Ip,
            ("string", "enum") => ColumnKind::Enum {
                elements: strings(obj, "elements").unwrap_or_default(),
            },
            ("string", _) => ColumnKind::String { size: size()? },
            ("integer", _) => ColumnKind::Integer {
                min: int_bound("min", i64::MIN),
                max: int_bound("max", i64::MAX),
            },
            ("bigint", _) => ColumnKind::BigInt {
                min: int_bound("min", i64::MIN),
                max: int_bound("max", i64::MAX),
            },
            ("double" | "float", _) => ColumnKind::Float {
                min: float_bound("min", -f64::MAX),
                max: float_bound("max", f64::MAX),
            },
            ("boolean", _) => ColumnKind::Boolean,
            ("datetime", _) => ColumnKind::Datetime,
            ("point", _) => ColumnKind::Point,
            // `line` is the route's name; servers answer `linestring`.
            ("linestring" | "line", _) => ColumnKind::Line,
            ("polygon", _) => ColumnKind::Polygon,
            ("relationship", _) => ColumnKind::Relationship(Relationship {
                related_table: obj
                    .get("relatedTable")
                    .or_else(|| obj.get("relatedCollection"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                relation_type: obj
                    .get("relationType")
                    .cloned()
                    .and_then(|v| serde_json::from_value::<RelationType>(v).ok())
                    .ok_or_else(|| bad_model(&format!("column {key:?} has no relationType")))?,
                two_way: obj.get("twoWay").and_then(Value::as_bool).unwrap_or(false),
                two_way_key: obj
                    .get("twoWayKey")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
                on_delete: obj
                    .get("onDelete")
                    .cloned()
                    .and_then(|v| serde_json::from_value::<OnDelete>(v).ok())
                    .unwrap_or_default(),
                side: obj
                    .get("side")
                    .cloned()
                    .and_then(|v| serde_json::from_value::<RelationSide>(v).ok())
                    .unwrap_or_default(),
            }),
            (other, _) => ColumnKind::Opaque {
                type_name: other.to_owned(),
                model: Box::new(model.clone()),
            },
        };
        Ok(ColumnSchema {
            key: key.to_owned(),
            kind,
            required: obj
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            array: obj.get("array").and_then(Value::as_bool).unwrap_or(false),
            default: obj.get("default").filter(|v| !v.is_null()).cloned(),
            since: DEFAULT_SINCE,
            renamed_from: None,
            encrypt: obj.get("encrypt").and_then(Value::as_bool).unwrap_or(false),
        })
    }
}

impl IndexSchema {
    /// The JSON body of `POST …/indexes` (TablesDB names).
    pub fn create_body(&self) -> Value {
        let mut body = Map::new();
        body.insert("key".into(), json!(self.key));
        body.insert("type".into(), json!(self.kind.as_str()));
        body.insert("columns".into(), json!(self.columns));
        if !self.orders.is_empty() {
            let orders: Vec<&str> = self.orders.iter().map(|o| o.as_str()).collect();
            body.insert("orders".into(), json!(orders));
        }
        if !self.lengths.is_empty() {
            body.insert("lengths".into(), json!(self.lengths));
        }
        Value::Object(body)
    }

    /// Reads an index back from Appwrite's index model (`columns` or legacy `attributes`).
    pub fn from_model(model: &Value) -> Result<Self, AppwriteError> {
        let obj = model
            .as_object()
            .ok_or_else(|| bad_model("an index must be a JSON object"))?;
        let key = str_field(obj, "key")?;
        let ty = str_field(obj, "type")?;
        let kind = index_kind(ty).ok_or_else(|| {
            bad_model(&format!(
                "index {key:?} has a type this library does not know: {ty:?}"
            ))
        })?;
        let strings = |name: &str| strings(obj, name).unwrap_or_default();
        let mut columns = strings("columns");
        if columns.is_empty() {
            columns = strings("attributes");
        }
        let mut orders: Vec<SortOrder> = strings("orders")
            .iter()
            .map(|o| {
                if o.eq_ignore_ascii_case("desc") {
                    SortOrder::Desc
                } else {
                    SortOrder::Asc
                }
            })
            .collect();
        // Servers report an order per column; all ascending is what "no orders" declares.
        if orders.iter().all(|o| *o == SortOrder::Asc) {
            orders.clear();
        }
        let lengths = obj
            .get("lengths")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|v| v.as_u64().and_then(|n| u32::try_from(n).ok()))
                    .collect::<Vec<_>>()
            })
            .filter(|lengths| lengths.iter().any(Option::is_some))
            .unwrap_or_default();
        Ok(IndexSchema {
            key: key.to_owned(),
            kind,
            columns,
            orders,
            lengths,
            since: DEFAULT_SINCE,
        })
    }
}

/// The optional part of an index request that is malformed (see [`IndexSchema::from_request`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexPart {
    /// `orders` is not a list of at most 100 `ASC`/`DESC`.
    Orders,
    /// `lengths` is not a list of at most 100 non-negative integers or `null`.
    Lengths,
}

impl IndexSchema {
    /// An index of a create request (`POST …/indexes` or a table create's inline index) whose
    /// key, kind and columns are read: `orders` and `lengths` as given (`None`: left out, so
    /// empty). `Err` names the first part that is malformed, for the caller to word as its
    /// validator does.
    pub fn from_request(
        key: String,
        kind: IndexKind,
        columns: Vec<String>,
        orders: Option<&Value>,
        lengths: Option<&Value>,
    ) -> Result<Self, IndexPart> {
        let orders = match orders {
            None => Vec::new(),
            Some(v) => orders_from_json(v).ok_or(IndexPart::Orders)?,
        };
        let lengths = match lengths {
            None => Vec::new(),
            Some(v) => lengths_from_json(v).ok_or(IndexPart::Lengths)?,
        };
        Ok(IndexSchema {
            key,
            kind,
            columns,
            orders,
            lengths,
            since: DEFAULT_SINCE,
        })
    }
}

/// True for Appwrite's spatial column types: the route names `point`, `line`, `polygon` and the
/// stored name `linestring`.
pub fn is_spatial_type(name: &str) -> bool {
    matches!(name, "point" | "line" | "linestring" | "polygon")
}

/// An index `type` (`key`, `unique`, `fulltext`, `spatial`); `None` for any other.
pub fn index_kind(name: &str) -> Option<IndexKind> {
    match name {
        "key" => Some(IndexKind::Key),
        "unique" => Some(IndexKind::Unique),
        "fulltext" => Some(IndexKind::Fulltext),
        "spatial" => Some(IndexKind::Spatial),
        _ => None,
    }
}

/// An index's `orders`: at most 100 of `ASC`/`DESC` (any case); `None` when not that.
pub fn orders_from_json(value: &Value) -> Option<Vec<SortOrder>> {
    let items = value.as_array()?;
    if items.len() > crate::schema::limits::MAX_BATCH {
        return None;
    }
    items
        .iter()
        .map(|o| match o.as_str()?.to_ascii_uppercase().as_str() {
            "ASC" => Some(SortOrder::Asc),
            "DESC" => Some(SortOrder::Desc),
            _ => None,
        })
        .collect()
}

/// An index's `lengths`: at most 100 of non-negative integers or `null`; `None` when not that.
pub fn lengths_from_json(value: &Value) -> Option<Vec<Option<u32>>> {
    let items = value.as_array()?;
    if items.len() > crate::schema::limits::MAX_BATCH {
        return None;
    }
    items
        .iter()
        .map(|l| match l {
            Value::Null => Some(None),
            other => other.as_u64().and_then(|n| u32::try_from(n).ok()).map(Some),
        })
        .collect()
}

fn insert_bounds<T: serde::Serialize>(
    body: &mut Map<String, Value>,
    min: &Option<T>,
    max: &Option<T>,
) {
    if let Some(min) = min {
        body.insert("min".into(), json!(min));
    }
    if let Some(max) = max {
        body.insert("max".into(), json!(max));
    }
}

/// A list of strings; `None` when the field is missing, not a list, or holds a non-string.
fn all_strings(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|e| e.as_str().map(str::to_owned))
        .collect()
}

/// The string elements of a list field (others skipped); `None` when it is not a list.
fn strings(obj: &Map<String, Value>, name: &str) -> Option<Vec<String>> {
    obj.get(name).and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|e| e.as_str().map(str::to_owned))
            .collect()
    })
}

fn str_field<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a str, AppwriteError> {
    obj.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| bad_model(&format!("missing string field {name:?}")))
}

fn bad_model(message: &str) -> AppwriteError {
    AppwriteError::new(
        500,
        types::GENERAL_BAD_REQUEST,
        format!("Unexpected schema model: {message}"),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::{Column, Index};
    use crate::schema::{SchemaRule, TableSchema};

    fn vector_model() -> Value {
        json!({
            "key": "embedding", "type": "vector", "size": 3, "status": "available", "error": "",
            "required": false, "array": false, "default": null,
            "$createdAt": "2026-01-01T00:00:00.000+00:00",
            "$updatedAt": "2026-01-01T00:00:00.000+00:00",
        })
    }

    #[test]
    fn a_column_of_an_unknown_type_reads_as_opaque() {
        let column = Column::from_json(&vector_model()).unwrap();
        assert_eq!(column.schema.key, "embedding");
        assert!(matches!(
            &column.schema.kind,
            ColumnKind::Opaque { type_name, .. } if type_name == "vector"
        ));
        // What the server said comes back out, but for what `Column` holds apart.
        let fields = column.schema.model_fields();
        assert_eq!(fields["type"], json!("vector"));
        assert!(!fields.contains_key("status"));
        // It cannot be declared.
        let err = TableSchema::new("places", "Places")
            .column(column.schema)
            .validate()
            .unwrap_err();
        let crate::Error::Schema(violations) = err else {
            panic!("expected a schema error, got {err:?}");
        };
        assert_eq!(violations[0].rule, SchemaRule::OpaqueColumn);
        assert!(violations[0].message.contains("\"vector\""));
    }

    #[test]
    fn spatial_columns_round_trip_through_the_column_model() {
        for (column, ty) in [
            (
                ColumnSchema::point("home").default_value(json!([1.0, 2.0])),
                "point",
            ),
            (ColumnSchema::line("route").required(), "linestring"),
            (ColumnSchema::polygon("area"), "polygon"),
        ] {
            let mut model = column.model_fields();
            assert_eq!(model["type"], json!(ty));
            assert!(!model.contains_key("size"));
            model.insert("status".into(), json!("available"));
            let back = ColumnSchema::from_model(&Value::Object(model)).unwrap();
            assert_eq!(back, column);
            // The create body is `key`, `required` and `default` only.
            let body = column.create_body();
            let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
            let mut expected = vec!["key", "required"];
            if column.default.is_some() {
                expected.push("default");
            }
            assert_eq!(keys, expected);
        }
    }

    #[test]
    fn a_spatial_index_reads_as_spatial() {
        let model = json!({
            "key": "near", "type": "spatial", "status": "available", "error": "",
            "columns": ["home"], "lengths": [null], "orders": [],
        });
        let index = Index::from_json(&model).unwrap();
        assert_eq!(index.schema.kind, crate::schema::IndexKind::Spatial);
        assert_eq!(index.schema.columns, ["home"]);
    }

    #[test]
    fn encryption_goes_both_ways() {
        let column = ColumnSchema::varchar("secret", 200).required().encrypt();
        let body = column.create_body();
        assert_eq!(body["encrypt"], json!(true));
        assert!(
            !ColumnSchema::varchar("plain", 200)
                .create_body()
                .as_object()
                .unwrap()
                .contains_key("encrypt")
        );
        // Appwrite's update routes take no `encrypt`.
        assert!(
            !column
                .update_body()
                .as_object()
                .unwrap()
                .contains_key("encrypt")
        );
        let mut model = column.model_fields();
        assert_eq!(model["encrypt"], json!(true));
        model.insert("status".into(), json!("available"));
        assert_eq!(
            ColumnSchema::from_model(&Value::Object(model)).unwrap(),
            column
        );
        let plain = ColumnSchema::new("notes", ColumnKind::Text).model_fields();
        assert_eq!(plain["encrypt"], json!(false));
        // Not in the inline form of a table create (1.9.6 reads no `encrypt` there).
        assert!(
            ColumnSchema::new("s", ColumnKind::String { size: 200 })
                .encrypt()
                .inline_body()
                .is_none()
        );
    }

    #[test]
    fn inline_columns_take_encrypt_with_the_route_checks() {
        let read = |v: Value| ColumnSchema::from_inline(0, &v);
        let column = read(json!({"key": "s", "type": "varchar", "size": 150, "encrypt": true}));
        assert!(column.unwrap().encrypt);
        let small = read(json!({"key": "s", "type": "varchar", "size": 100, "encrypt": true}));
        assert_eq!(
            small,
            Err(InlineError::Invalid(
                "Size too small. Encrypted strings require a minimum size of 150 characters."
                    .into()
            ))
        );
        let integer = read(json!({"key": "n", "type": "integer", "encrypt": true}));
        assert!(matches!(integer, Err(InlineError::Invalid(_))));
    }
}
