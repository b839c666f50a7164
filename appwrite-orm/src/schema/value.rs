//! Validation of row values against a column, with Appwrite's messages.
//!
//! The embedded engine runs [`check_value`] on every written value, and clients may run it before
//! sending, so the wording follows Appwrite's structure validator (`appwrite-api.md` §5 and §7):
//! `Attribute "k" has invalid type. <description>` or `… has invalid format. <description>`.
//!
//! The label follows the failure, as §7 lists it: a wrong JSON type, a too long string or a
//! number outside the column's storage width is a "type" problem; a bad email, URL, IP, enum
//! value, date, or a number outside the column's declared `min`/`max` is a "format" problem.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use serde_json::Value;

use super::{ColumnKind, ColumnSchema, Relationship};
use crate::spatial::check_geometry;

/// The description of an invalid datetime, as Appwrite words it.
const DATETIME_DESCRIPTION: &str =
    "Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 23:59:59.";

/// Offset-carrying forms tried after RFC 3339 (which already covers `T`/space and `Z`).
/// `%#z` accepts `+02`, `+0200` and `+02:00`; `%.f` makes the fraction optional.
const OFFSET_FORMATS: [&str; 2] = ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z"];

/// Forms without an offset, read as UTC.
const NAIVE_FORMATS: [&str; 4] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
];

/// Checks `value` for `column` and returns the value to store.
///
/// `value` must not be `null`: the caller handles missing and null values and `required`. An
/// optional array column does accept `null` elements, as Appwrite does.
///
/// `Err` carries the part of Appwrite's structure error after `Invalid document structure: `,
/// e.g. `Attribute "age" has invalid format. Value must be a valid range between 0 and 150`.
/// For relationship columns (which Appwrite checks outside the structure validator) it carries
/// the `relationship_value_invalid` message instead.
///
/// What is returned differs from the input in three cases only: datetimes come back normalised
/// (see [`normalize_datetime`]), bigint strings come back as JSON integers, and spatial values
/// come back as Appwrite answers them (float coordinates, a single-ring polygon wrapped; see
/// [`check_geometry`]).
pub fn check_value(column: &ColumnSchema, value: &Value) -> Result<Value, String> {
    if let ColumnKind::Relationship(rel) = &column.kind {
        return check_relationship(rel, value);
    }
    let key = &column.key;
    if !column.array {
        return check_scalar(&column.kind, value).map_err(|p| p.message(key));
    }
    let Value::Array(items) = value else {
        return Err(format!("Attribute \"{key}\" must be an array"));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if item.is_null() && !column.required {
                return Ok(Value::Null);
            }
            check_scalar(&column.kind, item).map_err(|p| p.message(&format!("{key}['{i}']")))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

/// Parses a date/time string and returns it as Appwrite stores it: UTC,
/// `YYYY-MM-DDTHH:MM:SS.mmm+00:00`. `None` when it is not a date or out of range.
///
/// Accepted: RFC 3339 / ISO 8601 with `T` or a space, with or without fractional seconds, with an
/// offset (`Z`, `+02`, `+0200`, `+02:00`) or without one (then UTC), minutes-only times, and a
/// plain `YYYY-MM-DD` (midnight UTC). The range is Appwrite's: 1000-01-01 00:00:00 to
/// 9999-12-31 23:59:59 UTC. Digits past the millisecond are cut, not rounded, as PHP's `v` does.
pub fn normalize_datetime(input: &str) -> Option<String> {
    let utc = parse_datetime(input)?;
    // chrono represents a leap second as nanosecond >= 1e9; Appwrite never stores one.
    if utc.nanosecond() >= 1_000_000_000 || !in_datetime_range(&utc) {
        return None;
    }
    Some(utc.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string())
}

/// Formats an integer with `,` between groups of three digits, as PHP's `number_format` does:
/// `-9223372036854775808` becomes `-9,223,372,036,854,775,808`.
pub fn format_thousands(n: i128) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// PHP's `gettype` of the value `json_decode` would make, for messages that quote it.
pub(crate) fn php_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "NULL",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "double",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) | Value::Object(_) => "array",
    }
}

/// Why a value failed, with the validator's description.
enum Problem {
    /// Wrong JSON type, string too long, integer wider than the column.
    Type(String),
    /// Not an email/URL/IP/enum value/date, or outside the declared bounds.
    Format(String),
}

