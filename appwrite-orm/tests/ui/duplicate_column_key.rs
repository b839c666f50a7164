use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    name: String,
    #[column(rename = "Name")]
    display_name: String,
}

fn main() {}
