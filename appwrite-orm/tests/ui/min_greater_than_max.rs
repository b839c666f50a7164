use appwrite_orm::prelude::*;

#[derive(Table)]
struct Product {
    #[column(min = 10.5, max = 1)]
    price: f64,
}

fn main() {}
