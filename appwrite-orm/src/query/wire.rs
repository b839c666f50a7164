//! Appwrite's JSON wire form of queries (1.5+), as the official Node SDK writes it.
//!
//! Each query is `{"method": m, "attribute": a, "values": [...]}`. `attribute` is left out for
//! methods that name no single column (select, exists, pagination, `and`/`or`, `orderRandom`);
//! `values` is left out for `isNull`, `isNotNull` and the orders. `and`/`or`/`elemMatch` carry
//! their sub-queries as JSON objects inside `values`.
//!
//! Parsing follows the server (`Query::parseQuery` and the query validators of utopia-php/database):
//! it is total, and every refusal is a [`QueryParseError`] worded as Appwrite words it where
//! Appwrite has a message for the case.

use serde_json::{Map, Value};

use super::spatial::{self, SpatialMethod};
use super::{Query, QueryClass};
use crate::schema::check_id;
use crate::schema::value::{format_thousands, php_type};

/// The deepest `and`/`or` nesting [`Query::parse`] accepts: a bound on recursion, so that a hostile
/// input cannot exhaust the stack.
pub(crate) const MAX_NESTING: usize = 16;

/// Methods Appwrite 1.9 knows that this crate does not model (vector).
const UNMODELLED_METHODS: [&str; 3] = ["vectorDot", "vectorCosine", "vectorEuclidean"];

/// A query string that is not a valid Appwrite query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid query: {message}")]
pub struct QueryParseError {
    /// What is wrong, in Appwrite's words where it has some.
    pub message: String,
}

impl QueryParseError {
    /// An error with the given message (the part after `Invalid query: `).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl Query {
    /// The query as a JSON value `{"method", "attribute", "values"}`, with `attribute` and
    /// `values` left out where the Node SDK leaves them out.
    pub fn to_json(&self) -> Value {
        let (attribute, values) = self.wire_parts();
        let mut map = Map::new();
        map.insert("method".into(), Value::from(self.method()));
        if let Some(attribute) = attribute {
            map.insert("attribute".into(), Value::from(attribute));
        }
        if let Some(values) = values {
            map.insert("values".into(), Value::Array(values));
        }
        Value::Object(map)
    }

    /// The query as the JSON string Appwrite expects in `queries[]`: compact, keys in the order
    /// `method`, `attribute`, `values` (written by hand so that it does not depend on how
    /// serde_json orders object keys).
    pub fn to_wire(&self) -> String {
        let mut out = String::new();
        self.write_wire(&mut out);
        out
    }

    /// Parses one query from its JSON string.
    pub fn parse(input: &str) -> Result<Query, QueryParseError> {
        parse_nested(input, 0)
    }

    /// Parses one query from a JSON value.
    pub fn from_json(value: &Value) -> Result<Query, QueryParseError> {
        parse_at(value, 0)
    }

    /// The `attribute` and `values` members of the wire form (`None`: left out).
    fn wire_parts(&self) -> (Option<&str>, Option<Vec<Value>>) {
        match self {
            Query::Equal { attribute, values }
            | Query::Contains { attribute, values }
            | Query::ContainsAny { attribute, values }
            | Query::ContainsAll { attribute, values }
            | Query::NotContains { attribute, values } => (Some(attribute), Some(values.clone())),
            Query::NotEqual { attribute, value }
            | Query::LessThan { attribute, value }
            | Query::LessThanEqual { attribute, value }
            | Query::GreaterThan { attribute, value }
            | Query::GreaterThanEqual { attribute, value }
            | Query::StartsWith { attribute, value }
            | Query::NotStartsWith { attribute, value }
            | Query::EndsWith { attribute, value }
            | Query::NotEndsWith { attribute, value }
            | Query::Search { attribute, value }
            | Query::NotSearch { attribute, value }
            | Query::Regex {
                attribute,
                pattern: value,
            } => (Some(attribute), Some(vec![value.clone()])),
            Query::Between {
                attribute,
                start,
                end,
            }
            | Query::NotBetween {
                attribute,
                start,
                end,
            } => (Some(attribute), Some(vec![start.clone(), end.clone()])),
            Query::IsNull { attribute }
            | Query::IsNotNull { attribute }
            | Query::OrderAsc { attribute }
            | Query::OrderDesc { attribute } => (Some(attribute), None),
            Query::Exists { attributes }
            | Query::NotExists { attributes }
            | Query::Select { attributes } => (
                None,
                Some(attributes.iter().map(|a| Value::from(a.as_str())).collect()),
            ),
            Query::OrderRandom => (None, None),
            Query::Limit(n) | Query::Offset(n) => (None, Some(vec![Value::from(*n)])),
            Query::CursorAfter(id) | Query::CursorBefore(id) => {
                (None, Some(vec![Value::from(id.as_str())]))
            }
            Query::And(queries) | Query::Or(queries) => {
                (None, Some(queries.iter().map(Query::to_json).collect()))
            }
            Query::ElemMatch { attribute, queries } => (
                Some(attribute),
                Some(queries.iter().map(Query::to_json).collect()),
            ),
            Query::Spatial(filter) => (Some(&filter.attribute), Some(filter.wire_values())),
        }
    }

