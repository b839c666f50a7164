use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(renamed_from = "fullName")]
    name: String,
    #[column(renamed_from = "FullName")]
    display_name: String,
}

fn main() {}
