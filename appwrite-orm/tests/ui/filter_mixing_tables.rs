use appwrite_orm::prelude::*;

#[derive(Table)]
struct User {
    name: String,
}

#[derive(Table)]
struct Post {
    title: String,
}

fn main() {
    let _ = User::NAME.eq("a").and(Post::TITLE.eq("b"));
}
