use serde_json::{Value, json};

use super::*;
use crate::api::ColumnStatus;
use crate::schema::{
    ColumnKind, ColumnSchema, IndexKind, IndexSchema, OnDelete, RelationSide, RelationType,
    Relationship, SortOrder, schema_fingerprint,
};

const TABLESDB: &str = include_str!("fixtures/tablesdb.json");
const LEGACY: &str = include_str!("fixtures/legacy.json");
const PRE_ONE: &str = include_str!("fixtures/pre_one.json");

/// A table with a column of every kind the CLI's format holds, arrays, defaults, bounds, a
/// rename, and an index of every type.
fn everything() -> TableSchema {
    let mut table = TableSchema::new("books", "Books")
        .column(ColumnSchema::varchar("title", 200).required())
        .column(ColumnSchema::new("body", ColumnKind::Text))
        .column(ColumnSchema::new("notes", ColumnKind::MediumText))
        .column(ColumnSchema::new("archive", ColumnKind::LongText))
        .column(ColumnSchema::new("legacy", ColumnKind::String { size: 40 }).default_value("x"))
        .column(
            ColumnSchema::new(
                "pages",
                ColumnKind::Integer {
                    min: Some(1),
                    max: Some(5000),
                },
            )
            .default_value(100),
        )
        .column(ColumnSchema::new(
            "views",
            ColumnKind::BigInt {
                min: Some(0),
                max: None,
            },
        ))
        .column(
            ColumnSchema::new(
                "price",
                ColumnKind::Float {
                    min: Some(0.5),
                    max: None,
                },
            )
            .default_value(9.99),
        )
        .column(ColumnSchema::boolean("in_print").default_value(true))
        .column(ColumnSchema::datetime("published"))
        .column(ColumnSchema::new("contact", ColumnKind::Email))
        .column(ColumnSchema::new("site", ColumnKind::Url))
        .column(ColumnSchema::new("origin", ColumnKind::Ip))
        .column(ColumnSchema::enumeration("genre", ["novel", "essay"]).default_value("novel"))
        .column(ColumnSchema::varchar("tags", 32).array())
        .column(ColumnSchema::integer("ratings").array())
        .column(ColumnSchema::point("shop").required())
        .column(ColumnSchema::line("route").default_value(json!([[0.0, 0.0], [1.0, 1.5]])))
        .column(ColumnSchema::polygon("area"))
        .column(ColumnSchema::varchar("summary", 500).renamed_from("blurb"))
        .column(ColumnSchema::new(
            "author",
            ColumnKind::Relationship(Relationship {
                related_table: "authors".into(),
                relation_type: RelationType::ManyToOne,
                two_way: true,
                two_way_key: Some("books".into()),
                on_delete: OnDelete::SetNull,
                side: RelationSide::Parent,
            }),
        ))
        .index(IndexSchema::new("by_title", IndexKind::Unique, ["title"]))
        .index(
            IndexSchema::new("by_pages", IndexKind::Key, ["pages", "title"])
                .orders([SortOrder::Desc, SortOrder::Asc]),
        )
        .index(IndexSchema::new("search", IndexKind::Fulltext, ["body"]))
        .index(IndexSchema::new("near", IndexKind::Spatial, ["shop"]));
    table.permissions = vec!["read(\"any\")".into(), "create(\"users\")".into()];
    table.row_security = true;
    table
}

/// The other side of `books.author`: its twin.
fn authors() -> TableSchema {
    TableSchema::new("authors", "Authors")
        .column(ColumnSchema::varchar("name", 128).required())
        .column(ColumnSchema::new(
            "books",
            ColumnKind::Relationship(Relationship {
                related_table: "books".into(),
                relation_type: RelationType::ManyToOne,
                two_way: true,
                two_way_key: Some("author".into()),
                on_delete: OnDelete::SetNull,
                side: RelationSide::Child,
            }),
        ))
}

fn exported_text(tables: &[TableSchema]) -> String {
    let exported = export("app", "App", tables).unwrap();
    to_pretty_string(&document("my-project", &exported))
}

