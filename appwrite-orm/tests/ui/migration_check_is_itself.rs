use appwrite_orm::prelude::*;

async fn counts_unchanged(_m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    Ok(())
}

#[migration(version = 2, check = counts_unchanged, check = backfill, check = counts_unchanged)]
async fn backfill(_m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    Ok(())
}

fn main() {}
