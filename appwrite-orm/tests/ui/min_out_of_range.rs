use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    #[column(min = -1)]
    age: u8,
    #[column(max = 300)]
    level: u8,
}

fn main() {}