fn problems(err: ConfigError) -> Vec<String> {
    match err {
        ConfigError::Invalid(problems) => problems.iter().map(ToString::to_string).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

/// `fixture` with `edit` applied to its JSON.
fn edited(fixture: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut value: Value = serde_json::from_str(fixture).unwrap();
    edit(&mut value);
    value.to_string()
}

#[test]
fn export_then_parse_gives_the_declared_tables() {
    let declared = vec![everything(), authors()];
    let config = parse(&exported_text(&declared)).unwrap();
    let parsed = config.table_schemas("app");
    assert_eq!(parsed, declared);
    assert_eq!(schema_fingerprint(&parsed), schema_fingerprint(&declared));
    for (p, d) in parsed.iter().zip(&declared) {
        assert_eq!(p.fingerprint(), d.fingerprint(), "{}", d.id);
    }
    // The rename hint came back (it is not part of the fingerprint).
    assert_eq!(
        parsed[0]
            .find_column("summary")
            .unwrap()
            .renamed_from
            .as_deref(),
        Some("blurb")
    );
    assert_eq!(
        config.databases(),
        [ConfigDatabase {
            id: "app".into(),
            name: "App".into(),
            enabled: true,
            format: FormatVersion::TablesDb,
        }]
    );
    assert!(config.tables("elsewhere").is_empty());
}

#[test]
fn the_tables_have_the_shape_a_server_answers() {
    let config = parse(&exported_text(&[everything()])).unwrap();
    let tables = config.tables("app");
    let books = &tables[0];
    assert_eq!((books.database_id.as_str(), books.enabled), ("app", true));
    assert!(
        books
            .columns
            .iter()
            .all(|c| c.status == ColumnStatus::Available)
    );
    assert!(
        books
            .indexes
            .iter()
            .all(|i| i.status == ColumnStatus::Available)
    );
    // The same as the table the live model of this schema reads into (but for the rename
    // hint, which no server answers).
    let live = crate::api::Table::from_json(&books.to_json()).unwrap();
    assert_eq!(
        live.to_schema().fingerprint(),
        books.to_schema().fingerprint()
    );
    assert_eq!(live.columns.len(), everything().columns.len());
}

#[test]
fn export_writes_keys_in_the_cli_order_and_the_same_bytes_every_time() {
    let text = exported_text(&[everything(), authors()]);
    assert_eq!(text, exported_text(&[everything(), authors()]));
    assert!(text.starts_with("{\n    \"projectId\": \"my-project\",\n    \"tablesDB\": [\n"));
    assert!(!text.ends_with('\n'));
    let value: Value = serde_json::from_str(&text).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    let books = &value["tables"][0];
    assert_eq!(
        keys(books),
        [
            "$id",
            "$permissions",
            "databaseId",
            "name",
            "enabled",
            "rowSecurity",
            "columns",
            "indexes"
        ]
    );
    let column = |key: &str| {
        books["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(
        keys(&column("pages")),
        ["key", "type", "required", "array", "default", "min", "max"]
    );
    assert_eq!(
        column("genre"),
        json!({"key": "genre", "type": "string", "required": false, "array": false,
               "size": 255, "default": "novel", "format": "enum", "elements": ["novel", "essay"]})
    );
    assert_eq!(
        column("author"),
        json!({"key": "author", "type": "relationship", "required": false, "array": false,
               "relatedTable": "authors", "relationType": "manyToOne", "twoWay": true,
               "twoWayKey": "books", "onDelete": "setNull", "side": "parent"})
    );
    assert_eq!(column("route")["type"], "linestring");
    assert_eq!(column("summary")["previousKey"], "blurb");
    // A required column's default is written as null, which the CLI demands.
    assert_eq!(column("title")["default"], Value::Null);
    assert_eq!(
        books["indexes"][1],
        json!({"key": "by_pages", "type": "key", "columns": ["pages", "title"], "orders": ["DESC", "ASC"]})
    );
}

#[test]
fn a_file_in_the_clis_shape_parses() {
    let config = parse(TABLESDB).unwrap();
    let ids: Vec<(&str, bool)> = config
        .databases()
        .iter()
        .map(|d| (d.id.as_str(), d.enabled))
        .collect();
    assert_eq!(ids, [("library", true), ("metrics", false)]);
    let library = config.table_schemas("library");
    assert_eq!(library.len(), 2);
    let (authors, books) = (&library[0], &library[1]);
    assert_eq!(authors.permissions, ["read(\"any\")"]);
    assert!(!authors.row_security && books.row_security);
    assert_eq!(
        authors.find_column("contact").unwrap().kind,
        ColumnKind::Email
    );
    let ColumnKind::Relationship(twin) = &authors.find_column("books").unwrap().kind else {
        panic!("not a relationship");
    };
    assert_eq!(twin.side, RelationSide::Child);
    assert_eq!(
        books.find_column("pages").unwrap(),
        &ColumnSchema::new(
            "pages",
            ColumnKind::Integer {
                min: Some(1),
                max: Some(100_000)
            }
        )
        .default_value(100)
    );
    assert_eq!(
        books.find_column("price").unwrap().kind,
        ColumnKind::Float {
            min: Some(0.0),
            max: None
        }
    );
    assert_eq!(
        books
            .find_column("summary")
            .unwrap()
            .renamed_from
            .as_deref(),
        Some("blurb")
    );
    assert_eq!(
        books.find_index("by_pages").unwrap().orders,
        [SortOrder::Desc, SortOrder::Asc]
    );
    assert_eq!(books.find_index("near").unwrap().kind, IndexKind::Spatial);
    // Left out, row security is on (the CLI's default) and the table enabled.
    let visits = &config.tables("metrics")[0];
    assert!(visits.row_security && visits.enabled);
    assert_eq!(
        visits.columns[1].schema.kind,
        ColumnKind::BigInt {
            min: Some(0),
            max: None
        }
    );
}

#[test]
fn legacy_collections_are_read_as_tables() {
    let config = parse(LEGACY).unwrap();
    assert_eq!(config.databases()[0].format, FormatVersion::Databases);
    let shop = config.table_schemas("shop");
    let orders = &shop[0];
    assert!(orders.row_security);
    assert_eq!(
        orders.find_index("by_reference").unwrap().columns,
        ["reference"]
    );
    let ColumnKind::Relationship(rel) = &orders.find_column("customer").unwrap().kind else {
        panic!("not a relationship");
    };
    assert_eq!(rel.related_table, "customers");
    assert!(!shop[1].row_security);
    assert_eq!(shop[1].find_column("site").unwrap().kind, ColumnKind::Url);
}

#[test]
fn a_file_of_the_pre_one_format_is_refused() {
    let err = parse(PRE_ONE).unwrap_err();
    assert_eq!(
        err,
        ConfigError::UnsupportedVersion {
            found: FormatVersion::PreOne,
            at: "collections[0]".into(),
            supported: vec![FormatVersion::TablesDb, FormatVersion::Databases],
        }
    );
    let message = err.to_string();
    assert!(message.contains("pre-1.0"), "{message}");
    assert!(
        message.contains("TablesDB") && message.contains("appwrite-cli 1.0 to 9.0"),
        "{message}"
    );
}

#[test]
fn every_problem_is_named_with_its_table_and_column() {
    let text = edited(TABLESDB, |v| {
        let books = &mut v["tables"][1]["columns"];
        books[1]["type"] = json!("xyz");
        books[2]["requried"] = json!(true);
        books[3]["required"] = json!(true);
        books[4]["size"] = json!("big");
        v["tables"][1]["indexes"][0]["type"] = json!("btree");
        v["tables"][0]["columns"][0]["encrypt"] = json!("yes");
    });
    assert_eq!(
        problems(parse(&text).unwrap_err()),
        [
            "tables[0].columns[0] (authors.name): encrypt must be true or false, not \"yes\"",
            "tables[1].columns[1] (books.pages): unknown type \"xyz\"",
            "tables[1].columns[2] (books.price): unknown key \"requried\"",
            "tables[1].columns[3] (books.genre): a required column takes no default (\"default\" must be null)",
            "tables[1].columns[4] (books.tags): size must be a whole number of characters, not \"big\"",
            "tables[1].indexes[0] (books.by_pages): unknown index type \"btree\" (key, unique, fulltext or spatial)",
        ]
    );
}

#[test]
fn structural_faults_are_refused() {
    let cases: Vec<(String, &str)> = vec![
        (
            edited(TABLESDB, |v| v["tables"][2]["databaseId"] = json!(7)),
            "tables[2] (visits): databaseId must be a non-empty string, not 7",
        ),
        (
            edited(TABLESDB, |v| {
                v["tables"][0]["columns"][1]["key"] = json!("name");
            }),
            "tables[0].columns[1] (authors.name): key \"name\" is used twice",
        ),
        (
            edited(TABLESDB, |v| {
                v["tables"][1]["columns"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("type");
            }),
            "tables[1].columns[0] (books.title): type is missing",
        ),
        (
            edited(TABLESDB, |v| {
                v["tables"][2]["columns"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("size");
            }),
            "tables[2].columns[0] (visits.path): size is missing (string columns need one)",
        ),
        (
            edited(TABLESDB, |v| {
                v["tables"][1]["columns"][3]
                    .as_object_mut()
                    .unwrap()
                    .remove("elements");
            }),
            "tables[1].columns[3] (books.genre): elements are missing (an enum needs them)",
        ),
        (
            edited(TABLESDB, |v| {
                v["tables"][0]["databaseId"] = json!("metrics")
            }),
            "tables (books.author): relatedTable \"authors\" is in database \"metrics\", not \"library\"; Appwrite relates tables of one database only",
        ),
        (
            edited(TABLESDB, |v| v["tables"] = json!({})),
            "tables: must be a list, not {}",
        ),
        (
            "[1, 2]".to_owned(),
            "(root): the file must hold a JSON object",
        ),
    ];
    for (text, expected) in cases {
        let found = problems(parse(&text).unwrap_err());
        assert!(
            found.iter().any(|p| p == expected),
            "{expected}\n  not in {found:#?}"
        );
    }
}

#[test]
fn text_that_is_not_json_is_refused_with_its_position() {
    let err = parse("{\n  \"tables\": [,]\n}").unwrap_err();
    assert!(matches!(err, ConfigError::Json { line: 2, .. }), "{err:?}");
}

#[test]
fn included_database_resources_need_the_file() {
    let text = edited(TABLESDB, |v| {
        v.as_object_mut().unwrap().remove("tables");
        v["includes"] = json!({"tables": "appwrite/tables.json"});
    });
    assert_eq!(
        parse(&text).unwrap_err(),
        ConfigError::Included {
            resource: "tables".into(),
            file: "appwrite/tables.json".into()
        }
    );
}

#[test]
fn read_file_follows_includes() {
    let dir = tempfile::tempdir().unwrap();
    let mut root: Value = serde_json::from_str(TABLESDB).unwrap();
    let tables = root.as_object_mut().unwrap().remove("tables").unwrap();
    root["includes"] = json!({"tables": "appwrite/tables.json", "functions": "functions.json"});
    std::fs::create_dir(dir.path().join("appwrite")).unwrap();
    std::fs::write(dir.path().join("appwrite/tables.json"), tables.to_string()).unwrap();
    let path = dir.path().join("appwrite.config.json");
    std::fs::write(&path, root.to_string()).unwrap();
    assert_eq!(read_file(&path).unwrap(), parse(TABLESDB).unwrap());

    root["includes"]["tables"] = json!("../tables.json");
    std::fs::write(&path, root.to_string()).unwrap();
    let found = problems(read_file(&path).unwrap_err());
    assert_eq!(
        found,
        ["includes.tables: \"../tables.json\" must be a relative path inside the project"]
    );
}

#[test]
fn merge_replaces_one_database_and_keeps_the_rest() {
    let base: Value = serde_json::from_str(TABLESDB).unwrap();
    let exported = export("library", "Library v2", &[everything(), authors()]).unwrap();
    let merged = merge_into(&base, &exported).unwrap();
    let keys: Vec<&String> = merged.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "projectId",
            "projectName",
            "endpoint",
            "functions",
            "tablesDB",
            "tables",
            "buckets"
        ]
    );
    assert_eq!(merged["functions"], base["functions"]);
    assert_eq!(merged["tablesDB"][0]["name"], "Library v2");
    assert_eq!(merged["tablesDB"][1], base["tablesDB"][1]);
    let config = parse_value(&merged).unwrap();
    assert_eq!(config.table_schemas("library"), [everything(), authors()]);
    assert_eq!(
        config.tables("metrics"),
        parse(TABLESDB).unwrap().tables("metrics")
    );

    // A new database is added after the others.
    let other = export("archive", "Archive", &[authors()]).unwrap();
    let merged = merge_into(&base, &other).unwrap();
    assert_eq!(merged["tablesDB"][2]["$id"], "archive");
    assert_eq!(merged["tables"].as_array().unwrap().len(), 4);
}

#[test]
fn merge_refuses_files_it_would_corrupt() {
    let legacy: Value = serde_json::from_str(LEGACY).unwrap();
    let exported = export("shop", "Shop", &[authors()]).unwrap();
    assert_eq!(
        problems(merge_into(&legacy, &exported).unwrap_err()),
        [
            "databases (shop): the file lists this database as a legacy one; it cannot also be a TablesDB one"
        ]
    );
    let old: Value = serde_json::from_str(PRE_ONE).unwrap();
    assert!(matches!(
        merge_into(&old, &exported),
        Err(ConfigError::UnsupportedVersion { .. })
    ));
}

#[test]
fn what_the_format_cannot_hold_is_not_exported() {
    let mut index = IndexSchema::new("by_title", IndexKind::Key, ["title"]);
    index.lengths = vec![Some(16)];
    let table = TableSchema::new("books", "Books")
        .column(ColumnSchema::varchar("title", 200))
        .index(index);
    assert_eq!(
        export("app", "App", &[table]).unwrap_err().to_string(),
        "table \"books\": index \"by_title\": the CLI's format has no prefix lengths (`lengths`)"
    );
    let vector =
        ColumnSchema::from_model(&json!({"key": "embedding", "type": "vector", "size": 3}))
            .unwrap();
    let table = TableSchema::new("docs", "Docs").column(vector);
    assert!(matches!(
        export("app", "App", &[table]),
        Err(ConfigError::Unexportable { what, .. }) if what == "column \"embedding\""
    ));
}

#[test]
fn write_file_replaces_the_file_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("appwrite.config.json");
    let document = document("p", &export("app", "App", &[authors()]).unwrap());
    write_file(&path, &document).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        to_pretty_string(&document)
    );
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file is left");

    let missing = dir.path().join("no/such/dir/appwrite.config.json");
    assert!(matches!(
        write_file(&missing, &document),
        Err(ConfigError::Io { .. })
    ));
    assert!(!dir.path().join("no").exists());
}

#[test]
fn unbounded_numbers_are_written_without_bounds_and_read_from_pulled_extremes() {
    let text = exported_text(&[everything()]);
    let value: Value = serde_json::from_str(&text).unwrap();
    let columns = value["tables"][0]["columns"].as_array().unwrap();
    let column = |key: &str| columns.iter().find(|c| c["key"] == key).unwrap();
    // The CLI's schema refuses a double's extremes (it reads bounds as 64-bit integers), and
    // `push` sends no bound for a missing one.
    assert_eq!(column("price")["min"], json!(0.5));
    assert!(column("price").get("max").is_none());
    assert!(column("views").get("max").is_none());
    assert!(column("ratings").get("min").is_none());
    // What `pull` writes for an unbounded double still reads as unbounded.
    let pulled = edited(TABLESDB, |v| {
        v["tables"][1]["columns"][2]["min"] = json!(-f64::MAX);
        v["tables"][1]["columns"][2]["max"] = json!(f64::MAX);
    });
    let books = &parse(&pulled).unwrap().table_schemas("library")[1];
    assert_eq!(
        books.find_column("price").unwrap().kind,
        ColumnKind::Float {
            min: None,
            max: None
        }
    );
    // A float bound beyond what the CLI reads cannot be exported.
    let huge = TableSchema::new("t", "T").column(ColumnSchema::new(
        "x",
        ColumnKind::Float {
            min: None,
            max: Some(1e20),
        },
    ));
    assert_eq!(
        export("app", "App", &[huge]).unwrap_err().to_string(),
        "table \"t\": column \"x\": the CLI reads bounds as 64-bit integers and refuses 1e20"
    );
}

#[test]
fn encrypted_columns_are_written_and_read() {
    let declared = vec![
        TableSchema::new("patients", "Patients")
            .column(ColumnSchema::varchar("ssn", 150).required().encrypt())
            .column(ColumnSchema::new("notes", ColumnKind::Text).encrypt())
            .column(ColumnSchema::varchar("name", 64)),
    ];
    let text = exported_text(&declared);
    let file: Value = serde_json::from_str(&text).unwrap();
    let columns = &file["tables"][0]["columns"];
    assert_eq!(columns[0]["encrypt"], json!(true));
    assert_eq!(columns[1]["encrypt"], json!(true));
    assert_eq!(columns[2]["encrypt"], json!(false));
    let parsed = parse(&text).unwrap().table_schemas("app");
    assert_eq!(parsed, declared);
    assert_eq!(parsed[0].fingerprint(), declared[0].fingerprint());
}
