//! The inline forms of a table create, both ways: the `columns` and `indexes` a create-table
//! body carries, and reading them back with the messages of Appwrite's `Attributes` and
//! `Indexes` validators.

use serde_json::{Map, Value, json};

use super::{IndexPart, all_strings, index_kind, strings};
use crate::api::error::thousands;
use crate::schema::limits::{MAX_STRING_SIZE, MAX_VARCHAR_SIZE, MIN_ENCRYPTED_SIZE};
use crate::schema::{ColumnKind, ColumnSchema, DEFAULT_SINCE, IndexSchema};

impl ColumnSchema {
    /// The column in the inline form of a table create (1.9+): `type` is the stored type
    /// (`string`, `integer`, `bigint`, `double`, `boolean`, `datetime`) with `format` and `size`
    /// for the formatted strings. `None` for kinds the reference does not list as accepted
    /// inline (`varchar` and the text family, relationships), and for encrypted columns
    /// (Appwrite 1.9.6's inline form does not read `encrypt`); those are created one by one.
    pub fn inline_body(&self) -> Option<Value> {
        if self.encrypt {
            return None;
        }
        let (ty, format) = match &self.kind {
            ColumnKind::String { .. } => ("string", None),
            ColumnKind::Email => ("string", Some("email")),
            ColumnKind::Url => ("string", Some("url")),
            ColumnKind::Ip => ("string", Some("ip")),
            ColumnKind::Enum { .. } => ("string", Some("enum")),
            ColumnKind::Integer { .. } => ("integer", None),
            ColumnKind::BigInt { .. } => ("bigint", None),
            ColumnKind::Float { .. } => ("double", None),
            ColumnKind::Boolean => ("boolean", None),
            ColumnKind::Datetime => ("datetime", None),
            ColumnKind::Point | ColumnKind::Line | ColumnKind::Polygon => {
                (super::model_type(&self.kind), None)
            }
            ColumnKind::Varchar { .. }
            | ColumnKind::Text
            | ColumnKind::MediumText
            | ColumnKind::LongText
            | ColumnKind::Relationship(_)
            | ColumnKind::Opaque { .. } => return None,
        };
        let mut m = Map::new();
        m.insert("key".into(), json!(self.key));
        m.insert("type".into(), json!(ty));
        if ty == "string" {
            m.insert("size".into(), json!(self.kind.max_chars()));
        }
        if let Some(format) = format {
            m.insert("format".into(), json!(format));
        }
        m.insert("required".into(), json!(self.required));
        if self.array {
            m.insert("array".into(), json!(true));
        }
        if let Some(default) = &self.default {
            m.insert("default".into(), default.clone());
        }
        if !matches!(self.kind, ColumnKind::String { .. }) {
            self.insert_kind_params(&mut m);
        }
        Some(Value::Object(m))
    }

    /// Reads the inline column at `index` of a table create, with the messages of Appwrite's
    /// `Attributes` validator: `key`, `type` (`string varchar text mediumtext longtext integer
    /// bigint double boolean datetime` or the shorthands `email enum ip url`), `size`,
    /// `required`, `array`, `format`, `elements`, `min`, `max`, `default`. Also `encrypt`, which
    /// Appwrite 1.9.6's inline form ignores: it is honoured here with the checks of the column
    /// routes (a text kind; varchar and string from size 150), so a declared flag is not lost.
    pub fn from_inline(index: usize, value: &Value) -> Result<Self, InlineError> {
        let def = InlineColumn::read(index, value)?;
        let required = def.flag("required")?;
        let array = def.flag("array")?;
        let default = def.obj.get("default").filter(|v| !v.is_null()).cloned();
        def.check_default_allowed(default.is_some(), required, array)?;
        def.check_bounds_allowed()?;
        let kind = def.kind()?;
        if let Some(d) = &default {
            def.check_default(&kind, d)?;
        }
        // Appwrite 1.9.6's inline form ignores `encrypt` (it reads no such key); it is honoured
        // here, with the checks of the column routes, so that a declared flag is not lost.
        let encrypt = def.obj.get("encrypt").and_then(Value::as_bool) == Some(true);
        if encrypt {
            def.check_encrypt(&kind)?;
        }
        Ok(ColumnSchema {
            key: def.key,
            kind,
            required,
            array,
            default,
            since: DEFAULT_SINCE,
            renamed_from: None,
            encrypt,
        })
    }
}

impl IndexSchema {
    /// The index in the inline form of a table create: `key`, `type`, `attributes`, `orders`,
    /// `lengths`.
    pub fn inline_body(&self) -> Value {
        let mut body = self.create_body();
        if let Some(obj) = body.as_object_mut()
            && let Some(columns) = obj.remove("columns")
        {
            obj.insert("attributes".into(), columns);
        }
        body
    }

