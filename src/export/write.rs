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

/// Who may read a file [`replace_file`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    /// Its owner only (0600): a synced export holds the workspace's conversations.
    Owner,
    /// Whoever the umask lets, as `fs::write` creates files: reports and a site's pages
    /// are read by other programs and users.
    Umask,
}

/// Writes `path` (and the folders above it) through a temporary file beside it, renamed
/// into place: a reader, or a run after it was interrupted, finds the old file or the
/// whole new one. `fsync`: the data is on disk before the rename, so that a power loss
/// keeps one of the two too.
fn replace_file(
    path: &Path,
    fsync: bool,
    readers: Readers,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tmp-").suffix(".tmp");
    #[cfg(unix)]
    if readers == Readers::Umask {
        use std::os::unix::fs::PermissionsExt;
        // A temporary file is made 0600; 0666 is what `fs::write` asks for.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let tmp = builder
        .tempfile_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    let mut out = BufWriter::new(tmp.as_file());
    write(&mut out).map_err(|e| Error::io(path, e))?;
    out.flush().map_err(|e| Error::io(path, e))?;
    drop(out);
    if fsync {
        tmp.as_file().sync_data().map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// [`replace_file`] with `bytes`, readable as the umask allows and without fsync: for
/// reports, pages and charts, which a rerun makes again.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    replace_file(path, false, Readers::Umask, |out| out.write_all(bytes))
}

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
        self.check_folders(parent)?;
        replace_file(&path, self.fsync, Readers::Owner, |out| {
            serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::other)?;
            out.write_all(b"\n")
        })
    }

    /// Removes a day of a channel (all its messages were deleted); one already gone is fine.
    pub fn remove_day(&self, channel: &str, date: NaiveDate) -> Result<()> {
        let path = self.dir.join(Self::day_file(channel, date));
        self.check_folders(path.parent().unwrap_or(&self.dir))?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// Refuses to write or remove below `folder` (inside the export) when it, or a folder
    /// between it and the export's, is a symbolic link or not a folder: a channel's
    /// folder linked elsewhere would have sync write and delete files outside the export.
    /// The export's own folder may be a link: that one the user chose.
    fn check_folders(&self, folder: &Path) -> Result<()> {
        for inner in folder.ancestors().take_while(|f| *f != self.dir) {
            let Ok(meta) = fs::symlink_metadata(inner) else {
                continue; // not there yet: created as a folder
            };
            let kind = if meta.file_type().is_symlink() {
                "a symbolic link"
            } else if !meta.is_dir() {
                "not a folder"
            } else {
                continue;
            };
            return Err(Error::NotOwnFolder {
                path: inner.to_path_buf(),
                kind,
            });
        }
        Ok(())
    }

    fn day_file(channel: &str, date: NaiveDate) -> String {
        format!("{channel}/{}", super::source::day_file_name(date))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_that_fails_halfway_leaves_the_old_file_and_no_litter() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_whole(&path, b"old and whole").unwrap();
        let failed = replace_file(&path, false, Readers::Umask, |out| {
            out.write_all(b"new but ")?;
            Err(std::io::Error::other("interrupted"))
        });
        let err = failed.unwrap_err().to_string();
        assert!(
            err.contains("report.json") && err.contains("interrupted"),
            "{err}"
        );
        assert_eq!(fs::read(&path).unwrap(), b"old and whole");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["report.json"]);
        // Folders above a new file are made.
        write_whole(&dir.path().join("site/images/a.svg"), b"<svg/>").unwrap();
        assert_eq!(
            fs::read(dir.path().join("site/images/a.svg")).unwrap(),
            b"<svg/>"
        );
    }

    #[cfg(unix)]
    #[test]
    fn reports_get_the_mode_a_plain_write_gives_exports_stay_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |name: &str| {
            let meta = fs::metadata(dir.path().join(name)).unwrap();
            meta.permissions().mode() & 0o777
        };
        fs::write(dir.path().join("plain"), b"x").unwrap();
        write_whole(&dir.path().join("replaced"), b"x").unwrap();
        assert_eq!(mode("replaced"), mode("plain"));
        // An export's files stay its owner's.
        ExportWriter::create(dir.path().join("export"))
            .unwrap()
            .json("channels.json", &serde_json::json!([]))
            .unwrap();
        assert_eq!(mode("export/channels.json"), 0o600);
    }
}
