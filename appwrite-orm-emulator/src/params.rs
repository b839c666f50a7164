//! Request parameters as Appwrite reads them: the query string (form-urlencoded, with PHP's
//! array rules so that `queries[0]=…` and `queries[]=…` make a list) merged with the JSON body,
//! and the typed accessors that validate them with Appwrite's messages.

use appwrite_orm::query::Query;
use appwrite_orm::schema::limits;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde_json::{Map, Number, Value};

use crate::errors::{ApiError, ApiResult, argument, bad_request, not_optional};
use crate::legacy::Family;

/// Largest request body read (longtext values can be large).
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;
/// Longest element of an array parameter (`APP_LIMIT_ARRAY_ELEMENT_SIZE`).
pub(crate) const MAX_ELEMENT_LEN: usize = 4096;

/// Validator description of a query list.
const QUERIES_DESC: &str = "Value must a valid array no longer than 100 items and Value must be a valid string and no longer than 4096 chars";

/// All parameters of one request, looked up by their TablesDB names.
#[derive(Debug, Clone)]
pub(crate) struct Params {
    map: Map<String, Value>,
    family: Family,
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let family = Family::of_request(request.uri(), request.extensions());
        let query = request.uri().query().map(str::to_owned);
        let form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        let body = axum::body::to_bytes(request.into_body(), MAX_BODY)
            .await
            .map_err(|_| bad_request("The request body could not be read or is too large."))?;
        Params::build(family, query.as_deref(), &body, form)
    }
}

