use appwrite_orm::prelude::*;

#[migration(version = 0)]
async fn first(_m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    Ok(())
}

fn main() {}
