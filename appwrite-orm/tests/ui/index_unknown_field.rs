use appwrite_orm::prelude::*;

#[derive(Table)]
#[index(key = "by_email", unique, columns(emial))]
struct User {
    email: String,
}

fn main() {}
