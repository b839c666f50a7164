//! The resources of the TablesDB API, as the [`Backend`](crate::backend::Backend) trait takes
//! and answers them. They mirror Appwrite's JSON models, so that the HTTP backend is a thin
//! mapping and the emulator answers with them as they are.

use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::error::AppwriteError;
use crate::schema::{ColumnSchema, IndexSchema, TableSchema};

/// A row's user data: column key to value.
pub type Document = Map<String, Value>;

/// One page of a list answer: `total` (capped at 5,000 by Appwrite) and the items.
#[derive(Debug, Clone, PartialEq)]
pub struct List<T> {
    /// Number of matches, at most [`MAX_COUNT`](crate::schema::limits::MAX_COUNT); 0 when the
    /// caller asked for no total.
    pub total: u64,
    /// The items of this page.
    pub items: Vec<T>,
}

/// A database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Database {
    /// Database id.
    #[serde(rename = "$id")]
    pub id: String,
    /// Display name.
    pub name: String,
    /// Creation time.
    #[serde(rename = "$createdAt", default)]
    pub created_at: String,
    /// Last update time.
    #[serde(rename = "$updatedAt", default)]
    pub updated_at: String,
    /// Whether the database is enabled.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `tablesdb` or `legacy`.
    #[serde(rename = "type", default = "tablesdb")]
    pub database_type: String,
}

fn yes() -> bool {
    true
}

fn tablesdb() -> String {
    "tablesdb".to_owned()
}

/// A table with its live columns and indexes.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Table id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The database it belongs to.
    pub database_id: String,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
    /// Table permissions.
    pub permissions: Vec<String>,
    /// Whether row permissions apply.
    pub row_security: bool,
    /// Whether the table is enabled.
    pub enabled: bool,
    /// Columns, in creation order, with their status.
    pub columns: Vec<Column>,
    /// Indexes, in creation order, with their status.
    pub indexes: Vec<Index>,
}

impl Table {
    /// Appwrite's table model as JSON (TablesDB names).
    pub fn to_json(&self) -> Value {
        json!({
            "$id": self.id,
            "$createdAt": self.created_at,
            "$updatedAt": self.updated_at,
            "$permissions": self.permissions,
            "databaseId": self.database_id,
            "name": self.name,
            "enabled": self.enabled,
            "rowSecurity": self.row_security,
            "columns": self.columns.iter().map(Column::to_json).collect::<Vec<_>>(),
            "indexes": self.indexes.iter().map(Index::to_json).collect::<Vec<_>>(),
            "bytesMax": crate::schema::limits::MAX_ROW_WIDTH,
            "bytesUsed": crate::schema::limits::BASE_ROW_WIDTH
                + self.columns.iter().map(|c| crate::schema::column_width(&c.schema)).sum::<u64>(),
        })
    }

    /// Reads Appwrite's table model (TablesDB or legacy names).
    pub fn from_json(value: &Value) -> Result<Self, AppwriteError> {
        let obj = value.as_object().ok_or_else(|| bad("table"))?;
        let s = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let list = |a: &str, b: &str| {
            obj.get(a)
                .or_else(|| obj.get(b))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        Ok(Table {
            id: s("$id"),
            name: s("name"),
            database_id: s("databaseId"),
            created_at: s("$createdAt"),
            updated_at: s("$updatedAt"),
            permissions: string_list(obj.get("$permissions")),
            row_security: obj
                .get("rowSecurity")
                .or_else(|| obj.get("documentSecurity"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            enabled: obj.get("enabled").and_then(Value::as_bool).unwrap_or(true),
            columns: list("columns", "attributes")
                .iter()
                .map(Column::from_json)
                .collect::<Result<_, _>>()?,
            indexes: list("indexes", "indexes")
                .iter()
                .map(Index::from_json)
                .collect::<Result<_, _>>()?,
        })
    }

    /// The declared form of the table: its columns and indexes whatever their status, its
    /// permissions and row security, every element at version 1.
    pub fn to_schema(&self) -> TableSchema {
        let mut schema = TableSchema::new(self.id.clone(), self.name.clone());
        schema.permissions = self.permissions.clone();
        schema.row_security = self.row_security;
        schema.columns = self.columns.iter().map(|c| c.schema.clone()).collect();
        schema.indexes = self.indexes.iter().map(|i| i.schema.clone()).collect();
        schema
    }

    /// The live column with this key.
    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.schema.key == key)
    }

    /// The live index with this key.
    pub fn index(&self, key: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.schema.key == key)
    }
}

