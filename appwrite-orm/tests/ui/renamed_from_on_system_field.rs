use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(id, renamed_from = "uid")]
    id: RowId,
    #[column(created_at, renamed_from = "created")]
    created_at: DateTime,
    #[column(updated_at, renamed_from = "updated")]
    updated_at: DateTime,
    #[column(sequence, renamed_from = "seq")]
    sequence: i64,
    #[column(permissions, renamed_from = "acl")]
    permissions: Vec<String>,
}

fn main() {}
