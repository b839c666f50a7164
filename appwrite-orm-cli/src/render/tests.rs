//! The generator on tables described as a server answers them.

use appwrite_orm::api::Table;
use serde_json::{Value, json};

use super::{GenerateError, generate, generate_modules};

fn table(value: Value) -> Table {
    Table::from_json(&value).unwrap()
}

fn fixture() -> Vec<Table> {
    vec![
        table(json!({
            "$id": "users", "name": "Users", "rowSecurity": true,
            "$permissions": ["update(\"any\")", "read(\"any\")"],
            "columns": [
                {"key": "type", "type": "string", "format": "enum", "elements": ["admin", "guest-user", "1st"], "size": 255, "required": true},
                {"key": "2fa", "type": "boolean", "required": false, "default": false},
                {"key": "displayName", "type": "varchar", "size": 64, "required": true},
                {"key": "display_name", "type": "varchar", "size": 32, "required": false},
                {"key": "score", "type": "double", "required": false, "min": 0, "max": 10.5, "default": 2.5},
                {"key": "age", "type": "integer", "required": false, "min": 0, "max": 150},
                {"key": "tags", "type": "varchar", "size": 20, "array": true, "required": false},
                {"key": "home", "type": "point", "required": false, "default": [1.0, 2.0]},
                {"key": "vec", "type": "vector", "required": false, "size": 3},
            ],
            "indexes": [
                {"key": "by_name", "type": "unique", "columns": ["displayName"], "orders": ["DESC"]},
                {"key": "prefix", "type": "key", "columns": ["display_name", "age"], "lengths": [8, null]},
                {"key": "by_tags", "type": "key", "columns": ["tags"]},
                {"key": "recent", "type": "key", "columns": ["$createdAt", "age"], "orders": ["DESC", "ASC"]},
            ],
        })),
        table(json!({
            "$id": "blog-posts", "name": "Blog posts", "enabled": false,
            "columns": [
                {"key": "author", "type": "relationship", "relatedTable": "users", "relationType": "manyToOne", "twoWay": true, "twoWayKey": "posts", "onDelete": "setNull", "side": "parent"},
            ],
        })),
    ]
}

#[test]
fn the_same_tables_in_any_order_give_the_same_bytes() {
    let tables = fixture();
    let mut reversed = tables.clone();
    reversed.reverse();
    for t in &mut reversed {
        t.columns.reverse();
        t.indexes.reverse();
    }
    let once = generate(&tables, "app").unwrap();
    assert_eq!(once, generate(&reversed, "app").unwrap());
    assert_eq!(once, generate(&tables, "app").unwrap());
}

#[test]
fn keys_that_are_not_identifiers_keep_their_key() {
    let code = generate(&fixture(), "app").unwrap();
    assert!(
        code.contains("#[column(rename = \"type\")]\n    pub type_: UsersType,"),
        "{code}"
    );
    assert!(
        code.contains("#[column(rename = \"2fa\", default = false)]\n    pub _2fa: bool,"),
        "{code}"
    );
    assert!(
        code.contains(
            "#[column(rename = \"displayName\", size = 64)]\n    pub display_name: String,"
        ),
        "{code}"
    );
    // `display_name` sorts after `displayName` and finds its name taken.
    assert!(code.contains("#[column(rename = \"display_name\", size = 32)]\n    pub display_name_2: Option<String>,"), "{code}");
    assert!(code.contains("pub struct BlogPosts"), "{code}");
    assert!(
        code.contains("#[table(id = \"blog-posts\", name = \"Blog posts\")]"),
        "{code}"
    );
}

#[test]
fn every_setting_the_derive_has_is_declared() {
    let code = generate(&fixture(), "app").unwrap();
    for expected in [
        "#[table(\n    id = \"users\",\n    name = \"Users\",\n    row_security,\n    permissions(\"read(\\\"any\\\")\", \"update(\\\"any\\\")\")\n)]",
        "#[index(key = \"by_name\", unique, columns(display_name), orders(desc))]",
        "#[index(key = \"recent\", columns(created_at, age), orders(desc, asc))]",
        "#[index(key = \"prefix\", columns(display_name_2, age), lengths(8, none))]",
        "#[column(min = 0.0, max = 10.5, default = 2.5)]\n    pub score: f64,",
        "#[column(min = 0, max = 150)]\n    pub age: Option<i64>,",
        "#[column(size = 20)]\n    pub tags: Vec<String>,",
        "#[column_enum(rename = \"guest-user\")]\n    GuestUser,",
        "#[column_enum(rename = \"1st\")]\n    V1st,",
        "            table = \"users\",\n            kind = many_to_one,\n            on_delete = set_null,\n            two_way_key = \"posts\"\n",
        "pub author: Option<Ref<Users>>,",
    ] {
        assert!(code.contains(expected), "missing {expected}\n{code}");
    }
}

