//! Appwrite's limits for the MariaDB adapter, self-hosted defaults (see `appwrite-api.md` §5).

/// Longest id or key.
pub const MAX_KEY_LEN: usize = 36;
/// User columns per table.
pub const MAX_COLUMNS: usize = 1010;
/// A row's width must stay below this many bytes.
pub const MAX_ROW_WIDTH: u64 = 65_535;
/// Bytes every row already uses for Appwrite's internal columns.
pub const BASE_ROW_WIDTH: u64 = 1_067;
/// Indexes per table.
pub const MAX_INDEXES: usize = 58;
/// Sum of an index's column lengths.
pub const MAX_INDEX_LENGTH: u64 = 768;
/// Elements of an enum column.
pub const MAX_ENUM_ELEMENTS: usize = 100;
/// Characters of one enum element.
pub const MAX_ENUM_ELEMENT_LEN: usize = 255;
/// Largest `size` of a varchar column.
pub const MAX_VARCHAR_SIZE: u32 = 16_381;
/// Smallest `size` of an encrypted varchar or string column (`APP_DATABASE_ENCRYPT_SIZE_MIN`).
pub const MIN_ENCRYPTED_SIZE: u32 = 150;
/// Largest `size` of a legacy string column.
pub const MAX_STRING_SIZE: u32 = 1_073_741_824;
/// Characters of a database or table name.
pub const MAX_NAME_LEN: usize = 128;
/// Rows in one bulk request, operations in one transaction.
pub const MAX_BATCH: usize = 100;
/// Queries in one request.
pub const MAX_QUERIES: usize = 100;
/// Values inside one filter.
pub const MAX_QUERY_VALUES: usize = 500;
/// Characters of one query in its wire form (`queries[]` elements are strings of at most
/// this length).
pub const MAX_QUERY_LENGTH: usize = 4_096;
/// The largest `total` a list answers with.
pub const MAX_COUNT: u64 = 5_000;
/// Rows a list returns when no `limit` is given.
pub const DEFAULT_LIMIT: u64 = 25;
/// Permissions on one resource.
pub const MAX_PERMISSIONS: usize = 100;
/// Characters of the text family: text, mediumtext, longtext.
pub const TEXT_SIZE: u32 = 65_535;
/// See [`TEXT_SIZE`].
pub const MEDIUMTEXT_SIZE: u32 = 16_777_215;
/// See [`TEXT_SIZE`].
pub const LONGTEXT_SIZE: u32 = 2_147_483_647;
/// Sizes Appwrite gives the formatted string columns.
pub const EMAIL_SIZE: u32 = 254;
/// See [`EMAIL_SIZE`].
pub const IP_SIZE: u32 = 39;
/// See [`EMAIL_SIZE`].
pub const URL_SIZE: u32 = 2_000;
/// Size Appwrite gives enum columns.
pub const ENUM_SIZE: u32 = 255;
