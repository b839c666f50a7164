//! The embedded engine: Appwrite's database semantics on SQLite, in process. (Being written.)