impl Params {
    /// Parameters from a query string and a body (JSON, or form-urlencoded when `form`).
    pub(crate) fn build(
        family: Family,
        query: Option<&str>,
        body: &[u8],
        form: bool,
    ) -> ApiResult<Params> {
        let mut map = match query {
            Some(q) => parse_form(q.as_bytes())?,
            None => Map::new(),
        };
        let body_params = if body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else if form {
            parse_form(body)?
        } else {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(m)) => m,
                Ok(Value::Null) => Map::new(),
                Ok(_) => return Err(bad_request("The request body must be a JSON object.")),
                Err(e) => return Err(bad_request(format!("Invalid JSON body: {e}"))),
            }
        };
        map.extend(body_params);
        Ok(Params { map, family })
    }

    /// The name the client uses for a parameter known by its TablesDB name.
    pub(crate) fn name(&self, name: &'static str) -> &'static str {
        self.family.param(name)
    }

    /// True when the parameter was sent (even as `null`).
    pub(crate) fn has(&self, name: &'static str) -> bool {
        self.map.contains_key(self.name(name))
    }

    /// The parameter's value; `null` reads as absent.
    pub(crate) fn get(&self, name: &'static str) -> Option<&Value> {
        self.map.get(self.name(name)).filter(|v| !v.is_null())
    }

    fn require(&self, name: &'static str) -> ApiResult<&Value> {
        match self.map.get(self.name(name)) {
            None => Err(not_optional(self.name(name))),
            Some(v) => Ok(v),
        }
    }

    fn invalid(&self, name: &'static str, description: impl std::fmt::Display) -> ApiError {
        argument(self.name(name), description)
    }

    /// A required string of at most `max` characters (0: no limit).
    pub(crate) fn required_str(&self, name: &'static str, max: usize) -> ApiResult<String> {
        let value = self.require(name)?;
        self.check_str(name, value, max)
    }

    /// An optional string of at most `max` characters (0: no limit).
    pub(crate) fn optional_str(&self, name: &'static str, max: usize) -> ApiResult<Option<String>> {
        self.get(name)
            .map(|v| self.check_str(name, v, max))
            .transpose()
    }

    fn check_str(&self, name: &'static str, value: &Value, max: usize) -> ApiResult<String> {
        match value {
            Value::String(s) if max == 0 || s.chars().count() <= max => Ok(s.clone()),
            _ => Err(self.invalid(name, text_desc(max))),
        }
    }

    /// A required boolean (`true`/`false`, or `"true"`, `"false"`, `"1"`, `"0"`, `1`, `0` as
    /// Appwrite's loose validator takes them).
    pub(crate) fn required_bool(&self, name: &'static str) -> ApiResult<bool> {
        let value = self.require(name)?;
        loose_bool(value).ok_or_else(|| self.invalid(name, "Value must be a valid boolean"))
    }

    /// An optional boolean with its default.
    pub(crate) fn bool_or(&self, name: &'static str, default: bool) -> ApiResult<bool> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => {
                loose_bool(v).ok_or_else(|| self.invalid(name, "Value must be a valid boolean"))
            }
        }
    }

    /// An optional signed 64-bit integer.
    pub(crate) fn optional_i64(&self, name: &'static str) -> ApiResult<Option<i64>> {
        self.get(name)
            .map(|v| as_i64(v).ok_or_else(|| self.invalid(name, "Value must be a valid integer")))
            .transpose()
    }

    /// A required integer in `min..=max`.
    pub(crate) fn required_range(&self, name: &'static str, min: i64, max: i64) -> ApiResult<i64> {
        let value = self.require(name)?;
        as_i64(value)
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| self.invalid(name, range_desc(min, max)))
    }

    /// An optional integer in `min..=max`.
    pub(crate) fn optional_range(
        &self,
        name: &'static str,
        min: i64,
        max: i64,
    ) -> ApiResult<Option<i64>> {
        self.get(name)
            .map(|v| {
                as_i64(v)
                    .filter(|n| (min..=max).contains(n))
                    .ok_or_else(|| self.invalid(name, range_desc(min, max)))
            })
            .transpose()
    }

    /// An optional float (JSON integers are floats too).
    pub(crate) fn optional_f64(&self, name: &'static str) -> ApiResult<Option<f64>> {
        self.get(name)
            .map(|v| as_f64(v).ok_or_else(|| self.invalid(name, "Value must be a valid float")))
            .transpose()
    }

    /// An optional JSON number (integer or float).
    pub(crate) fn optional_number(&self, name: &'static str) -> ApiResult<Option<Number>> {
        self.get(name)
            .map(|v| as_number(v).ok_or_else(|| self.invalid(name, "Value must be a valid number")))
            .transpose()
    }

    /// An optional list of strings: at most 100 items of at most `max_len` characters.
    pub(crate) fn optional_strings(
        &self,
        name: &'static str,
        max_len: usize,
    ) -> ApiResult<Option<Vec<String>>> {
        self.get(name)
            .map(|v| self.check_strings(name, v, max_len))
            .transpose()
    }

    /// A required list of strings: at most 100 items of at most `max_len` characters.
    pub(crate) fn required_strings(
        &self,
        name: &'static str,
        max_len: usize,
    ) -> ApiResult<Vec<String>> {
        let value = self.require(name)?;
        self.check_strings(name, value, max_len)
    }

    fn check_strings(
        &self,
        name: &'static str,
        value: &Value,
        max_len: usize,
    ) -> ApiResult<Vec<String>> {
        let desc = || {
            format!(
                "Value must a valid array no longer than {} items and {}",
                limits::MAX_BATCH,
                text_desc(max_len)
            )
        };
        let items = value.as_array().ok_or_else(|| self.invalid(name, desc()))?;
        if items.len() > limits::MAX_BATCH {
            return Err(self.invalid(name, desc()));
        }
        items
            .iter()
            .map(|item| match item {
                Value::String(s) if max_len == 0 || s.chars().count() <= max_len => Ok(s.clone()),
                _ => Err(self.invalid(name, desc())),
            })
            .collect()
    }

    /// A JSON object given as an object or as a JSON string holding one (`data`).
    pub(crate) fn optional_object(
        &self,
        name: &'static str,
    ) -> ApiResult<Option<Map<String, Value>>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let invalid = || self.invalid(name, "Value must be a valid JSON string");
        match value {
            Value::Object(m) => Ok(Some(m.clone())),
            Value::Array(a) if a.is_empty() => Ok(Some(Map::new())),
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Object(m)) => Ok(Some(m)),
                Ok(Value::Array(a)) if a.is_empty() => Ok(Some(Map::new())),
                _ => Err(invalid()),
            },
            _ => Err(invalid()),
        }
    }

    /// A list of JSON objects (`rows` of bulk writes), at most 100.
    pub(crate) fn optional_objects(
        &self,
        name: &'static str,
    ) -> ApiResult<Option<Vec<Map<String, Value>>>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let desc = format!(
            "Value must a valid array no longer than {} items and Value must be a valid JSON string",
            limits::MAX_BATCH
        );
        let items = value.as_array().ok_or_else(|| self.invalid(name, &desc))?;
        if items.len() > limits::MAX_BATCH {
            return Err(self.invalid(name, &desc));
        }
        items
            .iter()
            .map(|item| match item {
                Value::Object(m) => Ok(m.clone()),
                Value::String(s) => match serde_json::from_str::<Value>(s) {
                    Ok(Value::Object(m)) => Ok(m),
                    _ => Err(self.invalid(name, &desc)),
                },
                _ => Err(self.invalid(name, &desc)),
            })
            .collect::<ApiResult<Vec<_>>>()
            .map(Some)
    }

    /// The `queries` parameter, parsed: a list of JSON strings (at most 100, each at most 4096
    /// characters). Parse failures are 400 `general_query_invalid`.
    pub(crate) fn queries(&self) -> ApiResult<Vec<Query>> {
        let Some(value) = self.get("queries") else {
            return Ok(Vec::new());
        };
        let items = value
            .as_array()
            .ok_or_else(|| self.invalid("queries", QUERIES_DESC))?;
        if items.len() > limits::MAX_QUERIES {
            return Err(self.invalid("queries", QUERIES_DESC));
        }
        items
            .iter()
            .map(|item| match item {
                Value::String(s) if s.chars().count() <= MAX_ELEMENT_LEN => Query::parse(s)
                    .map_err(|e| {
                        ApiError::new(
                            400,
                            appwrite_orm::error::types::GENERAL_QUERY_INVALID,
                            e.to_string(),
                        )
                    }),
                _ => Err(self.invalid("queries", QUERIES_DESC)),
            })
            .collect()
    }

    /// The `total` flag of list routes. Validated like Appwrite's loose boolean (`true`,
    /// `false`, `1`, `0`), then read as PHP reads the raw string: only `0` (and a JSON `false`
    /// or `0` from a body) turns the count off; `"false"` still counts.
    pub(crate) fn total(&self) -> ApiResult<bool> {
        let Some(value) = self.get("total") else {
            return Ok(true);
        };
        loose_bool(value).ok_or_else(|| self.invalid("total", "Value must be a valid boolean"))?;
        Ok(match value {
            Value::String(s) => s != "0",
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_i64() != Some(0),
            _ => true,
        })
    }
}

