use appwrite_orm::prelude::*;

#[derive(Table)]
enum User {
    Admin,
}

fn main() {}