impl Problem {
    /// `Attribute "k" has invalid type. <description>`; `name` may carry an array index.
    fn message(&self, name: &str) -> String {
        let (label, description) = match self {
            Problem::Type(d) => ("type", d),
            Problem::Format(d) => ("format", d),
        };
        format!("Attribute \"{name}\" has invalid {label}. {description}")
    }
}

/// Checks one non-array value.
fn check_scalar(kind: &ColumnKind, value: &Value) -> Result<Value, Problem> {
    match kind {
        ColumnKind::Integer { min, max } => {
            check_integer(value, integer_bits(*max), *min, *max).map(Value::from)
        }
        ColumnKind::BigInt { min, max } => check_bigint(value, *min, *max).map(Value::from),
        ColumnKind::Float { min, max } => check_float(value, *min, *max),
        ColumnKind::Boolean => match value {
            Value::Bool(_) => Ok(value.clone()),
            _ => Err(Problem::Type("Value must be a valid boolean".to_owned())),
        },
        ColumnKind::Datetime => value
            .as_str()
            .and_then(normalize_datetime)
            .map(Value::String)
            .ok_or_else(|| Problem::Format(DATETIME_DESCRIPTION.to_owned())),
        // Appwrite's spatial validator has no format, so its failures read "invalid type".
        ColumnKind::Point | ColumnKind::Line | ColumnKind::Polygon => kind
            .spatial_type()
            .map_or(Ok(Value::Null), |ty| check_geometry(ty, value))
            .map_err(Problem::Type),
        // Every remaining kind stores text; `max_chars` is `Some` for all of them.
        _ => check_text(kind, value),
    }
}

/// The bit width Appwrite gives an integer column: 64 when `max` (default `i64::MAX`) does not
/// fit in 32 bits, else 32. Appwrite looks at `max` only (`Integer/Create.php`).
pub(crate) fn integer_bits(max: Option<i64>) -> u32 {
    if max.unwrap_or(i64::MAX) > i64::from(i32::MAX) {
        64
    } else {
        32
    }
}

fn integer_description(bits: u32) -> String {
    let (lo, hi) = if bits == 32 {
        (i128::from(i32::MIN), i128::from(i32::MAX))
    } else {
        (i128::from(i64::MIN), i128::from(i64::MAX))
    };
    format!(
        "Value must be a valid signed {bits}-bit integer between {} and {}",
        format_thousands(lo),
        format_thousands(hi)
    )
}

fn range_description(lo: String, hi: String) -> String {
    format!("Value must be a valid range between {lo} and {hi}")
}

fn int_range_description(lo: i64, hi: i64) -> String {
    range_description(
        format_thousands(i128::from(lo)),
        format_thousands(i128::from(hi)),
    )
}

