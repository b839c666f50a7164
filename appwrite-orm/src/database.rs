//! The entry point: one Appwrite database, through any backend.

use std::path::Path;
use std::sync::Arc;

use crate::api::Table as LiveTable;
use crate::backend::Backend;
use crate::backend::embedded::EmbeddedBackend;
use crate::model::Table;
use crate::query::Query;
use crate::rows::Rows;
use crate::table::TableHandle;
use crate::{Error, Result};

/// The database id used when none is configured.
pub const DEFAULT_DATABASE_ID: &str = "default";

/// One Appwrite database and the backend that reaches it. Cheap to clone.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use appwrite_orm::Database;
///
/// let db = Database::in_memory().await?;
/// assert_eq!(db.id(), "default");
/// # Ok::<(), appwrite_orm::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Database {
    backend: Arc<dyn Backend>,
    id: String,
}

impl Database {
    /// A database reached through `backend`; nothing is created or checked.
    pub fn new(backend: Arc<dyn Backend>, database_id: impl Into<String>) -> Self {
        Self {
            backend,
            id: database_id.into(),
        }
    }

    /// The embedded engine on a SQLite file (created when missing), with the database
    /// `default` created when missing.
    pub async fn embedded(path: impl AsRef<Path>) -> Result<Self> {
        Self::ready(Arc::new(EmbeddedBackend::open(path)?), DEFAULT_DATABASE_ID).await
    }

    /// The embedded engine in memory, with the database `default`.
    pub async fn in_memory() -> Result<Self> {
        Self::ready(Arc::new(EmbeddedBackend::in_memory()?), DEFAULT_DATABASE_ID).await
    }

    /// A real Appwrite server, with the database from the configuration (or `default`),
    /// created when missing.
    #[cfg(feature = "http")]
    pub async fn connect(config: crate::HttpConfig) -> Result<Self> {
        let id = config
            .database_id
            .clone()
            .unwrap_or_else(|| DEFAULT_DATABASE_ID.to_owned());
        Self::ready(Arc::new(crate::HttpBackend::new(config)?), &id).await
    }

