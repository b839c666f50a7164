//! Reading answers: Appwrite's error bodies, the JSON models, and everything else a server (or a
//! proxy in front of it) might send, as typed errors rather than panics.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::routes::Api;
use crate::api::{AppwriteError, legacy};
use crate::backend::{Column, Index, List, Row, Table};
use crate::{Error, Result};

/// Characters of a body quoted in an error.
const EXCERPT_CHARS: usize = 200;

/// A successful (2xx) answer.
#[derive(Debug)]
pub(crate) struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The JSON body; `None` when the body was empty (204).
    pub body: Option<Value>,
    /// `METHOD /path`, for error messages.
    pub request: String,
    /// The API the request went to, for the names in the body.
    pub api: Api,
}

impl Reply {
    fn unexpected(&self, what: impl std::fmt::Display) -> Error {
        let excerpt = self
            .body
            .as_ref()
            .map(|b| excerpt(b.to_string().as_bytes()))
            .unwrap_or_default();
        Error::UnexpectedResponse {
            status: self.status,
            detail: format!("{}: {what}; body: {excerpt:?}", self.request),
        }
    }

    /// The body, which must be a JSON object.
    pub fn object(self) -> Result<Value> {
        match self.body {
            Some(v @ Value::Object(_)) => Ok(v),
            Some(_) => Err(self.unexpected("expected a JSON object")),
            None => Err(self.unexpected("expected a JSON object, got an empty body")),
        }
    }

    /// The body deserialized with serde (Database, Transaction).
    pub fn model<T: DeserializeOwned>(self) -> Result<T> {
        let value = self.object_ref()?;
        serde_json::from_value(value.clone()).map_err(|e| self.unexpected(e))
    }

    fn object_ref(&self) -> Result<&Value> {
        match &self.body {
            Some(v @ Value::Object(_)) => Ok(v),
            Some(_) => Err(self.unexpected("expected a JSON object")),
            None => Err(self.unexpected("expected a JSON object, got an empty body")),
        }
    }

    /// A table model.
    pub fn table(self) -> Result<Table> {
        let value = self.object_ref()?;
        Table::from_json(value).map_err(|e| self.unexpected(e.message))
    }

    /// A column model.
    pub fn column(self) -> Result<Column> {
        let value = self.object_ref()?;
        Column::from_json(value).map_err(|e| self.unexpected(e.message))
    }

    /// An index model.
    pub fn index(self) -> Result<Index> {
        let value = self.object_ref()?;
        Index::from_json(value).map_err(|e| self.unexpected(e.message))
    }

    /// A row, with legacy names mapped to TablesDB ones.
    pub fn row(mut self) -> Result<Row> {
        match self.body.take() {
            Some(Value::Object(map)) => Ok(normalize_row(Row(map), self.api)),
            other => {
                self.body = other;
                Err(self.unexpected("expected a row (a JSON object)"))
            }
        }
    }

    /// `{total, <key>: [...]}`, each item read by `parse`.
    pub fn list<T>(
        self,
        key: &str,
        parse: impl Fn(&Value, Api) -> std::result::Result<T, String>,
    ) -> Result<List<T>> {
        let value = self.object_ref()?;
        let total = value
            .get("total")
            .and_then(Value::as_u64)
            .ok_or_else(|| self.unexpected("`total` is missing or not a non-negative integer"))?;
        let items = value
            .get(key)
            .and_then(Value::as_array)
            .ok_or_else(|| self.unexpected(format!("`{key}` is missing or not a list")))?;
        let items = items
            .iter()
            .map(|item| parse(item, self.api))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| self.unexpected(e))?;
        Ok(List { total, items })
    }

    /// A list of rows (`rows` or legacy `documents`).
    pub fn rows(self) -> Result<List<Row>> {
        let key = self.api.names().rows;
        self.list(key, parse_row)
    }
}

/// A list item that is a row.
pub(crate) fn parse_row(item: &Value, api: Api) -> std::result::Result<Row, String> {
    match item {
        Value::Object(map) => Ok(normalize_row(Row(map.clone()), api)),
        _ => Err("a row is not a JSON object".to_owned()),
    }
}

/// A list item that is a table.
pub(crate) fn parse_table(item: &Value, _: Api) -> std::result::Result<Table, String> {
    Table::from_json(item).map_err(|e| e.message)
}

/// A list item that is a column.
pub(crate) fn parse_column(item: &Value, _: Api) -> std::result::Result<Column, String> {
    Column::from_json(item).map_err(|e| e.message)
}

