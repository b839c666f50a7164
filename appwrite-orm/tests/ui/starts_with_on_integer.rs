use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    view_count: i64,
}

fn main() {
    let _ = User::VIEW_COUNT.starts_with("1");
}
