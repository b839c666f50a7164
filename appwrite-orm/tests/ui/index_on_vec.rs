use appwrite_orm::prelude::*;

#[derive(Table)]
#[index(key = "by_tags", columns(tags))]
struct User {
    tags: Vec<String>,
}

fn main() {}
