use appwrite_orm::prelude::*;

#[derive(Table)]
#[index(key = "by_name", columns(name, city), lengths(16))]
#[index(key = "by_city", columns(city), lengths(0))]
#[index(key = "by_both", columns(name, city), lengths(8, all))]
struct User {
    name: String,
    city: String,
}

fn main() {}
