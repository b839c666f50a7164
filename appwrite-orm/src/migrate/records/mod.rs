//! What a database remembers of its migrations: the history table, the lock row kept in it
//! and the two held together, the status read from them, the administrative operations on
//! them (baseline, repair, forget, unlock), and the report of a run.

pub(crate) mod admin;
pub(crate) mod combined;
pub(crate) mod history;
pub(crate) mod lock;
pub(crate) mod locked;
pub(crate) mod report;
pub(crate) mod status;
