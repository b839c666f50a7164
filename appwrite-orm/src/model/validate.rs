//! Client-side validation with the server's rules, reporting every violation at once.

use serde_json::Value;

use crate::Result;
use crate::api::Document;
use crate::schema::{TableSchema, value::check_value};

/// Which rule a value broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRule {
    /// A required column has no value.
    Required,
    /// Wrong type, too long, or outside the type's range.
    Type,
    /// Not a valid email, URL, IP, enum element or date, or outside the column's `min`/`max`.
    Format,
    /// The column does not exist in the table.
    Unknown,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The column key.
    pub column: String,
    /// The rule.
    pub rule: ValueRule,
    /// Appwrite's wording of the problem.
    pub message: String,
}

/// Every violation found in one value of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors {
    /// The table id.
    pub table: String,
    /// The violations, in column order.
    pub violations: Vec<Violation>,
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid row for table {:?}: ", self.table)?;
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}", v.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

fn rule_of(message: &str) -> ValueRule {
    if message.contains("has invalid format") {
        ValueRule::Format
    } else {
        ValueRule::Type
    }
}

fn finish(table: &TableSchema, violations: Vec<Violation>) -> Result<()> {
    if violations.is_empty() {
        Ok(())
    } else {
        Err(crate::Error::Validation(ValidationErrors {
            table: table.id.clone(),
            violations,
        }))
    }
}

/// Checks a whole row document: every required column present, every value valid, no unknown
/// column. Defaults count as present.
pub fn validate_document(table: &TableSchema, document: &Document) -> Result<()> {
    let mut violations = Vec::new();
    for column in &table.columns {
        match document.get(&column.key) {
            None | Some(Value::Null) => {
                if column.required && column.default.is_none() {
                    violations.push(Violation {
                        column: column.key.clone(),
                        rule: ValueRule::Required,
                        message: format!("Missing required attribute \"{}\"", column.key),
                    });
                }
            }
            Some(value) => {
                if let Err(message) = check_value(column, value) {
                    violations.push(Violation {
                        column: column.key.clone(),
                        rule: rule_of(&message),
                        message,
                    });
                }
            }
        }
    }
    unknown_columns(table, document, &mut violations);
    finish(table, violations)
}

/// Checks the columns a patch sets: valid values, no null for a required column.
pub fn validate_patch(table: &TableSchema, document: &Document) -> Result<()> {
    let mut violations = Vec::new();
    for (key, value) in document {
        let Some(column) = table.find_column(key) else {
            continue;
        };
        if value.is_null() {
            if column.required {
                violations.push(Violation {
                    column: key.clone(),
                    rule: ValueRule::Required,
                    message: format!("Missing required attribute \"{key}\""),
                });
            }
        } else if let Err(message) = check_value(column, value) {
            violations.push(Violation {
                column: key.clone(),
                rule: rule_of(&message),
                message,
            });
        }
    }
    unknown_columns(table, document, &mut violations);
    finish(table, violations)
}

fn unknown_columns(table: &TableSchema, document: &Document, violations: &mut Vec<Violation>) {
    for key in document.keys() {
        if !key.starts_with('$') && table.find_column(key).is_none() {
            violations.push(Violation {
                column: key.clone(),
                rule: ValueRule::Unknown,
                message: format!("Unknown attribute: \"{key}\""),
            });
        }
    }
}
