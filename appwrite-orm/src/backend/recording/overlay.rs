//! Row reads against the schema a dry run simulates: the queries of a read are rewritten when
//! they name columns that only the simulation created. Pure.
//!
//! A column the recorder saw created (by a version's planned operations or by its step) is
//! absent from the live table, so the server refuses every query naming it. The rows that exist
//! would hold no value there after a real run created it (null), or the value a recorded write
//! set in all of them (the plan's default fill writes the column's default into every existing
//! row). Every existing row holds the same [`Held`] value, so each query naming such a column
//! is decided here, as the server would answer it for that state, and never sent:
//! - a filter matches every row or none: `isNull` on a null column matches all and is dropped,
//!   `isNotNull`, `equal`, comparisons and the other filters match none (null compares with
//!   nothing); on a held default they are evaluated on it. A read whose filters match no row is
//!   answered with an empty page (total 0); inside `and`/`or` a decided filter is folded away;
//! - a `select` of such a column is removed from the request, and the column is added to every
//!   row answered, with its held value (whole rows, without `select` or with `*`, get every
//!   such column);
//! - an order by such a column is dropped: every row ties on it.
//!
//! A live column the simulation renamed is read under its live key: its new key is put back to
//! the live one in the queries, and the value moved to the new key in every row answered.
//!
//! What is approximated: the rows are those that exist now. A step's own recorded row writes
//! (its backfill's updates, rows it creates) are not visible to its later reads; only a bulk
//! update that sets such a column in every existing row is (see
//! [`SimulatedSchema`](super::schema::SimulatedSchema)). Values are not checked against the
//! column's type as the server would, and a `search`, `notSearch` or spatial filter on a held
//! value other than null cannot be decided: the read is refused with a message saying so.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::api::listing;
use crate::api::models::Row;
use crate::query::{Query, QueryClass};

/// What every existing row holds in each column only the simulation created, by column key.
pub(crate) type Held = BTreeMap<String, Value>;

/// The columns of a live table as the simulation changed them, as row reads meet them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Simulated {
    /// The columns only the simulation created, with what every existing row holds there.
    pub(crate) held: Held,
    /// Live columns the simulation renamed: by the key it shows, the live key of the values.
    pub(crate) renamed: BTreeMap<String, String>,
}

impl Simulated {
    /// True when reads are sent unchanged.
    pub(crate) fn is_empty(&self) -> bool {
        self.held.is_empty() && self.renamed.is_empty()
    }
}

/// What the simulation adds to each row a read answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Completion {
    /// The held columns the answer shows, with their value.
    pub(crate) added: Vec<(String, Value)>,
    /// Renamed columns: the live key, and the key the value moves to.
    pub(crate) renamed: Vec<(String, String)>,
}

/// What to do with a read whose queries were rewritten.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rewritten {
    /// No row matches: answer an empty page, send nothing.
    NoMatch,
    /// Send these queries, then [`complete`] each row answered.
    Send {
        /// The queries without what names held columns, renamed columns under their live key.
        queries: Vec<Query>,
        /// What each row answered gets.
        completion: Completion,
    },
}

/// A filter on a held column that cannot be decided here, with why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Undecidable(pub(crate) String);

/// The read `queries` against a live table whose columns the simulation changed as `simulated`
/// says.
pub(crate) fn rewrite(queries: &[Query], simulated: &Simulated) -> Result<Rewritten, Undecidable> {
    let held = &simulated.held;
    let mut kept = Vec::with_capacity(queries.len());
    // Held columns some `select` names; `None` until a select is met.
    let mut selected: Option<Vec<String>> = None;
    // A `select` with `*` asks for whole rows, as a read without `select` does.
    let mut star = false;
    for query in queries {
        match query {
            Query::Select { attributes } => {
                let (named, rest): (Vec<&String>, Vec<&String>) = attributes
                    .iter()
                    .partition(|a| held.contains_key(column_of(a)));
                star |= attributes.iter().any(|a| a == "*");
                let listed = selected.get_or_insert_with(Vec::new);
                listed.extend(named.iter().map(|a| column_of(a).to_owned()));
                // A select of held columns only still asks for the system fields alone.
                let rest: Vec<&str> = if rest.is_empty() {
                    vec!["$id"]
                } else {
                    rest.iter().map(|a| a.as_str()).collect()
                };
                kept.push(Query::select(rest));
            }
            Query::OrderAsc { attribute } | Query::OrderDesc { attribute }
                if held.contains_key(column_of(attribute)) => {}
            filter if filter.class() == QueryClass::Filter => match reduce(filter, held)? {
                Reduced::Decided(true) => {}
                Reduced::Decided(false) => return Ok(Rewritten::NoMatch),
                Reduced::Open(open) => kept.push(open),
            },
            other => kept.push(other.clone()),
        }
    }
    for query in &mut kept {
        to_live_keys(query, &simulated.renamed);
    }
    let added = held
        .iter()
        .filter(|(key, _)| match &selected {
            Some(listed) if !star => listed.contains(key),
            _ => true,
        })
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let renamed = simulated
        .renamed
        .iter()
        .map(|(shown, live)| (live.clone(), shown.clone()))
        .collect();
    Ok(Rewritten::Send {
        queries: kept,
        completion: Completion { added, renamed },
    })
}

