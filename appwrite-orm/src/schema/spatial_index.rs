//! Appwrite's index rules for spatial columns (utopia-php/database `Validator/Index.php`,
//! `checkSpatialIndexes` and `checkNonSpatialIndexOnSpatialAttributes`, with the MariaDB
//! adapter's settings: spatial indexes take no nulls and may carry orders). Pure.

use super::{ColumnSchema, IndexKind, IndexSchema, model_type};

/// What is wrong with `index` as far as spatial columns go, in Appwrite's words; `None` when
/// nothing is. `find` looks a user column up by key (system columns are not user columns).
///
/// A spatial index covers exactly one point, line or polygon column, which must be required; a
/// key, unique or fulltext index covers no spatial column.
pub fn spatial_index_problem<'a>(
    index: &IndexSchema,
    find: impl Fn(&str) -> Option<&'a ColumnSchema>,
) -> Option<String> {
    if index.kind != IndexKind::Spatial {
        let key = index
            .columns
            .iter()
            .find(|key| find(key).is_some_and(|c| c.kind.is_spatial()))?;
        return Some(format!(
            "Cannot create {} index on spatial attribute \"{key}\". Spatial attributes require spatial indexes.",
            index.kind.as_str()
        ));
    }
    let [key] = index.columns.as_slice() else {
        return Some("Spatial index must have exactly one attribute".to_owned());
    };
    let column = find(key);
    match column {
        Some(c) if c.kind.is_spatial() => (!c.required).then(|| {
            format!(
                "Spatial indexes do not allow null values. Mark the attribute \"{key}\" as required or create the index on a column with no null values."
            )
        }),
        _ => {
            let ty = column.map_or_else(|| system_type(key), |c| model_type(&c.kind));
            Some(format!(
                "Spatial index can only be created on spatial attributes (point, linestring, polygon). Attribute \"{key}\" is of type \"{ty}\""
            ))
        }
    }
}

/// The stored type of a system column an index may name.
fn system_type(key: &str) -> &'static str {
    match key {
        "$id" => "string",
        "$createdAt" | "$updatedAt" => "datetime",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ColumnSchema;

    fn problem(index: &IndexSchema, columns: &[ColumnSchema]) -> Option<String> {
        spatial_index_problem(index, |key| columns.iter().find(|c| c.key == key))
    }

    #[test]
    fn spatial_indexes_follow_appwrites_rules() {
        let columns = [
            ColumnSchema::point("at").required(),
            ColumnSchema::polygon("area"),
            ColumnSchema::varchar("name", 10),
        ];
        let spatial = |keys: &[&str]| IndexSchema::new("i", IndexKind::Spatial, keys.to_vec());
        assert_eq!(problem(&spatial(&["at"]), &columns), None);
        assert_eq!(
            problem(&spatial(&["at", "area"]), &columns).unwrap(),
            "Spatial index must have exactly one attribute"
        );
        assert_eq!(
            problem(&spatial(&["area"]), &columns).unwrap(),
            "Spatial indexes do not allow null values. Mark the attribute \"area\" as required or create the index on a column with no null values."
        );
        assert_eq!(
            problem(&spatial(&["name"]), &columns).unwrap(),
            "Spatial index can only be created on spatial attributes (point, linestring, polygon). Attribute \"name\" is of type \"varchar\""
        );
        assert!(
            problem(&spatial(&["$id"]), &columns)
                .unwrap()
                .ends_with("is of type \"string\"")
        );
        let key = IndexSchema::new("k", IndexKind::Key, ["name", "at"]);
        assert_eq!(
            problem(&key, &columns).unwrap(),
            "Cannot create key index on spatial attribute \"at\". Spatial attributes require spatial indexes."
        );
        let plain = IndexSchema::new("k", IndexKind::Unique, ["name"]);
        assert_eq!(problem(&plain, &columns), None);
    }
}
