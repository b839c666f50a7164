use appwrite_orm::prelude::*;

#[derive(Table)]
struct User<T> {
    name: T,
}

fn main() {}
