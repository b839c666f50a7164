//! The pipelined walk: reading, computing and committing overlap, so that a backfill over a
//! high-latency link costs about its requests divided by the writes in flight, not their sum.
//!
//! One loop owns the closure (it is `FnMut`, and may hold state) and does three things as
//! their turn comes:
//! - keeps one page read in flight ahead of the rows being computed (pages of up to
//!   `chunk size × concurrency` rows, so one read feeds every writer);
//! - turns rows into chunks of at most 99 changes, each covering a contiguous range of the
//!   walk, and hands each to a commit of its own ([`ChunkCommit`]) while fewer than
//!   `concurrency` are in flight;
//! - collects finished commits: a committed chunk moves the low-water mark when every chunk
//!   before it is committed too; a chunk that met a concurrent change is read again (its rows,
//!   by id, still under the filter) and its changes computed anew before it is sent again.
//!
//! Progress lives in the chunks' marker rows ([`super::markers`]) until the walk ends: then
//! the job's completion is saved in the history row and the markers are deleted.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::Value;

use super::chunk::{ChunkCommit, ChunkEnd, Ended};
use super::markers::{self, ChunkRange, Markers};
use super::{JobState, Read, RowFn, TRANSACTION_ROWS, Walk, read_rows, rows_by_id};
use crate::api::{Document, Operation, OperationAction, Row, Transaction};
use crate::backend::Backend;
use crate::migrate::records::report::BackfillReport;
use crate::{Error, Result};

/// How the pipelined walk ended (errors apart).
pub(super) enum Finish {
    /// Every row is processed and the job's completion saved.
    Done,
    /// The server has no transactions: the job's state says where to go on without them.
    NoTransactions,
}

type Boxed<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A chunk: a contiguous range of the walk and the changes to write in it.
struct Chunk {
    range: ChunkRange,
    writes: Vec<Write>,
}

/// One row's change, with the row's `$updatedAt` when it was read.
struct Write {
    id: String,
    change: Document,
    read_at: Option<String>,
}

impl Write {
    fn of(row: &Row, change: Document) -> Self {
        Self {
            id: row.id().to_owned(),
            change,
            read_at: row
                .get("$updatedAt")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }
}

/// A chunk handed to a commit, kept until it is known to be committed.
struct Sent {
    chunk: Chunk,
    committed: bool,
    /// Times it was read again after meeting a concurrent change.
    redone: u32,
    /// A commit of it had an unknown outcome at some point: it keeps its marker id (which
    /// stops a late commit from landing twice) and is never split.
    uncertain: bool,
}

/// Where a chunk stands in the walk: its number, then the halves it was split into (`0`
/// first), so that keys sort in walk order.
type Key = (u32, String);

/// Conflicts after which a chunk is split in two, so that a table under a storm of writes
/// still makes progress: a smaller chunk is less likely to hold a row being written.
const SPLIT_AFTER: u32 = 2;

/// Redos a chunk gets before its conflict stands: a row changed without pause, or a unique
/// index its changes break (Appwrite reports both as `transaction_conflict`).
const MAX_REDOS: u32 = 8;

/// The walk's state between its events.
struct Pipeline<'p, 'w, 'm> {
    walk: &'p Walk<'w, 'm>,
    backend: Arc<dyn Backend>,
    markers: Option<Markers>,
    chunk_rows: usize,
    read_rows: u64,
    concurrency: usize,
    /// Rows written by earlier attempts past the mark.
    done: HashSet<String>,
    /// Rows read and not yet computed.
    buffer: VecDeque<Row>,
    /// Where the next read starts: the last row read.
    cursor: Option<String>,
    /// The ids of the last page read, to step back when the cursor's row disappears.
    last_page: Vec<String>,
    /// The cursor the last page was read from.
    last_page_from: Option<String>,
    /// The page that will end the walk has been read.
    exhausted: bool,
    /// The chunk being built.
    building: Chunk,
    /// Chunks sent, in walk order, until the mark passes them.
    sent: BTreeMap<Key, Sent>,
    next_seq: u32,
    /// The low-water mark: every row up to it is committed.
    mark: Option<String>,
    /// Transactions opened ahead, for the next chunks.
    ready: Vec<String>,
    /// Opening one ahead failed: chunks open their own from then on.
    open_ahead_failed: bool,
    /// The first error that stops the walk.
    failure: Option<Error>,
    /// Transactions turned out to be unavailable.
    unavailable: Option<Error>,
}