/// Lifecycle of a column or index: Appwrite creates and deletes them asynchronously.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnStatus {
    /// Being created.
    Processing,
    /// Usable.
    Available,
    /// Being deleted.
    Deleting,
    /// A delete failed on the database side.
    Stuck,
    /// Creation failed; `error` says why.
    Failed,
}

impl ColumnStatus {
    /// Appwrite's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnStatus::Processing => "processing",
            ColumnStatus::Available => "available",
            ColumnStatus::Deleting => "deleting",
            ColumnStatus::Stuck => "stuck",
            ColumnStatus::Failed => "failed",
        }
    }
}

/// A column or index as the server reports it: its schema, where it is in its lifecycle, and
/// when it changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Live<S> {
    /// What the column or index is.
    pub schema: S,
    /// Where it is in its lifecycle.
    pub status: ColumnStatus,
    /// The database's error text when `status` is `failed` or `stuck`.
    pub error: String,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
}

/// A live column: its schema plus status.
pub type Column = Live<ColumnSchema>;

/// A live index: its schema plus status.
pub type Index = Live<IndexSchema>;

impl<S> Live<S> {
    /// One that is `available` at once, created and updated at `stamp` (a table created with
    /// its columns and indexes inline has them so).
    pub fn available(schema: S, stamp: String) -> Self {
        Live {
            schema,
            status: ColumnStatus::Available,
            error: String::new(),
            created_at: stamp.clone(),
            updated_at: stamp,
        }
    }

    /// Adds the status, error and time stamps of a column or index model (`what`) to `schema`.
    fn read(schema: S, value: &Value, what: &str) -> Result<Self, AppwriteError> {
        let obj = value.as_object().ok_or_else(|| bad(what))?;
        Ok(Live {
            schema,
            status: obj
                .get("status")
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or(ColumnStatus::Available),
            error: str_of(obj, "error"),
            created_at: str_of(obj, "$createdAt"),
            updated_at: str_of(obj, "$updatedAt"),
        })
    }
}

impl Column {
    /// Appwrite's column model as JSON.
    pub fn to_json(&self) -> Value {
        let mut m = self.schema.model_fields();
        m.insert("status".into(), json!(self.status.as_str()));
        m.insert("error".into(), json!(self.error));
        m.insert("$createdAt".into(), json!(self.created_at));
        m.insert("$updatedAt".into(), json!(self.updated_at));
        Value::Object(m)
    }

    /// Reads Appwrite's column model.
    pub fn from_json(value: &Value) -> Result<Self, AppwriteError> {
        Live::read(ColumnSchema::from_model(value)?, value, "column")
    }
}

impl Index {
    /// Appwrite's index model as JSON (TablesDB names).
    pub fn to_json(&self) -> Value {
        let s = &self.schema;
        let orders: Vec<&str> = if s.orders.is_empty() {
            s.columns.iter().map(|_| "ASC").collect()
        } else {
            s.orders.iter().map(|o| o.as_str()).collect()
        };
        json!({
            "$id": s.key,
            "$createdAt": self.created_at,
            "$updatedAt": self.updated_at,
            "key": s.key,
            "type": s.kind.as_str(),
            "status": self.status.as_str(),
            "error": self.error,
            "columns": s.columns,
            "lengths": if s.lengths.is_empty() { vec![None; s.columns.len()] } else { s.lengths.clone() },
            "orders": orders,
        })
    }

    /// Reads Appwrite's index model.
    pub fn from_json(value: &Value) -> Result<Self, AppwriteError> {
        Live::read(IndexSchema::from_model(value)?, value, "index")
    }
}

