//! The migrations a binary knows: what `#[migration]` registers through `inventory`, and the
//! owned form the runner works with, which tests can also build by hand.
//!
//! `inventory` gives no order and registers nothing on platforms it does not support, so the
//! registry is sorted here and duplicate versions are refused by the runner with both
//! functions named.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::Result;
use crate::migrate::running::context::Migration;

/// The future a migration step returns.
pub type StepFuture<'a> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

/// A migration step as a plain function: what `#[migration]` registers.
pub type StepFn = for<'a, 'b> fn(&'a mut Migration<'b>) -> StepFuture<'a>;

/// One `#[migration(version = N)]` function, as registered through `inventory`.
///
/// Written by the attribute macro; build a [`MigrationDef`] by hand instead of this.
#[derive(Debug)]
pub struct MigrationRegistration {
    /// The version, at least 1.
    pub version: u32,
    /// A short description, shown in reports and stored in the history.
    pub name: &'static str,
    /// SHA-256 (hex) of the function's normalised tokens, computed at compile time.
    pub checksum: &'static str,
    /// The step.
    pub run: StepFn,
    /// The `down` counterpart, if one was named.
    pub down: Option<StepFn>,
    /// The validation checks (`check = fn_name`), by function name, in order.
    pub checks: &'static [(&'static str, StepFn)],
    /// The lint codes the migration acknowledges (`allow = "code"`), checked at compile time.
    pub allow: &'static [&'static str],
    /// The function's name.
    pub function: &'static str,
    /// `module_path!()` where the function is defined.
    pub module: &'static str,
    /// `file!()` where the function is defined.
    pub file: &'static str,
    /// `line!()` of the attribute.
    pub line: u32,
    /// `database = "..."`: the database the migration belongs to; `None` for the connection's.
    pub database: Option<&'static str>,
}

inventory::collect!(MigrationRegistration);

/// Something that runs a migration step: a [`StepFn`], or a closure written in a test.
pub trait Step: Send + Sync {
    /// Runs the step on the context.
    fn run<'a, 'b>(&self, m: &'a mut Migration<'b>) -> StepFuture<'a>;
}

impl<F> Step for F
where
    F: for<'a, 'b> Fn(&'a mut Migration<'b>) -> StepFuture<'a> + Send + Sync,
{
    fn run<'a, 'b>(&self, m: &'a mut Migration<'b>) -> StepFuture<'a> {
        self(m)
    }
}

/// A migration as the runner sees it: version, name, checksum, where it is defined, and its
/// step (plus an optional `down` step).
///
/// [`registered_migrations`] gives the ones `#[migration]` registered; tests build them by hand
/// to run several "binaries" against one database in one process:
///
/// ```
/// use appwrite_orm::migrate::MigrationDef;
///
/// let v2 = MigrationDef::new(2, "backfill", |m| {
///     Box::pin(async move {
///         m.rows("users").update_where(&[], &Default::default()).await?;
///         Ok(())
///     })
/// })
/// .with_checksum("changed-in-the-next-release");
/// assert_eq!(v2.version, 2);
/// ```
#[derive(Clone)]
pub struct MigrationDef {
    /// The version, at least 1.
    pub version: u32,
    /// A short description.
    pub name: String,
    /// What the history compares to detect an edited migration.
    pub checksum: String,
    /// Where it is defined, for messages (`module::function (file:line)`).
    pub source: String,
    /// The module it is defined in (empty for migrations built by hand).
    pub module: String,
    /// The database whose history records it, and where it runs; `None` for the connection's.
    /// Set with [`database`](Self::database).
    pub database: Option<String>,
    run: Arc<dyn Step>,
    down: Option<Arc<dyn Step>>,
    checks: Vec<(String, Arc<dyn Step>)>,
    /// Lint codes acknowledged; not part of the checksum (see [`MigrationDef::allow`]).
    allowed: Vec<String>,
}

impl fmt::Debug for MigrationDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MigrationDef")
            .field("version", &self.version)
            .field("name", &self.name)
            .field("checksum", &self.checksum)
            .field("source", &self.source)
            .field("database", &self.database)
            .field("down", &self.down.is_some())
            .field(
                "checks",
                &self.checks.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("allowed", &self.allowed)
            .finish()
    }
}

