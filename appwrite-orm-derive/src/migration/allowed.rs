//! `allow = "code"`: the lint codes a migration acknowledges, checked against the one list the
//! runtime's lint uses too (`appwrite_orm_contract::lint::ALLOWABLE`), so that a typo fails the
//! build instead of silently acknowledging nothing.

use appwrite_orm_contract::lint::{ALLOWABLE, HISTORY_PREFIX, allowable};
use syn::LitStr;

use crate::attr::closest;
use crate::ctxt::Ctxt;

/// The codes of `literals` that are allowable and not repeated; an error at each other one.
pub(crate) fn check(cx: &Ctxt, literals: &[LitStr]) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for lit in literals {
        let code = lit.value();
        if allowable(&code).is_none() {
            cx.error_spanned_by(lit, unknown_code_message(&code));
        } else if codes.contains(&code) {
            cx.error_spanned_by(lit, format!("lint code `{code}` is allowed twice"));
        } else {
            codes.push(code);
        }
    }
    codes
}

/// Why `code` cannot be allowed, with the codes that can and the closest one.
fn unknown_code_message(code: &str) -> String {
    let known: Vec<&str> = ALLOWABLE.iter().map(|c| c.code).collect();
    let mut message = if code.starts_with(HISTORY_PREFIX) {
        format!(
            "`{code}` is a problem of the migration history, not a finding of this version: it \
             cannot be allowed (fix the history with `migrate repair`, `forget` or `baseline`)"
        )
    } else {
        let mut message = format!("unknown lint code `{code}` in `allow`");
        if let Some(close) = closest(code, &known) {
            message.push_str(&format!("; did you mean `{close}`?"));
        }
        message
    };
    message.push_str("\nthe codes a migration can allow:");
    for c in ALLOWABLE {
        message.push_str(&format!("\n  {}: {}", c.code, c.meaning));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_gets_the_closest_code_and_the_list() {
        let message = unknown_code_message("destructve");
        assert!(
            message.starts_with(
                "unknown lint code `destructve` in `allow`; did you mean `destructive`?"
            )
        );
        assert!(message.contains("\n  unique-duplicates: "));
        assert!(unknown_code_message("history-edited").contains("cannot be allowed"));
        assert!(!unknown_code_message("zzzz").contains("did you mean"));
    }
}
