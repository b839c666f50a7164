use appwrite_orm::prelude::*;

#[derive(Table)]
struct User(String, i64);

fn main() {}