impl MigrationDef {
    /// A migration built by hand. Its checksum is derived from version and name; set another
    /// with [`with_checksum`](Self::with_checksum) to simulate an edited migration.
    pub fn new<F>(version: u32, name: impl Into<String>, run: F) -> Self
    where
        F: for<'a, 'b> Fn(&'a mut Migration<'b>) -> StepFuture<'a> + Send + Sync + 'static,
    {
        let name = name.into();
        Self {
            version,
            checksum: checksum_of(&format!("{version}:{name}")),
            source: format!("migration {version} {name:?} (built by hand)"),
            module: String::new(),
            database: None,
            name,
            run: Arc::new(run),
            down: None,
            checks: Vec::new(),
            allowed: Vec::new(),
        }
    }

    /// Puts the migration in the database `id` (builder style): it is versioned, locked and
    /// recorded in that database's history, apart from the others' (`#[migration(version = N,
    /// database = "analytics")]`).
    ///
    /// ```
    /// use appwrite_orm::migrate::MigrationDef;
    ///
    /// let v1 = MigrationDef::new(1, "count events", |_m| Box::pin(async { Ok(()) }))
    ///     .database("analytics");
    /// assert_eq!(v1.database.as_deref(), Some("analytics"));
    /// ```
    pub fn database(mut self, id: impl Into<String>) -> Self {
        self.database = Some(id.into());
        self
    }

    /// Replaces the checksum.
    pub fn with_checksum(mut self, checksum: impl Into<String>) -> Self {
        self.checksum = checksum.into();
        self
    }

    /// Adds a `down` step, run by [`Migrator::revert`](crate::migrate::Migrator::revert).
    pub fn with_down<F>(mut self, down: F) -> Self
    where
        F: for<'a, 'b> Fn(&'a mut Migration<'b>) -> StepFuture<'a> + Send + Sync + 'static,
    {
        self.down = Some(Arc::new(down));
        self
    }

    /// Adds a validation check, run after the version's step and schema changes and before the
    /// version is recorded. A check that returns an error (for example
    /// [`check_failed`](crate::migrate::check_failed)) fails the version with the check's name and
    /// message; with
    /// [`MigrateOptions::restore_on_failed_check`](crate::migrate::MigrateOptions::restore_on_failed_check)
    /// the backup taken before the version is restored first.
    ///
    /// ```
    /// use appwrite_orm::migrate::{MigrationDef, check_failed};
    /// use appwrite_orm::query::Query;
    ///
    /// let v2 = MigrationDef::new(2, "fill slugs", |_m| Box::pin(async { Ok(()) }))
    ///     .check("every post has a slug", |m| {
    ///         Box::pin(async move {
    ///             let posts = m.db().rows("posts");
    ///             let left = posts.query().with(Query::is_null("slug")).count().await?;
    ///             if left > 0 {
    ///                 return Err(check_failed(format!("{left} post(s) have no slug")));
    ///             }
    ///             Ok(())
    ///         })
    ///     });
    /// assert_eq!(v2.check_names(), ["every post has a slug"]);
    /// ```
    pub fn check<F>(mut self, name: impl Into<String>, check: F) -> Self
    where
        F: for<'a, 'b> Fn(&'a mut Migration<'b>) -> StepFuture<'a> + Send + Sync + 'static,
    {
        self.checks.push((name.into(), Arc::new(check)));
        self
    }

    /// Acknowledges the lint findings of this version with `code` (one of
    /// [`lint::codes::ALLOWABLE`](crate::migrate::lint::codes::ALLOWABLE)), as
    /// `#[migration(allow = "code")]` does: [`Migrator::lint`](crate::migrate::Migrator::lint)
    /// still reports them, marked acknowledged, and does not count them as errors; the history
    /// row of the version records the codes when it is applied. A code lint does not know is
    /// refused when the migrator prepares a run (the attribute refuses it at compile time).
    ///
    /// The checksum does not change: acknowledging a finding of an applied migration later
    /// does not make it look edited.
    ///
    /// ```
    /// use appwrite_orm::migrate::MigrationDef;
    /// use appwrite_orm::migrate::lint::codes;
    ///
    /// let v4 = MigrationDef::new(4, "drop the old prices", |m| {
    ///     Box::pin(async move {
    ///         m.drop_column("products", "price").await?;
    ///         Ok(())
    ///     })
    /// })
    /// .allow(codes::DESTRUCTIVE);
    /// assert_eq!(v4.allowed(), ["destructive"]);
    /// ```
    pub fn allow(mut self, code: impl Into<String>) -> Self {
        let code = code.into();
        if !self.allowed.contains(&code) {
            self.allowed.push(code);
        }
        self
    }

    /// The lint codes this version acknowledges, in the order they were given.
    pub fn allowed(&self) -> &[String] {
        &self.allowed
    }

