use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(id)]
    id: RowId,
    #[column(id)]
    other_id: RowId,
}

fn main() {}
