//! Applying versions: the locked run, the schema operations, the step context with its
//! backfills, waiting for Appwrite's asynchronous work, the backups around destructive work,
//! progress reporting, and the dry run that simulates all of it.

pub(crate) mod apply;
pub(crate) mod backfill;
pub(crate) mod backup;
pub(crate) mod context;
pub(crate) mod databases;
pub mod dry_run;
pub(crate) mod exec;
pub(crate) mod guard;
pub mod progress;
pub(crate) mod wait;
