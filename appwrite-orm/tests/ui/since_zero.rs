use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(since = 0)]
    name: String,
}

fn main() {}
