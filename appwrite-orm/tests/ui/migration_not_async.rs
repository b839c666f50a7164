use appwrite_orm::prelude::*;

#[migration(version = 2)]
fn backfill(_m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    Ok(())
}

fn main() {}
