//! Examples and conformance tests for appwrite-orm live in `examples/` and `tests/`.
