//! Relationship columns (§3.3, §3.5): the twin of a two-way relationship, nested writes,
//! loading through `select`, filters on and through relationships, `onDelete`, and the
//! refusals Appwrite 1.9.6 makes.

use appwrite_orm::backend::{Backend, ColumnStatus, ListOptions, Row};
use appwrite_orm::query::Query;
use appwrite_orm::schema::{
    ColumnKind, ColumnSchema, OnDelete, RelationSide, RelationType, Relationship,
};
use serde_json::{Value, json};

use super::Env;
use super::support::*;

fn text(key: &str) -> ColumnSchema {
    ColumnSchema::new(key, ColumnKind::Varchar { size: 64 })
}

/// A relationship column `key` to `related`.
fn relation(
    key: &str,
    related: &str,
    relation_type: RelationType,
    two_way_key: Option<&str>,
    on_delete: OnDelete,
) -> ColumnSchema {
    let mut rel = Relationship::new(related, relation_type);
    rel.two_way = two_way_key.is_some();
    rel.two_way_key = two_way_key.map(str::to_owned);
    rel.on_delete = on_delete;
    ColumnSchema::new(key, ColumnKind::Relationship(rel))
}

/// Tables `parent` and `child`, each with a `name`, and the relationship `column` on `parent`,
/// available (with its twin, when two-way).
async fn related_tables(b: &dyn Backend, column: ColumnSchema) {
    table_with(b, "parent", vec![text("name")]).await;
    table_with(b, "child", vec![text("name")]).await;
    add_column(b, "parent", column.clone()).await;
    if let ColumnKind::Relationship(rel) = &column.kind
        && rel.two_way
    {
        wait_column(b, "child", rel.two_way_key.as_deref().unwrap_or("parent")).await;
    }
}

/// `parent.kids` → `child` (two-way oneToMany, twin `owner`, cascade) and `child.leaves` →
/// `leaf` (oneToMany, cascade; two-way with twin `leaf_twin` when given).
async fn chain_of_three(b: &dyn Backend, leaf_twin: Option<&str>) {
    related_tables(
        b,
        relation(
            "kids",
            "child",
            RelationType::OneToMany,
            Some("owner"),
            OnDelete::Cascade,
        ),
    )
    .await;
    table_with(b, "leaf", vec![text("name")]).await;
    add_column(
        b,
        "child",
        relation(
            "leaves",
            "leaf",
            RelationType::OneToMany,
            leaf_twin,
            OnDelete::Cascade,
        ),
    )
    .await;
}

async fn create(b: &dyn Backend, table: &str, id: &str, data: Value) -> Row {
    b.create_row(DB, table, id, &doc(data), None)
        .await
        .unwrap_or_else(|e| panic!("create {table}/{id}: {e}"))
}

async fn get_with(b: &dyn Backend, table: &str, id: &str, select: &[&str]) -> Row {
    b.get_row(DB, table, id, &[Query::select(select.iter().copied())])
        .await
        .unwrap_or_else(|e| panic!("get {table}/{id}: {e}"))
}

async fn ids_where(b: &dyn Backend, table: &str, filter: Query) -> Vec<String> {
    let list = b
        .list_rows(DB, table, &[filter], &ListOptions::default())
        .await
        .expect("list_rows");
    sorted(ids(&list))
}

