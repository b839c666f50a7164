use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    _internal: String,
}

fn main() {}
