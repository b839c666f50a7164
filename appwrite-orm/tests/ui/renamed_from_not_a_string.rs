use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(renamed_from = full_name)]
    name: String,
    #[column(renamed_from = 3)]
    email: String,
}

fn main() {}
