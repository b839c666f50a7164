//! `renamed_from = "old_key"`: the key a column had before it was renamed in the code.
//!
//! The rules are the runtime's (`SchemaRule::RenamedFrom`, same words), reported at the
//! literal: per column, Appwrite's key rule and not the column's own key; across the table,
//! not another field's column key (the plan would rename onto a key in use) and not claimed by
//! two fields (one live column cannot become two). Keys compare without case, as Appwrite
//! compares them.

use std::collections::HashMap;

use appwrite_orm_contract::ids::check_key;
use syn::LitStr;

use super::first_of;
use crate::ctxt::Ctxt;
use crate::model::{FieldModel, FieldRole};

/// The old key of the column `key`, or `None` when it breaks a rule of its own (reported), so
/// that the table-wide checks do not report it again.
pub(super) fn check_renamed_from(cx: &Ctxt, key: &str, lit: &LitStr) -> Option<LitStr> {
    let from = lit.value();
    if let Err(reason) = check_key(&from) {
        cx.error_spanned_by(lit, format!("renamed_from {from:?} {reason}"));
        return None;
    }
    if from.to_lowercase() == key.to_lowercase() {
        cx.error_spanned_by(lit, own_key(&from, key));
        return None;
    }
    Some(lit.clone())
}

/// Why an old key equal to the column's own key (in some case) is refused.
fn own_key(from: &str, key: &str) -> String {
    if from == key {
        format!("renamed_from {from:?} is the column's own key: a rename needs another key")
    } else {
        format!(
            "renamed_from {from:?} differs from the column key {key:?} only by case, and \
             Appwrite compares keys without case: a rename must change more than case"
        )
    }
}

/// No old key is another field's column key or the old key of two fields.
pub(super) fn check_renames(cx: &Ctxt, fields: &[FieldModel<'_>]) {
    let columns = fields.iter().filter_map(|f| match &f.role {
        FieldRole::Column(column) => Some((f, column)),
        FieldRole::System(_) => None,
    });
    let keys: HashMap<String, &syn::Ident> = columns
        .clone()
        .map(|(f, column)| (column.key.to_lowercase(), f.ident))
        .collect();
    let mut claimed = HashMap::new();
    for (field, lit) in columns.filter_map(|(f, c)| c.renamed_from.as_ref().map(|l| (f, l))) {
        let from = lit.value();
        let lower = from.to_lowercase();
        if let Some(other) = keys.get(&lower) {
            cx.error_spanned_by(
                lit,
                format!(
                    "renamed_from {from:?} is the column key of field `{other}`; a column \
                     cannot be renamed onto a key in use"
                ),
            );
        } else if let Some(first) = first_of(&mut claimed, lower, field.ident) {
            cx.error_spanned_by(
                lit,
                format!(
                    "renamed_from {from:?} is already declared on field `{first}` (keys are \
                     compared case-insensitively); one old column can only get one new key"
                ),
            );
        }
    }
}
