use appwrite_orm::prelude::*;

#[derive(ColumnEnum)]
enum Role {
    Admin,
    Member,
}

#[derive(Table)]
struct User {
    #[column(size = 10)]
    role: Role,
}

fn main() {}
