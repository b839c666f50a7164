use appwrite_orm::prelude::*;

#[derive(Table)]
struct Patient {
    #[column(encrypt, size = 150)]
    ssn: String,
    #[column(encrypt, text)]
    notes: Option<String>,
    #[column(encrypt)]
    nickname: String,
    #[column(encrypt, size = 100)]
    pin: String,
    #[column(encrypt)]
    age: i64,
    #[column(encrypt, email)]
    mail: String,
}

fn main() {}