    fn write_wire(&self, out: &mut String) {
        out.push_str("{\"method\":");
        out.push_str(&Value::from(self.method()).to_string());
        let (attribute, values) = match self {
            // Nested queries are written by this function too, to keep their key order.
            Query::And(queries) | Query::Or(queries) => {
                write_nested(queries, out);
                return;
            }
            Query::ElemMatch { attribute, queries } => {
                write_attribute(attribute, out);
                write_nested(queries, out);
                return;
            }
            _ => self.wire_parts(),
        };
        if let Some(attribute) = attribute {
            write_attribute(attribute, out);
        }
        if let Some(values) = values {
            out.push_str(",\"values\":");
            out.push_str(&Value::Array(values).to_string());
        }
        out.push('}');
    }
}

fn write_attribute(attribute: &str, out: &mut String) {
    out.push_str(",\"attribute\":");
    out.push_str(&Value::from(attribute).to_string());
}

/// `,"values":[…]}`: the sub-queries of a logical query, each in wire form.
fn write_nested(queries: &[Query], out: &mut String) {
    out.push_str(",\"values\":[");
    for (i, q) in queries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        q.write_wire(out);
    }
    out.push_str("]}");
}

fn error(message: impl Into<String>) -> QueryParseError {
    QueryParseError::new(message)
}

/// Parses a JSON string at a nesting depth (nested `and`/`or` entries may be strings).
fn parse_nested(input: &str, depth: usize) -> Result<Query, QueryParseError> {
    // PHP's json_decode says "Syntax error" for every malformed input; serde_json's own
    // recursion limit (128) ends up here too.
    let value: Value = serde_json::from_str(input).map_err(|_| error("Syntax error"))?;
    parse_at(&value, depth)
}

fn parse_at(value: &Value, depth: usize) -> Result<Query, QueryParseError> {
    if depth > MAX_NESTING {
        return Err(error(format!(
            "Queries cannot be nested more than {MAX_NESTING} levels deep"
        )));
    }
    let fields = Fields::read(value)?;
    fields.build(depth)
}

/// The three members of a query, checked for their JSON types in the server's order.
struct Fields<'a> {
    method: &'a str,
    attribute: &'a str,
    values: &'a [Value],
}

impl<'a> Fields<'a> {
    fn read(value: &'a Value) -> Result<Self, QueryParseError> {
        let object = match value {
            Value::Object(object) => Some(object),
            // PHP decodes a JSON list into an array too; it simply has no method.
            Value::Array(_) => None,
            other => {
                return Err(error(format!(
                    "Invalid query. Must be an array, got {}",
                    php_type(other)
                )));
            }
        };
        // PHP's `??` reads a null member as a missing one.
        let member = |name: &str| object.and_then(|o| o.get(name)).filter(|v| !v.is_null());
        let string_member = |name: &str| match member(name) {
            None => Ok(""),
            Some(Value::String(s)) => Ok(s.as_str()),
            Some(other) => Err(error(format!(
                "Invalid query {name}. Must be a string, got {}",
                php_type(other)
            ))),
        };
        let method = string_member("method")?;
        if !is_method(method) {
            return Err(error(format!("Query method not valid: {method}")));
        }
        let attribute = string_member("attribute")?;
        let values = match member("values") {
            None => &[][..],
            Some(Value::Array(values)) => values.as_slice(),
            Some(other) => {
                return Err(error(format!(
                    "Invalid query values. Must be an array, got {}",
                    json_type(other)
                )));
            }
        };
        Ok(Fields {
            method,
            attribute,
            values,
        })
    }

    fn build(&self, depth: usize) -> Result<Query, QueryParseError> {
        if let Some(make) = list_filter(self.method) {
            return Ok(make(self.attribute.to_owned(), self.at_least_one()?));
        }
        if let Some(make) = single_value_filter(self.method) {
            return match self.values {
                [value] => Ok(make(self.attribute.to_owned(), value.clone())),
                _ => Err(self.arity("require exactly one value.")),
            };
        }
        if let Some(make) = column_only(self.method) {
            return Ok(make(self.attribute.to_owned()));
        }
        if let Some(make) = column_list(self.method) {
            return Ok(make(self.strings()?));
        }
        if let Some(method) = SpatialMethod::from_name(self.method) {
            return spatial::parse(method, self.attribute, self.values);
        }
        let query = match self.method {
            "between" | "notBetween" => self.build_range()?,
            "orderRandom" => Query::OrderRandom,
            "limit" => Query::Limit(self.count("limit", 1)?),
            "offset" => Query::Offset(self.count("offset", 0)?),
            "cursorAfter" => Query::CursorAfter(self.cursor()?),
            "cursorBefore" => Query::CursorBefore(self.cursor()?),
            "and" => Query::And(self.nested(depth)?),
            "or" => Query::Or(self.nested(depth)?),
            // Appwrite parses the sub-queries but checks them only on schemaless databases, after
            // refusing the method everywhere else; so does the engine.
            "elemMatch" => Query::ElemMatch {
                attribute: self.attribute.to_owned(),
                queries: self.sub_queries(depth)?,
            },
            other => {
                return Err(error(format!(
                    "Query method not supported by appwrite-orm: {other}"
                )));
            }
        };
        Ok(query)
    }