/// Changes to a table's settings (`PUT …/tables/{id}`). Appwrite resets `row_security` and
/// `enabled` when they are left out, so both are always sent.
#[derive(Debug, Clone, PartialEq)]
pub struct TableUpdate {
    /// New name, or keep.
    pub name: Option<String>,
    /// New permissions, or keep.
    pub permissions: Option<Vec<String>>,
    /// Row security.
    pub row_security: bool,
    /// Enabled.
    pub enabled: bool,
}

/// A row as Appwrite returns it: the user columns plus the system fields `$id`, `$sequence`,
/// `$createdAt`, `$updatedAt`, `$permissions`, `$databaseId`, `$tableId`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Row(pub Document);

impl Row {
    /// `$id`.
    pub fn id(&self) -> &str {
        self.0.get("$id").and_then(Value::as_str).unwrap_or("")
    }

    /// `$sequence` (a string of digits in the 1.9 format).
    pub fn sequence(&self) -> &str {
        self.0
            .get("$sequence")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `$createdAt`.
    pub fn created_at(&self) -> &str {
        self.0
            .get("$createdAt")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `$updatedAt`.
    pub fn updated_at(&self) -> &str {
        self.0
            .get("$updatedAt")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `$permissions`.
    pub fn permissions(&self) -> Vec<String> {
        string_list(self.0.get("$permissions"))
    }

    /// The user columns only (system fields removed).
    pub fn data(&self) -> Document {
        self.0
            .iter()
            .filter(|(k, _)| !k.starts_with('$'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The row as a JSON value.
    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

impl Deref for Row {
    type Target = Document;
    fn deref(&self) -> &Document {
        &self.0
    }
}

impl DerefMut for Row {
    fn deref_mut(&mut self) -> &mut Document {
        &mut self.0
    }
}

/// Options of a row list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOptions {
    /// Compute `total` (Appwrite's default). Counting costs a second query.
    pub total: bool,
    /// Read as seen inside this transaction (staged writes included).
    pub transaction_id: Option<String>,
}

impl Default for ListOptions {
    fn default() -> Self {
        Self {
            total: true,
            transaction_id: None,
        }
    }
}

/// A transaction's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransactionStatus {
    /// Accepting operations.
    Pending,
    /// Being committed.
    Committing,
    /// Applied.
    Committed,
    /// Rolled back or failed.
    Failed,
}

/// A transaction (`/tablesdb/transactions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    /// Transaction id.
    #[serde(rename = "$id")]
    pub id: String,
    /// Creation time.
    #[serde(rename = "$createdAt")]
    pub created_at: String,
    /// Last update time.
    #[serde(rename = "$updatedAt")]
    pub updated_at: String,
    /// State.
    pub status: TransactionStatus,
    /// Number of staged operations.
    pub operations: u64,
    /// When the transaction expires if not committed.
    #[serde(rename = "expiresAt")]
    pub expires_at: String,
}

/// What a staged operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OperationAction {
    /// Create one row (`rowId`, `data`).
    Create,
    /// Update one row.
    Update,
    /// Insert or update one row.
    Upsert,
    /// Delete one row.
    Delete,
    /// Increment a column of one row (`data: {column, value, max}`).
    Increment,
    /// Decrement a column of one row (`data: {column, value, min}`).
    Decrement,
    /// Create rows (`data`: list of rows).
    BulkCreate,
    /// Update rows matching `data.queries` with `data.data`.
    BulkUpdate,
    /// Upsert rows (`data`: list of rows).
    BulkUpsert,
    /// Delete rows matching `data.queries`.
    BulkDelete,
}

/// One staged operation of a transaction, in Appwrite's JSON form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// What it does.
    pub action: OperationAction,
    /// Database id.
    #[serde(rename = "databaseId")]
    pub database_id: String,
    /// Table id.
    #[serde(rename = "tableId")]
    pub table_id: String,
    /// Row id, for single-row actions.
    #[serde(rename = "rowId", default, skip_serializing_if = "Option::is_none")]
    pub row_id: Option<String>,
    /// The action's data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn str_of(obj: &Map<String, Value>, key: &str) -> String {
    obj.get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

fn bad(what: &str) -> AppwriteError {
    AppwriteError::new(
        500,
        crate::api::types::GENERAL_BAD_REQUEST,
        format!("Unexpected {what} model: not a JSON object"),
    )
}
