use appwrite_orm::prelude::*;

#[derive(ColumnEnum)]
struct Role {
    name: String,
}

fn main() {}
