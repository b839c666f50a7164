//! The quick paths of `backfill`, `boot`, `relations`, `lint` and `pull` against the emulator
//! in-process: the data must come out right on both sides. Times are printed by the scenarios, never asserted.

use appwrite_orm_bench::scenarios::{Scenario, Settings};

fn quick() -> Settings {
    Settings {
        quick: true,
        ..Settings::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_transforms_every_row_on_both_sides() {
    let settings = Settings {
        rows: Some(300),
        ..quick()
    };
    let outcome = Scenario::Backfill
        .run(&settings)
        .await
        .expect("backfill runs");
    // Per side: every row transformed, none still null.
    assert_eq!(outcome.checks.len(), 4, "{:?}", outcome.checks);
    for check in &outcome.checks {
        assert!(check.ok(), "{check}");
    }
    let transformed: Vec<u64> = outcome
        .checks
        .iter()
        .filter(|c| c.what.ends_with("rows transformed correctly"))
        .map(|c| c.actual)
        .collect();
    assert_eq!(transformed, [300, 300]);
    assert!(
        outcome.summary.starts_with("backfill: ")
            && outcome.summary.contains("x faster than the seed pattern, ")
            && outcome.summary.ends_with("x the lower bound"),
        "{}",
        outcome.summary
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boot_finds_nothing_pending_every_time() {
    let outcome = Scenario::Boot.run(&quick()).await.expect("boot runs");
    assert_eq!(outcome.checks.len(), 1);
    assert!(outcome.ok(), "{}", outcome.checks[0]);
    assert!(outcome.checks[0].expected > 0);
    assert!(outcome.summary.starts_with("boot: "), "{}", outcome.summary);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relations_bring_every_book_its_author_on_every_side() {
    let settings = Settings {
        rows: Some(120),
        ..quick()
    };
    let outcome = Scenario::Relations
        .run(&settings)
        .await
        .expect("relations runs");
    // Per side (A, B, ours typed and untyped): books read, books with their author's name.
    assert_eq!(outcome.checks.len(), 8, "{:?}", outcome.checks);
    for check in &outcome.checks {
        assert!(check.ok(), "{check}");
        assert_eq!(check.actual, 120, "{check}");
    }
    assert!(
        outcome.summary.starts_with("relations: ")
            && outcome.summary.contains("x faster than N+1 gets (")
            && outcome.summary.contains("x the batched join's speed ("),
        "{}",
        outcome.summary
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lint_gate_migrates_like_the_baseline_and_refuses_duplicates() {
    let settings = Settings {
        rows: Some(150),
        ..quick()
    };
    let outcome = Scenario::Lint.run(&settings).await.expect("lint runs");
    // Per migrated copy: rows, slug filled, legacy gone, version 2; lint without errors; the
    // two runs on duplicates; the refused copy: rows, version 1, no slug.
    assert_eq!(outcome.checks.len(), 14, "{:?}", outcome.checks);
    for check in &outcome.checks {
        assert!(check.ok(), "{check}");
    }
    assert!(
        outcome
            .checks
            .iter()
            .any(|c| c.what == "refused copy: rows" && c.actual == 152),
        "{:?}",
        outcome.checks
    );
    assert!(
        outcome
            .summary
            .starts_with("lint: lint_before_run made the deploy ")
            && outcome
                .summary
                .contains(" of the time the ungated run took to fail"),
        "{}",
        outcome.summary
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_writes_one_parsable_model_per_table() {
    let settings = Settings {
        rows: Some(4),
        ..quick()
    };
    let outcome = Scenario::Pull.run(&settings).await.expect("pull runs");
    assert_eq!(outcome.checks.len(), 6, "{:?}", outcome.checks);
    for check in &outcome.checks {
        assert!(check.ok(), "{check}");
    }
    assert!(
        outcome.summary.starts_with("pull: ") && outcome.summary.contains("(4 tables, "),
        "{}",
        outcome.summary
    );
}

/// The binary itself, as CI smoke-tests it: every scenario at its quick size, exit status 0
/// only when every scenario ran and its data checked out.
#[test]
fn all_quick_runs_every_scenario() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_appwrite-orm-bench"))
        .args(["all", "--quick"])
        .output()
        .expect("the binary starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!stdout.contains("FAILED"), "{stdout}");
    let summary = stdout
        .split("== summary ==")
        .nth(1)
        .expect("a summary follows the scenarios");
    for scenario in Scenario::ALL {
        assert!(
            summary.contains(&format!("\n{}: ", scenario.name())),
            "no summary line for {}:\n{stdout}",
            scenario.name()
        );
    }
}