/// Appwrite runs the integer type of the column's width first, then the declared bounds.
fn check_integer(
    value: &Value,
    bits: u32,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<i64, Problem> {
    let n = value
        .as_i64()
        .filter(|n| bits == 64 || i32::try_from(*n).is_ok())
        .ok_or_else(|| Problem::Type(integer_description(bits)))?;
    let (lo, hi) = (min.unwrap_or(i64::MIN), max.unwrap_or(i64::MAX));
    if n < lo || n > hi {
        return Err(Problem::Format(int_range_description(lo, hi)));
    }
    Ok(n)
}

/// Like an integer, but a string of digits with an optional leading `-` is accepted too (clients
/// send those because JavaScript numbers cannot hold every 64-bit integer).
fn check_bigint(value: &Value, min: Option<i64>, max: Option<i64>) -> Result<i64, Problem> {
    match value {
        Value::String(s) => {
            let n = parse_decimal_i64(s).ok_or_else(|| Problem::Type(integer_description(64)))?;
            check_integer(&Value::from(n), 64, min, max)
        }
        _ => check_integer(value, 64, min, max),
    }
}

/// `-?[0-9]+` as an i64; `str::parse` alone would also take a leading `+`.
fn parse_decimal_i64(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn check_float(value: &Value, min: Option<f64>, max: Option<f64>) -> Result<Value, Problem> {
    let x = match value {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
    .ok_or_else(|| Problem::Type("Value must be a valid float".to_owned()))?;
    let (lo, hi) = (min.unwrap_or(-f64::MAX), max.unwrap_or(f64::MAX));
    if x < lo || x > hi {
        return Err(Problem::Format(range_description(
            format_float(lo),
            format_float(hi),
        )));
    }
    Ok(value.clone())
}

/// Integral bounds print like PHP's `number_format` (`3,000`); others print as Rust does
/// (`0.5`), because `number_format` would round them to a misleading integer.
fn format_float(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        // Exact: |x| < 1e15 is far inside i128 and x has no fraction.
        format_thousands(x as i128)
    } else if x.is_finite() && x.abs() >= 1e15 {
        // Rust's `{}` writes every digit of a huge float; the exponent form stays readable.
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// The text kinds: a JSON string of at most `max_chars` characters, then the kind's format.
fn check_text(kind: &ColumnKind, value: &Value) -> Result<Value, Problem> {
    let size = kind.max_chars().unwrap_or(0);
    let text_description = || {
        Problem::Type(format!(
            "Value must be a valid string and no longer than {size} chars"
        ))
    };
    let Value::String(s) = value else {
        return Err(text_description());
    };
    // Characters never outnumber bytes, so short strings skip the count.
    if s.len() > size as usize && s.chars().count() > size as usize {
        return Err(text_description());
    }
    check_format(kind, s).map_err(Problem::Format)?;
    Ok(value.clone())
}

fn check_format(kind: &ColumnKind, s: &str) -> Result<(), String> {
    match kind {
        ColumnKind::Email if !is_email(s) => Err("Value must be a valid email address".to_owned()),
        ColumnKind::Url if !is_url(s) => Err("Value must be a valid URL".to_owned()),
        ColumnKind::Ip if s.parse::<std::net::IpAddr>().is_err() => {
            Err("Value must be a valid IP address".to_owned())
        }
        ColumnKind::Enum { elements } if !elements.iter().any(|e| e == s) => {
            Err(format!("Value must be one of ({})", elements.join(", ")))
        }
        _ => Ok(()),
    }
}

/// A pragmatic check, not RFC 5322: one `@`, a non-empty local part, a dotted domain without
/// empty labels, and no whitespace.
fn is_email(s: &str) -> bool {
    if s.chars().any(char::is_whitespace) {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
}

/// `scheme://host…` with an RFC 3986 scheme, a non-empty host and no whitespace.
fn is_url(s: &str) -> bool {
    if s.chars().any(char::is_whitespace) {
        return false;
    }
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    let mut scheme_chars = scheme.chars();
    let scheme_ok = scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = strip_port(host_port);
    scheme_ok && !host.is_empty()
}

/// `example.com:8080` → `example.com`; `[::1]:80` → `[::1]`.
fn strip_port(host_port: &str) -> &str {
    if host_port.starts_with('[') {
        return host_port
            .find(']')
            .map_or(host_port, |end| &host_port[..=end]);
    }
    host_port.split(':').next().unwrap_or("")
}

fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.to_utc());
    }
    if let Some(dt) = OFFSET_FORMATS
        .iter()
        .find_map(|f| DateTime::parse_from_str(s, f).ok())
    {
        return Some(dt.to_utc());
    }
    if let Some(dt) = NAIVE_FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    {
        return Some(dt.and_utc());
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

fn in_datetime_range(dt: &DateTime<Utc>) -> bool {
    let min = Utc.with_ymd_and_hms(1000, 1, 1, 0, 0, 0).single();
    let max = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).single();
    match (min, max) {
        (Some(min), Some(max)) => *dt >= min && *dt <= max,
        // Both dates are valid constants; this arm only keeps the function panic-free.
        _ => false,
    }
}

/// Relationship values: a row id or a row object; an array of those on the "many" side. The
/// messages are those of Appwrite's `relationship_value_invalid`.
fn check_relationship(rel: &Relationship, value: &Value) -> Result<Value, String> {
    if !rel.is_to_many() {
        return check_related_row(value).map(|()| value.clone());
    }
    let Value::Array(items) = value else {
        return Err(format!(
            "Invalid relationship value. Must be an array of documents or document IDs, {} given.",
            php_type(value)
        ));
    };
    items.iter().try_for_each(check_related_row)?;
    Ok(value.clone())
}

fn check_related_row(value: &Value) -> Result<(), String> {
    match value {
        Value::String(_) | Value::Object(_) => Ok(()),
        other => Err(format!(
            "Invalid relationship value. Must be either a document ID or a document, {} given.",
            php_type(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::schema::{OnDelete, RelationType, limits};

    fn col(kind: ColumnKind) -> ColumnSchema {
        ColumnSchema::new("k", kind)
    }

    fn int(min: Option<i64>, max: Option<i64>) -> ColumnSchema {
        col(ColumnKind::Integer { min, max })
    }

    fn bigint(min: Option<i64>, max: Option<i64>) -> ColumnSchema {
        col(ColumnKind::BigInt { min, max })
    }

    fn float(min: Option<f64>, max: Option<f64>) -> ColumnSchema {
        col(ColumnKind::Float { min, max })
    }

    fn rel(relation_type: RelationType) -> ColumnSchema {
        col(ColumnKind::Relationship(Relationship {
            related_table: "other".into(),
            relation_type,
            two_way: false,
            two_way_key: None,
            on_delete: OnDelete::Restrict,
            side: Default::default(),
        }))
    }

    fn ok(column: &ColumnSchema, value: Value) {
        assert_eq!(check_value(column, &value), Ok(value));
    }

    fn err(column: &ColumnSchema, value: Value) -> String {
        match check_value(column, &value) {
            Err(e) => e,
            Ok(v) => panic!("{value} was accepted as {v}"),
        }
    }

    const I64_DESC: &str = "Value must be a valid signed 64-bit integer between \
                            -9,223,372,036,854,775,808 and 9,223,372,036,854,775,807";
    const I32_DESC: &str = "Value must be a valid signed 32-bit integer between \
                            -2,147,483,648 and 2,147,483,647";

    #[test]
    fn thousands() {
        assert_eq!(format_thousands(0), "0");
        assert_eq!(format_thousands(999), "999");
        assert_eq!(format_thousands(1000), "1,000");
        assert_eq!(format_thousands(-3000), "-3,000");
        assert_eq!(format_thousands(123_456_789), "123,456,789");
        assert_eq!(
            format_thousands(i128::from(i64::MIN)),
            "-9,223,372,036,854,775,808"
        );
        assert_eq!(
            format_thousands(i128::MIN),
            "-170,141,183,460,469,231,731,687,303,715,884,105,728"
        );
    }

    #[test]
    fn varchar_accepts_strings_up_to_size_in_characters() {
        let c = ColumnSchema::varchar("k", 3);
        ok(&c, json!(""));
        ok(&c, json!("abc"));
        // Three characters, nine bytes: the limit counts characters.
        ok(&c, json!("日本語"));
        assert_eq!(
            err(&c, json!("abcd")),
            "Attribute \"k\" has invalid type. Value must be a valid string and no longer than 3 chars"
        );
    }

    #[test]
    fn string_kinds_refuse_non_strings() {
        for kind in [
            ColumnKind::Varchar { size: 255 },
            ColumnKind::String { size: 255 },
        ] {
            let c = col(kind);
            let msg = "Attribute \"k\" has invalid type. \
                       Value must be a valid string and no longer than 255 chars";
            assert_eq!(err(&c, json!(12)), msg);
            assert_eq!(err(&c, json!(true)), msg);
            assert_eq!(err(&c, json!(["a"])), msg);
            assert_eq!(err(&c, json!({"a": 1})), msg);
        }
    }

    #[test]
    fn text_family_uses_its_own_size() {
        ok(&col(ColumnKind::Text), json!("x".repeat(65_535)));
        assert_eq!(
            err(&col(ColumnKind::Text), json!("x".repeat(65_536))),
            "Attribute \"k\" has invalid type. Value must be a valid string and no longer than 65535 chars"
        );
        ok(&col(ColumnKind::MediumText), json!("long text"));
        ok(&col(ColumnKind::LongText), json!("long text"));
    }

    #[test]
    fn integer_without_bounds_takes_the_i64_range() {
        let c = ColumnSchema::integer("k");
        ok(&c, json!(0));
        ok(&c, json!(i64::MAX));
        ok(&c, json!(i64::MIN));
        let type_msg = format!("Attribute \"k\" has invalid type. {I64_DESC}");
        assert_eq!(err(&c, json!(u64::MAX)), type_msg);
        assert_eq!(err(&c, json!(1.5)), type_msg);
        assert_eq!(err(&c, json!(1.0)), type_msg);
        assert_eq!(err(&c, json!("1")), type_msg);
        assert_eq!(err(&c, json!(true)), type_msg);
    }

    #[test]
    fn integer_with_bounds_checks_the_range() {
        let c = int(Some(0), Some(3000));
        ok(&c, json!(0));
        ok(&c, json!(3000));
        let msg =
            "Attribute \"k\" has invalid format. Value must be a valid range between 0 and 3,000";
        assert_eq!(err(&c, json!(3001)), msg);
        assert_eq!(err(&c, json!(-1)), msg);
        // A wrong type fails the type validator first; max 3000 makes a 32-bit column.
        assert_eq!(
            err(&c, json!("12")),
            format!("Attribute \"k\" has invalid type. {I32_DESC}")
        );
    }

    #[test]
    fn integer_with_a_small_max_is_a_32_bit_column() {
        let c = int(None, Some(10));
        ok(&c, json!(i32::MIN));
        assert_eq!(
            err(&c, json!(i64::from(i32::MIN) - 1)),
            format!("Attribute \"k\" has invalid type. {I32_DESC}")
        );
        assert_eq!(
            err(&c, json!(11)),
            "Attribute \"k\" has invalid format. Value must be a valid range between \
             -9,223,372,036,854,775,808 and 10"
        );
        let wide = int(None, Some(i64::from(i32::MAX) + 1));
        ok(&wide, json!(i64::from(i32::MIN) - 1));
        assert_eq!(integer_bits(Some(i64::from(i32::MAX))), 32);
        assert_eq!(integer_bits(Some(i64::from(i32::MAX) + 1)), 64);
        assert_eq!(integer_bits(None), 64);
    }

    #[test]
    fn bigint_accepts_digit_strings_and_returns_integers() {
        let c = bigint(None, None);
        ok(&c, json!(42));
        assert_eq!(check_value(&c, &json!("42")), Ok(json!(42)));
        assert_eq!(check_value(&c, &json!("-42")), Ok(json!(-42)));
        assert_eq!(
            check_value(&c, &json!("9223372036854775807")),
            Ok(json!(i64::MAX))
        );
        let msg = format!("Attribute \"k\" has invalid type. {I64_DESC}");
        for bad in [
            "",
            "-",
            "+1",
            " 1",
            "1.0",
            "1e3",
            "9223372036854775808",
            "abc",
        ] {
            assert_eq!(err(&c, json!(bad)), msg, "{bad:?}");
        }
        assert_eq!(err(&c, json!(1.5)), msg);
        let bounded = bigint(Some(1), Some(5));
        assert_eq!(
            err(&bounded, json!("6")),
            "Attribute \"k\" has invalid format. Value must be a valid range between 1 and 5"
        );
    }

    #[test]
    fn float_accepts_ints_and_floats_within_bounds() {
        let c = ColumnSchema::float("k");
        ok(&c, json!(1));
        ok(&c, json!(-1.5));
        ok(&c, json!(f64::MAX));
        for bad in [json!("1.5"), json!(true), json!([1.0])] {
            assert_eq!(
                err(&c, bad),
                "Attribute \"k\" has invalid type. Value must be a valid float"
            );
        }
        let bounded = float(Some(0.0), Some(3000.0));
        ok(&bounded, json!(3000.0));
        assert_eq!(
            err(&bounded, json!(3000.5)),
            "Attribute \"k\" has invalid format. Value must be a valid range between 0 and 3,000"
        );
        let fractional = float(Some(0.5), None);
        assert_eq!(
            err(&fractional, json!(0.25)),
            format!(
                "Attribute \"k\" has invalid format. Value must be a valid range between 0.5 and {:e}",
                f64::MAX
            )
        );
    }

    #[test]
    fn boolean_is_strict() {
        let c = ColumnSchema::boolean("k");
        ok(&c, json!(true));
        ok(&c, json!(false));
        for bad in [json!(1), json!("true"), json!(0)] {
            assert_eq!(
                err(&c, bad),
                "Attribute \"k\" has invalid type. Value must be a valid boolean"
            );
        }
    }

    #[test]
    fn datetime_is_normalised() {
        let c = ColumnSchema::datetime("k");
        assert_eq!(
            check_value(&c, &json!("1975-06-12 14:12:55+02:00")),
            Ok(json!("1975-06-12T12:12:55.000+00:00"))
        );
        ok(&c, json!("2025-03-04T05:06:07.089+00:00"));
        let msg = format!("Attribute \"k\" has invalid format. {DATETIME_DESCRIPTION}");
        for bad in [
            json!("yesterday"),
            json!(""),
            json!(12),
            json!("0999-12-31"),
        ] {
            assert_eq!(err(&c, bad), msg);
        }
    }

    #[test]
    fn normalize_datetime_forms() {
        let cases = [
            (
                "2025-03-04T05:06:07.089+00:00",
                "2025-03-04T05:06:07.089+00:00",
            ),
            ("2025-03-04T05:06:07Z", "2025-03-04T05:06:07.000+00:00"),
            ("2025-03-04 05:06:07Z", "2025-03-04T05:06:07.000+00:00"),
            (
                "2025-03-04T05:06:07.123456+01:00",
                "2025-03-04T04:06:07.123+00:00",
            ),
            ("2025-03-04T05:06:07.9999Z", "2025-03-04T05:06:07.999+00:00"),
            ("2025-03-04T05:06:07+0130", "2025-03-04T03:36:07.000+00:00"),
            ("2025-03-04T05:06:07-02", "2025-03-04T07:06:07.000+00:00"),
            ("2025-03-04 05:06:07+02", "2025-03-04T03:06:07.000+00:00"),
            ("2025-03-04T05:06:07", "2025-03-04T05:06:07.000+00:00"),
            ("2025-03-04 05:06:07.5", "2025-03-04T05:06:07.500+00:00"),
            ("2025-03-04T05:06", "2025-03-04T05:06:00.000+00:00"),
            ("2025-03-04", "2025-03-04T00:00:00.000+00:00"),
            ("1000-01-01 00:00:00", "1000-01-01T00:00:00.000+00:00"),
            ("9999-12-31 23:59:59", "9999-12-31T23:59:59.000+00:00"),
            ("2024-02-29", "2024-02-29T00:00:00.000+00:00"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalize_datetime(input).as_deref(),
                Some(expected),
                "{input}"
            );
        }
    }

    #[test]
    fn normalize_datetime_refusals() {
        for input in [
            "",
            "now",
            "2025-13-01",
            "2023-02-29",
            "2025-03-04T25:00:00",
            "2025-03-04T05:06:60",
            "0999-12-31 23:59:59",
            "1000-01-01 00:00:00+01:00",
            "9999-12-31 23:59:59.001",
            "9999-12-31 23:59:59-01:00",
            "10000-01-01",
            "2025/03/04",
        ] {
            assert_eq!(normalize_datetime(input), None, "{input}");
        }
    }

    #[test]
    fn email_format() {
        let c = col(ColumnKind::Email);
        ok(&c, json!("ann@example.com"));
        ok(&c, json!("a.b+c@mail.example.org"));
        for bad in [
            "ann",
            "@example.com",
            "ann@",
            "ann@example",
            "a@b@c.com",
            "a b@c.com",
            "ann@.com",
            "ann@example..com",
        ] {
            assert_eq!(
                err(&c, json!(bad)),
                "Attribute \"k\" has invalid format. Value must be a valid email address",
                "{bad}"
            );
        }
        assert_eq!(
            err(&c, json!(format!("{}@example.com", "a".repeat(250)))),
            "Attribute \"k\" has invalid type. Value must be a valid string and no longer than 254 chars"
        );
    }

    #[test]
    fn url_format() {
        let c = col(ColumnKind::Url);
        for good in [
            "https://example.com",
            "http://localhost:8080/path?q=1#f",
            "ftp://user:pw@files.example.com/x",
            "https://[::1]:443/",
        ] {
            ok(&c, json!(good));
        }
        for bad in [
            "example.com",
            "https://",
            "https:///path",
            "1http://x",
            "http://exa mple.com",
            "://x",
        ] {
            assert_eq!(
                err(&c, json!(bad)),
                "Attribute \"k\" has invalid format. Value must be a valid URL",
                "{bad}"
            );
        }
    }

    #[test]
    fn ip_format() {
        let c = col(ColumnKind::Ip);
        ok(&c, json!("127.0.0.1"));
        ok(&c, json!("::1"));
        ok(&c, json!("2001:db8::8a2e:370:7334"));
        for bad in ["256.0.0.1", "localhost", "1.2.3"] {
            assert_eq!(
                err(&c, json!(bad)),
                "Attribute \"k\" has invalid format. Value must be a valid IP address"
            );
        }
        assert_eq!(limits::IP_SIZE, 39);
    }

    #[test]
    fn enum_format() {
        let c = ColumnSchema::enumeration("k", ["a", "b", "c"]);
        ok(&c, json!("b"));
        for bad in ["d", "A", ""] {
            assert_eq!(
                err(&c, json!(bad)),
                "Attribute \"k\" has invalid format. Value must be one of (a, b, c)"
            );
        }
        assert_eq!(
            err(&c, json!(1)),
            "Attribute \"k\" has invalid type. Value must be a valid string and no longer than 255 chars"
        );
    }

    #[test]
    fn arrays_check_every_element() {
        let c = ColumnSchema::varchar("k", 3).array();
        ok(&c, json!([]));
        ok(&c, json!(["a", "bc"]));
        ok(&c, json!(["a", null]));
        assert_eq!(err(&c, json!("a")), "Attribute \"k\" must be an array");
        assert_eq!(
            err(&c, json!({"0": "a"})),
            "Attribute \"k\" must be an array"
        );
        assert_eq!(
            err(&c, json!(["a", "b", "long"])),
            "Attribute \"k['2']\" has invalid type. Value must be a valid string and no longer than 3 chars"
        );
        let required = ColumnSchema::varchar("k", 3).array().required();
        assert_eq!(
            err(&required, json!([null])),
            "Attribute \"k['0']\" has invalid type. Value must be a valid string and no longer than 3 chars"
        );
        let ints = int(Some(0), Some(9)).array();
        assert_eq!(
            err(&ints, json!([1, 10])),
            "Attribute \"k['1']\" has invalid format. Value must be a valid range between 0 and 9"
        );
    }

    #[test]
    fn arrays_return_converted_elements() {
        let dates = ColumnSchema::datetime("k").array();
        assert_eq!(
            check_value(&dates, &json!(["2025-03-04", null])),
            Ok(json!(["2025-03-04T00:00:00.000+00:00", null]))
        );
        let big = bigint(None, None).array();
        assert_eq!(check_value(&big, &json!(["1", 2])), Ok(json!([1, 2])));
    }

    #[test]
    fn a_non_array_column_refuses_an_array() {
        assert_eq!(
            err(&ColumnSchema::boolean("k"), json!([true])),
            "Attribute \"k\" has invalid type. Value must be a valid boolean"
        );
    }

    #[test]
    fn relationships() {
        for one in [RelationType::OneToOne, RelationType::ManyToOne] {
            let c = rel(one);
            ok(&c, json!("row1"));
            ok(&c, json!({"$id": "row1", "name": "x"}));
            assert_eq!(
                err(&c, json!(["row1"])),
                "Invalid relationship value. Must be either a document ID or a document, array given."
            );
            assert_eq!(
                err(&c, json!(5)),
                "Invalid relationship value. Must be either a document ID or a document, integer given."
            );
        }
        for many in [RelationType::OneToMany, RelationType::ManyToMany] {
            let c = rel(many);
            ok(&c, json!([]));
            ok(&c, json!(["row1", {"$id": "row2"}]));
            assert_eq!(
                err(&c, json!("row1")),
                "Invalid relationship value. Must be an array of documents or document IDs, string given."
            );
            assert_eq!(
                err(&c, json!(["row1", 2.5])),
                "Invalid relationship value. Must be either a document ID or a document, double given."
            );
        }
    }

    #[test]
    fn php_types() {
        assert_eq!(php_type(&Value::Null), "NULL");
        assert_eq!(php_type(&json!(true)), "boolean");
        assert_eq!(php_type(&json!(1)), "integer");
        assert_eq!(php_type(&json!(1.5)), "double");
        assert_eq!(php_type(&json!("")), "string");
        assert_eq!(php_type(&json!({})), "array");
    }
}
