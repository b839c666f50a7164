use appwrite_orm::prelude::*;

#[derive(Table)]
#[index(key = "by_name", columns(name))]
#[index(key = "BY_NAME", unique, columns(email))]
struct User {
    name: String,
    email: String,
}

fn main() {}
