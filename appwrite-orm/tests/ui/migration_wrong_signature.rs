use appwrite_orm::prelude::*;

// The context must be borrowed mutably.
#[migration(version = 2)]
async fn shared(_m: &Migration<'_>) -> appwrite_orm::Result<()> {
    Ok(())
}

// One argument only.
#[migration(version = 3)]
async fn two(_m: &mut Migration<'_>, _extra: u32) -> appwrite_orm::Result<()> {
    Ok(())
}

// A result to report failures with.
#[migration(version = 4)]
async fn nothing(_m: &mut Migration<'_>) {}

fn main() {}
