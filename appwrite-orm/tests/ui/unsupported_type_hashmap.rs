use appwrite_orm::prelude::*;

use std::collections::HashMap;

#[derive(Table)]
struct User {
    settings: HashMap<String, String>,
}

fn main() {}
