//! The typed layer end to end, on the seed's models, over both backends: the embedded engine
//! and the HTTP backend talking to the emulator. Every case runs once per backend.

#![allow(clippy::duplicated_attributes)]

use std::collections::HashMap;

use appwrite_orm::model::{LineString, Point, Polygon, ValueRule};
use appwrite_orm::prelude::*;
use appwrite_orm::{Error, error::types};
use futures_util::TryStreamExt;
use serde_json::json;

#[derive(ColumnEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[column_enum(rename_all = "snake_case")]
pub enum Category {
    Books,
    Electronics,
    HomeGarden,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(id = "products", name = "Products")]
#[index(key = "by_sku", unique, columns(sku))]
pub struct Product {
    #[column(id)]
    pub id: RowId,
    #[column(size = 32)]
    pub sku: String,
    #[column(size = 200)]
    pub name: String,
    #[column(min = 0)]
    pub price: f64,
    pub stock: u32,
    pub category: Category,
    pub tags: Vec<String>,
    #[column(size = 500)]
    pub note: Option<String>,
    #[column(created_at)]
    pub created_at: DateTime,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(id = "authors", name = "Authors")]
#[index(key = "by_email", unique, columns(email))]
pub struct Author {
    #[column(id)]
    pub id: RowId,
    #[column(size = 100)]
    pub name: String,
    #[column(email)]
    pub email: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(id = "posts", name = "Posts")]
pub struct Post {
    #[column(id)]
    pub id: RowId,
    #[column(size = 200)]
    pub title: String,
    /// A plain id column (no Appwrite relationship): joined in the application.
    pub author_id: RowId,
    #[column(email)]
    pub author_email: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(id = "places", name = "Places")]
#[index(key = "near", spatial, columns(location))]
pub struct Place {
    #[column(id)]
    pub id: RowId,
    #[column(size = 100)]
    pub name: String,
    pub location: Point,
    pub route: Option<LineString>,
    pub area: Option<Polygon>,
}

#[macro_use]
mod typed_support;

use typed_support::Env;

on_both_backends!(
    "shop":
    create_get_update_delete,
    create_without_id_gets_a_generated_one,
    invalid_values_are_refused_before_sending,
    upsert_inserts_then_replaces,
    insert_many_chunks_and_all_pages_through_everything,
    query_filters_orders_limits_and_offsets,
    count_is_exact_past_the_server_cap,
    stream_yields_every_row_once,
    update_where_and_delete_where_report_counts,
    increment_and_decrement,
    dynamic_rows_reach_columns_without_a_model,
    referenced_rows_are_joined_in_batches,
    find_in_splits_long_value_lists,
    spatial_fields_round_trip_and_filter,
);

fn product(i: usize) -> Product {
    Product {
        id: RowId::new(format!("p{i:05}")).unwrap(),
        sku: format!("SKU-{i:05}"),
        name: format!("Product {i}"),
        price: (i % 50) as f64 + 0.99,
        stock: (i % 7) as u32,
        category: match i % 3 {
            0 => Category::Books,
            1 => Category::Electronics,
            _ => Category::HomeGarden,
        },
        tags: if i.is_multiple_of(2) {
            vec!["even".into()]
        } else {
            vec!["odd".into(), "sale".into()]
        },
        note: None,
        created_at: DateTime::default(),
    }
}

async fn with_products(env: &Env, n: usize) -> TableHandle<Product> {
    env.db.create_table::<Product>().await.unwrap();
    let table = env.db.table::<Product>();
    if n > 0 {
        let values: Vec<Product> = (0..n).map(product).collect();
        assert_eq!(table.insert_many(&values).await.unwrap().len(), n);
    }
    table
}

async fn create_get_update_delete(env: Env) {
    let table = with_products(&env, 0).await;
    let created = table.create(&product(1)).await.unwrap();
    assert_eq!(created.id.as_str(), "p00001");
    assert_ne!(
        created.created_at,
        DateTime::default(),
        "system field read back"
    );
    let got = table.get("p00001").await.unwrap().unwrap();
    assert_eq!(got, created);
    assert!(table.get("missing").await.unwrap().is_none());
    let err = table.get_or_fail("missing").await.unwrap_err();
    assert_eq!(err.error_type(), Some(types::ROW_NOT_FOUND));

    let updated = table
        .update(
            "p00001",
            Product::patch()
                .note(Some("fragile".to_owned()))
                .stock(3u32),
        )
        .await
        .unwrap();
    assert_eq!(updated.note.as_deref(), Some("fragile"));
    assert_eq!(updated.stock, 3);
    assert_eq!(
        updated.name, "Product 1",
        "columns not in the patch are kept"
    );
    let cleared = table
        .update("p00001", Product::patch().note(None))
        .await
        .unwrap();
    assert_eq!(
        cleared.note, None,
        "an Option column can be set back to null"
    );

    table.delete("p00001").await.unwrap();
    assert!(table.get("p00001").await.unwrap().is_none());
    let err = table.delete("p00001").await.unwrap_err();
    assert_eq!(err.error_type(), Some(types::ROW_NOT_FOUND));
}

