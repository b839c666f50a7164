use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(min = 0)]
    name: String,
}

fn main() {}
