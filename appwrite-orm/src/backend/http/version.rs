//! The server's version and what it implies: which routes, column types and features exist.

use std::fmt;

use crate::{Error, Result};

/// An Appwrite server version, `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServerVersion {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Patch version (0 when the server gave only two parts).
    pub patch: u32,
}

impl ServerVersion {
    /// A version from its parts.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// Reads `1.9.6`, `v1.9.6`, `1.9.6-rc1` or `1.9`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
        let mut parts = text.splitn(3, '.');
        let number = |part: Option<&str>| -> Option<u32> {
            // A pre-release or build suffix (`6-rc1`, `6+abc`) does not change the ordering
            // that matters here, so only the leading digits count.
            let part = part?;
            let digits: &str = &part[..part
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(part.len())];
            digits.parse().ok()
        };
        let major = number(parts.next())?;
        let minor = number(parts.next())?;
        let patch = match parts.next() {
            Some(p) => number(Some(p))?,
            None => 0,
        };
        Some(Self::new(major, minor, patch))
    }

    /// Refuses the call when the server is older than `needs`.
    pub(crate) fn require(self, needs: ServerVersion, feature: &str) -> Result<()> {
        if self >= needs {
            Ok(())
        } else {
            Err(Error::Unsupported {
                feature: feature.to_owned(),
                needs: needs.to_string(),
                server_version: self.to_string(),
            })
        }
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Queries as JSON strings (older servers take function-call strings this client does not write).
pub(crate) const JSON_QUERIES: ServerVersion = ServerVersion::new(1, 5, 0);
/// Bulk create, upsert, update and delete of rows.
pub(crate) const BULK: ServerVersion = ServerVersion::new(1, 7, 0);
/// TablesDB routes, transactions, increment and decrement.
pub(crate) const TABLES_DB: ServerVersion = ServerVersion::new(1, 8, 0);
/// The `total` flag of list calls.
pub(crate) const TOTAL_FLAG: ServerVersion = ServerVersion::new(1, 8, 1);
/// varchar / text / mediumtext / longtext columns, inline columns in create-table.
pub(crate) const TEXT_TYPES: ServerVersion = ServerVersion::new(1, 9, 0);
/// bigint columns.
pub(crate) const BIGINT: ServerVersion = ServerVersion::new(1, 9, 5);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_servers_send() {
        assert_eq!(
            ServerVersion::parse("1.9.6"),
            Some(ServerVersion::new(1, 9, 6))
        );
        assert_eq!(
            ServerVersion::parse(" v1.8.1-rc2 "),
            Some(ServerVersion::new(1, 8, 1))
        );
        assert_eq!(
            ServerVersion::parse("2.5"),
            Some(ServerVersion::new(2, 5, 0))
        );
        assert_eq!(ServerVersion::parse("1"), None);
        assert_eq!(ServerVersion::parse("x.y.z"), None);
        assert_eq!(ServerVersion::parse(""), None);
        assert!(ServerVersion::new(1, 10, 0) > ServerVersion::new(1, 9, 6));
    }
}
