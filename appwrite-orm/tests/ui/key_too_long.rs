use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(rename = "a_column_key_that_is_much_too_long_for_appwrite")]
    name: String,
}

fn main() {}
