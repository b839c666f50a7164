//! Appwrite's JSON wire form of queries. (Being written.)

use serde_json::Value;

use super::Query;

/// A query string that is not a valid Appwrite query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid query: {message}")]
pub struct QueryParseError {
    /// What is wrong, in Appwrite's words where it has some.
    pub message: String,
}

impl Query {
    /// The query as a JSON value `{"method", "attribute", "values"}`.
    pub fn to_json(&self) -> Value {
        Value::Null
    }

    /// The query as the JSON string Appwrite expects in `queries[]`.
    pub fn to_wire(&self) -> String {
        self.to_json().to_string()
    }

    /// Parses one query from its JSON string.
    pub fn parse(input: &str) -> Result<Query, QueryParseError> {
        let value: Value = serde_json::from_str(input).map_err(|e| QueryParseError {
            message: e.to_string(),
        })?;
        Query::from_json(&value)
    }

    /// Parses one query from a JSON value.
    pub fn from_json(value: &Value) -> Result<Query, QueryParseError> {
        let _ = value;
        Err(QueryParseError {
            message: "not yet".into(),
        })
    }
}