    /// The names of the validation checks, in the order they run.
    pub fn check_names(&self) -> Vec<&str> {
        self.checks.iter().map(|(n, _)| n.as_str()).collect()
    }

    pub(crate) fn checks(&self) -> impl Iterator<Item = (&str, &Arc<dyn Step>)> {
        self.checks.iter().map(|(n, c)| (n.as_str(), c))
    }

    /// True when the migration has a `down` step.
    pub fn has_down(&self) -> bool {
        self.down.is_some()
    }

    pub(crate) fn run_step<'a, 'b>(&self, m: &'a mut Migration<'b>) -> StepFuture<'a> {
        self.run.run(m)
    }

    pub(crate) fn run_down<'a, 'b>(&self, m: &'a mut Migration<'b>) -> Option<StepFuture<'a>> {
        self.down.as_ref().map(|down| down.run(m))
    }
}

impl From<&'static MigrationRegistration> for MigrationDef {
    fn from(r: &'static MigrationRegistration) -> Self {
        Self {
            version: r.version,
            name: r.name.to_owned(),
            checksum: r.checksum.to_owned(),
            source: format!("{}::{} ({}:{})", r.module, r.function, r.file, r.line),
            module: r.module.to_owned(),
            database: r.database.map(str::to_owned),
            run: Arc::new(r.run),
            down: r.down.map(|d| Arc::new(d) as Arc<dyn Step>),
            checks: r
                .checks
                .iter()
                .map(|(name, check)| ((*name).to_owned(), Arc::new(*check) as Arc<dyn Step>))
                .collect(),
            allowed: r.allow.iter().map(|code| (*code).to_owned()).collect(),
        }
    }
}

/// Every migration registered by `#[migration]` in this binary, sorted by version (then by
/// where they are defined, so that duplicates are reported in a stable order).
pub fn registered_migrations() -> Vec<MigrationDef> {
    let mut all: Vec<MigrationDef> = inventory::iter::<MigrationRegistration>
        .into_iter()
        .map(MigrationDef::from)
        .collect();
    all.sort_by(|a, b| (a.version, &a.source).cmp(&(b.version, &b.source)));
    all
}

/// The registered migrations defined in `module_prefix` or below it (e.g. `my_app::migrations`),
/// for binaries and tests that hold several independent sets.
pub fn registered_in(module_prefix: &str) -> Vec<MigrationDef> {
    registered_migrations()
        .into_iter()
        .filter(|m| {
            m.module == module_prefix
                || m.module
                    .strip_prefix(module_prefix)
                    .is_some_and(|rest| rest.starts_with("::"))
        })
        .collect()
}

/// The error a validation check returns to fail its version with `message`.
pub fn check_failed(message: impl Into<String>) -> crate::Error {
    crate::migrate::MigrateError::Step(message.into()).into()
}

/// SHA-256 of `text` as lowercase hex: the checksum form the history stores.
pub fn checksum_of(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The first code a migration allows that lint does not know (only a hand-built
/// [`MigrationDef`] can have one: the attribute checks its codes at compile time).
pub(crate) fn first_unknown_allowed(migrations: &[MigrationDef]) -> Option<(&MigrationDef, &str)> {
    migrations.iter().find_map(|m| {
        m.allowed
            .iter()
            .find(|code| crate::migrate::lint::codes::allowable(code).is_none())
            .map(|code| (m, code.as_str()))
    })
}

/// The first two migrations that share a version, if any (the list must be sorted).
pub(crate) fn first_duplicate(sorted: &[MigrationDef]) -> Option<(&MigrationDef, &MigrationDef)> {
    sorted
        .windows(2)
        .find(|pair| pair[0].version == pair[1].version)
        .map(|pair| (&pair[0], &pair[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(version: u32, name: &str) -> MigrationDef {
        MigrationDef::new(version, name, |_m| Box::pin(async { Ok(()) }))
    }

    #[test]
    fn checksums_are_sha256_hex() {
        assert_eq!(
            checksum_of(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(def(1, "a").checksum, checksum_of("1:a"));
        assert_eq!(def(1, "a").with_checksum("x").checksum, "x");
    }

    #[test]
    fn duplicates_are_found_in_sorted_lists() {
        let list = vec![def(1, "a"), def(2, "b"), def(2, "c")];
        let (a, b) = first_duplicate(&list).unwrap();
        assert_eq!((a.name.as_str(), b.name.as_str()), ("b", "c"));
        assert!(first_duplicate(&list[..2]).is_none());
    }
}
