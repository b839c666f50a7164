//! The quick paths of `backfill`, `boot` and `relations` against the emulator in-process: the data must
//! come out right on both sides. Times are printed by the scenarios, never asserted.

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
