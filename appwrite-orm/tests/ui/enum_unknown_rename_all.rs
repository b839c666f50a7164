use appwrite_orm::prelude::*;

#[derive(ColumnEnum)]
#[column_enum(rename_all = "snakecase")]
enum Role {
    Admin,
}

fn main() {}
