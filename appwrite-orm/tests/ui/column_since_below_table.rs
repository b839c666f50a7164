use appwrite_orm::prelude::*;

#[derive(Table)]
#[table(since = 3)]
struct User {
    #[column(since = 2)]
    name: String,
}

fn main() {}