#[test]
fn what_the_derive_cannot_declare_is_said_in_doc_comments() {
    let code = generate(&fixture(), "app").unwrap();
    for expected in [
        "Not declared: column `vec` has the type `vector`",
        "Not declared: index `by_tags` covers the array column `tags`",
        "Its default `[1.0,2.0]` cannot be written",
        "The table is disabled in Appwrite",
    ] {
        assert!(code.contains(expected), "missing {expected}\n{code}");
    }
    assert!(code.contains("pub home: Option<Point>,"), "{code}");
    assert!(!code.contains("pub vec"), "{code}");
}

#[test]
fn directory_output_has_one_module_per_table() {
    let files = generate_modules(&fixture(), "app").unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
    assert_eq!(names, ["mod.rs", "blog_posts.rs", "users.rs"]);
    assert!(
        files[0]
            .source
            .contains("mod users;\npub use users::{Users, UsersType};"),
        "{}",
        files[0].source
    );
    assert!(
        files[1].source.contains("use super::Users;"),
        "{}",
        files[1].source
    );
    assert!(
        files[2].source.contains("pub enum UsersType"),
        "{}",
        files[2].source
    );
}

#[test]
fn a_table_listed_twice_is_refused() {
    let mut tables = fixture();
    tables.push(tables[0].clone());
    assert!(matches!(
        generate(&tables, "app"),
        Err(GenerateError::DuplicateTable(id)) if id == "users"
    ));
}

#[test]
fn the_output_parses_as_rust() {
    let code = generate(&fixture(), "app").unwrap();
    syn::parse_file(&code).unwrap();
}

#[test]
fn doc_comments_wrap_between_code_spans() {
    let lines = super::doc_lines(&format!("{} `migrate baseline 1` next", "word ".repeat(18)));
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines.iter().all(|l| l.matches('`').count() % 2 == 0),
        "{lines:?}"
    );
    assert!(lines.iter().all(|l| l.len() <= 97), "{lines:?}");
}

#[test]
fn relationships_to_tables_outside_the_pull_hold_ids() {
    let tables = vec![table(json!({
        "$id": "posts", "name": "Posts",
        "columns": [
            {"key": "editor", "type": "relationship", "relatedTable": "staff", "relationType": "oneToOne", "twoWay": false, "twoWayKey": "posts", "onDelete": "restrict", "side": "parent"},
            {"key": "tags", "type": "relationship", "relatedTable": "tags", "relationType": "manyToMany", "twoWay": false, "twoWayKey": "old_key", "onDelete": "cascade", "side": "parent"},
        ],
    }))];
    let code = generate(&tables, "app").unwrap();
    assert!(code.contains("#[column(relation(table = \"staff\", kind = one_to_one))]\n    pub editor: Option<RowId>,"), "{code}");
    assert!(code.contains("pub tags: Vec<RowId>,"), "{code}");
    assert!(code.contains("on_delete = cascade"), "{code}");
    assert!(
        code.contains("The related table `staff` was not part of the pull"),
        "{code}"
    );
    // The default twin key of a one-way relationship (this table's id) is no news; another is.
    assert!(code.contains("the twin key `old_key`"), "{code}");
    assert!(!code.contains("the twin key `posts`"), "{code}");
}

#[test]
fn the_database_is_named_on_every_model_when_asked() {
    let declare = super::Declare { database: true };
    let code = super::generate_with(&fixture(), "analytics", declare).unwrap();
    assert_eq!(
        code.matches("database = \"analytics\"").count(),
        2,
        "{code}"
    );
    // Not by default: the models belong to the database the binary connects to.
    assert!(
        !generate(&fixture(), "analytics")
            .unwrap()
            .contains("database =")
    );
    let modules = super::generate_modules_with(&fixture(), "analytics", declare).unwrap();
    let named = modules
        .iter()
        .filter(|m| m.source.contains("database = \"analytics\""))
        .count();
    assert_eq!(named, 2);
}

#[test]
fn encrypted_columns_declare_encrypt() {
    let tables = vec![table(json!({
        "$id": "patients", "name": "Patients",
        "columns": [
            {"key": "ssn", "type": "varchar", "size": 150, "required": true, "encrypt": true},
            {"key": "notes", "type": "text", "required": false, "encrypt": true},
            {"key": "pin", "type": "varchar", "size": 100, "required": false, "encrypt": true},
            {"key": "name", "type": "varchar", "size": 150, "required": false, "encrypt": false},
        ],
    }))];
    let code = generate(&tables, "app").unwrap();
    for expected in [
        "#[column(size = 150, encrypt)]\n    pub ssn: String,",
        "#[column(text, encrypt)]\n    pub notes: Option<String>,",
        "#[column(size = 150)]\n    pub name: Option<String>,",
        "#[column(size = 100)]\n    pub pin: Option<String>,",
        "encrypted at size 100",
    ] {
        assert!(code.contains(expected), "missing {expected}\n{code}");
    }
}