/// One answered row as the simulation shows it: renamed columns under their new key, and the
/// held columns the read's answer shows.
pub(crate) fn complete(row: &mut Row, completion: &Completion) {
    for (live, shown) in &completion.renamed {
        if let Some(value) = row.0.remove(live) {
            row.0.insert(shown.clone(), value);
        }
    }
    for (key, value) in &completion.added {
        row.0.insert(key.clone(), value.clone());
    }
}

/// `query` with the renamed columns it names under their live key (`author.name` names
/// `author`).
fn to_live_keys(query: &mut Query, renamed: &BTreeMap<String, String>) {
    let live = |attribute: &mut String| {
        let column = column_of(attribute);
        if let Some(live) = renamed.get(column) {
            *attribute = format!("{live}{}", &attribute[column.len()..]);
        }
    };
    match query {
        Query::And(children) | Query::Or(children) => {
            children.iter_mut().for_each(|c| to_live_keys(c, renamed));
        }
        Query::Select { attributes } => attributes.iter_mut().for_each(live),
        other => {
            if let Some(attribute) = other.attribute_mut() {
                live(attribute);
            }
        }
    }
}

/// A filter with what names held columns decided.
#[derive(Debug, Clone, PartialEq)]
enum Reduced {
    /// Matches every existing row (`true`) or none.
    Decided(bool),
    /// Depends on live columns: this is what is left to send.
    Open(Query),
}

/// `query` with every part that names a held column decided; `and`/`or` fold what was decided.
fn reduce(query: &Query, held: &Held) -> Result<Reduced, Undecidable> {
    let (children, all) = match query {
        Query::And(children) => (children, true),
        Query::Or(children) => (children, false),
        leaf => {
            let held_value = leaf
                .attribute()
                .and_then(|a| held.get(column_of(a)).map(|v| (a, v)));
            return match held_value {
                Some((attribute, value)) => decide(leaf, attribute, value).map(Reduced::Decided),
                None => Ok(Reduced::Open(leaf.clone())),
            };
        }
    };
    let mut open = Vec::with_capacity(children.len());
    for child in children {
        match reduce(child, held)? {
            // `true` in an `and`, `false` in an `or`: changes nothing.
            Reduced::Decided(d) if d == all => {}
            // `false` in an `and`, `true` in an `or`: decides the whole.
            Reduced::Decided(d) => return Ok(Reduced::Decided(d)),
            Reduced::Open(q) => open.push(q),
        }
    }
    // Appwrite wants two operands or more in an `and`/`or`: one left stands alone.
    Ok(match open.len() {
        0 => Reduced::Decided(all),
        1 => Reduced::Open(open.remove(0)),
        _ if all => Reduced::Open(Query::And(open)),
        _ => Reduced::Open(Query::Or(open)),
    })
}

