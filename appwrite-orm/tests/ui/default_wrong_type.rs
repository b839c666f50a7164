use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(default = "no")]
    is_verified: bool,
    #[column(default = 1.5)]
    view_count: i64,
    #[column(default = 7)]
    name: String,
}

fn main() {}
