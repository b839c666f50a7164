use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(sise = 10)]
    name: String,
}

fn main() {}