/// Whether a row holding `value` in `attribute` passes the filter `leaf`.
fn decide(leaf: &Query, attribute: &str, value: &Value) -> Result<bool, Undecidable> {
    if value.is_null() {
        // Null compares with nothing: only `isNull` holds (SQL's three-valued logic).
        return Ok(matches!(leaf, Query::IsNull { .. }));
    }
    let row = json!({ attribute: value });
    let positive = |query: Query| listing::matches(&query, &row);
    let decided = match leaf {
        Query::NotBetween {
            attribute,
            start,
            end,
        } => positive(Query::between(attribute, start.clone(), end.clone())).map(|m| !m),
        Query::NotStartsWith { attribute, value } => {
            positive(Query::starts_with(attribute, value.clone())).map(|m| !m)
        }
        Query::NotEndsWith { attribute, value } => {
            positive(Query::ends_with(attribute, value.clone())).map(|m| !m)
        }
        Query::NotContains { attribute, values } => {
            positive(Query::contains(attribute, values.clone())).map(|m| !m)
        }
        Query::ContainsAny { attribute, values } => {
            positive(Query::contains(attribute, values.clone()))
        }
        Query::ContainsAll { attribute, values } => values
            .iter()
            .map(|v| positive(Query::contains(attribute, [v.clone()])))
            .collect::<Option<Vec<bool>>>()
            .map(|each| each.into_iter().all(|m| m)),
        Query::Regex { pattern, .. } => regex_matches(value, pattern),
        other => listing::matches(other, &row),
    };
    decided.ok_or_else(|| {
        Undecidable(format!(
            "a dry run cannot tell which rows `{}` on column \"{attribute}\" matches: the column \
             exists only in the simulation, where every existing row holds {value}",
            leaf.method()
        ))
    })
}

/// Whether the text `value` matches the regular expression `pattern` (as the embedded engine
/// reads it); `None` when the pattern is not one.
fn regex_matches(value: &Value, pattern: &Value) -> Option<bool> {
    let regex = regex::Regex::new(pattern.as_str()?).ok()?;
    Some(value.as_str().is_some_and(|text| regex.is_match(text)))
}

