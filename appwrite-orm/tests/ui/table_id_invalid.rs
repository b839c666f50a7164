use appwrite_orm::prelude::*;

#[derive(Table)]
#[table(id = "user accounts", name = "")]
struct User {
    name: String,
}

fn main() {}
