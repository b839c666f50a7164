use appwrite_orm::prelude::*;

#[derive(Table)]
#[table(id = "events", database = "_analytics")]
struct Event {
    #[column(size = 50)]
    kind: String,
}

#[migration(version = 1, database = "stats and more")]
async fn count_events(_m: &mut Migration<'_>) -> appwrite_orm::Result<()> {
    Ok(())
}

fn main() {}
