use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(rename = "full name")]
    name: String,
}

fn main() {}
