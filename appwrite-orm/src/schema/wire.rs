//! Column and index schemas in Appwrite's JSON forms live in the contract layer,
//! [`crate::api::schema_json`]; this path keeps the name the schema module exports.

pub use crate::api::schema_json::model_type;