/// Runs the job from `state` with transactions.
pub(super) async fn run(
    walk: &Walk<'_, '_>,
    f: &mut RowFn<'_>,
    state: &mut JobState,
    report: &mut BackfillReport,
) -> Result<Finish> {
    let m = walk.m;
    let options = m.options();
    let chunk_rows = options.page_size.clamp(1, TRANSACTION_ROWS);
    let concurrency = options.concurrency.max(1);
    let markers = m
        .checkpoint_token()
        .await?
        .map(|token| Markers::new(m.history().clone(), m.version(), &token, walk.job));
    let mut earlier = markers::Folded {
        after: state.after.clone(),
        done: state.done.clone(),
        ..markers::Folded::default()
    };
    if let Some(markers) = &markers {
        let found = markers.read().await?;
        if !found.is_empty() {
            let mut folded = markers::fold(state.after.clone(), found);
            folded.done.extend(state.done.iter().cloned());
            tracing::info!(version = m.version(), table = walk.table, job = %walk.job, markers = folded.markers, after = ?folded.after, "resuming a pipelined backfill from its chunk markers");
            report.resumed_after = Some(folded.after.clone().unwrap_or_default());
            earlier = folded;
        }
    }
    let mut p = Pipeline {
        walk,
        backend: Arc::clone(walk.db.backend()),
        markers,
        chunk_rows: chunk_rows as usize,
        read_rows: options.read_page_rows(),
        concurrency,
        done: earlier.done.into_iter().collect(),
        buffer: VecDeque::new(),
        cursor: earlier.after.clone(),
        last_page: Vec::new(),
        last_page_from: None,
        exhausted: false,
        building: Chunk {
            range: ChunkRange {
                after: earlier.after.clone(),
                ..ChunkRange::default()
            },
            writes: Vec::new(),
        },
        sent: BTreeMap::new(),
        next_seq: 0,
        mark: earlier.after,
        ready: Vec::new(),
        open_ahead_failed: false,
        failure: None,
        unavailable: None,
    };
    p.drive(f, report).await;
    if let Some(e) = p.failure.take() {
        // Every chunk in flight has finished: the progress is known exactly. It goes into the
        // history row, so that the failed version's checkpoint says where it stopped, and the
        // markers go (a crash in between leaves both, which still agree). A run that lost its
        // lock writes nothing: the history belongs to another run now.
        if p.markers.is_some() && m.check_lock().is_ok() {
            *state = p.state_without_transactions(state);
            state.written += earlier.written + report.written;
            m.set_job_state(walk.job, state.clone());
            if m.save_checkpoint().await.is_ok()
                && let Some(markers) = &p.markers
            {
                markers.delete_all().await;
            }
        }
        return Err(e);
    }
    if let Some(why) = &p.unavailable {
        m.disable_transactions(why);
        *state = p.state_without_transactions(state);
        return Ok(Finish::NoTransactions);
    }
    state.after = p.mark;
    state.done.clear();
    state.written += earlier.written + report.written;
    state.complete = true;
    m.set_job_state(walk.job, state.clone());
    // Nothing is saved here: the markers are the checkpoint until the version is recorded
    // applied, which deletes them; a crash before that resumes at the end of their chain.
    // This attempt's markers, and those of earlier attempts it resumed from.
    if p.markers.is_some() && (p.next_seq > 0 || earlier.markers > 0) {
        m.markers_written();
    }
    Ok(Finish::Done)
}

