use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    visits: u64,
}

fn main() {}