    fn build_range(&self) -> Result<Query, QueryParseError> {
        let [start, end] = self.values else {
            return Err(self.arity("require exactly two values."));
        };
        let (attribute, start, end) = (self.attribute.to_owned(), start.clone(), end.clone());
        Ok(if self.method == "between" {
            Query::Between {
                attribute,
                start,
                end,
            }
        } else {
            Query::NotBetween {
                attribute,
                start,
                end,
            }
        })
    }

    /// `Equal queries require exactly one value.`: the server's wording, method capitalised.
    fn arity(&self, requirement: &str) -> QueryParseError {
        error(format!("{} queries {requirement}", capitalise(self.method)))
    }

    /// Appwrite counts `[[]]` as empty as well as `[]`.
    fn at_least_one(&self) -> Result<Vec<Value>, QueryParseError> {
        match self.values.first() {
            None => Err(self.arity("require at least one value.")),
            Some(Value::Array(first)) if first.is_empty() => {
                Err(self.arity("require at least one value."))
            }
            Some(_) => Ok(self.values.to_vec()),
        }
    }

    /// Column names for select/exists/notExists.
    fn strings(&self) -> Result<Vec<String>, QueryParseError> {
        if self.values.is_empty() {
            return Err(self.arity("require at least one value."));
        }
        self.values
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(self.arity(&format!("accept only strings, got {}", php_type(other)))),
            })
            .collect()
    }

    /// `limit`/`offset`: one integer from `min` to `i64::MAX`. Like the server's Numeric and
    /// Range validators, a string holding an integer is accepted.
    fn count(&self, name: &str, min: i64) -> Result<u64, QueryParseError> {
        let not_a_number = || error(format!("Invalid {name}: Value must be a valid number"));
        let range = || {
            error(format!(
                "Invalid {name}: Value must be a valid range between {} and {}",
                format_thousands(i128::from(min)),
                format_thousands(i128::from(i64::MAX))
            ))
        };
        let value = match self.values {
            // The server reads a missing value as null, which is not a number.
            [] => return Err(not_a_number()),
            [value] => value,
            _ => return Err(self.arity("require exactly one value.")),
        };
        let n = match value {
            // A float, or an integer past i64::MAX (a float to PHP), fails the integer range.
            Value::Number(n) => n.as_i64().ok_or_else(range)?,
            Value::String(s) => match s.parse::<i64>() {
                Ok(n) => n,
                Err(_) if looks_numeric(s) => return Err(range()),
                Err(_) => return Err(not_a_number()),
            },
            _ => return Err(not_a_number()),
        };
        if n < min {
            return Err(range());
        }
        u64::try_from(n).map_err(|_| range())
    }

    fn cursor(&self) -> Result<String, QueryParseError> {
        let [value] = self.values else {
            return Err(self.arity("require exactly one value."));
        };
        let Value::String(id) = value else {
            return Err(error(format!(
                "Invalid cursor: row ID must be a string, got {}",
                php_type(value)
            )));
        };
        check_id(id).map_err(|reason| error(format!("Invalid cursor: row ID {reason}")))?;
        Ok(id.clone())
    }

    /// The sub-queries of `and`/`or`: only filters, at least two.
    fn nested(&self, depth: usize) -> Result<Vec<Query>, QueryParseError> {
        let queries = self.sub_queries(depth)?;
        if queries.iter().any(|q| q.class() != QueryClass::Filter) {
            return Err(self.arity("can only contain filter queries"));
        }
        if queries.len() < 2 {
            return Err(self.arity("require at least two queries"));
        }
        Ok(queries)
    }

    /// The sub-queries of a logical query: objects, or JSON strings as some clients send them.
    fn sub_queries(&self, depth: usize) -> Result<Vec<Query>, QueryParseError> {
        self.values
            .iter()
            .map(|value| match value {
                Value::String(s) => parse_nested(s, depth + 1),
                Value::Object(_) | Value::Array(_) => parse_at(value, depth + 1),
                other => Err(error(format!(
                    "Invalid query values. Nested queries must be objects, got {}",
                    php_type(other)
                ))),
            })
            .collect()
    }
}

/// The filters that take one or more values, by method.
fn list_filter(method: &str) -> Option<fn(String, Vec<Value>) -> Query> {
    Some(match method {
        "equal" => Query::equal,
        "contains" => Query::contains,
        "containsAny" => Query::contains_any,
        "containsAll" => Query::contains_all,
        "notContains" => Query::not_contains,
        _ => return None,
    })
}

/// The filters that take exactly one value, by method.
fn single_value_filter(method: &str) -> Option<fn(String, Value) -> Query> {
    Some(match method {
        "notEqual" => Query::not_equal,
        "lessThan" => Query::less_than,
        "lessThanEqual" => Query::less_than_equal,
        "greaterThan" => Query::greater_than,
        "greaterThanEqual" => Query::greater_than_equal,
        "startsWith" => Query::starts_with,
        "notStartsWith" => Query::not_starts_with,
        "endsWith" => Query::ends_with,
        "notEndsWith" => Query::not_ends_with,
        "search" => Query::search,
        "notSearch" => Query::not_search,
        "regex" => Query::regex,
        _ => return None,
    })
}

