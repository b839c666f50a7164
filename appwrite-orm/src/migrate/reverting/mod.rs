//! Going down: the pure revert plan and the revert that executes it.

pub(crate) mod revert;
pub(crate) mod revert_plan;
