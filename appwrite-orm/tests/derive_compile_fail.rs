//! Compile-fail cases of `#[derive(Table)]`, `#[derive(ColumnEnum)]` and the typed queries:
//! each `tests/ui/*.rs` must fail with exactly the message in its `.stderr`
//! (`TRYBUILD=overwrite` regenerates them; read every one before committing it).

#[test]
fn derive_compile_fail() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
