use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(id)]
    id: String,
    #[column(created_at)]
    created_at: i64,
    #[column(permissions, size = 3)]
    permissions: Vec<String>,
}

fn main() {}
