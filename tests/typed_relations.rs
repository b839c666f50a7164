//! Typed relationships end to end, on the embedded engine and over HTTP against the emulator:
//! `Ref<T>` fields, loading with `with(...)`, reads that always bring the related ids, and the
//! writes that Appwrite refuses in bulk on such tables done one row at a time.

use appwrite_orm::error::types;
use appwrite_orm::prelude::*;

#[derive(Table, Debug, Clone, PartialEq)]
#[table(id = "writers", name = "Writers")]
pub struct Writer {
    #[column(id)]
    pub id: RowId,
    #[column(size = 100)]
    pub name: String,
    /// The twin of `Novel::writer`, created with it.
    #[column(relation(table = "novels", kind = many_to_one, twin, two_way_key = "writer"))]
    pub novels: Vec<Ref<Novel>>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(id = "novels", name = "Novels")]
pub struct Novel {
    #[column(id)]
    pub id: RowId,
    #[column(size = 200)]
    pub title: String,
    #[column(relation(
        table = "writers",
        kind = many_to_one,
        on_delete = cascade,
        two_way_key = "novels"
    ))]
    pub writer: Option<Ref<Writer>>,
    #[column(relation(table = "chapters", kind = one_to_many, on_delete = cascade))]
    pub chapters: Vec<Ref<Chapter>>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(id = "chapters", name = "Chapters")]
pub struct Chapter {
    #[column(id)]
    pub id: RowId,
    #[column(size = 100)]
    pub heading: String,
}

#[macro_use]
mod typed_support;

use typed_support::Env;

on_both_backends!(
    "library":
    reads_bring_related_ids_and_with_loads_rows,
    bulk_writes_go_row_by_row_on_related_tables,
    cascade_follows_the_typed_relation,
);

fn id(s: &str) -> RowId {
    RowId::new(s).unwrap()
}

async fn library(env: &Env) {
    env.db.create_table::<Writer>().await.unwrap();
    env.db.create_table::<Chapter>().await.unwrap();
    env.db.create_table::<Novel>().await.unwrap();
    let writers = env.db.table::<Writer>();
    writers
        .create(&Writer {
            id: id("w1"),
            name: "Ursula".into(),
            novels: Vec::new(),
        })
        .await
        .unwrap();
    let chapters = env.db.table::<Chapter>();
    for (i, heading) in ["One", "Two"].iter().enumerate() {
        chapters
            .create(&Chapter {
                id: id(&format!("c{i}")),
                heading: (*heading).into(),
            })
            .await
            .unwrap();
    }
    env.db
        .table::<Novel>()
        .create(&Novel {
            id: id("n1"),
            title: "The Dispossessed".into(),
            writer: Some(Ref::new(id("w1"))),
            chapters: vec![Ref::new(id("c0")), Ref::new(id("c1"))],
        })
        .await
        .unwrap();
}

async fn reads_bring_related_ids_and_with_loads_rows(env: Env) {
    library(&env).await;
    let novels = env.db.table::<Novel>();
    // A plain typed read brings the ids of both sides, nothing loaded.
    let novel = novels.get("n1").await.unwrap().unwrap();
    assert_eq!(novel.writer.as_ref().map(|w| w.id().as_str()), Some("w1"));
    assert!(novel.writer.as_ref().unwrap().row().is_none());
    let mut chapter_ids: Vec<&str> = novel.chapters.iter().map(|c| c.id().as_str()).collect();
    chapter_ids.sort_unstable();
    assert_eq!(chapter_ids, ["c0", "c1"]);
    // `with` loads the related rows, typed.
    let loaded = novels
        .query()
        .with(Novel::WRITER)
        .with(Novel::CHAPTERS)
        .first()
        .await
        .unwrap()
        .unwrap();
    let writer = loaded
        .writer
        .as_ref()
        .and_then(Ref::row)
        .expect("writer loaded");
    assert_eq!(writer.name, "Ursula");
    let mut headings: Vec<&str> = loaded
        .chapters
        .iter()
        .filter_map(Ref::row)
        .map(|c| c.heading.as_str())
        .collect();
    headings.sort_unstable();
    assert_eq!(headings, ["One", "Two"]);
    // The twin, declared on the other model, loads from its side.
    let writer = env
        .db
        .table::<Writer>()
        .query()
        .with(Writer::NOVELS)
        .first()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(writer.novels.len(), 1);
    assert_eq!(
        writer.novels[0].row().map(|n| n.title.as_str()),
        Some("The Dispossessed")
    );
    // Filters on the relationship column compare related ids.
    let by_writer = novels
        .query()
        .filter(Novel::WRITER.eq("w1"))
        .all()
        .await
        .unwrap();
    assert_eq!(by_writer.len(), 1);
    // An upsert of what was read keeps the links: the read brought them all.
    novels.upsert(&novel).await.unwrap();
    let again = novels.get("n1").await.unwrap().unwrap();
    assert_eq!(again.chapters.len(), 2);
}

async fn bulk_writes_go_row_by_row_on_related_tables(env: Env) {
    library(&env).await;
    let novels = env.db.table::<Novel>();
    let more: Vec<Novel> = (2..5)
        .map(|i| Novel {
            id: id(&format!("n{i}")),
            title: format!("Novel {i}"),
            writer: Some(Ref::new(id("w1"))),
            chapters: Vec::new(),
        })
        .collect();
    assert_eq!(novels.insert_many(&more).await.unwrap().len(), 3);
    // The untyped bulk route is refused, as Appwrite refuses it.
    let refused = novels
        .rows()
        .insert_many(&[serde_json::from_value(serde_json::json!({"title": "x"})).unwrap()])
        .await
        .unwrap_err();
    assert_eq!(refused.error_type(), Some(types::GENERAL_BAD_REQUEST));
    let changed = novels
        .update_where(
            Novel::TITLE.starts_with("Novel"),
            Novel::patch().title("Renamed"),
        )
        .await
        .unwrap();
    assert_eq!(changed, 3);
    let deleted = novels
        .delete_where(Novel::TITLE.eq("Renamed"))
        .await
        .unwrap();
    assert_eq!(deleted, 3);
    assert_eq!(novels.count().await.unwrap(), 1);
}

async fn cascade_follows_the_typed_relation(env: Env) {
    library(&env).await;
    // Deleting the writer (the "one" side of manyToOne, onDelete cascade) deletes the novel,
    // whose own cascade deletes its chapters.
    env.db.table::<Writer>().delete("w1").await.unwrap();
    assert_eq!(env.db.table::<Novel>().count().await.unwrap(), 0);
    assert_eq!(env.db.table::<Chapter>().count().await.unwrap(), 0);
}
