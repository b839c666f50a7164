//! The exit codes of the command line.

use std::process::ExitCode;

use crate::Error;
use crate::migrate::MigrateError;

/// How a command ended; [`code`](Exit::code) is the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done.
    Ok,
    /// 1: an error (the message is on stderr).
    Error,
    /// 2: `verify` found pending versions, history issues or schema drift; `lint` (or
    /// `verify --lint`) found an error.
    Drift,
    /// 3: the migration lock is held by another run.
    LockHeld,
    /// 64: the command line is wrong, or a destructive command lacks `--yes`.
    Usage,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Error => 1,
            Exit::Drift => 2,
            Exit::LockHeld => 3,
            Exit::Usage => 64,
        }
    }

    /// The exit for an error: 3 for a held lock, 1 otherwise.
    pub fn of(error: &Error) -> Exit {
        match error {
            Error::Migrate(e) if matches!(**e, MigrateError::LockTimeout { .. }) => Exit::LockHeld,
            _ => Exit::Error,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}
