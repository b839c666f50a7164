//! Spatial columns, indexes and queries (§3.3 point/line/polygon, §3.4 spatial indexes, §6
//! spatial methods), with the rules of Appwrite 1.9.6 on MariaDB (utopia-php/database
//! `Validator/Spatial.php`, `Validator/Index.php`, `Validator/Query/Filter.php`,
//! `Adapter/MariaDB.php`). Expected rows are worked out here from the shapes, by hand.

use appwrite_orm::query::Query;
use appwrite_orm::schema::{ColumnSchema, IndexKind, IndexSchema};
use appwrite_orm::spatial::{LineString, Point, Polygon};
use serde_json::{Value, json};

use super::Env;
use super::support::*;

/// The square (0,0)-(10,10).
fn square() -> Polygon {
    Polygon::new([
        (0.0, 0.0),
        (0.0, 10.0),
        (10.0, 10.0),
        (10.0, 0.0),
        (0.0, 0.0),
    ])
}

/// A table `places` with a required point, an optional line and an optional polygon.
async fn places(b: &dyn appwrite_orm::backend::Backend) {
    table_with(
        b,
        "places",
        vec![
            ColumnSchema::point("at").required(),
            ColumnSchema::line("route"),
            ColumnSchema::polygon("area"),
        ],
    )
    .await;
}

/// Five places; expected answers below refer to them by id.
async fn seed(b: &dyn appwrite_orm::backend::Backend) {
    places(b).await;
    let rows = [
        // Inside the square; its route crosses the square's edge.
        (
            "a",
            json!([5, 5]),
            json!([[5, 5], [15, 5]]),
            json!(square().to_json()),
        ),
        // Outside; its area shares the square's right edge.
        (
            "b",
            json!([20, 5]),
            json!([[20, 0], [20, 10]]),
            json!([[[10, 0], [10, 10], [20, 10], [20, 0], [10, 0]]]),
        ),
        // On the square's left edge; its area overlaps the square.
        (
            "c",
            json!([0, 5]),
            json!([[-5, 5], [-1, 5]]),
            json!([[[5, 5], [5, 15], [15, 15], [15, 5], [5, 5]]]),
        ),
        // One degree east of (0, 0): about 111 km.
        ("d", json!([1, 0]), Value::Null, Value::Null),
        ("e", json!([0, 0]), Value::Null, Value::Null),
    ];
    for (id, at, route, area) in rows {
        put(
            b,
            "places",
            id,
            json!({"at": at, "route": route, "area": area}),
        )
        .await;
    }
}

async fn matching(b: &dyn appwrite_orm::backend::Backend, query: Query) -> Vec<String> {
    sorted(all_ids(b, "places", &[query]).await)
}

