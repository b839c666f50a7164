use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(size = 10)]
    #[column(size = 20, text, longtext)]
    name: String,
}

fn main() {}