    /// Reads the inline index at `index` of a table create: `key`, `type`, `columns` (legacy
    /// `attributes`), `orders`, `lengths`.
    pub fn from_inline(index: usize, value: &Value) -> Result<Self, InlineError> {
        let invalid = |message: String| InlineError::Invalid(message);
        let Value::Object(obj) = value else {
            return Err(invalid(format!("Index at index {index} must be an object")));
        };
        let key = obj
            .get("key")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                invalid(format!(
                    "Index at index {index} is missing required field 'key'"
                ))
            })?
            .to_owned();
        let ty = obj.get("type").and_then(Value::as_str).unwrap_or_default();
        let kind = index_kind(ty).ok_or_else(|| {
            invalid(format!(
                "Index '{key}' has an invalid type: must be one of (key, fulltext, unique, spatial)"
            ))
        })?;
        let columns = obj
            .get("columns")
            .or_else(|| obj.get("attributes"))
            .and_then(all_strings)
            .ok_or_else(|| invalid(format!("Index '{key}' needs a list of column keys")))?;
        let present = |name: &str| obj.get(name).filter(|v| !v.is_null());
        let (orders, lengths) = (present("orders"), present("lengths"));
        IndexSchema::from_request(key.clone(), kind, columns, orders, lengths).map_err(|part| {
            invalid(match part {
                IndexPart::Orders => format!("Index '{key}' has invalid orders: use ASC or DESC"),
                IndexPart::Lengths => {
                    format!("Index '{key}' has invalid lengths: use non-negative integers or null")
                }
            })
        })
    }
}

/// Why an inline column or index of a table create was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InlineError {
    /// The definition breaks Appwrite's validator; the message is Appwrite's (this library's
    /// for `encrypt` on a kind that cannot be encrypted, which Appwrite's inline form ignores).
    Invalid(String),
}

/// The inline column types Appwrite's `Attributes` validator knows, once shorthands are read.
const INLINE_TYPES: &[&str] = &[
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
    "point",
    "linestring",
    "polygon",
];

/// An inline column definition whose key and type have been read.
struct InlineColumn<'a> {
    obj: &'a Map<String, Value>,
    key: String,
    /// The type, shorthands (`email`, …) read as `string`.
    ty: &'a str,
    /// `format`, or the shorthand's.
    format: String,
    /// `size` when given.
    size: Option<i64>,
}

impl<'a> InlineColumn<'a> {
    /// Object, `key`, `type`, `size` and `format`, in the order Appwrite checks them.
    fn read(index: usize, value: &'a Value) -> Result<Self, InlineError> {
        let invalid = |message: String| InlineError::Invalid(message);
        let Value::Object(obj) = value else {
            return Err(invalid(format!(
                "Attribute at index {index} must be an object"
            )));
        };
        let present = |name: &str| obj.get(name).filter(|v| !v.is_null());
        let missing = |name: &str| {
            invalid(format!(
                "Attribute at index {index} is missing required field '{name}'"
            ))
        };
        let key = present("key").ok_or_else(|| missing("key"))?;
        let ty = present("type").ok_or_else(|| missing("type"))?;
        let Some(key) = key.as_str().map(str::to_owned) else {
            return Err(invalid(format!(
                "Invalid key for attribute at index {index}: Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char"
            )));
        };
        let ty = ty.as_str().unwrap_or_default();
        let own_format = || {
            present("format")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let (ty, format) = match ty {
            "email" | "enum" | "ip" | "url" => ("string", ty.to_owned()),
            "biginteger" => ("bigint", own_format()),
            _ => (ty, own_format()),
        };
        if !INLINE_TYPES.contains(&ty) {
            return Err(invalid(format!("Invalid type for attribute '{key}': {ty}")));
        }
        let size = match present("size") {
            None => None,
            Some(v) => Some(v.as_i64().ok_or_else(|| {
                invalid(format!(
                    "Invalid size for attribute '{key}': must be an integer"
                ))
            })?),
        };
        let def = InlineColumn {
            obj,
            key,
            ty,
            format,
            size,
        };
        def.check_format()?;
        Ok(def)
    }

    fn invalid(&self, message: String) -> InlineError {
        InlineError::Invalid(message)
    }

    fn present(&self, name: &str) -> Option<&'a Value> {
        self.obj.get(name).filter(|v| !v.is_null())
    }

    fn check_format(&self) -> Result<(), InlineError> {
        let key = &self.key;
        if self.format.is_empty() {
            return Ok(());
        }
        if !matches!(self.ty, "string" | "varchar") {
            return Err(self.invalid(format!(
                "Format is only allowed for string type for attribute '{key}'"
            )));
        }
        if !matches!(self.format.as_str(), "email" | "enum" | "ip" | "url") {
            return Err(self.invalid(format!(
                "Invalid format for attribute '{key}': {}",
                self.format
            )));
        }
        Ok(())
    }