async fn create_without_id_gets_a_generated_one(env: Env) {
    let table = with_products(&env, 0).await;
    let mut value = product(2);
    value.id = RowId::default();
    let created = table.create(&value).await.unwrap();
    assert_eq!(created.id.as_str().len(), 20);
    assert!(created.id.as_str().chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(table.count().await.unwrap(), 1);
}

async fn invalid_values_are_refused_before_sending(env: Env) {
    let table = with_products(&env, 0).await;
    let mut value = product(3);
    value.sku = "S".repeat(40);
    value.price = -1.0;
    let Err(Error::Validation(e)) = table.create(&value).await else {
        panic!("expected a validation error");
    };
    let columns: Vec<(&str, ValueRule)> = e
        .violations
        .iter()
        .map(|v| (v.column.as_str(), v.rule))
        .collect();
    assert_eq!(
        columns,
        [("sku", ValueRule::Type), ("price", ValueRule::Format)],
        "every violation at once: {e}"
    );
    assert_eq!(table.count().await.unwrap(), 0, "nothing was written");

    let Err(Error::Validation(e)) = table
        .insert_many(&[product(4), value.clone(), product(5)])
        .await
    else {
        panic!("expected a validation error");
    };
    assert!(e.violations[0].message.starts_with("value 1:"), "{e}");
    assert_eq!(
        table.count().await.unwrap(),
        0,
        "no row of the batch was written"
    );
}

async fn upsert_inserts_then_replaces(env: Env) {
    let table = with_products(&env, 0).await;
    let mut value = product(6);
    let inserted = table.upsert(&value).await.unwrap();
    assert_eq!(inserted.name, "Product 6");
    value.name = "Renamed".to_owned();
    let replaced = table.upsert(&value).await.unwrap();
    assert_eq!(replaced.name, "Renamed");
    assert_eq!(replaced.created_at, inserted.created_at);
    assert_eq!(table.count().await.unwrap(), 1);
    value.id = RowId::default();
    assert!(matches!(
        table.upsert(&value).await,
        Err(Error::InvalidId { .. })
    ));
}

async fn insert_many_chunks_and_all_pages_through_everything(env: Env) {
    // 1,234 rows: 13 bulk requests, and more than two pages of `all`.
    let table = with_products(&env, 1234).await;
    let all = table.all().await.unwrap();
    assert_eq!(all.len(), 1234);
    let ids: std::collections::BTreeSet<String> = all.iter().map(|p| p.id.to_string()).collect();
    assert_eq!(ids.len(), 1234, "every row exactly once");
    assert_eq!(all[0].id.as_str(), "p00000", "insertion order by default");
    let limited = table.query().limit(600).all().await.unwrap();
    assert_eq!(limited.len(), 600);
    assert_eq!(limited[599].id.as_str(), "p00599");
}

async fn query_filters_orders_limits_and_offsets(env: Env) {
    let table = with_products(&env, 60).await;
    let expected: Vec<String> = (0..60)
        .map(product)
        .filter(|p| p.category == Category::Books && p.price > 10.0)
        .map(|p| p.id.to_string())
        .collect();
    let found = table
        .query()
        .filter(
            Product::CATEGORY
                .eq(Category::Books)
                .and(Product::PRICE.gt(10.0)),
        )
        .all()
        .await
        .unwrap();
    let ids: Vec<String> = found.iter().map(|p| p.id.to_string()).collect();
    assert_eq!(ids, expected);

    let by_price = table
        .query()
        .filter(Product::TAGS.contains("sale"))
        .order(Product::PRICE.desc())
        .limit(3)
        .all()
        .await
        .unwrap();
    let mut odd: Vec<Product> = (0..60)
        .map(product)
        .filter(|p| p.id_number() % 2 == 1)
        .collect();
    // Ties in price keep insertion order ($sequence ascending), as Appwrite orders them.
    odd.sort_by(|a, b| b.price.partial_cmp(&a.price).unwrap());
    let want: Vec<&str> = odd.iter().take(3).map(|p| p.id.as_str()).collect();
    let got: Vec<&str> = by_price.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(got, want);

    let page = table.query().offset(10).limit(5).all().await.unwrap();
    let got: Vec<&str> = page.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(got, ["p00010", "p00011", "p00012", "p00013", "p00014"]);
    let names = table
        .query()
        .filter(Product::STOCK.eq(6u32))
        .select(["name"])
        .all()
        .await
        .unwrap();
    assert_eq!(names.len(), (0..60).filter(|i| i % 7 == 6).count());
    assert!(
        names
            .iter()
            .all(|r| r.get("sku").is_none() && r["name"].is_string())
    );
    let after = table.query().after("p00057").all().await.unwrap();
    assert_eq!(after.len(), 2);
    let first = table
        .query()
        .filter(Product::SKU.starts_with("SKU-0004"))
        .order(Product::SKU.desc())
        .first()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.sku, "SKU-00049");
    assert!(
        table
            .query()
            .filter(Product::NOTE.is_not_null())
            .first()
            .await
            .unwrap()
            .is_none()
    );
}

