use appwrite_orm::prelude::*;

#[derive(Table)]
#[index(key = "by_name", columns(name, email), orders(desc))]
struct User {
    name: String,
    email: String,
}

fn main() {}
