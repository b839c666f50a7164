use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(default = "rust")]
    tags: Vec<String>,
}

fn main() {}