pub async fn spatial_columns_round_trip_as_coordinate_arrays(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    places(b).await;
    let created = put(
        b,
        "places",
        "p1",
        // A polygon may be sent as a single ring; it is stored as a list of rings.
        json!({"at": [13.4, 52.5], "route": [[0, 0], [1, 1]], "area": [[0, 0], [0, 1], [1, 1], [0, 0]]}),
    )
    .await;
    let read = get(b, "places", "p1").await;
    for row in [&created, &read] {
        assert_eq!(row.get("at"), Some(&json!([13.4, 52.5])));
        assert_eq!(row.get("route"), Some(&json!([[0.0, 0.0], [1.0, 1.0]])));
        assert_eq!(
            row.get("area"),
            Some(&json!([[[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]]))
        );
    }
    put(b, "places", "p2", json!({"at": [0, 0]})).await;
    assert_eq!(
        get(b, "places", "p2").await.get("route"),
        Some(&Value::Null)
    );
    let table = b.get_table(DB, "places").await.unwrap();
    let types: Vec<Value> = table
        .columns
        .iter()
        .map(|c| c.schema.model_fields()["type"].clone())
        .collect();
    assert_eq!(
        types,
        [json!("point"), json!("linestring"), json!("polygon")]
    );
}

pub async fn spatial_defaults_fill_missing_values_and_update_in_place(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    places(b).await;
    let home = ColumnSchema::point("home").default_value(json!([1, 2]));
    let column = add_column(b, "places", home.clone()).await;
    // The column keeps the default as sent; rows get it as coordinates are answered.
    assert_eq!(column.schema.default, Some(json!([1, 2])));
    let row = put(b, "places", "r1", json!({"at": [0, 0]})).await;
    assert_eq!(row.get("home"), Some(&json!([1.0, 2.0])));
    // PATCH: a new default and a new key.
    let moved = ColumnSchema::point("base").default_value(json!([3, 4]));
    let updated = b.update_column(DB, "places", "home", &moved).await.unwrap();
    assert_eq!(updated.schema.key, "base");
    assert_eq!(updated.schema.default, Some(json!([3, 4])));
    let row = put(b, "places", "r2", json!({"at": [0, 0]})).await;
    assert_eq!(row.get("base"), Some(&json!([3.0, 4.0])));
}

pub async fn spatial_values_are_checked_with_appwrites_messages(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    places(b).await;
    let cases = [
        (
            json!({"at": [1]}),
            "Attribute \"at\" has invalid type. Value must be a valid point: Point must be an array of two numeric values [x, y]",
        ),
        (
            json!({"at": [181, 0]}),
            "Attribute \"at\" has invalid type. Value must be a valid point: Longitude (x) must be between -180 and 180, got 181",
        ),
        (
            json!({"at": [0, 0], "route": [[0, 0]]}),
            "Attribute \"route\" has invalid type. Value must be a valid linestring: LineString must contain at least two points",
        ),
        (
            json!({"at": [0, 0], "area": [[[0, 0], [0, 1], [1, 1], [1, 0]]]}),
            "Attribute \"area\" has invalid type. Value must be a valid polygon: Ring #0 must be closed (first point must equal last point)",
        ),
    ];
    for (data, message) in cases {
        assert_err_msg(
            b.create_row(DB, "places", "bad", &doc(data), None).await,
            400,
            ty::ROW_INVALID_STRUCTURE,
            &format!("Invalid document structure: {message}"),
        );
    }
    assert_err_msg(
        b.create_row(
            DB,
            "places",
            "bad",
            &doc(json!({"route": [[0, 0], [1, 1]]})),
            None,
        )
        .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
        "Invalid document structure: Missing required attribute \"at\"",
    );
}

pub async fn spatial_column_settings_are_checked(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    places(b).await;
    let bad_default = ColumnSchema::polygon("zone").default_value(json!([[0, 0], [1, 1]]));
    assert_err_msg(
        b.create_column(DB, "places", &bad_default).await,
        400,
        ty::GENERAL_ARGUMENT_INVALID,
        "Invalid `default` param: Value must be a valid polygon: Ring #0 must contain at least 4 points to form a closed polygon",
    );
    let required_default = ColumnSchema::point("p")
        .required()
        .default_value(json!([0, 0]));
    assert_err_msg(
        b.create_column(DB, "places", &required_default).await,
        400,
        ty::COLUMN_DEFAULT_UNSUPPORTED,
        "Cannot set default value for required column",
    );
    // MariaDB's spatial indexes take no nulls: a required spatial column cannot be added to a
    // table with rows.
    put(b, "places", "r1", json!({"at": [0, 0]})).await;
    assert_err_msg(
        b.create_column(DB, "places", &ColumnSchema::point("p").required())
            .await,
        400,
        ty::ROW_INVALID_STRUCTURE,
        "Failed to add required spatial column: existing rows present. Make the column optional.",
    );
    add_column(b, "places", ColumnSchema::point("p")).await;
}

pub async fn spatial_index_rules(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    places(b).await;
    add_column(b, "places", ColumnSchema::varchar("name", 20)).await;
    let spatial = |key: &str, columns: &[&str]| {
        IndexSchema::new(key, IndexKind::Spatial, columns.iter().copied())
    };
    let ready = add_index(b, "places", spatial("near", &["at"])).await;
    assert_eq!(ready.schema.kind, IndexKind::Spatial);
    let refusals = [
        (spatial("two", &["at", "area"]), "Spatial index must have exactly one attribute".to_owned()),
        (
            spatial("opt", &["area"]),
            "Spatial indexes do not allow null values. Mark the attribute \"area\" as required or create the index on a column with no null values.".to_owned(),
        ),
        (
            spatial("txt", &["name"]),
            "Spatial index can only be created on spatial attributes (point, linestring, polygon). Attribute \"name\" is of type \"varchar\"".to_owned(),
        ),
        (
            IndexSchema::new("plain", IndexKind::Key, ["at"]),
            "Cannot create key index on spatial attribute \"at\". Spatial attributes require spatial indexes.".to_owned(),
        ),
    ];
    for (index, message) in refusals {
        assert_err_msg(
            b.create_index(DB, "places", &index).await,
            400,
            ty::COLUMN_INDEX_INVALID,
            &message,
        );
    }
    // The indexed column cannot become optional.
    let optional = ColumnSchema::point("at");
    assert_err_msg(
        b.update_column(DB, "places", "at", &optional).await,
        400,
        ty::COLUMN_INDEX_INVALID,
        "Spatial indexes do not allow null values. Mark the attribute \"at\" as required or create the index on a column with no null values.",
    );
}

pub async fn distance_queries_measure_in_meters_or_coordinate_units(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    seed(b).await;
    let origin = Point::new(0.0, 0.0);
    // One degree on the equator is about 111,195 m.
    assert_eq!(
        matching(b, Query::distance_less_than("at", origin, 112_000.0, true)).await,
        ["d", "e"]
    );
    assert_eq!(
        matching(
            b,
            Query::distance_greater_than("at", origin, 111_000.0, true)
        )
        .await,
        ["a", "b", "c", "d"]
    );
    // Planar: c is 5 units from the origin, a √50.
    assert_eq!(
        matching(b, Query::distance_equal("at", origin, 5.0, false)).await,
        ["c"]
    );
    assert_eq!(
        matching(b, Query::distance_not_equal("at", origin, 5.0, false)).await,
        ["a", "b", "d", "e"]
    );
    // Between a polygon and a point, in coordinate units; rows without an area never match.
    assert_eq!(
        matching(
            b,
            Query::distance_less_than("area", Point::new(12.0, 5.0), 1.0, false)
        )
        .await,
        ["b", "c"]
    );
}

pub async fn relation_queries_follow_the_geometry(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    seed(b).await;
    assert_eq!(
        matching(b, Query::intersects("area", square())).await,
        ["a", "b", "c"]
    );
    // Rows holding null match no test, negated ones included.
    assert_eq!(
        matching(b, Query::not_intersects("area", Point::new(30.0, 30.0))).await,
        ["a", "b", "c"]
    );
    assert_eq!(matching(b, Query::crosses("route", square())).await, ["a"]);
    assert_eq!(
        matching(b, Query::not_crosses("route", square())).await,
        ["b", "c"]
    );
    assert_eq!(matching(b, Query::touches("area", square())).await, ["b"]);
    assert_eq!(
        matching(b, Query::not_touches("area", square())).await,
        ["a", "c"]
    );
    assert_eq!(matching(b, Query::overlaps("area", square())).await, ["c"]);
    assert_eq!(
        matching(b, Query::not_overlaps("area", square())).await,
        ["a", "b"]
    );
    let line = LineString::new([(20.0, 0.0), (20.0, 10.0)]);
    assert_eq!(matching(b, Query::intersects("route", line)).await, ["b"]);
}

pub async fn equal_and_contains_on_spatial_columns_are_geometric(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    seed(b).await;
    // `contains` on a polygon: the point lies in it, its boundary included (MariaDB).
    assert_eq!(
        matching(b, Query::contains("area", [Point::new(5.0, 5.0).to_json()])).await,
        ["a", "c"]
    );
    assert_eq!(
        matching(
            b,
            Query::contains("area", [Point::new(10.0, 5.0).to_json()])
        )
        .await,
        ["a", "b", "c"]
    );
    assert_eq!(
        matching(
            b,
            Query::not_contains("area", [Point::new(5.0, 5.0).to_json()])
        )
        .await,
        ["b"]
    );
    assert_eq!(
        matching(b, Query::equal("at", [json!([20, 5])])).await,
        ["b"]
    );
    assert_eq!(
        matching(b, Query::not_equal("at", json!([20, 5]))).await,
        ["a", "c", "d", "e"]
    );
    // The same polygon, ring started at another vertex, is equal.
    let rotated = json!([[[0, 10], [10, 10], [10, 0], [0, 0], [0, 10]]]);
    assert_eq!(matching(b, Query::equal("area", [rotated])).await, ["a"]);
    // Spatial filters combine with the others and count like any filter.
    let list = b
        .list_rows(
            DB,
            "places",
            &[
                Query::or([
                    Query::intersects("area", Point::new(12.0, 12.0)),
                    Query::equal("$id", [json!("e")]),
                ]),
                Query::limit(1),
            ],
            &appwrite_orm::backend::ListOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(list.total, 2);
    assert_eq!(ids(&list), ["c"]);
}

pub async fn spatial_query_misuse_is_refused(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    seed(b).await;
    add_column(b, "places", ColumnSchema::varchar("name", 20)).await;
    let refused = |q: Query| async move {
        b.list_rows(
            DB,
            "places",
            &[q],
            &appwrite_orm::backend::ListOptions::default(),
        )
        .await
    };
    assert_err_msg(
        refused(Query::intersects("name", Point::new(0.0, 0.0))).await,
        400,
        ty::GENERAL_QUERY_INVALID,
        "Invalid query: Spatial query \"intersects\" cannot be applied on non-spatial attribute: name",
    );
    assert_err_msg(
        refused(Query::distance_less_than(
            "area",
            Point::new(0.0, 0.0),
            10.0,
            true,
        ))
        .await,
        400,
        ty::GENERAL_QUERY_INVALID,
        "Invalid query: Distance in meters is not supported between polygon and point",
    );
    assert_err_msg(
        refused(Query::distance_less_than("at", square(), 10.0, true)).await,
        400,
        ty::GENERAL_QUERY_INVALID,
        "Invalid query: Distance in meters is not supported between point and polygon",
    );
    assert_err_msg(
        refused(Query::equal("at", [json!(5)])).await,
        400,
        ty::GENERAL_QUERY_INVALID,
        "Invalid query: Spatial data must be an array",
    );
    assert_err_msg(
        refused(Query::contains("area", [json!([[0, 0], [1]])])).await,
        400,
        ty::GENERAL_QUERY_INVALID,
        "Invalid query: Invalid point format in geometry array",
    );
    // Appwrite's MariaDB adapter knows no other method on a spatial column (it answers with a
    // server error); the engines refuse it as an invalid query.
    let e = assert_err(
        refused(Query::less_than("at", json!([1, 1]))).await,
        400,
        ty::GENERAL_QUERY_INVALID,
    );
    assert!(
        e.message.contains("Unknown spatial query method: lessThan"),
        "{e:?}"
    );
}
