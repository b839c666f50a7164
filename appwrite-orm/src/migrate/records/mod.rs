//! What a database remembers of its migrations: the history table, the lock row kept in it,
//! the administrative operations on them (baseline, repair, forget), and the report of a run.

pub(crate) mod baseline;
pub(crate) mod history;
pub(crate) mod lock;
pub(crate) mod report;
