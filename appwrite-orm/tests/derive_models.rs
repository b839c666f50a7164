//! `#[derive(Table)]` and `#[derive(ColumnEnum)]` on the seed's models: the generated schemas,
//! row conversions, patch builders, typed filters, validation and registration.

// Clippy before the fix of rust-clippy#13238 reads every attribute as a tree of unique paths and
// flags `orders(desc, desc)` (or two indexes sharing a flag) as duplicated.
#![allow(clippy::duplicated_attributes)]

use appwrite_orm::Error;
use appwrite_orm::backend::Row;
use appwrite_orm::model::{ValueRule, registered_tables};
use appwrite_orm::prelude::*;
use appwrite_orm::schema::{
    ColumnKind, ColumnSchema, IndexKind, IndexSchema, OnDelete, RelationType, Relationship,
    SortOrder, TableSchema,
};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// The models
// ---------------------------------------------------------------------------------------------

/// A user's role; stored in snake_case, one variant renamed.
#[derive(ColumnEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[column_enum(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Member,
    #[column_enum(rename = "guest")]
    Visitor,
}

/// The design document's user.
#[derive(Table, Debug, Clone, PartialEq)]
#[table(id = "users", name = "Users")]
#[index(key = "by_email", unique, columns(email))]
pub struct User {
    #[column(id)]
    pub id: RowId,
    #[column(size = 128)]
    pub name: String,
    #[column(email)]
    pub email: String,
    #[column(size = 20, since = 2)]
    pub phone: Option<String>,
    #[column(default = false, since = 2)]
    pub is_verified: bool,
    pub role: Role,
    #[column(min = 0)]
    pub view_count: i64,
    pub tags: Vec<String>,
    #[column(created_at)]
    pub created_at: DateTime,
}

/// A product category, named through serde's attributes (no serde derive needed).
#[derive(ColumnEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Books,
    Electronics,
    #[serde(rename = "home-garden")]
    HomeGarden,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(id = "products")]
#[index(key = "by_category", columns(category, price), orders(asc, desc))]
pub struct Product {
    #[column(id)]
    pub id: RowId,
    #[column(size = 200)]
    pub name: String,
    #[column(min = 0)]
    pub price: f64,
    /// The price as a legacy `string` column (a server before 1.9).
    #[column(string, size = 32)]
    pub price_text: Option<String>,
    pub stock: u32,
    pub category: Category,
    pub tags: Vec<String>,
    #[column(updated_at)]
    pub updated_at: Option<DateTime>,
    #[column(sequence)]
    pub sequence: i64,
    #[column(permissions)]
    pub permissions: Vec<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(
    id = "authors",
    name = "Authors",
    row_security,
    permissions("read(\"any\")", "create(\"users\")")
)]
#[index(key = "by_email", unique, columns(email))]
pub struct Author {
    #[column(id)]
    pub id: RowId,
    #[column(size = 100)]
    pub name: String,
    #[column(email)]
    pub email: String,
    #[column(bigint, min = 0, default = 0)]
    pub followers: i64,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(id = "posts", name = "Posts")]
#[index(key = "by_slug", unique, columns(slug))]
#[index(key = "body_search", fulltext, columns(body))]
#[index(key = "recent", columns(published, published_at), orders(desc, desc))]
pub struct Post {
    #[column(id)]
    pub id: RowId,
    #[column(size = 200)]
    pub title: String,
    #[column(size = 200)]
    pub slug: String,
    #[column(text)]
    pub body: String,
    #[column(relation(
        table = "authors",
        kind = many_to_one,
        on_delete = cascade,
        two_way,
        two_way_key = "posts"
    ))]
    pub author_id: RowId,
    #[column(default = false)]
    pub published: bool,
    pub published_at: Option<DateTime>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(id = "comments", name = "Comments", since = 2)]