impl Product {
    fn id_number(&self) -> usize {
        self.id.as_str()[1..].parse().unwrap()
    }
}

async fn count_is_exact_past_the_server_cap(env: Env) {
    let table = with_products(&env, 5_150).await;
    let page = table.rows().query().page().await.unwrap();
    assert_eq!(page.total, 5_000, "Appwrite stops counting at 5,000");
    assert_eq!(table.count().await.unwrap(), 5_150);
    let odd = table
        .query()
        .filter(Product::TAGS.contains("odd"))
        .count()
        .await
        .unwrap();
    assert_eq!(odd, 2_575);
}

async fn stream_yields_every_row_once(env: Env) {
    let table = with_products(&env, 777).await;
    let streamed: Vec<Product> = table
        .query()
        .filter(Product::STOCK.ge(1u32))
        .stream()
        .try_collect()
        .await
        .unwrap();
    let expected = (0..777).map(product).filter(|p| p.stock >= 1).count();
    assert_eq!(streamed.len(), expected);
    let mut ids: Vec<&str> = streamed.iter().map(|p| p.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), expected);
}

async fn update_where_and_delete_where_report_counts(env: Env) {
    let table = with_products(&env, 120).await;
    let changed = table
        .update_where(
            Product::CATEGORY.eq(Category::Electronics),
            Product::patch().note(Some("checked".to_owned())),
        )
        .await
        .unwrap();
    assert_eq!(changed, 40);
    assert_eq!(
        table
            .query()
            .filter(Product::NOTE.eq("checked"))
            .count()
            .await
            .unwrap(),
        40
    );
    let deleted = table.delete_where(Product::STOCK.eq(0u32)).await.unwrap();
    let zero = (0..120).filter(|i| i % 7 == 0).count() as u64;
    assert_eq!(deleted, zero);
    assert_eq!(table.count().await.unwrap(), 120 - zero);
}

async fn increment_and_decrement(env: Env) {
    let table = with_products(&env, 2).await;
    let up = table.increment("p00001", Product::STOCK, 5).await.unwrap();
    assert_eq!(up.stock, 1 + 5);
    let down = table.decrement("p00001", Product::STOCK, 2).await.unwrap();
    assert_eq!(down.stock, 4);
    assert_eq!(table.get_or_fail("p00001").await.unwrap().stock, 4);
}

async fn dynamic_rows_reach_columns_without_a_model(env: Env) {
    with_products(&env, 3).await;
    let rows = env.db.rows("products");
    let row = rows.get("p00002").await.unwrap().unwrap();
    assert_eq!(row["sku"], json!("SKU-00002"));
    let updated = rows
        .update("p00002", json!({"note": "raw"}).as_object().unwrap())
        .await
        .unwrap();
    assert_eq!(updated["note"], json!("raw"));
    let found = rows
        .query()
        .with(Query::equal("note", ["raw"]))
        .all()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(rows.query().count().await.unwrap(), 3);
}

