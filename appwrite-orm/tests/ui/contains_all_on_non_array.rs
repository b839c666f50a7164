use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    view_count: i64,
}

fn main() {
    let _ = User::VIEW_COUNT.contains_all([1, 2]);
}
