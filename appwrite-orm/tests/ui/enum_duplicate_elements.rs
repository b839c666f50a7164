use appwrite_orm::prelude::*;

#[derive(ColumnEnum)]
#[column_enum(rename_all = "lowercase")]
enum Role {
    Admin,
    #[column_enum(rename = "admin")]
    Root,
    ADMIN,
}

fn main() {}
