use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(required, default = false)]
    is_verified: bool,
}

fn main() {}
