use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    is_verified: bool,
}

fn main() {
    let _ = User::IS_VERIFIED.gt(true);
}
