//! What a run would do, computed without I/O: the plan of every pending version, the
//! comparison of declared and live schema it rests on, the renames it plans with, and the
//! history checked against the binary.

pub(crate) mod check;
pub(crate) mod compare;
pub(crate) mod databases;
pub mod plan;
pub(crate) mod prepare;
pub(crate) mod renames;
mod table_diff;
pub(crate) mod versions;
