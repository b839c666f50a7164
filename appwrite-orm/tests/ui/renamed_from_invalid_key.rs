use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(renamed_from = "full name")]
    name: String,
    #[column(renamed_from = "an_old_column_key_that_is_much_too_long")]
    email: String,
    #[column(renamed_from = "$id")]
    code: String,
}

fn main() {}