/// The queries that name one column and take no value, by method.
fn column_only(method: &str) -> Option<fn(String) -> Query> {
    Some(match method {
        "isNull" => Query::is_null,
        "isNotNull" => Query::is_not_null,
        "orderAsc" => Query::order_asc,
        "orderDesc" => Query::order_desc,
        _ => return None,
    })
}

/// The queries whose values are column names, by method.
fn column_list(method: &str) -> Option<fn(Vec<String>) -> Query> {
    Some(match method {
        "exists" => Query::exists,
        "notExists" => Query::not_exists,
        "select" => Query::select,
        _ => return None,
    })
}

/// A method the server knows, whether or not this crate models it.
fn is_method(method: &str) -> bool {
    const MODELLED: [&str; 34] = [
        "equal",
        "notEqual",
        "lessThan",
        "lessThanEqual",
        "greaterThan",
        "greaterThanEqual",
        "between",
        "notBetween",
        "startsWith",
        "notStartsWith",
        "endsWith",
        "notEndsWith",
        "contains",
        "containsAny",
        "containsAll",
        "notContains",
        "search",
        "notSearch",
        "isNull",
        "isNotNull",
        "exists",
        "notExists",
        "select",
        "orderAsc",
        "orderDesc",
        "orderRandom",
        "limit",
        "offset",
        "cursorAfter",
        "cursorBefore",
        "and",
        "or",
        "regex",
        "elemMatch",
    ];
    MODELLED.contains(&method)
        || UNMODELLED_METHODS.contains(&method)
        || SpatialMethod::from_name(method).is_some()
}

/// `s` with its first letter upper-cased, as PHP's `ucfirst` (Appwrite's messages name methods
/// so: `Equal queries require …`).
pub(crate) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// PHP's `is_numeric`, near enough: a decimal number, possibly with a fraction or exponent.
fn looks_numeric(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
        && !s
            .bytes()
            .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E')
        && s.parse::<f64>().is_ok()
}

