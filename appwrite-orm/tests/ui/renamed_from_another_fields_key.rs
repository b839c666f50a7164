use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(renamed_from = "Email")]
    name: String,
    #[column(rename = "email")]
    mail: String,
}

fn main() {}