#[index(key = "by_created", columns(created_at), orders(desc))]
pub struct Comment {
    #[column(id)]
    pub id: RowId,
    #[column(relation(table = "posts", on_delete = cascade))]
    pub post: RowId,
    #[column(email, rename = "author")]
    pub author_email: String,
    #[column(size = 2000)]
    pub body: String,
    #[column(created_at)]
    pub created_at: DateTime,
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn date(s: &str) -> DateTime {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

fn ada() -> User {
    User {
        id: RowId::new("ada").unwrap(),
        name: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        phone: None,
        is_verified: true,
        role: Role::Admin,
        view_count: 12,
        tags: vec!["math".into(), "engines".into()],
        created_at: date("2024-05-01T10:00:00.000+00:00"),
    }
}

/// A row as Appwrite returns it: the document plus system fields.
fn row(document: serde_json::Map<String, Value>, system: Value) -> Row {
    let mut row = Row(document);
    for (k, v) in system.as_object().unwrap() {
        row.insert(k.clone(), v.clone());
    }
    row
}

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

#[test]
fn user_schema_matches_the_hand_built_one() {
    let expected = TableSchema::new("users", "Users")
        .column(ColumnSchema::varchar("name", 128).required())
        .column(ColumnSchema::new("email", ColumnKind::Email).required())
        .column(ColumnSchema::varchar("phone", 20).since(2))
        .column(
            ColumnSchema::boolean("is_verified")
                .default_value(false)
                .since(2),
        )
        .column(ColumnSchema::enumeration("role", ["admin", "member", "guest"]).required())
        .column(
            ColumnSchema::new(
                "view_count",
                ColumnKind::Integer {
                    min: Some(0),
                    max: None,
                },
            )
            .required(),
        )
        .column(ColumnSchema::varchar("tags", 255).array())
        .index(IndexSchema::new("by_email", IndexKind::Unique, ["email"]));
    assert_eq!(User::schema(), &expected);
    User::schema().validate().unwrap();
}

#[test]
fn product_schema_matches_the_hand_built_one() {
    let expected = TableSchema::new("products", "Product")
        .column(ColumnSchema::varchar("name", 200).required())
        .column(
            ColumnSchema::new(
                "price",
                ColumnKind::Float {
                    min: Some(0.0),
                    max: None,
                },
            )
            .required(),
        )
        .column(ColumnSchema::new(
            "price_text",
            ColumnKind::String { size: 32 },
        ))
        .column(
            ColumnSchema::new(
                "stock",
                ColumnKind::Integer {
                    min: Some(0),
                    max: Some(i64::from(u32::MAX)),
                },
            )
            .required(),
        )
        .column(
            ColumnSchema::enumeration("category", ["books", "electronics", "home-garden"])
                .required(),
        )
        .column(ColumnSchema::varchar("tags", 255).array())
        .index(
            IndexSchema::new("by_category", IndexKind::Key, ["category", "price"])
                .orders([SortOrder::Asc, SortOrder::Desc]),
        );
    assert_eq!(Product::schema(), &expected);
    Product::schema().validate().unwrap();
}

#[test]
fn author_schema_has_table_settings_and_bigint() {
    let mut expected = TableSchema::new("authors", "Authors")
        .column(ColumnSchema::varchar("name", 100).required())
        .column(ColumnSchema::new("email", ColumnKind::Email).required())
        .column(
            ColumnSchema::new(
                "followers",
                ColumnKind::BigInt {
                    min: Some(0),
                    max: None,
                },
            )
            .default_value(0),
        )
        .index(IndexSchema::new("by_email", IndexKind::Unique, ["email"]));
    expected.row_security = true;
    expected.permissions = vec!["read(\"any\")".into(), "create(\"users\")".into()];
    assert_eq!(Author::schema(), &expected);
    Author::schema().validate().unwrap();
}

#[test]
fn post_schema_has_a_relationship_and_text_indexes() {
    let expected = TableSchema::new("posts", "Posts")
        .column(ColumnSchema::varchar("title", 200).required())
        .column(ColumnSchema::varchar("slug", 200).required())
        .column(ColumnSchema::new("body", ColumnKind::Text).required())
        .column(ColumnSchema::new(
            "author_id",
            ColumnKind::Relationship(Relationship {
                related_table: "authors".into(),
                relation_type: RelationType::ManyToOne,
                two_way: true,
                two_way_key: Some("posts".into()),
                on_delete: OnDelete::Cascade,
                side: Default::default(),
            }),
        ))
        .column(ColumnSchema::boolean("published").default_value(false))
        .column(ColumnSchema::datetime("published_at"))
        .index(IndexSchema::new("by_slug", IndexKind::Unique, ["slug"]))
        .index(IndexSchema::new(
            "body_search",
            IndexKind::Fulltext,
            ["body"],
        ))
        .index(
            IndexSchema::new("recent", IndexKind::Key, ["published", "published_at"])
                .orders([SortOrder::Desc, SortOrder::Desc]),
        );
    assert_eq!(Post::schema(), &expected);
    Post::schema().validate().unwrap();
}

#[test]
fn comment_schema_follows_renames_and_the_tables_since() {
    let expected = TableSchema::new("comments", "Comments")
        .since(2)
        .column(
            ColumnSchema::new(
                "post",
                ColumnKind::Relationship(Relationship {
                    related_table: "posts".into(),
                    relation_type: RelationType::ManyToOne,
                    two_way: false,
                    two_way_key: None,
                    on_delete: OnDelete::Cascade,
                    side: Default::default(),
                }),
            )
            .since(2),
        )
        .column(
            ColumnSchema::new("author", ColumnKind::Email)
                .required()
                .since(2),
        )
        .column(ColumnSchema::varchar("body", 2000).required().since(2))
        .index(
            IndexSchema::new("by_created", IndexKind::Key, ["$createdAt"])
                .orders([SortOrder::Desc])
                .since(2),
        );
    assert_eq!(Comment::schema(), &expected);
    Comment::schema().validate().unwrap();
}

#[test]
fn schema_is_built_once() {
    assert!(std::ptr::eq(User::schema(), User::schema()));
}

#[test]
fn every_model_is_registered() {
    let ids: Vec<&str> = registered_tables().iter().map(|t| t.id.as_str()).collect();
    for id in ["authors", "comments", "posts", "products", "users"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
}

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

#[test]
fn to_document_holds_the_columns_only() {
    let document = ada().to_document();
    assert_eq!(
        Value::Object(document),
        json!({
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "phone": null,
            "is_verified": true,
            "role": "admin",
            "view_count": 12,
            "tags": ["math", "engines"],
        })
    );
}

#[test]
fn rows_round_trip_with_system_fields() {
    let user = ada();
    let row = row(
        user.to_document(),
        json!({
            "$id": "ada",
            "$sequence": "7",
            "$createdAt": "2024-05-01T10:00:00.000+00:00",
            "$updatedAt": "2024-05-02T10:00:00.000+00:00",
            "$permissions": [],
            "$tableId": "users",
            "$databaseId": "default",
        }),
    );
    assert_eq!(User::from_row(&row).unwrap(), user);
}

#[test]
fn null_reads_as_the_default_or_none() {
    let row = row(
        serde_json::Map::new(),
        json!({
            "$id": "old",
            "name": "Old",
            "email": "old@example.com",
            "phone": null,
            "role": "member",
            "view_count": 0,
            "$createdAt": "2023-01-01T00:00:00.000+00:00",
        }),
    );
    let user = User::from_row(&row).unwrap();
    assert!(
        !user.is_verified,
        "a missing is_verified reads as its default"
    );
    assert_eq!(user.phone, None);
    assert_eq!(user.tags, Vec::<String>::new());
}

#[test]
fn from_row_errors_name_table_and_column() {
    let mut document = ada().to_document();
    document.insert("role".into(), json!("owner"));
    let row = row(
        document,
        json!({"$id": "ada", "$createdAt": "2024-05-01T10:00:00Z"}),
    );
    match User::from_row(&row) {
        Err(Error::Decode {
            table,
            column,
            message,
        }) => {
            assert_eq!(table, "users");
            assert_eq!(column, "role");
            assert_eq!(
                message,
                r#""owner" is not one of "admin", "member", "guest""#
            );
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn system_fields_sequence_and_permissions() {
    let product = Product {
        id: RowId::new("p1").unwrap(),
        name: "Lamp".into(),
        price: 19.5,
        price_text: Some("19.50".into()),
        stock: 3,
        category: Category::HomeGarden,
        tags: vec![],
        updated_at: None,
        sequence: 0,
        permissions: vec!["read(\"any\")".into()],
    };
    let document = product.to_document();
    assert_eq!(document["category"], json!("home-garden"));
    assert_eq!(document["$permissions"], json!(["read(\"any\")"]));
    assert!(!document.contains_key("$id"));
    assert!(!document.contains_key("$sequence"));
    assert!(!document.contains_key("updated_at"));

    // Appwrite 1.9 sends `$sequence` as a string of digits, older servers as a number.
    for sequence in [json!("42"), json!(42)] {
        let row = row(
            document.clone(),
            json!({"$id": "p1", "$sequence": sequence, "$updatedAt": "2024-05-02T10:00:00.000+00:00"}),
        );
        let read = Product::from_row(&row).unwrap();
        assert_eq!(read.sequence, 42);
        assert_eq!(read.updated_at, Some(date("2024-05-02T10:00:00Z")));
        assert_eq!(read.permissions, product.permissions);
        assert_eq!(read.price_text.as_deref(), Some("19.50"));
    }

    let mut without = product.clone();
    without.permissions.clear();
    assert!(!without.to_document().contains_key("$permissions"));
}

#[test]
fn relationships_read_ids_or_related_rows() {
    let post = |author: Value| {
        row(
            serde_json::Map::new(),
            json!({
                "$id": "p1",
                "title": "Hello",
                "slug": "hello",
                "body": "…",
                "author_id": author,
                "published_at": null,
            }),
        )
    };
    let by_id = Post::from_row(&post(json!("a1"))).unwrap();
    assert_eq!(by_id.author_id.as_str(), "a1");
    assert!(!by_id.published, "a missing published reads as its default");
    let by_row = Post::from_row(&post(json!({"$id": "a1", "name": "Ada"}))).unwrap();
    assert_eq!(by_row.author_id.as_str(), "a1");
}

#[test]
fn row_ids() {
    let mut user = ada();
    assert_eq!(user.row_id().map(RowId::as_str), Some("ada"));
    user.id = RowId::default();
    assert_eq!(user.row_id(), None);
    user.set_row_id(RowId::new("new-id").unwrap());
    assert_eq!(user.row_id().map(RowId::as_str), Some("new-id"));
}

// ---------------------------------------------------------------------------------------------
// Patches
// ---------------------------------------------------------------------------------------------

#[test]
fn patch_builder_sets_columns_and_nulls() {
    let patch: Patch<User> = User::patch()
        .phone(None)
        .is_verified(true)
        .name("Ada")
        .view_count(5)
        .role(Role::Member)
        .tags(vec!["x".to_owned()])
        .into();
    assert_eq!(
        Value::Object(patch.into_document()),
        json!({
            "phone": null,
            "is_verified": true,
            "name": "Ada",
            "view_count": 5,
            "role": "member",
            "tags": ["x"],
        })
    );

    let some: Patch<User> = User::patch().phone("555-0100").into();
    assert_eq!(some.document()["phone"], json!("555-0100"));
    let some: Patch<User> = User::patch().phone(Some("555".to_owned())).into();
    assert_eq!(some.document()["phone"], json!("555"));

    let empty = User::patch();
    assert_eq!(format!("{empty:?}"), "UserPatch({})");
    assert_eq!(empty.clone(), UserPatch::default());
    assert!(Patch::<User>::from(empty).is_empty());

    let renamed: Patch<Comment> = Comment::patch().author_email("a@b.co").into();
    assert_eq!(renamed.document()["author"], json!("a@b.co"));
    let stock: Patch<Product> = Product::patch().stock(7).price(2.5).into();
    assert_eq!(
        Value::Object(stock.into_document()),
        json!({"stock": 7, "price": 2.5})
    );
}

// ---------------------------------------------------------------------------------------------
// Typed columns and filters
// ---------------------------------------------------------------------------------------------

#[test]
fn column_constants_carry_keys() {
    assert_eq!(User::NAME.key(), "name");
    assert_eq!(User::ID.key(), "$id");
    assert_eq!(User::CREATED_AT.key(), "$createdAt");
    // Generated for the system columns no field holds.
    assert_eq!(User::UPDATED_AT.key(), "$updatedAt");
    assert_eq!(User::SEQUENCE.key(), "$sequence");
    assert_eq!(Product::SEQUENCE.key(), "$sequence");
    assert_eq!(Product::PERMISSIONS.key(), "$permissions");
    assert_eq!(Comment::AUTHOR_EMAIL.key(), "author");
    assert_eq!(Comment::POST.key(), "post");
}

#[test]
fn typed_filters_produce_appwrite_queries() {
    assert_eq!(
        User::EMAIL
            .ends_with("@example.com")
            .and(User::VIEW_COUNT.gt(10))
            .into_query(),
        Query::and([
            Query::ends_with("email", "@example.com"),
            Query::greater_than("view_count", 10),
        ])
    );
    assert_eq!(User::PHONE.is_null().into_query(), Query::is_null("phone"));
    assert_eq!(
        User::TAGS.contains_all(["a", "b"]).into_query(),
        Query::contains_all("tags", [json!("a"), json!("b")])
    );
    assert_eq!(
        User::ROLE.eq(Role::Admin).into_query(),
        Query::equal("role", [json!("admin")])
    );
    assert_eq!(
        User::ID.eq("abc").into_query(),
        Query::equal("$id", [json!("abc")])
    );
    assert_eq!(
        User::CREATED_AT.desc().into_query(),
        Query::order_desc("$createdAt")
    );
    assert_eq!(
        Product::CATEGORY
            .is_in([Category::Books, Category::HomeGarden])
            .into_query(),
        Query::equal("category", [json!("books"), json!("home-garden")])
    );
    assert_eq!(
        Product::PRICE.between(1.0, 9.5).into_query(),
        Query::between("price", 1.0, 9.5)
    );
    assert_eq!(
        Post::PUBLISHED_AT.is_not_null().into_query(),
        Query::is_not_null("published_at")
    );
    assert_eq!(
        Post::TITLE.starts_with("Hello").into_query(),
        Query::starts_with("title", "Hello")
    );
    assert_eq!(
        User::PHONE.starts_with("+44").into_query(),
        Query::starts_with("phone", "+44")
    );
    assert_eq!(
        Post::TITLE.regex("^Hel+o").into_query(),
        Query::regex("title", "^Hel+o")
    );
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

#[test]
fn validate_reports_every_violation_naming_columns() {
    ada().validate().unwrap();
    let mut user = ada();
    user.name = "x".repeat(129);
    user.email = "not an email".into();
    user.view_count = -1;
    user.phone = Some("0".repeat(21));
    let Err(Error::Validation(errors)) = user.validate() else {
        panic!("expected validation errors");
    };
    assert_eq!(errors.table, "users");
    let columns: Vec<(&str, ValueRule)> = errors
        .violations
        .iter()
        .map(|v| (v.column.as_str(), v.rule))
        .collect();
    assert_eq!(
        columns,
        [
            ("name", ValueRule::Type),
            ("email", ValueRule::Format),
            ("phone", ValueRule::Type),
            ("view_count", ValueRule::Format),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

#[test]
fn column_enum_elements_and_conversions() {
    assert_eq!(
        <Role as ColumnType>::column("r"),
        ColumnSchema::enumeration("r", ["admin", "member", "guest"]).required()
    );
    assert_eq!(Role::Visitor.to_value(), json!("guest"));
    assert_eq!(Role::from_value(&json!("member")), Ok(Role::Member));
    assert_eq!(
        Role::from_value(&json!("Visitor")),
        Err(r#""Visitor" is not one of "admin", "member", "guest""#.to_owned())
    );
    assert_eq!(
        Role::from_value(&json!(3)),
        Err("expected an enum element string, found a number".to_owned())
    );
    assert_eq!(Category::Electronics.to_value(), json!("electronics"));
    assert_eq!(
        Category::from_value(&json!("home-garden")),
        Ok(Category::HomeGarden)
    );
    assert!(!<Option<Category> as ColumnType>::column("c").required);
}

/// Every `rename_all` rule, through both attribute namespaces.
#[test]
fn column_enum_rename_rules() {
    #[derive(ColumnEnum, Debug, PartialEq)]
    #[column_enum(rename_all = "SCREAMING_SNAKE_CASE")]
    enum Screaming {
        OnHold,
    }
    #[derive(ColumnEnum, Debug, PartialEq)]
    #[serde(rename_all = "kebab-case")]
    enum Kebab {
        OnHold,
    }
    #[derive(ColumnEnum, Debug, PartialEq)]
    #[serde(rename_all = "camelCase")]
    enum Camel {
        OnHold,
    }
    #[derive(ColumnEnum, Debug, PartialEq)]
    #[column_enum(rename_all = "UPPERCASE")]
    enum Upper {
        OnHold,
    }
    #[derive(ColumnEnum, Debug, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    enum Pascal {
        OnHold,
    }
    #[derive(ColumnEnum, Debug, PartialEq)]
    enum AsWritten {
        #[allow(non_camel_case_types)]
        on_Hold,
    }
    /// `column_enum` wins over `serde` when both name an element.
    #[derive(ColumnEnum, Debug, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Both {
        #[serde(rename = "serde")]
        #[column_enum(rename = "ours")]
        OnHold,
        Active,
    }
    assert_eq!(Screaming::OnHold.to_value(), json!("ON_HOLD"));
    assert_eq!(Kebab::OnHold.to_value(), json!("on-hold"));
    assert_eq!(Camel::OnHold.to_value(), json!("onHold"));
    assert_eq!(Upper::OnHold.to_value(), json!("ONHOLD"));
    assert_eq!(Pascal::OnHold.to_value(), json!("OnHold"));
    assert_eq!(AsWritten::on_Hold.to_value(), json!("on_Hold"));
    assert_eq!(Both::OnHold.to_value(), json!("ours"));
    assert_eq!(Both::Active.to_value(), json!("active"));
    assert_eq!(Both::from_value(&json!("ours")), Ok(Both::OnHold));
}

// ---------------------------------------------------------------------------------------------
// Shapes the derive accepts
// ---------------------------------------------------------------------------------------------

/// A model without system fields, with private fields, raw identifiers and every text kind.
mod shapes {
    use super::*;

    pub type Label = String;

    #[derive(Table, Debug, Clone, PartialEq)]
    pub struct AuditEntry {
        r#type: String,
        #[column(mediumtext)]
        details: String,
        #[column(longtext)]
        dump: Option<String>,
        #[column(url)]
        link: Option<String>,
        #[column(ip)]
        address: String,
        #[column(size = 10)]
        label: Label,
        #[column(required)]
        ids: Vec<i32>,
        #[column(min = -1.5, max = 1.5)]
        score: f32,
        #[column(min = 1, max = 5, default = 3)]
        stars: u8,
        #[column(default = "draft")]
        state: String,
        #[column(default = 0.5)]
        ratio: Option<f64>,
    }

    #[test]
    fn defaults_and_kinds() {
        let schema = AuditEntry::schema();
        assert_eq!(schema.id, "audit_entry");
        assert_eq!(schema.name, "AuditEntry");
        let kind = |key: &str| schema.find_column(key).unwrap().kind.clone();
        assert_eq!(kind("type"), ColumnKind::Varchar { size: 255 });
        assert_eq!(kind("details"), ColumnKind::MediumText);
        assert_eq!(kind("dump"), ColumnKind::LongText);
        assert_eq!(kind("link"), ColumnKind::Url);
        assert_eq!(kind("address"), ColumnKind::Ip);
        assert_eq!(kind("label"), ColumnKind::Varchar { size: 10 });
        assert_eq!(
            kind("score"),
            ColumnKind::Float {
                min: Some(-1.5),
                max: Some(1.5)
            }
        );
        assert_eq!(
            kind("stars"),
            ColumnKind::Integer {
                min: Some(1),
                max: Some(5)
            }
        );
        let ids = schema.find_column("ids").unwrap();
        assert!(ids.required && ids.array);
        let stars = schema.find_column("stars").unwrap();
        assert!(!stars.required);
        assert_eq!(stars.default, Some(json!(3)));
        assert_eq!(
            schema.find_column("state").unwrap().default,
            Some(json!("draft"))
        );
        assert_eq!(
            schema.find_column("ratio").unwrap().default,
            Some(json!(0.5))
        );
        schema.validate().unwrap();

        assert_eq!(AuditEntry::TYPE.key(), "type");
        assert_eq!(AuditEntry::ID.key(), "$id");
        let patch: Patch<AuditEntry> = AuditEntry::patch().r#type("login").stars(4).into();
        assert_eq!(
            Value::Object(patch.into_document()),
            json!({"type": "login", "stars": 4})
        );

        let entry = AuditEntry {
            r#type: "login".into(),
            details: String::new(),
            dump: None,
            link: None,
            address: "127.0.0.1".into(),
            label: "l".into(),
            ids: vec![1],
            score: 0.25,
            stars: 2,
            state: "done".into(),
            ratio: None,
        };
        assert_eq!(entry.row_id(), None);
        let mut row = Row(entry.to_document());
        let read = AuditEntry::from_row(&row).unwrap();
        assert_eq!(read, entry);
        row.remove("stars");
        row.insert("state".into(), Value::Null);
        let read = AuditEntry::from_row(&row).unwrap();
        assert_eq!((read.stars, read.state.as_str()), (3, "draft"));
        assert_eq!(read.ratio, None);
    }
}

/// A model declared inside a function registers like any other.
#[test]
fn models_inside_functions() {
    #[derive(Table, Debug)]
    #[table(id = "local_notes")]
    struct LocalNote {
        #[column(size = 10)]
        text: String,
    }
    let note = LocalNote { text: "hi".into() };
    assert_eq!(note.to_document()["text"], json!("hi"));
    assert_eq!(LocalNote::TEXT.key(), "text");
    assert!(registered_tables().iter().any(|t| t.id == "local_notes"));
}

/// `renamed_from` lands in the schema as migration metadata; rows, constants, patches and
/// indexes use the new key only.
#[test]
fn renamed_from_is_migration_metadata() {
    #[derive(Table, Debug)]
    #[table(id = "renamed_people")]
    #[index(key = "by_name", columns(name))]
    struct Person {
        #[column(id)]
        id: RowId,
        #[column(size = 128, renamed_from = "fullName")]
        name: String,
        #[column(email, rename = "mail", renamed_from = "email_address", since = 2)]
        email: Option<String>,
        nickname: Option<String>,
    }
    let expected = TableSchema::new("renamed_people", "Person")
        .column(
            ColumnSchema::varchar("name", 128)
                .required()
                .renamed_from("fullName"),
        )
        .column(
            ColumnSchema::new("mail", ColumnKind::Email)
                .renamed_from("email_address")
                .since(2),
        )
        .column(ColumnSchema::varchar("nickname", 255))
        .index(IndexSchema::new("by_name", IndexKind::Key, ["name"]));
    assert_eq!(Person::schema(), &expected);
    Person::schema().validate().unwrap();
    let person = Person {
        id: RowId::new("p1").unwrap(),
        name: "Ada".into(),
        email: None,
        nickname: None,
    };
    let document = person.to_document();
    assert_eq!(document["name"], json!("Ada"));
    assert!(!document.contains_key("fullName"));
    assert_eq!(Person::EMAIL.key(), "mail");
    let patch: Patch<Person> = Person::patch().name("Grace").into();
    assert_eq!(patch.document()["name"], json!("Grace"));
}

/// `encrypt` lands in the schema on varchar (default and sized) and the long text kinds.
#[test]
fn encrypt_marks_text_columns() {
    #[derive(Table, Debug)]
    #[table(id = "patients")]
    struct Patient {
        #[column(encrypt, size = 150)]
        ssn: String,
        #[column(encrypt)]
        nickname: Option<String>,
        #[column(encrypt, longtext)]
        history: Option<String>,
        name: String,
    }
    let expected = TableSchema::new("patients", "Patient")
        .column(ColumnSchema::varchar("ssn", 150).required().encrypt())
        .column(ColumnSchema::varchar("nickname", 255).encrypt())
        .column(ColumnSchema::new("history", ColumnKind::LongText).encrypt())
        .column(ColumnSchema::varchar("name", 255).required());
    assert_eq!(Patient::schema(), &expected);
    Patient::schema().validate().unwrap();
}
