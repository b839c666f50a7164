//! Name conversions: table ids from struct names, constant names from field names, and the
//! `rename_all` rules of `#[derive(ColumnEnum)]` (the same rules and results as serde's, so that
//! an enum stores the same strings whichever of the two attributes names the rule).

/// A `rename_all` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

impl RenameRule {
    /// Every accepted spelling, for "expected one of" messages.
    pub(crate) const NAMES: &'static [&'static str] = &[
        "lowercase",
        "UPPERCASE",
        "PascalCase",
        "camelCase",
        "snake_case",
        "SCREAMING_SNAKE_CASE",
        "kebab-case",
        "SCREAMING-KEBAB-CASE",
    ];

    pub(crate) fn from_str(name: &str) -> Option<Self> {
        Some(match name {
            "lowercase" => RenameRule::Lower,
            "UPPERCASE" => RenameRule::Upper,
            "PascalCase" => RenameRule::Pascal,
            "camelCase" => RenameRule::Camel,
            "snake_case" => RenameRule::Snake,
            "SCREAMING_SNAKE_CASE" => RenameRule::ScreamingSnake,
            "kebab-case" => RenameRule::Kebab,
            "SCREAMING-KEBAB-CASE" => RenameRule::ScreamingKebab,
            _ => return None,
        })
    }

    /// Applies the rule to a variant name written in PascalCase (serde's `apply_to_variant`).
    pub(crate) fn apply_to_variant(self, variant: &str) -> String {
        match self {
            RenameRule::Pascal => variant.to_owned(),
            RenameRule::Lower => variant.to_ascii_lowercase(),
            RenameRule::Upper => variant.to_ascii_uppercase(),
            RenameRule::Camel => {
                let mut chars = variant.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                    None => String::new(),
                }
            }
            RenameRule::Snake => snake_case(variant),
            RenameRule::ScreamingSnake => snake_case(variant).to_ascii_uppercase(),
            RenameRule::Kebab => snake_case(variant).replace('_', "-"),
            RenameRule::ScreamingKebab => {
                snake_case(variant).to_ascii_uppercase().replace('_', "-")
            }
        }
    }
}

/// `UserProfile` → `user_profile`: an underscore before every upper-case letter but the first.
pub(crate) fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, ch) in name.char_indices() {
        if i > 0 && ch.is_uppercase() {
            out.push('_');
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

/// `view_count` → `VIEW_COUNT`, `isVerified` → `IS_VERIFIED`: the constant of a field.
pub(crate) fn screaming_snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for ch in name.chars() {
        if ch.is_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        out.extend(ch.to_uppercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_rules_match_serde() {
        let cases = [
            (RenameRule::Lower, "verylongvariantname"),
            (RenameRule::Upper, "VERYLONGVARIANTNAME"),
            (RenameRule::Pascal, "VeryLongVariantName"),
            (RenameRule::Camel, "veryLongVariantName"),
            (RenameRule::Snake, "very_long_variant_name"),
            (RenameRule::ScreamingSnake, "VERY_LONG_VARIANT_NAME"),
            (RenameRule::Kebab, "very-long-variant-name"),
            (RenameRule::ScreamingKebab, "VERY-LONG-VARIANT-NAME"),
        ];
        for (rule, expected) in cases {
            assert_eq!(rule.apply_to_variant("VeryLongVariantName"), expected);
        }
        assert_eq!(RenameRule::Snake.apply_to_variant("A"), "a");
    }

    #[test]
    fn names() {
        assert_eq!(snake_case("UserProfile"), "user_profile");
        assert_eq!(snake_case("User"), "user");
        assert_eq!(screaming_snake_case("view_count"), "VIEW_COUNT");
        assert_eq!(screaming_snake_case("isVerified"), "IS_VERIFIED");
        assert_eq!(screaming_snake_case("line2_total"), "LINE2_TOTAL");
    }
}
