//! Line-by-line JSONL files: one JSON object per line, written through a `BufWriter` and read
//! through a `BufReader`, a page at a time on the blocking pool, so that memory stays constant
//! whatever the file's size. Shared by [`backup`](super::backup) and the migration helpers that
//! back up before dropping.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::error::{BackupError, io};
use crate::api::{Document, Row};
use crate::{Error, Result};

/// Runs file work on Tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(joined)?
}

fn joined(e: tokio::task::JoinError) -> Error {
    Error::Internal(format!("backup file task failed: {e}"))
}

/// Writes rows to a new JSONL file.
#[derive(Debug)]
pub(crate) struct JsonlWriter {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    lines: u64,
    bytes: u64,
}

impl JsonlWriter {
    /// Creates `path` (refusing to overwrite it) and its directory.
    pub(crate) async fn create(path: PathBuf) -> Result<Self> {
        let p = path.clone();
        let file = blocking(move || {
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
            }
            File::create_new(&p).map_err(|e| io(&p, e))
        })
        .await?;
        Ok(Self {
            path,
            out: Some(BufWriter::new(file)),
            lines: 0,
            bytes: 0,
        })
    }

    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Lines written so far.
    pub(crate) fn lines(&self) -> u64 {
        self.lines
    }

    /// Appends one line per row; `keep` trims each row first.
    pub(crate) async fn write_rows(
        &mut self,
        rows: Vec<Row>,
        keep: fn(&mut Document),
    ) -> Result<()> {
        let mut out = self
            .out
            .take()
            .ok_or_else(|| Error::Internal("JSONL writer used after a failure".into()))?;
        let path = self.path.clone();
        let (out, lines, bytes) = tokio::task::spawn_blocking(move || -> Result<_> {
            let mut bytes = 0u64;
            let n = rows.len() as u64;
            for mut row in rows {
                keep(&mut row.0);
                let line = serde_json::to_vec(&row.0)?;
                out.write_all(&line)
                    .and_then(|()| out.write_all(b"\n"))
                    .map_err(|e| io(&path, e))?;
                bytes += line.len() as u64 + 1;
            }
            Ok((out, n, bytes))
        })
        .await
        .map_err(joined)??;
        self.out = Some(out);
        self.lines += lines;
        self.bytes += bytes;
        Ok(())
    }

    /// Flushes and syncs the file; returns its lines and bytes.
    pub(crate) async fn finish(mut self) -> Result<(u64, u64)> {
        let Some(mut out) = self.out.take() else {
            return Err(Error::Internal("JSONL writer used after a failure".into()));
        };
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || -> Result<()> {
            out.flush().map_err(|e| io(&path, e))?;
            out.get_ref().sync_all().map_err(|e| io(&path, e))
        })
        .await
        .map_err(joined)??;
        Ok((self.lines, self.bytes))
    }
}

/// Reads a JSONL file a batch of objects at a time.
#[derive(Debug)]
pub(crate) struct JsonlReader {
    path: PathBuf,
    input: Option<BufReader<File>>,
    line: u64,
}

impl JsonlReader {
    /// Opens `path`.
    pub(crate) async fn open(path: PathBuf) -> Result<Self> {
        let p = path.clone();
        let file = blocking(move || File::open(&p).map_err(|e| io(&p, e))).await?;
        Ok(Self {
            path,
            input: Some(BufReader::new(file)),
            line: 0,
        })
    }

    /// Up to `max` objects; empty at the end of the file. Blank lines are skipped; a line that
    /// is not a JSON object is a [`BackupError::CorruptLine`].
    pub(crate) async fn next_batch(&mut self, max: usize) -> Result<Vec<Document>> {
        let Some(mut input) = self.input.take() else {
            return Ok(Vec::new());
        };
        let path = self.path.clone();
        let start = self.line;
        let (input, line, batch) = tokio::task::spawn_blocking(move || -> Result<_> {
            let mut batch = Vec::with_capacity(max);
            let mut line = start;
            let mut text = String::new();
            while batch.len() < max {
                text.clear();
                let n = input.read_line(&mut text).map_err(|e| io(&path, e))?;
                if n == 0 {
                    return Ok((None, line, batch));
                }
                line += 1;
                let trimmed = text.trim();
                if trimmed.is_empty() {
                    continue;
                }
                let corrupt = |reason: String| BackupError::CorruptLine {
                    path: path.clone(),
                    line,
                    reason,
                };
                match serde_json::from_str::<serde_json::Value>(trimmed) {
                    Ok(serde_json::Value::Object(doc)) => batch.push(doc),
                    Ok(_) => return Err(corrupt("not a JSON object".into()).into()),
                    Err(e) => return Err(corrupt(e.to_string()).into()),
                }
            }
            Ok((Some(input), line, batch))
        })
        .await
        .map_err(joined)??;
        self.input = input;
        self.line = line;
        Ok(batch)
    }
}
