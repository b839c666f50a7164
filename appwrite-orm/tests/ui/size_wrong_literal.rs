use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(size = "10")]
    name: String,
}

fn main() {}
