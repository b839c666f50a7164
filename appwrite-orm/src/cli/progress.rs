//! Progress on stderr while a command runs: indicatif bars when stderr is a terminal, plain
//! lines otherwise, so stdout carries only the result (text or `--json`).

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::migrate::{Direction, LogLines, MigrationProgress, ProgressEvent};

/// How often spinners and bars redraw by themselves (the elapsed time moves on).
const TICK: Duration = Duration::from_millis(100);

/// A spinner for a command without versions (backup, restore, dry run), or nothing when
/// stderr is not a terminal (a `tracing` line says what runs instead).
pub(crate) struct Spinner {
    bar: Option<ProgressBar>,
}

impl Spinner {
    /// Starts showing `message`.
    pub(crate) fn start(message: &str) -> Spinner {
        if !std::io::stderr().is_terminal() {
            tracing::info!("{message}");
            return Spinner { bar: None };
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
            bar.set_style(style);
        }
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(TICK);
        Spinner { bar: Some(bar) }
    }

    /// Stops showing progress.
    pub(crate) fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Shows a migration's progress on stderr: a bar over the versions (with the running
/// version's name and rows written) when stderr is a terminal, one plain line per event
/// ([`LogLines`]) otherwise. Give a clone to
/// [`Migrator::with_progress`](crate::migrate::Migrator::with_progress) and call
/// [`finish`](Self::finish) when the run returns.
///
/// ```no_run
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use appwrite_orm::cli::ProgressDisplay;
/// use appwrite_orm::migrate::Migrator;
///
/// let db = appwrite_orm::Database::embedded("app.db").await?;
/// let display = ProgressDisplay::stderr();
/// let report = Migrator::from_registry()
///     .with_progress(display.clone())
///     .run(&db)
///     .await;
/// display.finish();
/// println!("{}", report?);
/// # Ok::<(), appwrite_orm::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct ProgressDisplay {
    inner: Arc<Inner>,
}

enum Inner {
    Bar(Mutex<BarState>),
    Lines(LogLines),
}

struct BarState {
    bar: Option<ProgressBar>,
    /// What the running version is doing, without its rows count.
    current: String,
}

impl ProgressDisplay {
    /// Bars when stderr is a terminal, plain lines otherwise.
    pub fn stderr() -> Self {
        if std::io::stderr().is_terminal() {
            Self::bars()
        } else {
            Self::lines()
        }
    }

    /// Plain lines on stderr, terminal or not.
    pub fn lines() -> Self {
        Self {
            inner: Arc::new(Inner::Lines(LogLines::stderr())),
        }
    }

    fn bars() -> Self {
        Self {
            inner: Arc::new(Inner::Bar(Mutex::new(BarState {
                bar: None,
                current: String::new(),
            }))),
        }
    }

    /// Removes the bar (a run that returned early, on an error, leaves it drawn otherwise).
    pub fn finish(&self) {
        if let Inner::Bar(state) = &*self.inner {
            let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(bar) = state.bar.take() {
                bar.finish_and_clear();
            }
        }
    }
}

impl std::fmt::Debug for ProgressDisplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match &*self.inner {
            Inner::Bar(_) => "ProgressDisplay(bars)",
            Inner::Lines(_) => "ProgressDisplay(lines)",
        })
    }
}

impl MigrationProgress for ProgressDisplay {
    fn event(&self, event: &ProgressEvent<'_>) {
        match &*self.inner {
            Inner::Lines(lines) => lines.event(event),
            Inner::Bar(state) => {
                let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
                state.show(event);
            }
        }
    }
}

impl BarState {
    fn show(&mut self, event: &ProgressEvent<'_>) {
        match *event {
            ProgressEvent::Planned {
                direction,
                versions,
                ..
            } => {
                let bar = self.bar.get_or_insert_with(|| new_bar(direction));
                // A new plan lists what is left: the finished versions stay counted.
                bar.set_length(bar.position() + versions.len() as u64);
            }
            ProgressEvent::VersionStarted {
                direction,
                version,
                name,
                resumed,
                ..
            } => {
                let bar = self.bar.get_or_insert_with(|| new_bar(direction));
                let verb = direction.starting(resumed);
                self.current = format!("{verb} version {version} {name:?}");
                bar.set_message(self.current.clone());
            }
            ProgressEvent::Rows { version, rows } => {
                if let Some(bar) = &self.bar {
                    let current = &self.current;
                    bar.set_message(format!(
                        "{current} · {rows} rows written (version {version})"
                    ));
                }
            }
            ProgressEvent::VersionApplied { direction, report } => {
                if let Some(bar) = &self.bar {
                    bar.println(format!(
                        "✔ version {} {:?} {} in {} ms, {} rows",
                        report.version,
                        report.name,
                        direction.done(),
                        report.duration.as_millis(),
                        report.rows_touched
                    ));
                    bar.inc(1);
                    if bar.length() == Some(bar.position()) {
                        bar.finish_and_clear();
                        self.bar = None;
                    }
                }
            }
            ProgressEvent::DatabaseStarted { database } => match &self.bar {
                Some(bar) => bar.println(format!("database {database:?}")),
                None => eprintln!("database {database:?}"),
            },
            ProgressEvent::VersionFailed {
                version,
                name,
                error,
                ..
            } => {
                if let Some(bar) = self.bar.take() {
                    bar.println(format!("✘ version {version} {name:?} failed: {error}"));
                    bar.abandon();
                }
            }
        }
    }
}

fn new_bar(direction: Direction) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_prefix(direction.running());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {prefix} [{bar:24}] {pos}/{len} versions [{elapsed}] {wide_msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("planning");
    bar.enable_steady_tick(TICK);
    bar
}