    /// Uses `backend` and creates the database `database_id` when it does not exist.
    pub async fn ready(backend: Arc<dyn Backend>, database_id: &str) -> Result<Self> {
        match backend.get_database(database_id).await {
            Ok(_) => {}
            Err(e) if e.error_type() == Some(crate::api::types::DATABASE_NOT_FOUND) => {
                match backend.create_database(database_id, database_id).await {
                    Ok(_) => {}
                    // Another process created it meanwhile.
                    Err(e) if e.is_conflict() => {}
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        }
        Ok(Self::new(backend, database_id))
    }

    /// The database id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The backend.
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// A handle on the sibling database `id`: the same backend and credentials, another
    /// database. Nothing is created or checked (a migration run creates the databases its
    /// tables and migrations name; [`Database::ready`] creates one by hand).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let db = appwrite_orm::Database::in_memory().await?;
    /// let analytics = db.in_database("analytics");
    /// assert_eq!(analytics.id(), "analytics");
    /// assert!(std::sync::Arc::ptr_eq(analytics.backend(), db.backend()));
    /// # Ok::<(), appwrite_orm::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn in_database(&self, id: impl Into<String>) -> Database {
        Self::new(Arc::clone(&self.backend), id)
    }

    /// The database model `T` lives in: the one its `#[table(database = "...")]` names, else
    /// this one.
    pub fn database_of<T: Table>(&self) -> Database {
        match T::schema().database_id() {
            Some(id) if id != self.id => self.in_database(id),
            _ => self.clone(),
        }
    }

    /// Typed access to the rows of model `T`, in the database the model declares
    /// (`#[table(database = "...")]`), else in this one.
    pub fn table<T: Table>(&self) -> TableHandle<T> {
        TableHandle::new(self.database_of::<T>().rows(&T::schema().id))
    }

    /// Dynamic access to the rows of any table of this database, as JSON documents (a table
    /// of another database: `db.in_database(id).rows(table_id)`).
    pub fn rows(&self, table_id: &str) -> Rows {
        Rows::new(Arc::clone(&self.backend), &self.id, table_id)
    }

    /// Creates the table of model `T` with all its columns and indexes (checked against
    /// Appwrite's rules first), in the model's database (created when missing). For quick
    /// starts and tests; versioned schemas go through migrations.
    ///
    /// Relationship columns cannot be created inline: they are added after the table, one
    /// request each, and waited for (the related table must exist already). A declared twin
    /// (`relation(twin, ...)`) is created by its parent, with the related table.
    pub async fn create_table<T: Table>(&self) -> Result<LiveTable> {
        if let Some(other) = T::schema().database_id().filter(|id| *id != self.id) {
            // A quick start needs the model's database too.
            let home = Self::ready(Arc::clone(&self.backend), other).await?;
            return Box::pin(home.create_table::<T>()).await;
        }
        let schema = T::schema();
        schema.validate()?;
        let (relations, plain): (Vec<_>, Vec<_>) = schema
            .columns
            .iter()
            .cloned()
            .partition(|c| matches!(c.kind, crate::schema::ColumnKind::Relationship(_)));
        // A twin comes with its parent, when the related table is created.
        let relations: Vec<_> = relations
            .into_iter()
            .filter(|c| {
                !matches!(&c.kind, crate::schema::ColumnKind::Relationship(rel)
                    if rel.side == crate::schema::RelationSide::Child)
            })
            .collect();
        if plain.len() == schema.columns.len() {
            return self.backend.create_table(&self.id, schema).await;
        }
        let first = crate::schema::TableSchema {
            columns: plain,
            ..schema.clone()
        };
        self.backend.create_table(&self.id, &first).await?;
        for column in &relations {
            self.backend
                .create_column(&self.id, &schema.id, column)
                .await?;
        }
        let live = self.backend.get_table(&self.id, &schema.id).await?;
        let keys: Vec<String> = relations.iter().map(|c| c.key.clone()).collect();
        let timeout = std::time::Duration::from_secs(60);
        crate::ready::wait(self, live, Some(&keys), timeout, |table, reason| {
            Error::NotReady {
                what: format!("relationship columns of table {table:?}"),
                reason,
            }
        })
        .await
    }

    /// Deletes the table of model `T` with its rows (in the model's database).
    pub async fn drop_table<T: Table>(&self) -> Result<()> {
        let home = self.database_of::<T>();
        self.backend.delete_table(&home.id, &T::schema().id).await
    }

    /// Applies the pending migrations of this binary (every `#[derive(Table)]` and
    /// `#[migration]` in it) and returns what was done; see [`crate::migrate`]. Call it at
    /// every boot, on every replica: a boot with nothing to do makes one request (per
    /// database), and concurrent calls run each version once. Tables and migrations naming
    /// other databases are migrated there, after this one (see "Several databases" in
    /// [`crate::migrate`]).
    pub async fn migrate(&self) -> Result<crate::migrate::MigrationReport> {
        crate::migrate::Migrator::from_registry().run(self).await
    }

    /// [`migrate`](Self::migrate) with settings (lock, polling, backups, target version).
    pub async fn migrate_with(
        &self,
        options: crate::migrate::MigrateOptions,
    ) -> Result<crate::migrate::MigrationReport> {
        crate::migrate::Migrator::from_registry()
            .with_options(options)
            .run(self)
            .await
    }

    /// Every live table of the database with its columns and indexes, a page at a time. What
    /// a backup copies, what a migration plans against and what `appwrite-orm pull` generates
    /// models from.
    pub async fn live_tables(&self) -> Result<Vec<LiveTable>> {
        every_page(
            |queries| async move { Ok(self.backend.list_tables(&self.id, &queries).await?.items) },
            |table| table.id.clone(),
        )
        .await
    }

    /// [`live_tables`](Self::live_tables), none when the database does not exist yet: what a
    /// look at a database that a migration run would create starts from.
    pub(crate) async fn live_tables_if_any(&self) -> Result<Vec<LiveTable>> {
        match self.live_tables().await {
            Err(e) if e.error_type() == Some(crate::api::types::DATABASE_NOT_FOUND) => {
                Ok(Vec::new())
            }
            other => other,
        }
    }

    /// The live table of model `T`, `None` when it does not exist.
    pub async fn live_table<T: Table>(&self) -> Result<Option<LiveTable>> {
        let home = self.database_of::<T>();
        match self.backend.get_table(&home.id, &T::schema().id).await {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.error_type() == Some(crate::api::types::TABLE_NOT_FOUND) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Items listed by pages of this many.
const LISTING_PAGE: u64 = 100;

/// Every item of a listing, read by pages each after the last item of the one before
/// (Appwrite's cursor paging): `page` answers the page its queries ask for, `id` gives an
/// item's id for the cursor. A page shorter than asked for is the last.
///
/// `page` is a closure returning a future rather than an async closure: the futures of the
/// callers must be `Send`, which the compiler cannot yet prove through async closures.
pub(crate) async fn every_page<T, F, Fut>(mut page: F, id: impl Fn(&T) -> String) -> Result<Vec<T>>
where
    F: FnMut(Vec<Query>) -> Fut,
    Fut: Future<Output = Result<Vec<T>>>,
{
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut queries = vec![Query::limit(LISTING_PAGE)];
        if let Some(c) = cursor.take() {
            queries.push(Query::cursor_after(c));
        }
        let items = page(queries).await?;
        let full = items.len() as u64 >= LISTING_PAGE;
        cursor = items.last().map(&id);
        out.extend(items);
        if !full {
            return Ok(out);
        }
    }
}

impl From<EmbeddedBackend> for Arc<dyn Backend> {
    fn from(engine: EmbeddedBackend) -> Self {
        Arc::new(engine)
    }
}
