//! Writing the export layout, one file at a time and crash-safe: each file is written to
//! a temporary name in its folder and renamed into place, so a reader (or a resumed run)
//! sees either the old file or the new one, never half of one.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::export::model::{Channel, User};

/// Writes files of the export layout below a folder.
pub struct ExportWriter {
    dir: PathBuf,
    fsync: bool,
}

impl ExportWriter {
    /// Creates the folder if needed.
    pub fn create(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(ExportWriter { dir, fsync: true })
    }

    /// Skips flushing each file to the disk: still atomic against a crash of the process,
    /// not against a power cut. For generated data that can be made again.
    pub fn without_fsync(mut self) -> Self {
        self.fsync = false;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `channels.json`.
    pub fn channels(&self, channels: &[Channel]) -> Result<()> {
        self.json("channels.json", channels)
    }

    /// `users.json`.
    pub fn users(&self, users: &[User]) -> Result<()> {
        self.json("users.json", users)
    }

    /// `<channel>/<date>.json`: one day of a channel, messages oldest first.
    pub fn day<M: Serialize>(&self, channel: &str, date: NaiveDate, messages: &[M]) -> Result<()> {
        self.json(&Self::day_file(channel, date), messages)
    }

    /// Any JSON file below the folder, atomically.
    pub fn json<T: Serialize + ?Sized>(&self, rel: &str, value: &T) -> Result<()> {
        let path = self.dir.join(rel);
        let parent = path.parent().unwrap_or(&self.dir);
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .suffix(".tmp")
            .tempfile_in(parent)
            .map_err(|e| Error::io(parent, e))?;
        let mut out = BufWriter::new(tmp.as_file());
        serde_json::to_writer_pretty(&mut out, value)
            .map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
        out.write_all(b"\n").map_err(|e| Error::io(&path, e))?;
        out.flush().map_err(|e| Error::io(&path, e))?;
        drop(out);
        if self.fsync {
            tmp.as_file().sync_data().map_err(|e| Error::io(&path, e))?;
        }
        tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
        Ok(())
    }

    /// Removes a day of a channel (all its messages were deleted); one already gone is fine.
    pub fn remove_day(&self, channel: &str, date: NaiveDate) -> Result<()> {
        let path = self.dir.join(Self::day_file(channel, date));
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    fn day_file(channel: &str, date: NaiveDate) -> String {
        format!("{channel}/{}.json", date.format("%Y-%m-%d"))
    }
}
