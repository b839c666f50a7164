use appwrite_orm::prelude::*;

#[derive(Table)]
#[index(key = "by_phone", columns(phone), since = 1)]
struct User {
    #[column(since = 2)]
    phone: Option<String>,
}

fn main() {}
