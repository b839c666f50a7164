use appwrite_orm::prelude::*;

#[derive(Table)]
#[table(id = "_users", since = 0)]
#[index(key = "by_email", fulltext, columns(emial, views))]
struct User {
    #[column(size = 0)]
    name: String,
    #[column(email, size = 10)]
    email: String,
    #[column(min = 10, max = 1)]
    views: u32,
    #[column(default = "yes")]
    active: bool,
    #[column(required)]
    phone: Option<String>,
    #[column(colour = "red")]
    notes: String,
}

fn main() {}
