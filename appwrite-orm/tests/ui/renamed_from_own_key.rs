use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(renamed_from = "Name")]
    name: String,
    #[column(rename = "mail", renamed_from = "mail")]
    email: String,
}

fn main() {}
