//! Partial updates: the columns to set, typed by table.

use std::marker::PhantomData;

use super::column::Col;
use super::types::IntoScalar;
use crate::api::Document;

/// The columns to change on rows of table `T`. `#[derive(Table)]` generates a builder with one
/// method per field (`User::patch().phone(None).is_verified(true)`); this is what it builds.
pub struct Patch<T> {
    document: Document,
    _table: PhantomData<fn() -> T>,
}

// By hand rather than derived: a derive would require `T: Debug` (`Clone`, `PartialEq`) of the
// model, which a patch never holds.
impl<T> std::fmt::Debug for Patch<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Patch").field(&self.document).finish()
    }
}

impl<T> Clone for Patch<T> {
    fn clone(&self) -> Self {
        Self {
            document: self.document.clone(),
            _table: PhantomData,
        }
    }
}

impl<T> PartialEq for Patch<T> {
    fn eq(&self, other: &Self) -> bool {
        self.document == other.document
    }
}

impl<T> Default for Patch<T> {
    fn default() -> Self {
        Self {
            document: Document::new(),
            _table: PhantomData,
        }
    }
}

impl<T> Patch<T> {
    /// An empty patch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a column (an `Option` column may be set to `None`, which writes null).
    ///
    /// Takes what [`IntoScalar`] accepts for the column: the value type itself, `&str` for a
    /// `String` column, a bare `T` or `&str` for an `Option` column.
    pub fn set<V>(mut self, column: Col<T, V>, value: impl IntoScalar<V>) -> Self {
        self.document
            .insert(column.key().to_owned(), value.into_scalar());
        self
    }

    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self.document.is_empty()
    }

    /// The columns and values to write.
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The columns and values to write, owned.
    pub fn into_document(self) -> Document {
        self.document
    }
}
