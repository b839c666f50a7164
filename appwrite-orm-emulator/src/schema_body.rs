//! Request bodies to schema types: the parameters of `POST …/columns/{type}`, `PATCH
//! …/columns/{type}/{key}`, `POST …/indexes`, and the inline `columns`/`indexes` of a table
//! create, validated with Appwrite's parameter messages. Value-level rules (key syntax, size
//! and range limits, default values against the column) are left to the engine, which answers
//! with Appwrite's error types.

use appwrite_orm::schema::{
    ColumnKind, ColumnSchema, DEFAULT_SINCE, IndexKind, IndexSchema, OnDelete, RelationType,
    Relationship, SortOrder, limits,
};
use serde_json::{Map, Value};

use crate::errors::{ApiError, ApiResult, argument, not_supported, route_not_found};
use crate::params::{Params, range_desc};

/// Every `{type}` of `POST …/columns/{type}` (spatial ones are refused as unsupported).
pub(crate) const COLUMN_TYPES: &[&str] = &[
    "string",
    "varchar",
    "text",
    "mediumtext",
    "longtext",
    "integer",
    "bigint",
    "float",
    "boolean",
    "datetime",
    "email",
    "ip",
    "url",
    "enum",
    "relationship",
    "point",
    "line",
    "polygon",
];

const RELATION_TYPES: &str = "oneToOne, oneToMany, manyToOne, manyToMany";
const ON_DELETE: &str = "restrict, cascade, setNull";

fn is_spatial(route_type: &str) -> bool {
    matches!(route_type, "point" | "line" | "linestring" | "polygon")
}

