use appwrite_orm::prelude::*;

// The step's future must resolve to `appwrite_orm::Result<()>`.
#[migration(version = 2)]
async fn counts(_m: &mut Migration<'_>) -> appwrite_orm::Result<u64> {
    Ok(1)
}

fn main() {}
