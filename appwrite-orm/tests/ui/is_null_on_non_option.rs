use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    name: String,
}

fn main() {
    let _ = User::NAME.is_null();
}
