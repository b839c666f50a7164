//! Request bodies to schema types: the parameters of `POST …/columns/{type}`, `PATCH
//! …/columns/{type}/{key}`, `POST …/indexes`, validated with Appwrite's parameter messages, and
//! the inline `columns`/`indexes` of a table create, read by the contract's codec
//! ([`appwrite_orm::api::schema_json`]). Value-level rules (key syntax, size
//! and range limits, default values against the column) are left to the engine, which answers
//! with Appwrite's error types.

use appwrite_orm::api::schema_json::{IndexPart, InlineError, index_kind, is_spatial_type};
use appwrite_orm::schema::{
    ColumnKind, ColumnSchema, DEFAULT_SINCE, IndexSchema, OnDelete, RelationType, Relationship,
    limits,
};
use appwrite_orm::spatial::{SpatialType, check_geometry};
use serde_json::Value;

use crate::errors::{ApiError, ApiResult, argument, route_not_found};
use crate::params::Params;

/// Every `{type}` of `POST …/columns/{type}`.
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

fn to_u32(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `POST …/columns/{route_type}`.
pub(crate) fn create_column(route_type: &str, p: &Params) -> ApiResult<ColumnSchema> {
    if route_type == "relationship" {
        return create_relationship(p);
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
    let encrypt = encrypt_param(route_type, p)?;
    // The spatial routes have no `array` parameter: one sent is ignored, as any unknown one.
    let array = !is_spatial_type(route_type) && p.bool_or("array", false)?;
    Ok(ColumnSchema {
        key,
        kind,
        required,
        array,
        default: default_value(route_type, p)?,
        since: DEFAULT_SINCE,
        renamed_from: None,
        encrypt,
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
        "point" => ColumnKind::Point,
        "line" => ColumnKind::Line,
        "polygon" => ColumnKind::Polygon,
        _ => return Err(route_not_found()),
    })
}

/// The `encrypt` parameter of the text routes (the others have none: one sent is ignored, as
/// any unknown one). The engine checks the minimum size of an encrypted varchar or string.
fn encrypt_param(route_type: &str, p: &Params) -> ApiResult<bool> {
    let text = matches!(
        route_type,
        "string" | "varchar" | "text" | "mediumtext" | "longtext"
    );
    Ok(text && p.bool_or("encrypt", false)?)
}

/// The `default` parameter, type-checked for the route's column type.
fn default_value(route_type: &str, p: &Params) -> ApiResult<Option<Value>> {
    let Some(value) = p.get("default") else {
        return Ok(None);
    };
    if let Some(ty) = spatial_type(route_type) {
        // `Nullable(Spatial(type))`: the validator's own description.
        return check_geometry(ty, value)
            .map(|_| Some(value.clone()))
            .map_err(|description| argument(p.name("default"), description));
    }
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

/// The geometry a spatial route's column holds.
fn spatial_type(route_type: &str) -> Option<SpatialType> {
    match route_type {
        "point" => Some(SpatialType::Point),
        "line" => Some(SpatialType::LineString),
        "polygon" => Some(SpatialType::Polygon),
        _ => None,
    }
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
            side: Default::default(),
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
        encrypt: current.encrypt,
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
    let kind = index_kind(&p.required_str("type", 0)?).ok_or_else(|| {
        argument(
            p.name("type"),
            "Value must be one of (key, fulltext, unique, spatial)",
        )
    })?;
    let columns = p.required_strings("columns", 0)?;
    IndexSchema::from_request(key, kind, columns, p.get("orders"), p.get("lengths")).map_err(
        |part| match part {
            IndexPart::Orders => argument(
                p.name("orders"),
                "Value must a valid array no longer than 100 items and Value must be one of (ASC, DESC)",
            ),
            IndexPart::Lengths => argument(
                p.name("lengths"),
                "Value must a valid array no longer than 100 items and Value must be a valid integer",
            ),
        },
    )
}

/// One inline column of a table create, read by the contract's codec (Appwrite's
/// `Attributes` validator messages) and answered as a parameter error of `param`.
pub(crate) fn inline_column(param: &str, index: usize, value: &Value) -> ApiResult<ColumnSchema> {
    ColumnSchema::from_inline(index, value).map_err(|e| inline_error(param, e))
}

/// One inline index of a table create: `key`, `type`, `columns` (legacy `attributes`),
/// `orders`, `lengths`.
pub(crate) fn inline_index(param: &str, index: usize, value: &Value) -> ApiResult<IndexSchema> {
    IndexSchema::from_inline(index, value).map_err(|e| inline_error(param, e))
}

fn inline_error(param: &str, error: InlineError) -> ApiError {
    match error {
        InlineError::Invalid(message) => argument(param, message),
    }
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
            let column = create_column(ty, &params(body)).unwrap_or_else(|e| panic!("{ty}: {e:?}"));
            assert_eq!(column.kind.route_type(), *ty);
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
    fn spatial_defaults_are_checked_as_the_route_checks_them() {
        let column = create_column(
            "point",
            &params(json!({"key": "at", "required": false, "default": [1, 2], "array": true})),
        )
        .unwrap();
        assert_eq!(column.kind, ColumnKind::Point);
        assert_eq!(column.default, Some(json!([1, 2])));
        assert!(!column.array, "the spatial routes take no array parameter");
        let e = create_column(
            "line",
            &params(json!({"key": "l", "required": false, "default": [[0, 0]]})),
        )
        .unwrap_err();
        assert_eq!(
            e.error.message,
            "Invalid `default` param: Value must be a valid linestring: LineString must contain at least two points"
        );
        let current = ColumnSchema::polygon("area");
        let next = update_column(
            "polygon",
            &params(json!({"required": true, "default": null, "newKey": "zone"})),
            &current,
        )
        .unwrap();
        assert_eq!((next.key.as_str(), next.required), ("zone", true));
        let index = create_index(&params(
            json!({"key": "i", "type": "spatial", "columns": ["at"]}),
        ))
        .unwrap();
        assert_eq!(index.kind, appwrite_orm::schema::IndexKind::Spatial);
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
        assert_eq!(i.orders, vec![appwrite_orm::schema::SortOrder::Desc]);
    }
}