/// A commit in flight, with its chunk's key.
type Commit = Boxed<(Key, Ended)>;

impl Pipeline<'_, '_, '_> {
    /// Runs the walk until every chunk is committed, or until it stops on an error.
    async fn drive(&mut self, f: &mut RowFn<'_>, report: &mut BackfillReport) {
        let mut commits: FuturesUnordered<Commit> = FuturesUnordered::new();
        let mut reading: Option<Boxed<Result<Read>>> = None;
        let mut opening: FuturesUnordered<Boxed<Result<Transaction>>> = FuturesUnordered::new();
        loop {
            let stopping = self.failure.is_some() || self.unavailable.is_some();
            if !stopping {
                self.compute(f, report, &mut commits);
                self.open_ahead(&mut opening);
            }
            let drained = self.exhausted && self.buffer.is_empty() && reading.is_none();
            if (drained || self.failure.is_some())
                && self.unavailable.is_none()
                && !self.building.writes.is_empty()
                && commits.len() < self.concurrency
            {
                let chunk = self.take_building();
                self.send(chunk, &mut commits);
            }
            if stopping {
                // What is in flight finishes (it may commit); nothing new is read.
                reading = None;
            } else if reading.is_none()
                && !self.exhausted
                && (self.buffer.len() as u64) < self.read_rows
            {
                if let Err(e) = self.walk.m.check_lock() {
                    self.failure = Some(e);
                    continue;
                }
                reading = Some(self.read_next());
            }
            if commits.is_empty() && reading.is_none() {
                let pending = !self.buffer.is_empty() || !self.building.writes.is_empty();
                if self.failure.is_some() || self.unavailable.is_some() || !pending {
                    self.close_unused(opening).await;
                    return;
                }
                continue;
            }
            tokio::select! {
                Some(opened) = opening.next(), if !opening.is_empty() => {
                    // A failure is left to the chunks, which open their own; none is opened
                    // ahead any more (a server without transactions would refuse them all).
                    match opened {
                        Ok(tx) => self.ready.push(tx.id),
                        Err(_) => self.open_ahead_failed = true,
                    }
                }
                Some((key, end)) = commits.next(), if !commits.is_empty() => {
                    self.finished(key, end, f, report, &mut commits).await;
                }
                read = async { reading.as_mut().expect("guarded by the branch condition").await },
                    if reading.is_some() =>
                {
                    reading = None;
                    report.pages += 1;
                    self.arrived(read);
                }
            }
        }
    }

    /// Opens transactions ahead of the chunks that will need them, so that a chunk's commit
    /// starts with staging: one round trip less on its path.
    fn open_ahead(&mut self, opening: &mut FuturesUnordered<Boxed<Result<Transaction>>>) {
        if self.open_ahead_failed {
            return;
        }
        let wanted = if self.exhausted {
            let rows = self.buffer.len() + self.building.writes.len();
            rows.div_ceil(self.chunk_rows).min(self.concurrency)
        } else {
            self.concurrency
        };
        while self.ready.len() + opening.len() < wanted {
            let backend = Arc::clone(&self.backend);
            opening.push(Box::pin(
                async move { backend.create_transaction(None).await },
            ));
        }
    }

    /// Rolls back the transactions opened ahead that no chunk took (they would expire on
    /// their own; this frees them at once).
    async fn close_unused(&mut self, opening: FuturesUnordered<Boxed<Result<Transaction>>>) {
        let opened: Vec<Result<Transaction>> = opening.collect().await;
        let unused: Vec<String> = std::mem::take(&mut self.ready)
            .into_iter()
            .chain(opened.into_iter().filter_map(|t| t.ok().map(|t| t.id)))
            .collect();
        let backend = &self.backend;
        futures_util::future::join_all(
            unused
                .iter()
                .map(|id| async move { backend.rollback_transaction(id).await }),
        )
        .await;
    }

    /// Computes buffered rows into chunks while commits have room.
    fn compute(
        &mut self,
        f: &mut RowFn<'_>,
        report: &mut BackfillReport,
        commits: &mut FuturesUnordered<Commit>,
    ) {
        while commits.len() < self.concurrency {
            let Some(row) = self.buffer.pop_front() else {
                return;
            };
            let id = row.id().to_owned();
            if !self.done.contains(&id) {
                report.matched += 1;
                match f(&row) {
                    Ok(Some(doc)) if !doc.is_empty() => {
                        self.building.writes.push(Write::of(&row, doc));
                    }
                    Ok(_) => report.skipped += 1,
                    Err(e) => {
                        // The rows before this one are processed; this one is not.
                        self.failure = Some(e);
                        self.buffer.clear();
                        return;
                    }
                }
            }
            self.building.range.last = id;
            if self.building.writes.len() >= self.chunk_rows {
                let chunk = self.take_building();
                self.send(chunk, commits);
            }
        }
    }

    /// The chunk being built, closed; the next starts after it.
    fn take_building(&mut self) -> Chunk {
        let after = Some(self.building.range.last.clone()).filter(|l| !l.is_empty());
        let next = Chunk {
            range: ChunkRange {
                after: after.or_else(|| self.building.range.after.clone()),
                ..ChunkRange::default()
            },
            writes: Vec::new(),
        };
        std::mem::replace(&mut self.building, next)
    }

    /// Hands a chunk to a commit of its own.
    fn send(&mut self, mut chunk: Chunk, commits: &mut FuturesUnordered<Commit>) {
        chunk.range.ids = chunk.writes.iter().map(|w| w.id.clone()).collect();
        let key = (self.next_seq, String::new());
        self.next_seq += 1;
        self.track(key, chunk, commits);
    }

    /// Starts the commit of a chunk and keeps it under `key`.
    fn track(&mut self, key: Key, chunk: Chunk, commits: &mut FuturesUnordered<Commit>) {
        let opened = self.ready.pop();
        commits.push(self.commit(&key, &chunk, opened));
        self.sent.insert(
            key,
            Sent {
                chunk,
                committed: false,
                redone: 0,
                uncertain: false,
            },
        );
    }

    /// The commit of a chunk, in `opened` when a transaction was opened ahead for it.
    fn commit(&self, key: &Key, chunk: &Chunk, opened: Option<String>) -> Commit {
        let db = self.walk.db;
        let mut operations: Vec<Operation> = chunk
            .writes
            .iter()
            .map(|w| Operation {
                action: OperationAction::Update,
                database_id: db.id().to_owned(),
                table_id: self.walk.table.to_owned(),
                row_id: Some(w.id.clone()),
                data: Some(Value::Object(w.change.clone())),
            })
            .collect();
        let read_at = chunk
            .writes
            .iter()
            .map(|w| (w.id.clone(), w.read_at.clone()))
            .collect();
        let marker = self.markers.as_ref().map(|markers| {
            operations.push(markers.operation(key, &chunk.range));
            (markers.clone(), markers.id(key))
        });
        let commit = ChunkCommit {
            opened,
            backend: Arc::clone(&self.backend),
            database: db.id().to_owned(),
            table: self.walk.table.to_owned(),
            operations,
            read_at,
            marker,
        };
        let key = key.clone();
        Box::pin(async move { (key, commit.run().await) })
    }

    /// Handles a finished commit.
    async fn finished(
        &mut self,
        key: Key,
        end: Ended,
        f: &mut RowFn<'_>,
        report: &mut BackfillReport,
        commits: &mut FuturesUnordered<Commit>,
    ) {
        report.retries += u64::from(end.retried);
        if let Some(sent) = self.sent.get_mut(&key) {
            sent.uncertain |= end.uncertain;
        }
        match end.end {
            ChunkEnd::Committed => {
                if let Some(sent) = self.sent.get_mut(&key) {
                    sent.committed = true;
                    report.written += sent.chunk.writes.len() as u64;
                }
                self.advance_mark();
            }
            ChunkEnd::Conflict => {
                report.conflicts += 1;
                match self.redo(&key, f, report).await {
                    Ok(Some(chunk)) => self.resend(key, chunk, commits),
                    Ok(None) => {
                        // Nothing left to write in it: as good as committed for this run
                        // (a resumed run reads its range again and finds nothing to do).
                        if let Some(sent) = self.sent.get_mut(&key) {
                            sent.committed = true;
                        }
                        self.advance_mark();
                    }
                    Err(e) => {
                        self.failure.get_or_insert(e);
                    }
                }
            }
            ChunkEnd::Unavailable(e) => {
                self.unavailable.get_or_insert(e);
            }
            ChunkEnd::Failed(e) => {
                self.failure.get_or_insert(e);
            }
        }
    }

    /// A chunk that met a concurrent change: its rows read again (those still under the
    /// filter), their changes computed anew. `None` when nothing is left to write.
    async fn redo(
        &mut self,
        key: &Key,
        f: &mut RowFn<'_>,
        report: &mut BackfillReport,
    ) -> Result<Option<Chunk>> {
        let Some(sent) = self.sent.get_mut(key) else {
            return Ok(None);
        };
        sent.redone += 1;
        if sent.redone > MAX_REDOS {
            return Err(crate::migrate::error::MigrateError::Step(format!(
                "backfill {}: a chunk of table {:?} kept conflicting after {MAX_REDOS} redos \
                 (its rows change without pause, or its changes break a unique index)",
                self.walk.job, self.walk.table
            ))
            .into());
        }
        let ids: Vec<String> = sent.chunk.writes.iter().map(|w| w.id.clone()).collect();
        let range = sent.chunk.range.clone();
        let db = self.walk.db;
        let rows = rows_by_id(
            self.backend.as_ref(),
            db.id(),
            self.walk.table,
            self.walk.filters,
            &ids,
        )
        .await?;
        tracing::info!(table = self.walk.table, job = %self.walk.job, rows = rows.len(), "a chunk met a concurrent change; its rows were read again");
        let mut writes = Vec::with_capacity(rows.len());
        for row in &rows {
            match f(row)? {
                Some(doc) if !doc.is_empty() => writes.push(Write::of(row, doc)),
                _ => report.skipped += 1,
            }
        }
        if writes.is_empty() {
            return Ok(None);
        }
        let mut chunk = Chunk { range, writes };
        chunk.range.ids = chunk.writes.iter().map(|w| w.id.clone()).collect();
        Ok(Some(chunk))
    }

    /// Sends a redone chunk again: under its own key (its marker id stays the same), or, once
    /// it has conflicted often and no commit of it is in doubt, as two halves.
    fn resend(&mut self, key: Key, chunk: Chunk, commits: &mut FuturesUnordered<Commit>) {
        let Some(sent) = self.sent.get_mut(&key) else {
            return;
        };
        if sent.redone < SPLIT_AFTER || sent.uncertain || chunk.writes.len() < 2 {
            sent.chunk = chunk;
            let opened = self.ready.pop();
            commits.push(self.commit(&key, &self.sent[&key].chunk, opened));
            return;
        }
        let redone = sent.redone;
        self.sent.remove(&key);
        let (first, second) = split(chunk);
        for (half, part) in [("0", first), ("1", second)] {
            let child = (key.0, format!("{}{half}", key.1));
            self.track(child.clone(), part, commits);
            if let Some(sent) = self.sent.get_mut(&child) {
                // Each half is split again at its next conflict; a single row that keeps
                // conflicting runs into `MAX_REDOS`.
                sent.redone = redone.min(SPLIT_AFTER - 1);
            }
        }
    }

    /// Moves the mark past every committed chunk at the front.
    fn advance_mark(&mut self) {
        while let Some(entry) = self.sent.first_entry() {
            if !entry.get().committed {
                return;
            }
            let sent = entry.remove();
            self.mark = Some(sent.chunk.range.last);
        }
    }

    /// The read of the next page, after the cursor.
    fn read_next(&mut self) -> Boxed<Result<Read>> {
        let backend = Arc::clone(&self.backend);
        let database = self.walk.db.id().to_owned();
        let table = self.walk.table.to_owned();
        let queries = self
            .walk
            .page_queries(self.cursor.as_deref(), self.read_rows);
        Box::pin(async move { read_rows(backend.as_ref(), &database, &table, &queries).await })
    }

    /// Takes a page in.
    fn arrived(&mut self, read: Result<Read>) {
        let rows = match read {
            Ok(Read::Rows(rows)) => rows,
            Ok(Read::TableMissing) => {
                self.exhausted = true;
                return;
            }
            Ok(Read::CursorGone) => {
                self.step_back();
                return;
            }
            Err(e) => {
                self.failure.get_or_insert(e);
                return;
            }
        };
        // After a step back, rows already taken in come again: skip them.
        let seen: HashSet<&str> = self.last_page.iter().map(String::as_str).collect();
        let fresh: Vec<Row> = rows
            .iter()
            .filter(|r| !seen.contains(r.id()))
            .cloned()
            .collect();
        self.exhausted = (rows.len() as u64) < self.read_rows;
        if let Some(last) = rows.last() {
            self.last_page_from = self.cursor.clone();
            self.last_page = rows.iter().map(|r| r.id().to_owned()).collect();
            self.cursor = Some(last.id().to_owned());
        }
        self.buffer.extend(fresh);
    }

    /// The cursor's row was deleted while the walk was on it: read again from the row before
    /// it in the last page (rows already taken in are skipped when they come again).
    fn step_back(&mut self) {
        if let Some(gone) = self.cursor.take() {
            self.last_page.retain(|id| *id != gone);
        }
        self.cursor = self
            .last_page
            .last()
            .cloned()
            .or_else(|| self.last_page_from.clone());
        if self.cursor.is_none() && self.last_page.is_empty() && self.last_page_from.is_none() {
            // The very first cursor (the saved checkpoint) is gone: start over from the
            // filter, as the row-by-row walk does.
            self.walk.warn_cursor_gone();
        }
    }

    /// Where a walk without transactions goes on: the mark, and the rows committed past it.
    fn state_without_transactions(&self, state: &JobState) -> JobState {
        let mut next = state.clone();
        next.after = self.mark.clone();
        next.done = self
            .done
            .iter()
            .cloned()
            .chain(
                self.sent
                    .values()
                    .filter(|s| s.committed)
                    .flat_map(|s| s.chunk.range.ids.iter().cloned()),
            )
            .collect();
        next
    }
}

/// A chunk cut in two halves of its changes; the first ends at its last change, the second
/// covers the rest of the range.
fn split(mut chunk: Chunk) -> (Chunk, Chunk) {
    let second_writes = chunk.writes.split_off(chunk.writes.len() / 2);
    let middle = chunk
        .writes
        .last()
        .map(|w| w.id.clone())
        .unwrap_or_default();
    let ids = |writes: &[Write]| writes.iter().map(|w| w.id.clone()).collect();
    let first = Chunk {
        range: ChunkRange {
            after: chunk.range.after.clone(),
            last: middle.clone(),
            ids: ids(&chunk.writes),
        },
        writes: chunk.writes,
    };
    let second = Chunk {
        range: ChunkRange {
            after: Some(middle),
            last: chunk.range.last,
            ids: ids(&second_writes),
        },
        writes: second_writes,
    };
    (first, second)
}