fn to_u32(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `POST …/columns/{route_type}`.
pub(crate) fn create_column(route_type: &str, p: &Params) -> ApiResult<ColumnSchema> {
    if route_type == "relationship" {
        return create_relationship(p);
    }
    if is_spatial(route_type) {
        return Err(not_supported("Spatial columns (point, line, polygon)"));
    }
    if !COLUMN_TYPES.contains(&route_type) {
        return Err(route_not_found());
    }
    let key = p.required_str("key", 0)?;
    let required = p.required_bool("required")?;
    let kind = match route_type {
        "string" => ColumnKind::String {
            size: to_u32(p.required_range("size", 1, i64::from(limits::MAX_STRING_SIZE))?),
        },
        "varchar" => ColumnKind::Varchar {
            size: to_u32(p.required_range("size", 1, i64::from(limits::MAX_VARCHAR_SIZE))?),
        },
        _ => simple_kind(route_type, p, None)?,
    };
    check_encrypt(route_type, p)?;
    Ok(ColumnSchema {
        key,
        kind,
        required,
        array: p.bool_or("array", false)?,
        default: default_value(route_type, p)?,
        since: DEFAULT_SINCE,
        renamed_from: None,
    })
}

/// The kinds whose settings do not differ between create and update (`size` aside).
fn simple_kind(
    route_type: &str,
    p: &Params,
    current: Option<&ColumnKind>,
) -> ApiResult<ColumnKind> {
    Ok(match route_type {
        "string" | "varchar" => {
            let size = match p.optional_range(
                "size",
                1,
                i64::from(if route_type == "string" {
                    limits::MAX_STRING_SIZE
                } else {
                    limits::MAX_VARCHAR_SIZE
                }),
            )? {
                Some(n) => to_u32(n),
                None => current.and_then(ColumnKind::max_chars).unwrap_or(255),
            };
            if route_type == "string" {
                ColumnKind::String { size }
            } else {
                ColumnKind::Varchar { size }
            }
        }
        "text" => ColumnKind::Text,
        "mediumtext" => ColumnKind::MediumText,
        "longtext" => ColumnKind::LongText,
        "integer" => ColumnKind::Integer {
            min: p.optional_i64("min")?,
            max: p.optional_i64("max")?,
        },
        "bigint" => ColumnKind::BigInt {
            min: p.optional_i64("min")?,
            max: p.optional_i64("max")?,
        },
        "float" => ColumnKind::Float {
            min: p.optional_f64("min")?,
            max: p.optional_f64("max")?,
        },
        "boolean" => ColumnKind::Boolean,
        "datetime" => ColumnKind::Datetime,
        "email" => ColumnKind::Email,
        "ip" => ColumnKind::Ip,
        "url" => ColumnKind::Url,
        "enum" => ColumnKind::Enum {
            elements: p.required_strings("elements", limits::MAX_ENUM_ELEMENT_LEN)?,
        },
        _ => return Err(route_not_found()),
    })
}

fn check_encrypt(route_type: &str, p: &Params) -> ApiResult<()> {
    let text = matches!(
        route_type,
        "string" | "varchar" | "text" | "mediumtext" | "longtext"
    );
    if text && p.bool_or("encrypt", false)? {
        return Err(not_supported("Encrypted columns"));
    }
    Ok(())
}

/// The `default` parameter, type-checked for the route's column type.
fn default_value(route_type: &str, p: &Params) -> ApiResult<Option<Value>> {
    let Some(value) = p.get("default") else {
        return Ok(None);
    };
    let ok = match route_type {
        "integer" | "bigint" => value.as_i64().is_some(),
        "float" => value.as_f64().is_some_and(f64::is_finite),
        "boolean" => value.is_boolean(),
        _ => value.is_string(),
    };
    if ok {
        return Ok(Some(value.clone()));
    }
    let description = match route_type {
        "integer" | "bigint" => "Value must be a valid integer",
        "float" => "Value must be a valid float",
        "boolean" => "Value must be a valid boolean",
        "datetime" => {
            "Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 23:59:59."
        }
        _ => "Value must be a valid string",
    };
    Err(argument(p.name("default"), description))
}

fn create_relationship(p: &Params) -> ApiResult<ColumnSchema> {
    let related_table = p.required_str("relatedTableId", 0)?;
    let relation_type = relation_type(p)?;
    let on_delete = on_delete(p)?.unwrap_or_default();
    let key = p
        .optional_str("key", 0)?
        .unwrap_or_else(|| related_table.clone());
    Ok(ColumnSchema::new(
        key,
        ColumnKind::Relationship(Relationship {
            related_table,
            relation_type,
            two_way: p.bool_or("twoWay", false)?,
            two_way_key: p.optional_str("twoWayKey", 0)?,
            on_delete,
        }),
    ))
}

fn relation_type(p: &Params) -> ApiResult<RelationType> {
    let raw = p.required_str("type", 0)?;
    serde_json::from_value(Value::String(raw)).map_err(|_| {
        argument(
            p.name("type"),
            format!("Value must be one of ({RELATION_TYPES})"),
        )
    })
}

fn on_delete(p: &Params) -> ApiResult<Option<OnDelete>> {
    p.optional_str("onDelete", 0)?
        .map(|raw| {
            serde_json::from_value(Value::String(raw)).map_err(|_| {
                argument(
                    p.name("onDelete"),
                    format!("Value must be one of ({ON_DELETE})"),
                )
            })
        })
        .transpose()
}

/// `PATCH …/columns/{route_type}/{key}`: the desired column, given the current one. Bounds
/// left out stay `None` (the engine keeps the stored ones), `size` left out keeps the current.
pub(crate) fn update_column(
    route_type: &str,
    p: &Params,
    current: &ColumnSchema,
) -> ApiResult<ColumnSchema> {
    if is_spatial(route_type) {
        return Err(not_supported("Spatial columns (point, line, polygon)"));
    }
    if route_type == "relationship" || !COLUMN_TYPES.contains(&route_type) {
        return Err(route_not_found());
    }
    let required = p.required_bool("required")?;
    if !p.has("default") {
        return Err(crate::errors::not_optional(p.name("default")));
    }
    let default = default_value(route_type, p)?;
    let kind = simple_kind(route_type, p, Some(&current.kind))?;
    let key = p
        .optional_str("newKey", 0)?
        .unwrap_or_else(|| current.key.clone());
    Ok(ColumnSchema {
        key,
        kind,
        required,
        array: current.array,
        default,
        since: current.since,
        renamed_from: None,
    })
}

/// `PATCH …/columns/{key}/relationship`: `onDelete` and `newKey`.
pub(crate) fn update_relationship(p: &Params, current: &ColumnSchema) -> ApiResult<ColumnSchema> {
    let mut next = current.clone();
    let ColumnKind::Relationship(rel) = &mut next.kind else {
        return Err(ApiError::new(
            400,
            appwrite_orm::error::types::COLUMN_TYPE_INVALID,
            format!("Column \"{}\" is not a relationship column.", current.key),
        ));
    };
    if let Some(on_delete) = on_delete(p)? {
        rel.on_delete = on_delete;
    }
    if let Some(new_key) = p.optional_str("newKey", 0)? {
        next.key = new_key;
    }
    Ok(next)
}

/// `POST …/indexes`.
pub(crate) fn create_index(p: &Params) -> ApiResult<IndexSchema> {
    let key = p.required_str("key", 0)?;
    let kind = match p.required_str("type", 0)?.as_str() {
        "key" => IndexKind::Key,
        "unique" => IndexKind::Unique,
        "fulltext" => IndexKind::Fulltext,
        "spatial" => return Err(not_supported("Spatial indexes")),
        _ => {
            return Err(argument(
                p.name("type"),
                "Value must be one of (key, fulltext, unique, spatial)",
            ));
        }
    };
    let columns = p.required_strings("columns", 0)?;
    let orders = match p.get("orders") {
        None => Vec::new(),
        Some(v) => parse_orders(v).ok_or_else(|| {
            argument(
                p.name("orders"),
                "Value must a valid array no longer than 100 items and Value must be one of (ASC, DESC)",
            )
        })?,
    };
    let lengths = match p.get("lengths") {
        None => Vec::new(),
        Some(v) => parse_lengths(v).ok_or_else(|| {
            argument(
                p.name("lengths"),
                "Value must a valid array no longer than 100 items and Value must be a valid integer",
            )
        })?,
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

fn parse_orders(value: &Value) -> Option<Vec<SortOrder>> {
    let items = value.as_array()?;
    if items.len() > limits::MAX_BATCH {
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

fn parse_lengths(value: &Value) -> Option<Vec<Option<u32>>> {
    let items = value.as_array()?;
    if items.len() > limits::MAX_BATCH {
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

/// One inline column of a table create (Appwrite's `Attributes` validator): `key`, `type`
/// (`string varchar text mediumtext longtext integer bigint double boolean datetime` or the
/// shorthands `email enum ip url`), `size`, `required`, `array`, `format`, `elements`, `min`,
/// `max`, `default`.
pub(crate) fn inline_column(param: &str, index: usize, value: &Value) -> ApiResult<ColumnSchema> {
    let fail = |message: String| argument(param, message);
    let Value::Object(obj) = value else {
        return Err(fail(format!(
            "Attribute at index {index} must be an object"
        )));
    };
    let Some(key) = obj.get("key").filter(|v| !v.is_null()) else {
        return Err(fail(format!(
            "Attribute at index {index} is missing required field 'key'"
        )));
    };
    let Some(ty) = obj.get("type").filter(|v| !v.is_null()) else {
        return Err(fail(format!(
            "Attribute at index {index} is missing required field 'type'"
        )));
    };
    let Some(key) = key.as_str().map(str::to_owned) else {
        return Err(fail(format!(
            "Invalid key for attribute at index {index}: Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char"
        )));
    };
    let ty = ty.as_str().unwrap_or_default();
    let (ty, format) = match ty {
        "email" | "enum" | "ip" | "url" => ("string", ty.to_owned()),
        "biginteger" => ("bigint", str_of(obj, "format")),
        _ => (ty, str_of(obj, "format")),
    };
    if is_spatial(ty) {
        return Err(not_supported(
            "Spatial columns (point, linestring, polygon)",
        ));
    }
    let known = [
        "string",
        "varchar",
        "text",
        "mediumtext",
        "longtext",
        "integer",
        "bigint",
        "double",
        "boolean",
        "datetime",
    ];
    if !known.contains(&ty) {
        return Err(fail(format!("Invalid type for attribute '{key}': {ty}")));
    }
    let size = match obj.get("size").filter(|v| !v.is_null()) {
        None => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| {
            fail(format!(
                "Invalid size for attribute '{key}': must be an integer"
            ))
        })?),
    };
    let sized = matches!(ty, "string" | "varchar");
    if !format.is_empty() {
        if !sized {
            return Err(fail(format!(
                "Format is only allowed for string type for attribute '{key}'"
            )));
        }
        if !matches!(format.as_str(), "email" | "enum" | "ip" | "url") {
            return Err(fail(format!(
                "Invalid format for attribute '{key}': {format}"
            )));
        }
    }
    let flag = |name: &str| -> ApiResult<bool> {
        match obj.get(name).filter(|v| !v.is_null()) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(fail(format!(
                "Invalid '{name}' value for attribute '{key}': must be a boolean"
            ))),
        }
    };
    let required = flag("required")?;
    let array = flag("array")?;
    let default = obj.get("default").filter(|v| !v.is_null()).cloned();
    if default.is_some() && required {
        return Err(fail(format!(
            "Attribute '{key}' cannot have a default value when required is true"
        )));
    }
    if default.is_some() && array {
        return Err(fail(format!(
            "Attribute '{key}' cannot have a default value when array is true"
        )));
    }
    let int_bound = |name: &str| -> ApiResult<Option<i64>> {
        match obj.get(name).filter(|v| !v.is_null()) {
            None => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| {
                fail(format!(
                    "Attribute '{key}': {name} is invalid. Value must be a valid integer"
                ))
            }),
        }
    };
    let float_bound = |name: &str| -> ApiResult<Option<f64>> {
        match obj.get(name).filter(|v| !v.is_null()) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|f| f.is_finite())
                .map(Some)
                .ok_or_else(|| {
                    fail(format!(
                        "Attribute '{key}': {name} is invalid. Value must be a valid float"
                    ))
                }),
        }
    };
    if !matches!(ty, "integer" | "bigint" | "double")
        && (obj.get("min").is_some_and(|v| !v.is_null())
            || obj.get("max").is_some_and(|v| !v.is_null()))
    {
        return Err(fail(format!(
            "Attribute '{key}': min/max can only be used with integer, bigint or float types"
        )));
    }
    let kind = match (ty, format.as_str()) {
        (_, "email") => ColumnKind::Email,
        (_, "ip") => ColumnKind::Ip,
        (_, "url") => ColumnKind::Url,
        (_, "enum") => ColumnKind::Enum {
            elements: obj
                .get("elements")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e.as_str().map(str::to_owned))
                        .collect()
                })
                .ok_or_else(|| {
                    fail(format!(
                        "Attribute '{key}': enum attributes need a list of string elements"
                    ))
                })?,
        },
        ("string" | "varchar", _) => {
            let max = if ty == "string" {
                limits::MAX_STRING_SIZE
            } else {
                limits::MAX_VARCHAR_SIZE
            };
            let size = size
                .filter(|s| (1..=i64::from(max)).contains(s))
                .ok_or_else(|| {
                    fail(format!(
                        "Invalid or missing size for string attribute '{key}'. {}",
                        range_desc(1, i64::from(max))
                            .replace("Value must be a valid range", "Size must be")
                    ))
                })?;
            if ty == "string" {
                ColumnKind::String { size: to_u32(size) }
            } else {
                ColumnKind::Varchar { size: to_u32(size) }
            }
        }
        ("text", _) => ColumnKind::Text,
        ("mediumtext", _) => ColumnKind::MediumText,
        ("longtext", _) => ColumnKind::LongText,
        ("integer", _) => ColumnKind::Integer {
            min: int_bound("min")?,
            max: int_bound("max")?,
        },
        ("bigint", _) => ColumnKind::BigInt {
            min: int_bound("min")?,
            max: int_bound("max")?,
        },
        ("double", _) => ColumnKind::Float {
            min: float_bound("min")?,
            max: float_bound("max")?,
        },
        ("boolean", _) => ColumnKind::Boolean,
        _ => ColumnKind::Datetime,
    };
    if let Some(d) = &default {
        let ok = match &kind {
            ColumnKind::Integer { .. } | ColumnKind::BigInt { .. } => d.as_i64().is_some(),
            ColumnKind::Float { .. } => d.is_number(),
            ColumnKind::Boolean => d.is_boolean(),
            _ => d.is_string(),
        };
        if !ok {
            return Err(fail(format!(
                "Default value for attribute '{key}' does not match its type {ty}"
            )));
        }
    }
    if obj.get("encrypt").and_then(Value::as_bool) == Some(true) {
        return Err(not_supported("Encrypted columns"));
    }
    Ok(ColumnSchema {
        key,
        kind,
        required,
        array,
        default,
        since: DEFAULT_SINCE,
        renamed_from: None,
    })
}