async fn referenced_rows_are_joined_in_batches(env: Env) {
    env.db.create_table::<Author>().await.unwrap();
    env.db.create_table::<Post>().await.unwrap();
    let authors: Vec<Author> = (0..1_200)
        .map(|i| Author {
            id: RowId::new(format!("a{i}")).unwrap(),
            name: format!("Author {i}"),
            email: format!("author{i}@example.com"),
        })
        .collect();
    env.db
        .table::<Author>()
        .insert_many(&authors)
        .await
        .unwrap();
    // 1,300 posts referring to 1,150 distinct authors, one of them missing.
    let posts: Vec<Post> = (0..1_300)
        .map(|i| {
            let a = if i == 7 { 5_000 } else { i % 1_150 };
            Post {
                id: RowId::new(format!("post{i}")).unwrap(),
                title: format!("Post {i}"),
                author_id: RowId::new(format!("a{a}")).unwrap(),
                author_email: format!("author{a}@example.com"),
            }
        })
        .collect();
    let joined: HashMap<String, Author> = env
        .db
        .table::<Author>()
        .referenced_by(&posts, Post::AUTHOR_ID)
        .await
        .unwrap();
    assert_eq!(
        joined.len(),
        1_150,
        "every referenced author that exists, none dropped"
    );
    assert_eq!(joined["a1149"].email, "author1149@example.com");
    assert!(!joined.contains_key("a5000"));
    for post in posts.iter().filter(|p| p.author_id.as_str() != "a5000") {
        assert_eq!(joined[post.author_id.as_str()].email, post.author_email);
    }
}

async fn find_in_splits_long_value_lists(env: Env) {
    env.db.create_table::<Author>().await.unwrap();
    let authors: Vec<Author> = (0..1_100)
        .map(|i| Author {
            id: RowId::new(format!("a{i}")).unwrap(),
            name: format!("Author {i}"),
            email: format!("author{i}@example.com"),
        })
        .collect();
    let table = env.db.table::<Author>();
    table.insert_many(&authors).await.unwrap();
    // The seed's email-to-id mapping: 1,050 emails (over two batches of 500), one unknown.
    let emails: Vec<String> = (0..1_049)
        .map(|i| format!("author{i}@example.com"))
        .chain(["nobody@example.com".to_owned()])
        .collect();
    let found = table
        .find_in(Author::EMAIL, emails.iter().map(String::as_str))
        .await
        .unwrap();
    assert_eq!(found.len(), 1_049);
    let by_email: HashMap<&str, &str> = found
        .iter()
        .map(|a| (a.email.as_str(), a.id.as_str()))
        .collect();
    assert_eq!(by_email["author1048@example.com"], "a1048");
}

async fn spatial_fields_round_trip_and_filter(env: Env) {
    env.db.create_table::<Place>().await.unwrap();
    let table = env.db.table::<Place>();
    let square = Polygon::new([
        (0.0, 0.0),
        (0.0, 10.0),
        (10.0, 10.0),
        (10.0, 0.0),
        (0.0, 0.0),
    ]);
    let place = |id: &str, x: f64, y: f64| Place {
        id: RowId::new(id).unwrap(),
        name: id.to_owned(),
        location: Point::new(x, y),
        route: None,
        area: None,
    };
    let inside = Place {
        route: Some(LineString::new([(5.0, 5.0), (15.0, 5.0)])),
        area: Some(square.clone()),
        ..place("inside", 5.0, 5.0)
    };
    table
        .insert_many(&[
            inside.clone(),
            place("east", 1.0, 0.0),
            place("far", 50.0, 50.0),
        ])
        .await
        .unwrap();
    assert_eq!(table.get("inside").await.unwrap(), Some(inside));
    let ids = |found: Vec<Place>| -> Vec<String> { found.into_iter().map(|p| p.name).collect() };
    let near = table
        .query()
        .filter(Place::LOCATION.distance_less_than(Point::new(0.0, 0.0), 200_000.0, true))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(near), ["east"]);
    let crossing = table
        .query()
        .filter(Place::ROUTE.crosses(square.clone()))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(crossing), ["inside"]);
    let containing = table
        .query()
        .filter(Place::AREA.contains(Point::new(2.0, 3.0)))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(containing), ["inside"]);
    let elsewhere = table
        .query()
        .filter(
            Place::LOCATION
                .not_intersects(square)
                .and(Place::NAME.ne("east")),
        )
        .all()
        .await
        .unwrap();
    assert_eq!(ids(elsewhere), ["far"]);
    // Appwrite's validator runs before anything is sent.
    let err = table.create(&place("bad", 200.0, 0.0)).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("Longitude (x) must be between -180 and 180, got 200"),
        "{err}"
    );
}