/// A list item that is an index.
pub(crate) fn parse_index(item: &Value, _: Api) -> std::result::Result<Index, String> {
    Index::from_json(item).map_err(|e| e.message)
}

/// A list item read with serde.
pub(crate) fn parse_model<T: DeserializeOwned>(
    item: &Value,
    _: Api,
) -> std::result::Result<T, String> {
    serde_json::from_value(item.clone()).map_err(|e| e.to_string())
}

/// One vocabulary whatever the server: legacy `$collectionId` becomes `$tableId`, and a
/// `$sequence` in the pre-1.9 integer format becomes the string the 1.9 format sends.
pub(crate) fn normalize_row(mut row: Row, api: Api) -> Row {
    if api == Api::Legacy {
        legacy::row_from_legacy(&mut row.0);
    }
    if let Some(seq) = row.0.get_mut("$sequence")
        && let Value::Number(n) = seq
    {
        *seq = Value::String(n.to_string());
    }
    row
}

/// Maps a non-2xx answer to an error: Appwrite's `{message, code, type}` becomes
/// [`Error::Appwrite`] (legacy type names translated to TablesDB ones), anything else
/// [`Error::UnexpectedResponse`] with an excerpt of the body.
pub(crate) fn error_from(status: u16, body: &[u8], request: &str, api: Api) -> Error {
    if status >= 400
        && let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body)
        && let (Some(message), Some(error_type)) = (
            obj.get("message").and_then(Value::as_str),
            obj.get("type").and_then(Value::as_str),
        )
    {
        let error_type = match api {
            Api::Legacy => legacy::error_type_from_legacy(error_type),
            // TablesDB routes answer in TablesDB names, apart from a few types Appwrite keeps
            // under their old name on both APIs (e.g. increment's `attribute_type_invalid`);
            // translating those would make the two APIs disagree with the server.
            Api::TablesDb => error_type.to_owned(),
        };
        return Error::Appwrite(AppwriteError::new(status, error_type, message));
    }
    let what = if status < 400 {
        "not a status this client expects"
    } else {
        "not an Appwrite error body"
    };
    Error::UnexpectedResponse {
        status,
        detail: format!("{request}: {what}; body: {:?}", excerpt(body)),
    }
}

/// Reads a 2xx body: empty is `None`, otherwise it must be JSON.
pub(crate) fn success_body(status: u16, body: &[u8], request: &str) -> Result<Option<Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|e| Error::UnexpectedResponse {
            status,
            detail: format!(
                "{request}: the body is not valid JSON ({e}); body: {:?}",
                excerpt(body)
            ),
        })
}

/// The start of a body, as text, for error messages: at most [`EXCERPT_CHARS`] characters,
/// invalid UTF-8 replaced, control characters dropped.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text
        .chars()
        .filter(|c| !c.is_control() || *c == ' ')
        .take(EXCERPT_CHARS)
        .collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_that_are_not_appwrite_errors() {
        let e = error_from(
            502,
            b"<html><body>Bad gateway</body></html>",
            "GET /x",
            Api::TablesDb,
        );
        assert!(
            matches!(e, Error::UnexpectedResponse { status: 502, ref detail } if detail.contains("Bad gateway")),
            "{e:?}"
        );
        let e = error_from(
            404,
            br#"{"message":"x","code":404"#,
            "GET /x",
            Api::TablesDb,
        );
        assert!(
            matches!(e, Error::UnexpectedResponse { status: 404, .. }),
            "{e:?}"
        );
        let e = error_from(
            404,
            br#"{"message":"gone","code":404,"type":"document_not_found"}"#,
            "GET /x",
            Api::Legacy,
        );
        assert_eq!(e.error_type(), Some("row_not_found"));
        assert_eq!(e.code(), Some(404));
    }

    #[test]
    fn excerpt_is_short_and_safe() {
        let long = "é".repeat(500);
        let e = excerpt(long.as_bytes());
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt(b"\xff\x00ok"), "\u{fffd}ok");
    }

    #[test]
    fn legacy_rows_get_tablesdb_names() {
        let row =
            Row(serde_json::from_str(r#"{"$id":"r","$collectionId":"c","$sequence":7}"#).unwrap());
        let row = normalize_row(row, Api::Legacy);
        assert_eq!(row.0.get("$tableId"), Some(&Value::from("c")));
        assert!(!row.0.contains_key("$collectionId"));
        assert_eq!(row.sequence(), "7");
    }
}
