use appwrite_orm::prelude::*;

#[migration(name = "backfill defaults")]
async fn backfill(_m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    Ok(())
}

fn main() {}
