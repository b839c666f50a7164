use appwrite_orm::prelude::*;

#[migration(version = 2, allow("required-without-value", "destructve"))]
async fn drop_old_prices(_m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    Ok(())
}

#[migration(version = 3, allow = "history-checksum-changed")]
async fn edited(_m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    Ok(())
}

#[migration(version = 4, allow = "destructive", allow = "destructive")]
async fn twice(_m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    Ok(())
}

fn main() {}