fn str_of(obj: &Map<String, Value>, name: &str) -> String {
    obj.get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// One inline index of a table create: `key`, `type`, `columns` (legacy `attributes`),
/// `orders`, `lengths`.
pub(crate) fn inline_index(param: &str, index: usize, value: &Value) -> ApiResult<IndexSchema> {
    let fail = |message: String| argument(param, message);
    let Value::Object(obj) = value else {
        return Err(fail(format!("Index at index {index} must be an object")));
    };
    let key = obj
        .get("key")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            fail(format!(
                "Index at index {index} is missing required field 'key'"
            ))
        })?
        .to_owned();
    let kind = match obj.get("type").and_then(Value::as_str) {
        Some("key") => IndexKind::Key,
        Some("unique") => IndexKind::Unique,
        Some("fulltext") => IndexKind::Fulltext,
        Some("spatial") => return Err(not_supported("Spatial indexes")),
        _ => {
            return Err(fail(format!(
                "Index '{key}' has an invalid type: must be one of (key, fulltext, unique, spatial)"
            )));
        }
    };
    let columns = obj
        .get("columns")
        .or_else(|| obj.get("attributes"))
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .map(|c| c.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| fail(format!("Index '{key}' needs a list of column keys")))?;
    let orders = match obj.get("orders").filter(|v| !v.is_null()) {
        None => Vec::new(),
        Some(v) => parse_orders(v)
            .ok_or_else(|| fail(format!("Index '{key}' has invalid orders: use ASC or DESC")))?,
    };
    let lengths = match obj.get("lengths").filter(|v| !v.is_null()) {
        None => Vec::new(),
        Some(v) => parse_lengths(v).ok_or_else(|| {
            fail(format!(
                "Index '{key}' has invalid lengths: use non-negative integers or null"
            ))
        })?,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::legacy::Family;
    use serde_json::json;

    fn params(body: Value) -> Params {
        Params::build(Family::TablesDb, None, body.to_string().as_bytes(), false).unwrap()
    }

    #[test]
    fn every_route_type_parses() {
        for ty in COLUMN_TYPES {
            let body = match *ty {
                "string" | "varchar" => json!({"key": "c", "required": false, "size": 10}),
                "enum" => json!({"key": "c", "required": false, "elements": ["a", "b"]}),
                "relationship" => json!({"relatedTableId": "other", "type": "oneToMany"}),
                _ => json!({"key": "c", "required": false}),
            };
            let parsed = create_column(ty, &params(body));
            if is_spatial(ty) {
                assert_eq!(parsed.unwrap_err().error.code, 501);
            } else {
                let column = parsed.unwrap_or_else(|e| panic!("{ty}: {e:?}"));
                assert_eq!(column.kind.route_type(), *ty);
            }
        }
        assert_eq!(
            create_column("nope", &params(json!({})))
                .unwrap_err()
                .error
                .code,
            404
        );
    }

    #[test]
    fn create_messages() {
        let e =
            create_column("varchar", &params(json!({"required": true, "size": 5}))).unwrap_err();
        assert_eq!(e.error.message, "Param \"key\" is not optional.");
        let e = create_column(
            "varchar",
            &params(json!({"key": "k", "required": true, "size": "x"})),
        )
        .unwrap_err();
        assert_eq!(
            e.error.message,
            "Invalid `size` param: Value must be a valid range between 1 and 16,381"
        );
        let e = create_column(
            "integer",
            &params(json!({"key": "k", "required": false, "default": "1"})),
        )
        .unwrap_err();
        assert_eq!(
            e.error.message,
            "Invalid `default` param: Value must be a valid integer"
        );
        let e = create_column("integer", &params(json!({"key": "k", "required": "maybe"})))
            .unwrap_err();
        assert_eq!(
            e.error.message,
            "Invalid `required` param: Value must be a valid boolean"
        );
    }

    #[test]
    fn updates_keep_what_is_not_sent() {
        let current = ColumnSchema::varchar("title", 64).array();
        let next = update_column(
            "varchar",
            &params(json!({"required": false, "default": null, "newKey": "t2"})),
            &current,
        )
        .unwrap();
        assert_eq!(next.kind, ColumnKind::Varchar { size: 64 });
        assert_eq!(next.key, "t2");
        assert!(next.array);
        let e =
            update_column("varchar", &params(json!({"required": false})), &current).unwrap_err();
        assert_eq!(e.error.message, "Param \"default\" is not optional.");
    }

    #[test]
    fn inline_definitions() {
        let c = inline_column("columns", 0, &json!({"key": "e", "type": "email"})).unwrap();
        assert_eq!(c.kind, ColumnKind::Email);
        let c = inline_column(
            "columns",
            0,
            &json!({"key": "n", "type": "double", "min": 0}),
        )
        .unwrap();
        assert_eq!(
            c.kind,
            ColumnKind::Float {
                min: Some(0.0),
                max: None
            }
        );
        let c = inline_column(
            "columns",
            0,
            &json!({"key": "s", "type": "string", "size": 10, "format": "enum", "elements": ["a"]}),
        )
        .unwrap();
        assert!(matches!(c.kind, ColumnKind::Enum { .. }));
        assert!(inline_column("columns", 0, &json!({"key": "f", "type": "float"})).is_err());
        assert!(inline_column("columns", 0, &json!({"key": "v", "type": "varchar"})).is_err());
        assert!(inline_column("columns", 1, &json!(3)).is_err());
        let i = inline_index(
            "indexes",
            0,
            &json!({"key": "i", "type": "unique", "attributes": ["a"], "orders": ["desc"]}),
        )
        .unwrap();
        assert_eq!(i.orders, vec![SortOrder::Desc]);
    }
}