fn loose_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite()),
        Value::String(s) => s.parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

fn as_number(value: &Value) -> Option<Number> {
    match value {
        Value::Number(n) => Some(n.clone()),
        Value::String(s) => {
            if let Ok(i) = s.parse::<i64>() {
                Some(i.into())
            } else {
                s.parse::<f64>().ok().and_then(Number::from_f64)
            }
        }
        _ => None,
    }
}

/// Utopia's `Text` validator description.
pub(crate) fn text_desc(max: usize) -> String {
    if max == 0 {
        "Value must be a valid string".to_owned()
    } else {
        format!("Value must be a valid string and no longer than {max} chars")
    }
}

pub(crate) use appwrite_orm::api::error::range_description as range_desc;

/// Parses `application/x-www-form-urlencoded` data with PHP's rules for bracketed keys:
/// `a[]=x` appends to list `a`, `a[3]=x` sets position `3` of list `a` (kept in arrival order),
/// deeper nesting (`a[0][b]=x`) gives an element that is not a string.
pub(crate) fn parse_form(input: &[u8]) -> ApiResult<Map<String, Value>> {
    let mut map = Map::new();
    // For each list: the explicit index of each element (None for `[]`).
    let mut indexes: std::collections::HashMap<String, Vec<Option<String>>> =
        std::collections::HashMap::new();
    for pair in input.split(|b| *b == b'&') {
        if pair.is_empty() {
            continue;
        }
        let (raw_key, raw_value) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        let key = decode(raw_key)?;
        let value = decode(raw_value)?;
        match split_key(&key) {
            None => {
                indexes.remove(&key);
                map.insert(key, Value::String(value));
            }
            Some((name, index, nested)) => {
                let element = if nested {
                    Value::Object(Map::new())
                } else {
                    Value::String(value)
                };
                let slots = indexes.entry(name.to_owned()).or_default();
                let list = map
                    .entry(name.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if !list.is_array() {
                    *list = Value::Array(Vec::new());
                    slots.clear();
                }
                let Value::Array(items) = list else {
                    continue;
                };
                match index {
                    Some(idx) => {
                        if let Some(pos) = slots.iter().position(|s| s.as_deref() == Some(idx)) {
                            if let Some(slot) = items.get_mut(pos) {
                                *slot = element;
                            }
                        } else {
                            slots.push(Some(idx.to_owned()));
                            items.push(element);
                        }
                    }
                    None => {
                        slots.push(None);
                        items.push(element);
                    }
                }
            }
        }
    }
    Ok(map)
}

/// Splits `name[index]rest` into the name, the index (`None` for `[]`) and whether more
/// brackets follow. `None` when the key has no brackets.
fn split_key(key: &str) -> Option<(&str, Option<&str>, bool)> {
    let open = key.find('[')?;
    if open == 0 {
        return None;
    }
    let close = open + key[open..].find(']')?;
    let name = &key[..open];
    let index = &key[open + 1..close];
    let nested = key[close + 1..].starts_with('[');
    Some((name, (!index.is_empty()).then_some(index), nested))
}

/// Percent-decodes one form component (`+` is a space); bytes that are not UTF-8 are refused.
fn decode(raw: &[u8]) -> ApiResult<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| {
        bad_request("The request parameters are not valid UTF-8 after percent-decoding.")
    })
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(s: &str) -> Map<String, Value> {
        parse_form(s.as_bytes()).expect("parses")
    }

    #[test]
    fn indexed_and_appended_lists() {
        let m = form("queries%5B0%5D=a&queries%5B1%5D=b%20c&total=false");
        assert_eq!(m["queries"], json!(["a", "b c"]));
        assert_eq!(m["total"], json!("false"));
        let m = form("queries[]=x&queries[]=y+z");
        assert_eq!(m["queries"], json!(["x", "y z"]));
        let m = form("q[1]=a&q[0]=b&q[1]=c");
        assert_eq!(m["q"], json!(["c", "b"]));
        let m = form("q=plain");
        assert_eq!(m["q"], json!("plain"));
        let m = form("q[0][method]=x");
        assert!(m["q"][0].is_object());
    }

    #[test]
    fn bad_utf8_and_odd_escapes() {
        assert!(parse_form(b"q=%ff%fe").is_err());
        assert!(parse_form(b"q=\xff").is_err());
        let m = form("q=%zz%&r=%4");
        assert_eq!(m["q"], json!("%zz%"));
        assert_eq!(m["r"], json!("%4"));
        let m = form("=x&&[a]=1");
        assert_eq!(m[""], json!("x"));
    }

    #[test]
    fn body_and_query_merge() {
        let p = Params::build(
            Family::TablesDb,
            Some("total=0"),
            br#"{"rowId":"r1","data":"{\"a\":1}"}"#,
            false,
        )
        .expect("builds");
        assert_eq!(p.required_str("rowId", 36).unwrap(), "r1");
        assert_eq!(p.optional_object("data").unwrap().unwrap()["a"], json!(1));
        assert!(!p.total().unwrap());
        let e = p.required_str("tableId", 36).unwrap_err();
        assert_eq!(e.error.message, "Param \"tableId\" is not optional.");
        assert!(Params::build(Family::TablesDb, None, b"{nope", false).is_err());
        assert!(Params::build(Family::TablesDb, None, b"[1]", false).is_err());
    }

    #[test]
    fn total_follows_php() {
        let p = |q: &str| Params::build(Family::TablesDb, Some(q), b"", false).unwrap();
        assert!(p("total=false").total().unwrap());
        assert!(p("total=true").total().unwrap());
        assert!(!p("total=0").total().unwrap());
        assert!(p("total=1").total().unwrap());
        assert!(p("total=yes").total().is_err());
    }

    #[test]
    fn typed_accessors() {
        let p = Params::build(
            Family::Legacy,
            None,
            br#"{"size": 99999999999999999999, "documentId": 5, "required": "true", "min": 1.5}"#,
            false,
        )
        .unwrap();
        let e = p.required_range("size", 1, 16381).unwrap_err();
        assert_eq!(
            e.error.message,
            "Invalid `size` param: Value must be a valid range between 1 and 16,381"
        );
        let e = p.required_str("rowId", 36).unwrap_err();
        assert!(e.error.message.starts_with("Invalid `documentId` param"));
        assert!(p.required_bool("required").unwrap());
        assert!(p.optional_i64("min").is_err());
        assert_eq!(
            appwrite_orm::api::error::thousands(-9_223_372_036_854_775_808),
            "-9,223,372,036,854,775,808"
        );
    }
}
