//! # appwrite-orm-bench
//!
//! The benchmark binary's scenarios, as a library so that tests can run their quick paths.
//!
//! Each scenario measures, **in one run and on the same data**, a baseline (the pattern the
//! library replaces, written in Rust over the same [`Backend`](appwrite_orm::backend::Backend))
//! and appwrite-orm's own way of doing the same work, against the emulator started in-process
//! (`stream` runs on the embedded engine). It prints seconds, requests counted by the server and
//! ratios computed from this run's own measurements, never from files. Nothing here asserts a
//! time: a scenario only reports, and checks that the data came out right.
//!
//! ```text
//! cargo run --release -p appwrite-orm-bench -- backfill --rows 10000 --latency-ms 30
//! cargo run --release -p appwrite-orm-bench -- all            # every scenario, its defaults
//! cargo run -p appwrite-orm-bench -- all --quick              # small sizes, a smoke test
//! ```
#![warn(missing_docs)]

pub mod accounts;
pub mod data;
pub mod harness;
pub mod memory;
pub mod print;
pub mod scenarios;
pub mod seed_pattern;
pub mod shelf;

/// Whatever stops a scenario: the emulator, the library, the file system or a failed check.
pub type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// The result of a scenario's step.
pub type BenchResult<T> = Result<T, BenchError>;