/// Like [`php_type`], but says `object` for a JSON object, which is clearer when a list is wanted.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "object",
        other => php_type(other),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn parse_err(input: &str) -> String {
        match Query::parse(input) {
            Err(e) => e.to_string(),
            Ok(q) => panic!("{input} parsed as {q:?}"),
        }
    }

    fn every_method() -> Vec<Query> {
        vec![
            Query::equal("a", [json!("x"), json!(2)]),
            Query::not_equal("a", "x"),
            Query::less_than("a", 1),
            Query::less_than_equal("a", 1.5),
            Query::greater_than("a", -1),
            Query::greater_than_equal("a", "2025-01-01"),
            Query::between("a", 1, 9),
            Query::not_between("a", "a", "m"),
            Query::starts_with("a", "pre"),
            Query::not_starts_with("a", "pre"),
            Query::ends_with("a", "suf"),
            Query::not_ends_with("a", "suf"),
            Query::contains("a", ["x"]),
            Query::contains_any("a", ["x", "y"]),
            Query::contains_all("a", ["x", "y"]),
            Query::not_contains("a", ["x"]),
            Query::search("a", "words here"),
            Query::not_search("a", "words"),
            Query::regex("a", "^[a-z]+-\\d{2}$"),
            Query::is_null("a"),
            Query::is_not_null("a"),
            Query::exists(["a", "b"]),
            Query::not_exists(["a"]),
            Query::select(["a", "rel.*"]),
            Query::order_asc("a"),
            Query::order_desc("a"),
            Query::order_random(),
            Query::limit(25),
            Query::offset(0),
            Query::cursor_after("row1"),
            Query::cursor_before("row2"),
            Query::and([Query::equal("a", [1]), Query::is_null("b")]),
            Query::or([
                Query::less_than("a", 1),
                Query::and([
                    Query::greater_than("b", 2),
                    Query::not_equal("c", json!(null)),
                ]),
            ]),
            Query::ElemMatch {
                attribute: "items".into(),
                queries: vec![Query::equal("sku", ["a1"]), Query::greater_than("qty", 2)],
            },
        ]
    }

    #[test]
    fn every_method_round_trips() {
        let all = every_method();
        let methods: std::collections::HashSet<_> = all.iter().map(Query::method).collect();
        assert_eq!(methods.len(), 34, "one sample per method");
        for q in all {
            let wire = q.to_wire();
            assert_eq!(Query::parse(&wire), Ok(q.clone()), "{wire}");
            assert_eq!(Query::from_json(&q.to_json()), Ok(q.clone()));
            // to_json and to_wire agree.
            let reparsed: Value = serde_json::from_str(&wire).unwrap_or_default();
            assert_eq!(reparsed, q.to_json());
        }
    }

    #[test]
    fn node_sdk_forms() {
        let cases = [
            (
                Query::equal("status", ["active", "trial"]),
                r#"{"method":"equal","attribute":"status","values":["active","trial"]}"#,
            ),
            (
                Query::not_equal("age", 3),
                r#"{"method":"notEqual","attribute":"age","values":[3]}"#,
            ),
            (
                Query::between("age", 18, 65),
                r#"{"method":"between","attribute":"age","values":[18,65]}"#,
            ),
            (
                Query::is_null("deletedAt"),
                r#"{"method":"isNull","attribute":"deletedAt"}"#,
            ),
            (
                Query::order_desc("$createdAt"),
                r#"{"method":"orderDesc","attribute":"$createdAt"}"#,
            ),
            (
                Query::select(["a", "b"]),
                r#"{"method":"select","values":["a","b"]}"#,
            ),
            (
                Query::exists(["a", "b"]),
                r#"{"method":"exists","values":["a","b"]}"#,
            ),
            (Query::limit(25), r#"{"method":"limit","values":[25]}"#),
            (Query::offset(50), r#"{"method":"offset","values":[50]}"#),
            (
                Query::cursor_after("id"),
                r#"{"method":"cursorAfter","values":["id"]}"#,
            ),
            (Query::order_random(), r#"{"method":"orderRandom"}"#),
            (
                Query::regex("name", "^a.*"),
                r#"{"method":"regex","attribute":"name","values":["^a.*"]}"#,
            ),
            (
                Query::ElemMatch {
                    attribute: "items".into(),
                    queries: vec![Query::equal("sku", ["a1"])],
                },
                r#"{"method":"elemMatch","attribute":"items","values":[{"method":"equal","attribute":"sku","values":["a1"]}]}"#,
            ),
            (
                Query::and([Query::equal("a", [1]), Query::less_than("b", 2)]),
                r#"{"method":"and","values":[{"method":"equal","attribute":"a","values":[1]},{"method":"lessThan","attribute":"b","values":[2]}]}"#,
            ),
        ];
        for (query, wire) in cases {
            assert_eq!(query.to_wire(), wire);
        }
    }

    #[test]
    fn parse_accepts_what_the_server_accepts() {
        // Nested queries as strings, as some clients send them.
        let nested = r#"{"method":"or","values":["{\"method\":\"isNull\",\"attribute\":\"a\"}",{"method":"isNotNull","attribute":"b"}]}"#;
        assert_eq!(
            Query::parse(nested),
            Ok(Query::or([Query::is_null("a"), Query::is_not_null("b")]))
        );
        // Key order, extra members, null members and values on value-less methods do not matter.
        assert_eq!(
            Query::parse(r#"{"values":[1],"attribute":"a","method":"lessThan","extra":true}"#),
            Ok(Query::less_than("a", 1))
        );
        assert_eq!(
            Query::parse(r#"{"method":"orderAsc","attribute":"a","values":null}"#),
            Ok(Query::order_asc("a"))
        );
        assert_eq!(
            Query::parse(r#"{"method":"isNull","attribute":"a","values":[1,2]}"#),
            Ok(Query::is_null("a"))
        );
        // A missing attribute reads as "", as in PHP; the engine reports it as unknown.
        assert_eq!(
            Query::parse(r#"{"method":"orderAsc"}"#),
            Ok(Query::order_asc(""))
        );
        // Numeric strings pass the server's Numeric validator.
        assert_eq!(
            Query::parse(r#"{"method":"limit","values":["10"]}"#),
            Ok(Query::limit(10))
        );
        assert_eq!(
            Query::parse(&format!(r#"{{"method":"offset","values":[{}]}}"#, i64::MAX)),
            Ok(Query::offset(i64::MAX as u64))
        );
    }

    #[test]
    fn structural_errors() {
        assert_eq!(parse_err(""), "Invalid query: Syntax error");
        assert_eq!(parse_err("{"), "Invalid query: Syntax error");
        assert_eq!(parse_err("equal(\"a\", 1)"), "Invalid query: Syntax error");
        assert_eq!(
            parse_err("12"),
            "Invalid query: Invalid query. Must be an array, got integer"
        );
        assert_eq!(
            parse_err("\"x\""),
            "Invalid query: Invalid query. Must be an array, got string"
        );
        assert_eq!(parse_err("[]"), "Invalid query: Query method not valid: ");
        assert_eq!(parse_err("{}"), "Invalid query: Query method not valid: ");
        assert_eq!(
            parse_err(r#"{"method":"foo"}"#),
            "Invalid query: Query method not valid: foo"
        );
        assert_eq!(
            parse_err(r#"{"method":1}"#),
            "Invalid query: Invalid query method. Must be a string, got integer"
        );
        assert_eq!(
            parse_err(r#"{"method":"equal","attribute":["a"],"values":[1]}"#),
            "Invalid query: Invalid query attribute. Must be a string, got array"
        );
        assert_eq!(
            parse_err(r#"{"method":"equal","attribute":"a","values":1}"#),
            "Invalid query: Invalid query values. Must be an array, got integer"
        );
        assert_eq!(
            parse_err(r#"{"method":"equal","attribute":"a","values":{"0":1}}"#),
            "Invalid query: Invalid query values. Must be an array, got object"
        );
        assert_eq!(
            parse_err(r#"{"method":"vectorDot","attribute":"a","values":[[1.0]]}"#),
            "Invalid query: Query method not supported by appwrite-orm: vectorDot"
        );
    }

    #[test]
    fn filter_arity_errors() {
        let list_filters: &[&str] = &[
            "equal",
            "contains",
            "containsAny",
            "containsAll",
            "notContains",
        ];
        let single_value_filters: &[&str] = &[
            "notEqual",
            "lessThan",
            "lessThanEqual",
            "greaterThan",
            "greaterThanEqual",
            "startsWith",
            "notStartsWith",
            "endsWith",
            "notEndsWith",
            "search",
            "notSearch",
            "regex",
        ];
        // (methods, the server's requirement, what follows `"attribute":"a"` in a query that
        // breaks it)
        let cases: [(&[&str], &str, &[&str]); 3] = [
            (
                list_filters,
                "require at least one value.",
                &[r#","values":[]"#, "", r#","values":[[]]"#],
            ),
            (
                single_value_filters,
                "require exactly one value.",
                &[r#","values":[]"#, r#","values":[1,2]"#],
            ),
            (
                &["between", "notBetween"],
                "require exactly two values.",
                &[
                    r#","values":[1]"#,
                    r#","values":[1,2,3]"#,
                    r#","values":[]"#,
                ],
            ),
        ];
        for (methods, requirement, rests) in cases {
            for m in methods {
                let want = format!("Invalid query: {} queries {requirement}", capitalise(m));
                for rest in rests {
                    assert_eq!(
                        parse_err(&format!(r#"{{"method":"{m}","attribute":"a"{rest}}}"#)),
                        want
                    );
                }
            }
        }
        assert_eq!(
            parse_err(r#"{"method":"notEqual","attribute":"a","values":[1,2]}"#),
            "Invalid query: NotEqual queries require exactly one value."
        );
    }

    #[test]
    fn selection_arity_errors() {
        for (m, name) in [
            ("select", "Select"),
            ("exists", "Exists"),
            ("notExists", "NotExists"),
        ] {
            assert_eq!(
                parse_err(&format!(r#"{{"method":"{m}","values":[]}}"#)),
                format!("Invalid query: {name} queries require at least one value.")
            );
            assert_eq!(
                parse_err(&format!(r#"{{"method":"{m}","values":["a",1]}}"#)),
                format!("Invalid query: {name} queries accept only strings, got integer")
            );
        }
    }

    #[test]
    fn pagination_errors() {
        let limit_range = "Invalid query: Invalid limit: Value must be a valid range between 1 and 9,223,372,036,854,775,807";
        assert_eq!(parse_err(r#"{"method":"limit","values":[0]}"#), limit_range);
        assert_eq!(
            parse_err(r#"{"method":"limit","values":[-1]}"#),
            limit_range
        );
        assert_eq!(
            parse_err(r#"{"method":"limit","values":[2.5]}"#),
            limit_range
        );
        assert_eq!(
            parse_err(r#"{"method":"limit","values":["2.5"]}"#),
            limit_range
        );
        assert_eq!(
            parse_err(r#"{"method":"limit","values":[9223372036854775808]}"#),
            limit_range
        );
        let nan = "Invalid query: Invalid limit: Value must be a valid number";
        assert_eq!(parse_err(r#"{"method":"limit","values":["ten"]}"#), nan);
        assert_eq!(parse_err(r#"{"method":"limit","values":[true]}"#), nan);
        assert_eq!(parse_err(r#"{"method":"limit","values":[]}"#), nan);
        assert_eq!(
            parse_err(r#"{"method":"limit","values":[1,2]}"#),
            "Invalid query: Limit queries require exactly one value."
        );
        assert_eq!(
            parse_err(r#"{"method":"offset","values":[-1]}"#),
            "Invalid query: Invalid offset: Value must be a valid range between 0 and 9,223,372,036,854,775,807"
        );
        assert_eq!(
            Query::parse(r#"{"method":"offset","values":[0]}"#),
            Ok(Query::offset(0))
        );
        assert_eq!(
            Query::parse(r#"{"method":"limit","values":[1]}"#),
            Ok(Query::limit(1))
        );
        assert_eq!(
            parse_err(r#"{"method":"cursorAfter","values":[]}"#),
            "Invalid query: CursorAfter queries require exactly one value."
        );
        assert_eq!(
            parse_err(r#"{"method":"cursorBefore","values":["a","b"]}"#),
            "Invalid query: CursorBefore queries require exactly one value."
        );
        assert_eq!(
            parse_err(r#"{"method":"cursorAfter","values":[5]}"#),
            "Invalid query: Invalid cursor: row ID must be a string, got integer"
        );
        assert_eq!(
            parse_err(r#"{"method":"cursorAfter","values":["_x"]}"#),
            "Invalid query: Invalid cursor: row ID must not start with '_'"
        );
    }

    #[test]
    fn logical_errors() {
        let one = r#"{"method":"isNull","attribute":"a"}"#;
        assert_eq!(
            parse_err(&format!(r#"{{"method":"and","values":[{one}]}}"#)),
            "Invalid query: And queries require at least two queries"
        );
        assert_eq!(
            parse_err(r#"{"method":"or","values":[]}"#),
            "Invalid query: Or queries require at least two queries"
        );
        for non_filter in [
            r#"{"method":"limit","values":[1]}"#,
            r#"{"method":"offset","values":[1]}"#,
            r#"{"method":"select","values":["a"]}"#,
            r#"{"method":"orderAsc","attribute":"a"}"#,
            r#"{"method":"orderRandom"}"#,
            r#"{"method":"cursorAfter","values":["a"]}"#,
        ] {
            assert_eq!(
                parse_err(&format!(
                    r#"{{"method":"and","values":[{one},{non_filter}]}}"#
                )),
                "Invalid query: And queries can only contain filter queries"
            );
        }
        assert_eq!(
            parse_err(&format!(r#"{{"method":"or","values":[{one},3]}}"#)),
            "Invalid query: Invalid query values. Nested queries must be objects, got integer"
        );
        // Errors inside a nested query come first, as on the server.
        assert_eq!(
            parse_err(r#"{"method":"and","values":[{"method":"nope"}]}"#),
            "Invalid query: Query method not valid: nope"
        );
        assert_eq!(
            parse_err(r#"{"method":"and","values":["{not json",{"method":"isNull"}]}"#),
            "Invalid query: Syntax error"
        );
    }

    #[test]
    fn elem_match_parses_its_sub_queries_without_checking_them() {
        let wire = r#"{"method":"elemMatch","attribute":"items","values":[{"method":"equal","attribute":"sku","values":["a1"]},"{\"method\":\"isNull\",\"attribute\":\"qty\"}"]}"#;
        assert_eq!(
            Query::parse(wire),
            Ok(Query::ElemMatch {
                attribute: "items".into(),
                queries: vec![Query::equal("sku", ["a1"]), Query::is_null("qty")],
            })
        );
        // Appwrite counts the sub-queries and checks that they are filters only on schemaless
        // databases, after it has refused the method on the others; the parser leaves both to
        // the engine.
        assert_eq!(
            Query::parse(r#"{"method":"elemMatch","attribute":"items","values":[]}"#),
            Ok(Query::ElemMatch {
                attribute: "items".into(),
                queries: vec![],
            })
        );
        assert_eq!(
            Query::parse(
                r#"{"method":"elemMatch","attribute":"items","values":[{"method":"limit","values":[1]}]}"#
            ),
            Ok(Query::ElemMatch {
                attribute: "items".into(),
                queries: vec![Query::limit(1)],
            })
        );
        // Errors inside a sub-query are the sub-query's own.
        assert_eq!(
            parse_err(
                r#"{"method":"elemMatch","attribute":"items","values":[{"method":"equal","attribute":"sku"}]}"#
            ),
            "Invalid query: Equal queries require at least one value."
        );
        assert_eq!(
            parse_err(r#"{"method":"elemMatch","attribute":"items","values":[7]}"#),
            "Invalid query: Invalid query values. Nested queries must be objects, got integer"
        );
    }

    #[test]
    fn regex_takes_exactly_one_value_of_any_type() {
        assert_eq!(
            Query::parse(r#"{"method":"regex","attribute":"name","values":["^a"]}"#),
            Ok(Query::regex("name", "^a"))
        );
        // The value's type is checked against the column by the engine, as on the server.
        assert_eq!(
            Query::parse(r#"{"method":"regex","attribute":"age","values":[5]}"#),
            Ok(Query::regex("age", 5))
        );
        assert_eq!(
            parse_err(r#"{"method":"regex","attribute":"name","values":["^a","b"]}"#),
            "Invalid query: Regex queries require exactly one value."
        );
    }

    fn nest(depth: usize) -> String {
        let leaf = r#"{"method":"isNull","attribute":"a"}"#;
        let open = r#"{"method":"and","values":["#.repeat(depth);
        let close = format!(",{leaf}]}}").repeat(depth);
        format!("{open}{leaf}{close}")
    }

    fn nest_strings(depth: usize) -> String {
        let leaf = r#"{"method":"isNull","attribute":"a"}"#.to_owned();
        (0..depth).fold(leaf.clone(), |inner, _| {
            let quoted = Value::from(inner).to_string();
            format!(r#"{{"method":"or","values":[{quoted},{leaf}]}}"#)
        })
    }

    #[test]
    fn nesting_is_bounded() {
        assert!(Query::parse(&nest(MAX_NESTING)).is_ok());
        let too_deep = "Invalid query: Queries cannot be nested more than 16 levels deep";
        assert_eq!(parse_err(&nest(MAX_NESTING + 1)), too_deep);
        assert!(Query::parse(&nest_strings(MAX_NESTING)).is_ok());
        assert_eq!(parse_err(&nest_strings(MAX_NESTING + 1)), too_deep);
        // Far deeper than any stack would allow unchecked: refused, not overflowed.
        assert!(Query::parse(&nest(100_000)).is_err());
        assert!(Query::parse(&"[".repeat(1_000_000)).is_err());
    }

    /// JSON values that survive a print/parse cycle exactly (serde_json's default float parser
    /// is not always correctly rounded, so floats are kept to quarters).
    fn exact_scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-4_000_000i32..4_000_000).prop_map(|n| Value::from(f64::from(n) / 4.0)),
            any::<String>().prop_map(Value::from),
        ]
    }

    fn values(min: usize) -> impl Strategy<Value = Vec<Value>> {
        prop::collection::vec(exact_scalar(), min..4)
    }

    fn names() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec(any::<String>(), 1..4)
    }

    fn row_id() -> impl Strategy<Value = String> {
        "[A-Za-z0-9][A-Za-z0-9._-]{0,35}"
    }

    fn filter_leaf() -> impl Strategy<Value = Query> {
        let attr = any::<String>;
        prop_oneof![
            (attr(), values(1)).prop_map(|(a, v)| Query::equal(a, v)),
            (attr(), values(1)).prop_map(|(a, v)| Query::contains(a, v)),
            (attr(), values(1)).prop_map(|(a, v)| Query::contains_any(a, v)),
            (attr(), values(1)).prop_map(|(a, v)| Query::contains_all(a, v)),
            (attr(), values(1)).prop_map(|(a, v)| Query::not_contains(a, v)),
            (attr(), exact_scalar()).prop_map(|(a, v)| Query::not_equal(a, v)),
            (attr(), exact_scalar()).prop_map(|(a, v)| Query::less_than(a, v)),
            (attr(), exact_scalar()).prop_map(|(a, v)| Query::less_than_equal(a, v)),
            (attr(), exact_scalar()).prop_map(|(a, v)| Query::greater_than(a, v)),
            (attr(), exact_scalar()).prop_map(|(a, v)| Query::greater_than_equal(a, v)),
            (attr(), exact_scalar()).prop_map(|(a, v)| Query::starts_with(a, v)),
            (attr(), exact_scalar()).prop_map(|(a, v)| Query::not_starts_with(a, v)),
            (attr(), exact_scalar()).prop_map(|(a, v)| Query::ends_with(a, v)),
            (attr(), exact_scalar()).prop_map(|(a, v)| Query::not_ends_with(a, v)),
            (attr(), exact_scalar()).prop_map(|(a, v)| Query::search(a, v)),
            (attr(), exact_scalar()).prop_map(|(a, v)| Query::not_search(a, v)),
            (attr(), exact_scalar()).prop_map(|(a, v)| Query::regex(a, v)),
            (attr(), exact_scalar(), exact_scalar()).prop_map(|(a, s, e)| Query::between(a, s, e)),
            (attr(), exact_scalar(), exact_scalar())
                .prop_map(|(a, s, e)| Query::not_between(a, s, e)),
            attr().prop_map(Query::is_null),
            attr().prop_map(Query::is_not_null),
            names().prop_map(|n| Query::Exists { attributes: n }),
            names().prop_map(|n| Query::NotExists { attributes: n }),
        ]
    }

    fn filter_tree() -> impl Strategy<Value = Query> {
        filter_leaf().prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(Query::And),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Query::Or),
                (any::<String>(), prop::collection::vec(inner, 0..3))
                    .prop_map(|(attribute, queries)| Query::ElemMatch { attribute, queries }),
            ]
        })
    }

    fn any_query() -> impl Strategy<Value = Query> {
        let max = i64::MAX as u64;
        prop_oneof![
            4 => filter_tree(),
            1 => names().prop_map(|n| Query::Select { attributes: n }),
            1 => any::<String>().prop_map(Query::order_asc),
            1 => any::<String>().prop_map(Query::order_desc),
            1 => Just(Query::OrderRandom),
            1 => (1..=max).prop_map(Query::Limit),
            1 => (0..=max).prop_map(Query::Offset),
            1 => row_id().prop_map(Query::CursorAfter),
            1 => row_id().prop_map(Query::CursorBefore),
        ]
    }

    const METHOD_NAMES: [&str; 10] = [
        "equal",
        "and",
        "or",
        "regex",
        "elemMatch",
        "limit",
        "select",
        "between",
        "cursorAfter",
        "isNull",
    ];

    /// Arbitrary JSON, biased towards query-shaped objects so that the parser's deeper paths run.
    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            exact_scalar(),
            prop::sample::select(METHOD_NAMES.to_vec()).prop_map(Value::from),
        ];
        leaf.prop_recursive(6, 64, 6, |inner| {
            let key = prop_oneof![
                Just("method".to_owned()),
                Just("attribute".to_owned()),
                Just("values".to_owned()),
                any::<String>(),
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key, inner.clone()), 0..4)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
                (
                    prop::sample::select(METHOD_NAMES.to_vec()),
                    prop::collection::vec(inner, 0..4)
                )
                    .prop_map(|(m, v)| json!({"method": m, "attribute": "a", "values": v})),
            ]
        })
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_strings(input in any::<String>()) {
            let _ = Query::parse(&input);
        }

        #[test]
        fn parse_never_panics_on_json(value in arbitrary_json()) {
            let from_value = Query::from_json(&value);
            let from_text = Query::parse(&value.to_string());
            prop_assert_eq!(&from_value, &from_text);
            // Whatever parses is written back in a form that parses to the same query.
            if let Ok(q) = from_value {
                prop_assert_eq!(Query::parse(&q.to_wire()), Ok(q));
            }
        }

        #[test]
        fn generated_queries_round_trip(q in any_query()) {
            prop_assert_eq!(Query::parse(&q.to_wire()), Ok(q.clone()));
            prop_assert_eq!(Query::from_json(&q.to_json()), Ok(q));
        }
    }
}