fn names(v: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = v
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| r.get("name").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// A two-way relationship creates its twin on the related table: same type, side `child`,
/// pointing back, sharing `onDelete`; `twoWayKey` defaults to the table's id.
pub async fn two_way_relationship_creates_its_twin(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    related_tables(
        b,
        relation(
            "child",
            "child",
            RelationType::OneToMany,
            Some("parent"),
            OnDelete::Cascade,
        ),
    )
    .await;
    let twin = b
        .get_column(DB, "child", "parent")
        .await
        .expect("twin column");
    assert_eq!(twin.status, ColumnStatus::Available);
    let ColumnKind::Relationship(rel) = &twin.schema.kind else {
        panic!("the twin is a relationship: {:?}", twin.schema.kind)
    };
    assert_eq!(rel.related_table, "parent");
    assert_eq!(rel.relation_type, RelationType::OneToMany);
    assert_eq!(rel.side, RelationSide::Child);
    assert_eq!(rel.two_way_key.as_deref(), Some("child"));
    assert_eq!(rel.on_delete, OnDelete::Cascade);
    let parent = b
        .get_column(DB, "parent", "child")
        .await
        .expect("parent column");
    let ColumnKind::Relationship(rel) = &parent.schema.kind else {
        panic!("relationship")
    };
    assert_eq!(rel.side, RelationSide::Parent);
    assert_eq!(rel.two_way_key.as_deref(), Some("parent"));
    // A second relationship whose twin key is taken on the related table is a conflict.
    assert_err(
        b.create_column(
            DB,
            "parent",
            &relation(
                "again",
                "child",
                RelationType::OneToOne,
                Some("parent"),
                OnDelete::Restrict,
            ),
        )
        .await,
        409,
        ty::COLUMN_ALREADY_EXISTS,
    );
}

/// A nested object is created in the related table and answered loaded; reads show the related
/// id on a to-one side without a select, the related row with `select(["*", "key.*"])`.
pub async fn nested_row_is_created_and_loaded_by_select(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    related_tables(
        b,
        relation(
            "child",
            "child",
            RelationType::OneToOne,
            Some("parent"),
            OnDelete::Cascade,
        ),
    )
    .await;
    let created = create(
        b,
        "parent",
        "p1",
        json!({"name": "P", "child": {"$id": "c1", "name": "C"}}),
    )
    .await;
    assert_eq!(
        created.get("child").and_then(|c| c.get("name")),
        Some(&json!("C"))
    );
    assert_eq!(
        get(b, "parent", "p1").await.get("child"),
        Some(&json!("c1"))
    );
    let loaded = get_with(b, "parent", "p1", &["*", "child.*"]).await;
    let child = loaded.get("child").expect("child loaded");
    assert_eq!(child.get("name"), Some(&json!("C")));
    assert_eq!(child.get("$id"), Some(&json!("c1")));
    assert_eq!(child.get("$tableId"), Some(&json!("child")));
    assert_eq!(loaded.get("name"), Some(&json!("P")));
    // Selecting one column of the related row, from the other side.
    let back = get_with(b, "child", "c1", &["parent.name"]).await;
    assert_eq!(
        back.get("parent").and_then(|p| p.get("name")),
        Some(&json!("P"))
    );
    assert_eq!(back.get("name"), None, "only the selected columns");
    // Selecting plain columns leaves the relationship out.
    let plain = get_with(b, "parent", "p1", &["name"]).await;
    assert_eq!(plain.get("child"), None);
}

/// A to-many side takes an array of ids and objects; without a select it is left out; a new
/// array replaces the links, unlinking the rows it no longer names.
pub async fn to_many_side_takes_arrays_and_replaces_links(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    related_tables(
        b,
        relation(
            "kids",
            "child",
            RelationType::OneToMany,
            Some("owner"),
            OnDelete::SetNull,
        ),
    )
    .await;
    create(b, "child", "c0", json!({"name": "zero"})).await;
    let created = create(
        b,
        "parent",
        "p1",
        json!({"name": "P", "kids": ["c0", {"$id": "c1", "name": "one"}, {"name": "two"}]}),
    )
    .await;
    assert_eq!(names(created.get("kids")), ["one", "two", "zero"]);
    assert_eq!(
        get(b, "parent", "p1").await.get("kids"),
        None,
        "to-many not loaded"
    );
    assert_eq!(get(b, "child", "c1").await.get("owner"), Some(&json!("p1")));
    let loaded = get_with(b, "parent", "p1", &["*", "kids.*"]).await;
    assert_eq!(names(loaded.get("kids")), ["one", "two", "zero"]);
    b.update_row(DB, "parent", "p1", &doc(json!({"kids": ["c1"]})), None)
        .await
        .expect("update kids");
    let loaded = get_with(b, "parent", "p1", &["kids.name"]).await;
    assert_eq!(names(loaded.get("kids")), ["one"]);
    assert_eq!(get(b, "child", "c0").await.get("owner"), Some(&Value::Null));
    // A child takes one parent: linking it to another parent moves it.
    create(b, "parent", "p2", json!({"name": "Q", "kids": ["c1"]})).await;
    assert_eq!(get(b, "child", "c1").await.get("owner"), Some(&json!("p2")));
    let p1 = get_with(b, "parent", "p1", &["kids.*"]).await;
    assert_eq!(p1.get("kids"), Some(&json!([])));
}

/// Filters: `equal`/`isNull` on the related ids, and a dotted attribute through the
/// relationship.
pub async fn filters_on_and_through_relationships(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    related_tables(
        b,
        relation(
            "child",
            "child",
            RelationType::ManyToOne,
            None,
            OnDelete::SetNull,
        ),
    )
    .await;
    create(b, "child", "c1", json!({"name": "one"})).await;
    create(b, "child", "c2", json!({"name": "two"})).await;
    create(b, "parent", "p1", json!({"name": "a", "child": "c1"})).await;
    create(b, "parent", "p2", json!({"name": "b", "child": "c2"})).await;
    create(b, "parent", "p3", json!({"name": "c"})).await;
    assert_eq!(
        ids_where(b, "parent", Query::equal("child", ["c1"])).await,
        ["p1"]
    );
    assert_eq!(
        ids_where(b, "parent", Query::is_null("child")).await,
        ["p3"]
    );
    assert_eq!(
        ids_where(b, "parent", Query::is_not_null("child")).await,
        ["p1", "p2"]
    );
    assert_eq!(
        ids_where(b, "parent", Query::equal("child.name", ["two"])).await,
        ["p2"]
    );
    assert_eq!(
        ids_where(b, "parent", Query::starts_with("child.name", "o")).await,
        ["p1"]
    );
}

/// `restrict` refuses deleting the one side of a manyToOne while rows point at it (403
/// `row_delete_restricted`), and nothing is deleted.
pub async fn restrict_refuses_deleting_a_referenced_row(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    related_tables(
        b,
        relation(
            "author",
            "child",
            RelationType::ManyToOne,
            Some("books"),
            OnDelete::Restrict,
        ),
    )
    .await;
    create(b, "child", "a1", json!({"name": "Ada"})).await;
    create(b, "parent", "b1", json!({"name": "Notes", "author": "a1"})).await;
    let e = assert_err(
        b.delete_row(DB, "child", "a1").await,
        403,
        ty::ROW_DELETE_RESTRICTED,
    );
    assert_eq!(
        e.message,
        "Row cannot be deleted because it is referenced by another row."
    );
    assert_eq!(count(b, "child").await, 1);
    // Deleting the referencing row (the many side) is not restricted.
    b.delete_row(DB, "parent", "b1").await.expect("delete book");
    b.delete_row(DB, "child", "a1")
        .await
        .expect("delete author");
}

/// `setNull` unlinks the rows that pointed at a deleted row.
pub async fn set_null_unlinks_on_delete(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    related_tables(
        b,
        relation(
            "author",
            "child",
            RelationType::ManyToOne,
            Some("books"),
            OnDelete::SetNull,
        ),
    )
    .await;
    create(b, "child", "a1", json!({"name": "Ada"})).await;
    create(b, "parent", "b1", json!({"name": "Notes", "author": "a1"})).await;
    b.delete_row(DB, "child", "a1")
        .await
        .expect("delete author");
    assert_eq!(
        get(b, "parent", "b1").await.get("author"),
        Some(&Value::Null)
    );
}

/// `cascade` deletes the related rows through a chain of relationships.
pub async fn cascade_deletes_through_a_chain(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    chain_of_three(b, None).await;
    create(
        b,
        "parent",
        "p1",
        json!({"name": "P", "kids": [{"$id": "c1", "name": "C", "leaves": [{"$id": "l1", "name": "L"}]}]}),
    )
    .await;
    create(b, "leaf", "l2", json!({"name": "kept"})).await;
    assert_eq!(count(b, "leaf").await, 2);
    b.delete_row(DB, "parent", "p1")
        .await
        .expect("delete parent");
    assert_eq!(count(b, "child").await, 0);
    assert_eq!(all_ids(b, "leaf", &[]).await, ["l2"]);
}

/// manyToMany links both ways; each side loads the other.
pub async fn many_to_many_loads_from_both_sides(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    related_tables(
        b,
        relation(
            "courses",
            "child",
            RelationType::ManyToMany,
            Some("students"),
            OnDelete::SetNull,
        ),
    )
    .await;
    create(
        b,
        "parent",
        "s1",
        json!({"name": "Sam", "courses": [{"$id": "c1", "name": "Maths"}, {"$id": "c2", "name": "Art"}]}),
    )
    .await;
    create(b, "parent", "s2", json!({"name": "Kim", "courses": ["c1"]})).await;
    let maths = get_with(b, "child", "c1", &["*", "students.*"]).await;
    let mut students = names(maths.get("students"));
    students.sort();
    assert_eq!(students, ["Kim", "Sam"]);
    b.delete_row(DB, "parent", "s1")
        .await
        .expect("delete student");
    let art = get_with(b, "child", "c2", &["students.*"]).await;
    assert_eq!(art.get("students"), Some(&json!([])));
}

/// Values of the wrong shape are refused with `relationship_value_invalid` and nothing is
/// written.
pub async fn relationship_values_of_the_wrong_shape_are_refused(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    related_tables(
        b,
        relation(
            "kids",
            "child",
            RelationType::OneToMany,
            Some("owner"),
            OnDelete::SetNull,
        ),
    )
    .await;
    let e = assert_err(
        b.create_row(DB, "parent", "p1", &doc(json!({"kids": "c1"})), None)
            .await,
        400,
        ty::RELATIONSHIP_VALUE_INVALID,
    );
    assert!(e.message.contains("document ID given"), "{}", e.message);
    assert_err(
        b.create_row(DB, "child", "c1", &doc(json!({"owner": ["p1"]})), None)
            .await,
        400,
        ty::RELATIONSHIP_VALUE_INVALID,
    );
    assert_eq!(count(b, "parent").await, 0);
    assert_eq!(count(b, "child").await, 0);
}

/// Bulk writes are refused on a table that has relationship columns (400
/// `general_bad_request`), as Appwrite refuses them.
pub async fn bulk_writes_are_refused_on_tables_with_relationships(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    related_tables(
        b,
        relation(
            "child",
            "child",
            RelationType::ManyToOne,
            None,
            OnDelete::SetNull,
        ),
    )
    .await;
    assert_err_msg(
        b.create_rows(DB, "parent", &docs(json!([{"name": "a"}])))
            .await,
        400,
        ty::GENERAL_BAD_REQUEST,
        "Bulk create is not supported for tablesDB with relationship columns",
    );
    assert_err(
        b.delete_rows(DB, "parent", &[]).await,
        400,
        ty::GENERAL_BAD_REQUEST,
    );
}

/// `PATCH …/relationship` changes `onDelete` and the key on both sides; deleting either side
/// deletes the pair.
pub async fn relationship_update_and_delete_act_on_both_sides(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    related_tables(
        b,
        relation(
            "child",
            "child",
            RelationType::ManyToOne,
            Some("parents"),
            OnDelete::Restrict,
        ),
    )
    .await;
    create(b, "child", "c1", json!({"name": "C"})).await;
    create(b, "parent", "p1", json!({"name": "P", "child": "c1"})).await;
    let desired = relation(
        "mine",
        "child",
        RelationType::ManyToOne,
        Some("parents"),
        OnDelete::Cascade,
    );
    let updated = b
        .update_column(DB, "parent", "child", &desired)
        .await
        .expect("update relationship");
    assert_eq!(updated.schema.key, "mine");
    let twin = b.get_column(DB, "child", "parents").await.expect("twin");
    let ColumnKind::Relationship(rel) = &twin.schema.kind else {
        panic!("relationship")
    };
    assert_eq!(rel.two_way_key.as_deref(), Some("mine"));
    assert_eq!(rel.on_delete, OnDelete::Cascade);
    // The links survived the rename.
    assert_eq!(get(b, "parent", "p1").await.get("mine"), Some(&json!("c1")));
    b.delete_column(DB, "child", "parents")
        .await
        .expect("delete twin");
    wait_column_gone(b, "child", "parents").await;
    wait_column_gone(b, "parent", "mine").await;
    let row = get(b, "parent", "p1").await;
    assert_eq!(row.get("mine"), None);
}

/// A one-way relationship has no column on the related table, yet its `onDelete` applies
/// when a related row is deleted: `cascade` deletes the rows pointing at it, `restrict`
/// refuses while some do.
pub async fn one_way_on_delete_applies_from_the_related_side(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    related_tables(
        b,
        relation(
            "child",
            "child",
            RelationType::ManyToOne,
            None,
            OnDelete::Cascade,
        ),
    )
    .await;
    table_with(b, "other", vec![text("name")]).await;
    add_column(
        b,
        "other",
        relation(
            "child",
            "child",
            RelationType::ManyToOne,
            None,
            OnDelete::Restrict,
        ),
    )
    .await;
    assert!(
        b.get_column(DB, "child", "parent").await.is_err(),
        "no twin"
    );
    create(b, "child", "c1", json!({"name": "C"})).await;
    create(b, "child", "c2", json!({"name": "D"})).await;
    create(b, "parent", "p1", json!({"name": "P", "child": "c1"})).await;
    create(b, "parent", "p2", json!({"name": "Q", "child": "c1"})).await;
    create(b, "other", "o1", json!({"name": "O", "child": "c2"})).await;
    b.delete_row(DB, "child", "c1").await.expect("delete c1");
    assert_eq!(
        count(b, "parent").await,
        0,
        "cascade through a one-way relationship"
    );
    assert_err(
        b.delete_row(DB, "child", "c2").await,
        403,
        ty::ROW_DELETE_RESTRICTED,
    );
}

/// Related rows come without the twin that points back at the rows they were loaded for, and
/// loading stops two levels down: a relationship of rows at the third level is left out, as
/// Appwrite removes it. A write answers with every relationship loaded that way.
pub async fn loaded_rows_leave_out_the_way_back_and_stop_two_levels_down(env: Env) {
    let fx = env.fixture().await;
    let b = fx.b();
    chain_of_three(b, Some("branch")).await;
    wait_column(b, "leaf", "branch").await;
    add_column(
        b,
        "leaf",
        relation(
            "pin",
            "parent",
            RelationType::ManyToOne,
            None,
            OnDelete::SetNull,
        ),
    )
    .await;
    create(b, "parent", "p0", json!({"name": "pinned"})).await;
    create(b, "leaf", "l1", json!({"name": "L", "pin": "p0"})).await;
    let created = create(
        b,
        "parent",
        "p1",
        json!({"name": "P", "kids": [{"$id": "c1", "name": "C", "leaves": ["l1"]}]}),
    )
    .await;
    let kid = &created.get("kids").and_then(Value::as_array).expect("kids")[0];
    assert_eq!(kid.get("name"), Some(&json!("C")));
    assert_eq!(kid.get("owner"), None, "the way back is left out");
    let leaf = &kid.get("leaves").and_then(Value::as_array).expect("leaves")[0];
    assert_eq!(leaf.get("name"), Some(&json!("L")));
    assert_eq!(leaf.get("branch"), None, "the way back is left out");
    assert_eq!(leaf.get("pin"), None, "nothing loaded three levels down");
    assert_eq!(get(b, "leaf", "l1").await.get("pin"), Some(&json!("p0")));
    // The same through select: the twin is left out even when `*` names every column.
    let loaded = get_with(b, "parent", "p1", &["*", "kids.*"]).await;
    let kids = loaded.get("kids").and_then(Value::as_array).expect("kids");
    assert_eq!(kids[0].get("owner"), None);
    assert_eq!(kids[0].get("leaves"), None, "to-many not selected");
    let deep = get_with(b, "parent", "p1", &["kids.leaves.pin.*"]).await;
    let leaf = &deep["kids"][0]["leaves"][0];
    assert_eq!(leaf.get("$id"), Some(&json!("l1")));
    assert_eq!(leaf.get("pin"), None, "nothing loaded three levels down");
}
