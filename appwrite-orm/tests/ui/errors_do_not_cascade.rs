use appwrite_orm::prelude::*;

// One mistake in the attributes: the derive reports it and still emits the constants, the patch
// builder and a `Table` impl, so the uses below add no error of their own.
#[derive(Table)]
struct User {
    #[column(size = "128")]
    name: String,
    phone: Option<String>,
}

fn uses() -> Filter<User> {
    let _ = User::schema();
    let _: Patch<User> = User::patch().name("Ada").phone(None).into();
    User::NAME.eq("Ada").and(User::PHONE.is_null())
}

fn main() {
    let _ = uses();
}
