//! The part of Appwrite's contract that both `appwrite-orm` and its procedural macros need:
//! the id and key rule ([`ids`]), the limits ([`limits`]) and the lint codes a migration may
//! allow ([`lint`]).
//!
//! The macros check a `#[derive(Table)]` at compile time against the same rules the runtime
//! checks a schema against; a proc-macro crate cannot depend on the runtime (the runtime
//! depends on it), so the rules live here, below both. Use them through
//! `appwrite_orm::api::ids` and `appwrite_orm::api::limits`.
#![warn(missing_docs)]

pub mod ids;
pub mod limits;
pub mod lint;

/// Size of the varchar column a `String` field gets when no `size` is given.
///
/// Not Appwrite's (its create route requires a size) but this library's choice, made in one
/// place so that `#[derive(Table)]`'s compile-time checks (a default value's length, say) and
/// the runtime's `ColumnType for String` agree.
pub const DEFAULT_STRING_SIZE: u32 = 255;