    /// `required` or `array`: a boolean, false when left out.
    fn flag(&self, name: &str) -> Result<bool, InlineError> {
        match self.present(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.invalid(format!(
                "Invalid '{name}' value for attribute '{}': must be a boolean",
                self.key
            ))),
        }
    }

    fn check_default_allowed(
        &self,
        has_default: bool,
        required: bool,
        array: bool,
    ) -> Result<(), InlineError> {
        let key = &self.key;
        if has_default && required {
            return Err(self.invalid(format!(
                "Attribute '{key}' cannot have a default value when required is true"
            )));
        }
        if has_default && array {
            return Err(self.invalid(format!(
                "Attribute '{key}' cannot have a default value when array is true"
            )));
        }
        Ok(())
    }

    /// The checks of the column create routes for an encrypted column: a text kind, and a
    /// varchar or string size of at least the encrypted minimum.
    fn check_encrypt(&self, kind: &ColumnKind) -> Result<(), InlineError> {
        if !kind.can_encrypt() {
            return Err(self.invalid(format!(
                "Attribute '{}': encrypt can only be used with string, varchar, text, mediumtext \
                 or longtext types",
                self.key
            )));
        }
        match kind {
            ColumnKind::Varchar { size } | ColumnKind::String { size }
                if *size < MIN_ENCRYPTED_SIZE =>
            {
                Err(self.invalid(crate::schema::encrypted_size_message()))
            }
            _ => Ok(()),
        }
    }

    fn check_bounds_allowed(&self) -> Result<(), InlineError> {
        let bounded = self.present("min").is_some() || self.present("max").is_some();
        if bounded && !matches!(self.ty, "integer" | "bigint" | "double") {
            return Err(self.invalid(format!(
                "Attribute '{}': min/max can only be used with integer, bigint or float types",
                self.key
            )));
        }
        Ok(())
    }

    fn kind(&self) -> Result<ColumnKind, InlineError> {
        Ok(match (self.ty, self.format.as_str()) {
            (_, "email") => ColumnKind::Email,
            (_, "ip") => ColumnKind::Ip,
            (_, "url") => ColumnKind::Url,
            (_, "enum") => ColumnKind::Enum {
                elements: strings(self.obj, "elements").ok_or_else(|| {
                    self.invalid(format!(
                        "Attribute '{}': enum attributes need a list of string elements",
                        self.key
                    ))
                })?,
            },
            ("string", _) => ColumnKind::String {
                size: self.size_within(MAX_STRING_SIZE)?,
            },
            ("varchar", _) => ColumnKind::Varchar {
                size: self.size_within(MAX_VARCHAR_SIZE)?,
            },
            ("text", _) => ColumnKind::Text,
            ("mediumtext", _) => ColumnKind::MediumText,
            ("longtext", _) => ColumnKind::LongText,
            ("integer", _) => ColumnKind::Integer {
                min: self.int_bound("min")?,
                max: self.int_bound("max")?,
            },
            ("bigint", _) => ColumnKind::BigInt {
                min: self.int_bound("min")?,
                max: self.int_bound("max")?,
            },
            ("double", _) => ColumnKind::Float {
                min: self.float_bound("min")?,
                max: self.float_bound("max")?,
            },
            ("boolean", _) => ColumnKind::Boolean,
            ("point", _) => ColumnKind::Point,
            ("linestring", _) => ColumnKind::Line,
            ("polygon", _) => ColumnKind::Polygon,
            _ => ColumnKind::Datetime,
        })
    }

    fn size_within(&self, max: u32) -> Result<u32, InlineError> {
        self.size
            .and_then(|s| u32::try_from(s).ok())
            .filter(|s| (1..=max).contains(s))
            .ok_or_else(|| {
                self.invalid(format!(
                    "Invalid or missing size for string attribute '{}'. Size must be between 1 and {}",
                    self.key,
                    thousands(i64::from(max))
                ))
            })
    }

    fn int_bound(&self, name: &str) -> Result<Option<i64>, InlineError> {
        self.present(name)
            .map(|v| {
                v.as_i64().ok_or_else(|| {
                    self.invalid(format!(
                        "Attribute '{}': {name} is invalid. Value must be a valid integer",
                        self.key
                    ))
                })
            })
            .transpose()
    }

    fn float_bound(&self, name: &str) -> Result<Option<f64>, InlineError> {
        self.present(name)
            .map(|v| {
                v.as_f64().filter(|f| f.is_finite()).ok_or_else(|| {
                    self.invalid(format!(
                        "Attribute '{}': {name} is invalid. Value must be a valid float",
                        self.key
                    ))
                })
            })
            .transpose()
    }

    fn check_default(&self, kind: &ColumnKind, default: &Value) -> Result<(), InlineError> {
        let ok = match kind {
            ColumnKind::Integer { .. } | ColumnKind::BigInt { .. } => default.as_i64().is_some(),
            ColumnKind::Float { .. } => default.is_number(),
            ColumnKind::Boolean => default.is_boolean(),
            // Appwrite's `Attributes` validator has no case for spatial defaults; the
            // database checks them when it creates the column.
            ColumnKind::Point | ColumnKind::Line | ColumnKind::Polygon => true,
            _ => default.is_string(),
        };
        if ok {
            return Ok(());
        }
        Err(self.invalid(format!(
            "Default value for attribute '{}' does not match its type {}",
            self.key, self.ty
        )))
    }
}
