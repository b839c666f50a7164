//! Rust names for Appwrite ids, keys and enum elements.
//!
//! Appwrite keys are `A-Za-z0-9._-`, may start with a digit and may be Rust keywords; enum
//! elements are any text. Every name made here is a valid identifier; the caller keeps the
//! original key in an attribute wherever the two differ, so nothing is lost. [`Namer`] makes
//! names unique within one scope (the fields of a struct, the items of a module) in the order
//! it is asked, which the generator keeps sorted so that the same database gives the same
//! names.

use std::collections::BTreeSet;

/// Words that cannot be identifiers (strict and reserved keywords of the 2024 edition, and
/// the path keywords that have no raw form).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// True when `name` is a Rust keyword.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// The words of an id or key: split at every character that is not an ASCII letter or digit
/// and where the case goes from lower to upper (`createdAt`) or from an acronym to a word
/// (`HTTPServer` → `HTTP`, `Server`). Digits stay with the word before them.
pub fn words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            flush(&mut word, &mut out);
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let lower_to_upper = c.is_ascii_uppercase()
            && prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
        let acronym_end = c.is_ascii_uppercase()
            && prev.is_some_and(|p| p.is_ascii_uppercase())
            && next.is_some_and(|n| n.is_ascii_lowercase());
        if lower_to_upper || acronym_end {
            flush(&mut word, &mut out);
        }
        word.push(c);
    }
    flush(&mut word, &mut out);
    out
}

fn flush(word: &mut String, out: &mut Vec<String>) {
    if !word.is_empty() {
        out.push(std::mem::take(word));
    }
}

/// `snake_case` of `text` (`createdAt` → `created_at`); empty when it has no letter or digit.
pub fn snake_case(text: &str) -> String {
    words(text)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `CamelCase` of `text` (`blog_posts` → `BlogPosts`); empty when it has no letter or digit.
pub fn camel_case(text: &str) -> String {
    words(text)
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// A field name for a column key: `snake_case`, `_` before a leading digit (`2fa` → `_2fa`),
/// `_` after a keyword (`type` → `type_`), `column` when the key has no letter or digit.
pub fn field_name(key: &str) -> String {
    let snake = snake_case(key);
    if snake.is_empty() {
        return "column".to_owned();
    }
    valid(snake, "_")
}

/// A type name for a table id: `CamelCase`, `Table` before a leading digit (`2024_logs` →
/// `Table2024Logs`), `Table` when the id has no letter or digit.
pub fn type_name(id: &str) -> String {
    let camel = camel_case(id);
    if camel.is_empty() {
        return "Table".to_owned();
    }
    valid(camel, "Table")
}

/// A variant name for an enum element: `CamelCase`, `V` before a leading digit (`1st` →
/// `V1st`), `Value` when the element has no ASCII letter or digit.
pub fn variant_name(element: &str) -> String {
    let camel = camel_case(element);
    if camel.is_empty() {
        return "Value".to_owned();
    }
    valid(camel, "V")
}

/// `name` with `digit_prefix` before a leading digit, and `_` after a keyword.
fn valid(name: String, digit_prefix: &str) -> String {
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{digit_prefix}{name}")
    } else if is_keyword(&name) {
        format!("{name}_")
    } else {
        name
    }
}

/// Unique names within one scope: a name already taken (or reserved) gets the first free
/// numeric suffix (`name_2`, `name_3` for snake case; `Name2`, `Name3` for types).
#[derive(Debug, Clone, Default)]
pub struct Namer {
    taken: BTreeSet<String>,
}

impl Namer {
    /// A scope in which `reserved` are taken already.
    pub fn with_reserved<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            taken: reserved.into_iter().map(str::to_owned).collect(),
        }
    }

    /// Marks `name` as taken (for names derived from another, such as a struct's `…Patch`).
    pub fn reserve(&mut self, name: impl Into<String>) {
        self.taken.insert(name.into());
    }

    /// True when `name` is taken in this scope.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// `wanted` if it is free, else `wanted` with the first free suffix; marks it taken.
    pub fn unique(&mut self, wanted: &str) -> String {
        let separator = if wanted.starts_with(|c: char| c.is_ascii_uppercase()) {
            ""
        } else {
            "_"
        };
        let mut name = wanted.to_owned();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{wanted}{separator}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_separators_and_case_changes() {
        assert_eq!(words("createdAt"), ["created", "At"]);
        assert_eq!(words("blog-posts.v2"), ["blog", "posts", "v2"]);
        assert_eq!(words("HTTPServer_id"), ["HTTP", "Server", "id"]);
        assert_eq!(words("address2Line"), ["address2", "Line"]);
        assert!(words("-._").is_empty());
    }

    #[test]
    fn fields_are_snake_case_and_valid() {
        assert_eq!(field_name("createdAt"), "created_at");
        assert_eq!(field_name("first-name"), "first_name");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("2fa"), "_2fa");
        assert_eq!(field_name("2FA_code"), "_2_fa_code");
        assert_eq!(field_name("__"), "column");
        assert_eq!(field_name("plain"), "plain");
    }

    #[test]
    fn types_are_camel_case_and_valid() {
        assert_eq!(type_name("blog_posts"), "BlogPosts");
        assert_eq!(type_name("user-profiles"), "UserProfiles");
        assert_eq!(type_name("2024_logs"), "Table2024Logs");
        assert_eq!(type_name("self"), "Self_");
        assert_eq!(type_name("..."), "Table");
    }

    #[test]
    fn variants_are_camel_case_and_valid() {
        assert_eq!(variant_name("guest-user"), "GuestUser");
        assert_eq!(variant_name("ADMIN"), "Admin");
        assert_eq!(variant_name("1st"), "V1st");
        assert_eq!(variant_name("über"), "Ber");
        assert_eq!(variant_name("-"), "Value");
    }

    #[test]
    fn every_made_name_is_an_identifier() {
        for text in [
            "type", "2fa", "a-b", "match", "Self", "crate", "_", "x.y", "fn", "9", "é",
        ] {
            for name in [field_name(text), type_name(text), variant_name(text)] {
                assert!(
                    syn::parse_str::<syn::Ident>(&name).is_ok(),
                    "{text:?} → {name:?}"
                );
            }
        }
    }

    #[test]
    fn clashing_names_get_suffixes_in_the_order_asked() {
        let mut fields = Namer::with_reserved(["id"]);
        assert_eq!(fields.unique(&field_name("user_name")), "user_name");
        assert_eq!(fields.unique(&field_name("userName")), "user_name_2");
        assert_eq!(fields.unique(&field_name("user-name")), "user_name_3");
        assert_eq!(fields.unique(&field_name("id")), "id_2");
        let mut types = Namer::with_reserved(["Point"]);
        assert_eq!(types.unique(&type_name("point")), "Point2");
        types.reserve("UsersPatch");
        assert_eq!(types.unique(&type_name("users_patch")), "UsersPatch2");
        assert!(types.is_taken("UsersPatch"));
    }
}