/// The column a query attribute names: `author.name` names `author`.
fn column_of(attribute: &str) -> &str {
    attribute.split('.').next().unwrap_or(attribute)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fresh` holds null in every row, `status` the default a fill wrote.
    fn held() -> Held {
        Held::from([
            ("fresh".to_owned(), Value::Null),
            ("status".to_owned(), json!("draft")),
        ])
    }

    fn simulated() -> Simulated {
        Simulated {
            held: held(),
            renamed: BTreeMap::new(),
        }
    }

    fn sent(queries: &[Query]) -> (Vec<Query>, Vec<(String, Value)>) {
        match rewrite(queries, &simulated()).unwrap() {
            Rewritten::Send {
                queries,
                completion,
            } => (queries, completion.added),
            Rewritten::NoMatch => panic!("expected a read to send for {queries:?}"),
        }
    }

    fn no_match(queries: &[Query]) -> bool {
        rewrite(queries, &simulated()).unwrap() == Rewritten::NoMatch
    }

    #[test]
    fn is_null_on_a_null_column_matches_every_row_and_is_dropped() {
        let (queries, _) = sent(&[Query::is_null("fresh"), Query::equal("title", ["a"])]);
        assert_eq!(queries, [Query::equal("title", ["a"])]);
    }

    #[test]
    fn other_filters_on_a_null_column_match_no_row() {
        for filter in [
            Query::is_not_null("fresh"),
            Query::equal("fresh", ["x"]),
            Query::not_equal("fresh", "x"),
            Query::less_than("fresh", 3),
            Query::greater_than_equal("fresh", 3),
            Query::between("fresh", 1, 5),
            Query::not_between("fresh", 1, 5),
            Query::starts_with("fresh", "a"),
            Query::not_contains("fresh", ["a"]),
            Query::regex("fresh", "^a"),
            Query::search("fresh", "word"),
        ] {
            assert!(no_match(std::slice::from_ref(&filter)), "{filter:?}");
        }
    }

    #[test]
    fn filters_on_a_held_default_are_evaluated_on_it() {
        assert!(no_match(&[Query::is_null("status")]));
        assert!(no_match(&[Query::equal("status", ["published"])]));
        assert!(no_match(&[Query::not_starts_with("status", "dr")]));
        for matching in [
            Query::is_not_null("status"),
            Query::equal("status", ["draft", "published"]),
            Query::not_equal("status", "published"),
            Query::starts_with("status", "dr"),
            Query::not_ends_with("status", "x"),
            Query::contains("status", ["raf"]),
            Query::greater_than("status", "a"),
            Query::regex("status", "^d.a"),
        ] {
            let (queries, _) = sent(&[matching.clone(), Query::limit(5)]);
            assert_eq!(queries, [Query::limit(5)], "{matching:?}");
        }
    }

    #[test]
    fn a_filter_that_cannot_be_decided_on_a_default_is_refused_with_why() {
        let refused = rewrite(&[Query::search("status", "draft")], &simulated()).unwrap_err();
        assert!(
            refused.0.contains("`search` on column \"status\""),
            "{}",
            refused.0
        );
    }

    #[test]
    fn and_or_fold_what_was_decided() {
        let live = Query::equal("title", ["a"]);
        let other = Query::is_not_null("body");
        // `or` with a filter matching every row matches every row.
        let (queries, _) = sent(&[Query::or([Query::is_null("fresh"), live.clone()])]);
        assert!(queries.is_empty());
        // `or` with one that matches none leaves the others.
        let (queries, _) = sent(&[Query::or([
            Query::is_not_null("fresh"),
            live.clone(),
            other.clone(),
        ])]);
        assert_eq!(queries, [Query::or([live.clone(), other.clone()])]);
        // One operand left stands alone.
        let (queries, _) = sent(&[Query::and([Query::is_null("fresh"), live.clone()])]);
        assert_eq!(queries, std::slice::from_ref(&live));
        assert!(no_match(&[Query::and([Query::is_not_null("fresh"), live])]));
        assert!(no_match(&[Query::or([
            Query::equal("fresh", ["x"]),
            Query::is_null("status"),
        ])]));
    }

    #[test]
    fn a_select_of_held_columns_is_answered_here() {
        let (queries, added) = sent(&[Query::select(["title", "status", "author.name"])]);
        assert_eq!(queries, [Query::select(["title", "author.name"])]);
        assert_eq!(added, [("status".to_owned(), json!("draft"))]);
        // Held columns only: the system fields are still asked for.
        let (queries, added) = sent(&[Query::select(["fresh"])]);
        assert_eq!(queries, [Query::select(["$id"])]);
        assert_eq!(added, [("fresh".to_owned(), Value::Null)]);
    }

    #[test]
    fn whole_rows_get_every_held_column() {
        for queries in [vec![], vec![Query::select(["*"])]] {
            let (sent_queries, added) = sent(&queries);
            assert_eq!(sent_queries, queries);
            assert_eq!(added.len(), 2);
        }
        let mut row = Row(serde_json::Map::new());
        let completion = Completion {
            added: vec![("status".to_owned(), json!("draft"))],
            renamed: Vec::new(),
        };
        complete(&mut row, &completion);
        assert_eq!(row.get("status"), Some(&json!("draft")));
    }

    #[test]
    fn an_order_by_a_held_column_is_dropped() {
        let (queries, _) = sent(&[
            Query::order_asc("fresh"),
            Query::order_desc("title"),
            Query::order_desc("status"),
            Query::cursor_after("r1"),
        ]);
        assert_eq!(
            queries,
            [Query::order_desc("title"), Query::cursor_after("r1")]
        );
    }

    #[test]
    fn a_read_naming_no_held_column_is_sent_unchanged() {
        let queries = [
            Query::select(["title"]),
            Query::equal("title", ["a"]),
            Query::order_asc("$sequence"),
            Query::limit(10),
        ];
        let (sent_queries, added) = sent(&queries);
        assert_eq!(sent_queries, queries);
        assert!(added.is_empty());
    }

    #[test]
    fn a_renamed_column_is_read_under_its_live_key() {
        let renamed = Simulated {
            held: Held::new(),
            renamed: BTreeMap::from([("handle".to_owned(), "nick".to_owned())]),
        };
        let queries = [
            Query::select(["handle", "author.name"]),
            Query::or([Query::equal("handle", ["a"]), Query::is_null("title")]),
            Query::order_asc("handle"),
        ];
        let Rewritten::Send {
            queries,
            completion,
        } = rewrite(&queries, &renamed).unwrap()
        else {
            panic!("a read to send");
        };
        assert_eq!(
            queries,
            [
                Query::select(["nick", "author.name"]),
                Query::or([Query::equal("nick", ["a"]), Query::is_null("title")]),
                Query::order_asc("nick"),
            ]
        );
        let mut row = Row(json!({"$id": "r1", "nick": "a"})
            .as_object()
            .cloned()
            .unwrap());
        complete(&mut row, &completion);
        assert_eq!(row.get("handle"), Some(&json!("a")));
        assert!(row.get("nick").is_none());
    }
}
