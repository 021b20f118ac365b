//! Where an export's files come from: a folder on disk or a `.zip` as Slack sends it.
//!
//! Both look the same to the loader: a root with `channels.json`, `users.json` and one
//! folder of day files per channel.
//!
//! An export may come from anyone, so every read is bounded: only regular files are
//! opened (a FIFO would block forever, `/dev/zero` never ends), no file may exceed
//! [`Limits::max_file_bytes`], and a zip entry may not inflate beyond what it declares nor
//! by more than [`Limits::max_zip_ratio`], nor may all the entries read, together.

use std::collections::BTreeMap;
use std::fs::{File, Metadata};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::NaiveDate;
use zip::ZipArchive;

use crate::error::{Error, Result};

/// How much one file of an export may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file (or inflated zip entry) read, in bytes.
    pub max_file_bytes: u64,
    /// Largest inflated-to-compressed ratio of a zip entry bigger than
    /// [`ZIP_RATIO_FLOOR`]. Deflate reaches about 1030:1 on zeros, so 1000:1 would let a
    /// 1 MB zip take 1 GB of memory; JSON compresses about 5–20:1.
    pub max_zip_ratio: u64,
}

/// Zip entries up to this size are read whatever their ratio: a small but very
/// repetitive file (a day of join messages) is harmless.
pub const ZIP_RATIO_FLOOR: u64 = 16 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 1 << 30,
            max_zip_ratio: 100,
        }
    }
}

/// An opened export, folder or zip. A clone reads on its own: a zip's clone shares the
/// archive's index and file but not a position in it, so threads read entries side by
/// side.
#[derive(Clone)]
pub enum ExportSource {
    Folder {
        dir: PathBuf,
        limits: Limits,
    },
    Zip {
        path: PathBuf,
        limits: Limits,
        archive: ZipArchive<ZipFile>,
        /// Folder inside the zip that holds `channels.json` ("" or "name/").
        root: String,
        /// Day files per channel folder, sorted by date.
        days: Arc<BTreeMap<String, Vec<String>>>,
        /// What all entries may inflate to, together: [`Limits::max_zip_ratio`] times the
        /// zip's size (at least [`ZIP_RATIO_FLOOR`]), since many entries each too small
        /// for the per-entry check can add up to gigabytes.
        inflate_budget: u64,
        /// What the entries read so far declared, shared by every clone.
        inflated: Arc<AtomicU64>,
    },
}

impl ExportSource {
    /// Opens `path` with the default [`Limits`], checking that it exists and looks like an
    /// export.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, Limits::default())
    }

    /// Opens `path`, checking that it exists and looks like an export.
    pub fn open_with(path: &Path, limits: Limits) -> Result<Self> {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound {
                path: path.to_path_buf(),
            },
            _ => Error::io(path, e),
        })?;
        if meta.is_dir() {
            // Any channels.json, even a FIFO: reading it then says what is wrong with it.
            if std::fs::symlink_metadata(path.join("channels.json")).is_err() {
                return Err(Error::NotAnExport {
                    path: path.to_path_buf(),
                });
            }
            return Ok(ExportSource::Folder {
                dir: path.to_path_buf(),
                limits,
            });
        }
        Self::open_zip(path, limits)
    }

    fn open_zip(path: &Path, limits: Limits) -> Result<Self> {
        // Zip archives are read in place, not into memory: no size limit on the zip
        // itself, only on what its entries inflate to.
        let (file, len) = open_regular(path, path, u64::MAX)?.ok_or_else(|| Error::NotFound {
            path: path.to_path_buf(),
        })?;
        let archive = ZipArchive::new(ZipFile::new(file, len)).map_err(|e| Error::Zip {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let names: Vec<String> = archive.file_names().map(str::to_string).collect();
        // The shallowest channels.json is the export's root; exports are zipped both
        // with and without an enclosing folder.
        let root = names
            .iter()
            .filter_map(|n| n.strip_suffix("channels.json"))
            .filter(|prefix| prefix.is_empty() || prefix.ends_with('/'))
            .min_by_key(|prefix| prefix.len())
            .map(str::to_string)
            .ok_or_else(|| Error::NotAnExport {
                path: path.to_path_buf(),
            })?;
        let mut days: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for name in &names {
            let Some(rel) = name.strip_prefix(&root) else {
                continue;
            };
            if let Some((folder, file)) = rel.split_once('/') {
                if is_day_file(file) {
                    days.entry(folder.to_string())
                        .or_default()
                        .push(file.to_string());
                }
            }
        }
        for files in days.values_mut() {
            files.sort();
        }
        Ok(ExportSource::Zip {
            path: path.to_path_buf(),
            limits,
            archive,
            root,
            days: Arc::new(days),
            inflate_budget: len
                .saturating_mul(limits.max_zip_ratio)
                .max(ZIP_RATIO_FLOOR),
            inflated: Arc::new(AtomicU64::new(0)),
        })
    }

    /// A path for messages: the folder's file, or `export.zip!/file` inside a zip.
    pub fn display_path(&self, rel: &str) -> PathBuf {
        match self {
            ExportSource::Folder { dir, .. } => dir.join(rel),
            ExportSource::Zip { path, root, .. } => {
                PathBuf::from(format!("{}!/{root}{rel}", path.display()))
            }
        }
    }

    /// [`ExportSource::display_path`] of day file `day` in `folder`, written into `shown`:
    /// the loader shows every day file it reads, and one buffer per run then costs no
    /// allocation or formatting per file.
    pub fn display_day_path(&self, folder: &str, day: &str, shown: &mut PathBuf) {
        match self {
            ExportSource::Folder { dir, .. } => {
                shown.as_mut_os_string().clear();
                shown.push(dir);
                shown.push(folder);
                shown.push(day);
            }
            ExportSource::Zip { .. } => *shown = self.display_path(&format!("{folder}/{day}")),
        }
    }

    /// Reads the file at `rel` as JSON of type `T`, strictly; `None` when there is no such
    /// file. (The loader reads leniently, skipping entries: see `export::load_with`.)
    pub fn read_json<T: serde::de::DeserializeOwned>(
        &mut self,
        rel: &str,
        buf: &mut Vec<u8>,
    ) -> Result<Option<T>> {
        if !self.read(rel, buf)? {
            return Ok(None);
        }
        serde_json::from_slice(buf)
            .map(Some)
            .map_err(|e| Error::json(self.display_path(rel), &e))
    }

    /// A folder export's channel folder, opened for reading its day files from any
    /// thread; `None` when the channel has no folder and for a zip (whose clones read its
    /// entries from any thread); an error when something else stands in its place.
    pub fn day_folder(&self, folder: &str) -> Result<Option<DayFolder>> {
        let ExportSource::Folder { dir, limits } = self else {
            return Ok(None);
        };
        DayFolder::open(dir.join(folder), *limits)
    }

    /// Reads the file at `rel` (relative to the export root) into `buf`.
    /// Returns `false`, leaving `buf` empty, when there is no such file.
    ///
    /// Refuses, naming the file and why, anything but a regular file (or a symlink to
    /// one) and any file larger than the limits.
    pub fn read(&mut self, rel: &str, buf: &mut Vec<u8>) -> Result<bool> {
        buf.clear();
        let shown = self.display_path(rel);
        match self {
            ExportSource::Folder { dir, limits } => {
                read_regular(&dir.join(rel), &shown, *limits, buf)
            }
            ExportSource::Zip {
                path,
                archive,
                root,
                limits,
                inflate_budget,
                inflated,
                ..
            } => {
                let mut entry = match archive.by_name(&format!("{root}{rel}")) {
                    Ok(entry) => entry,
                    Err(zip::result::ZipError::FileNotFound) => return Ok(false),
                    Err(e) => {
                        return Err(Error::Zip {
                            path: shown,
                            message: e.to_string(),
                        })
                    }
                };
                let (declared, compressed) = (entry.size(), entry.compressed_size());
                if declared > limits.max_file_bytes {
                    return Err(Error::TooLarge {
                        path: shown,
                        what: "declares",
                        limit: limits.max_file_bytes,
                    });
                }
                if declared > ZIP_RATIO_FLOOR && declared / compressed.max(1) > limits.max_zip_ratio
                {
                    return Err(Error::ZipBomb {
                        path: shown,
                        message: format!(
                            "{compressed} compressed bytes declare {declared} inflated, more \
                             than {}:1 (a zip bomb?)",
                            limits.max_zip_ratio
                        ),
                    });
                }
                let before = inflated.fetch_add(declared, Ordering::Relaxed);
                if before.saturating_add(declared) > *inflate_budget {
                    return Err(Error::ZipTotal {
                        path: path.clone(),
                        message: format!(
                            "its entries inflate to more than {} times its size in all (a zip \
                             bomb?)",
                            limits.max_zip_ratio
                        ),
                    });
                }
                // The declared size was checked; the actual one is what counts: stop one
                // byte past it.
                (&mut entry)
                    .take(declared.saturating_add(1))
                    .read_to_end(buf)
                    .map_err(|e| Error::io(&shown, e))?;
                if buf.len() as u64 > declared {
                    buf.clear();
                    return Err(Error::ZipBomb {
                        path: shown,
                        message: format!(
                            "inflates to more than the {declared} bytes it declares (a zip bomb \
                             or a damaged archive)"
                        ),
                    });
                }
                drop_bom(buf);
                Ok(true)
            }
        }
    }

    /// Names of the root's folders that hold day files, except those `known` already
    /// (names that are not UTF-8 are shown lossily).
    pub fn day_folders(&self, known: impl Fn(&str) -> bool) -> Result<Vec<String>> {
        match self {
            ExportSource::Folder { dir, .. } => {
                let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
                let mut folders = Vec::new();
                for entry in entries {
                    let entry = entry.map_err(|e| Error::io(dir, e))?;
                    // A known channel's folder needs no look inside: one read_dir per
                    // folder would cost as much as listing the day files all over again.
                    if entry.file_name().to_str().is_some_and(&known) {
                        continue;
                    }
                    let path = entry.path();
                    // Follows symlinks: a linked folder is read like a real one.
                    if !path.is_dir() {
                        continue;
                    }
                    let has_days = std::fs::read_dir(&path).is_ok_and(|mut files| {
                        files.any(|f| {
                            f.is_ok_and(|f| f.file_name().to_str().is_some_and(is_day_file))
                        })
                    });
                    if has_days {
                        folders.push(entry.file_name().to_string_lossy().into_owned());
                    }
                }
                folders.sort();
                Ok(folders)
            }
            ExportSource::Zip { days, .. } => {
                Ok(days.keys().filter(|k| !known(k)).cloned().collect())
            }
        }
    }

    /// The day files (`YYYY-MM-DD.json`) of a channel's folder, oldest first;
    /// empty when the channel has no folder.
    pub fn day_files(&self, folder: &str) -> Result<Vec<String>> {
        match self {
            // A channel named like a file (`users.json`), or a FIFO: no folder of its own.
            ExportSource::Folder { .. } => self
                .day_folder(folder)?
                .map_or(Ok(vec![]), |mut days| days.day_files())
                .map(|days| days.into_iter().map(|day| day.name).collect()),
            ExportSource::Zip { days, .. } => Ok(days.get(folder).cloned().unwrap_or_default()),
        }
    }
}

/// A zip file read at positions rather than through the file's one cursor, so that every
/// clone of an archive has a position of its own and they read side by side.
#[derive(Clone)]
pub struct ZipFile {
    file: Arc<File>,
    len: u64,
    position: u64,
    /// Bytes read ahead (the first `buffered` of them, from `buffered_at`): an entry's
    /// header, name and data come in several small reads, and a day file is a few
    /// kilobytes, so one system call serves them all.
    buffer: Box<[u8]>,
    buffered: usize,
    buffered_at: u64,
}

/// How far a [`ZipFile`] reads ahead.
const ZIP_READ_AHEAD: usize = 8 << 10;

impl ZipFile {
    fn new(file: File, len: u64) -> Self {
        ZipFile {
            file: Arc::new(file),
            len,
            position: 0,
            buffer: Box::default(),
            buffered: 0,
            buffered_at: 0,
        }
    }

    fn read_at(&self, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
        #[cfg(unix)]
        return std::os::unix::fs::FileExt::read_at(&*self.file, buf, at);
        #[cfg(windows)]
        return std::os::windows::fs::FileExt::seek_read(&*self.file, buf, at);
    }
}

impl Read for ZipFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let ahead = self
            .position
            .checked_sub(self.buffered_at)
            .filter(|&offset| offset < self.buffered as u64);
        let offset = match ahead {
            Some(offset) => offset as usize,
            None if buf.len() >= ZIP_READ_AHEAD => {
                let read = self.read_at(buf, self.position)?;
                self.position += read as u64;
                return Ok(read);
            }
            None => {
                if self.buffer.is_empty() {
                    self.buffer = vec![0; ZIP_READ_AHEAD].into_boxed_slice();
                }
                // Nothing is read ahead should the read fail.
                self.buffered = 0;
                let mut buffer = std::mem::take(&mut self.buffer);
                let read = self.read_at(&mut buffer, self.position);
                self.buffer = buffer;
                (self.buffered, self.buffered_at) = (read?, self.position);
                0
            }
        };
        let read = buf.len().min(self.buffered - offset);
        buf[..read].copy_from_slice(&self.buffer[offset..offset + read]);
        self.position += read as u64;
        Ok(read)
    }
}

impl Seek for ZipFile {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let position = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::End(by) => self.len.checked_add_signed(by),
            SeekFrom::Current(by) => self.position.checked_add_signed(by),
        };
        self.position = position.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "a seek before the start")
        })?;
        Ok(self.position)
    }
}

/// The bytes of the regular file at `path`, within the default limit: for a file named on
/// the command line (a notebook to publish), refused by name if it is a FIFO or a device.
pub(crate) fn read_whole(path: &Path) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    if !read_regular(path, path, Limits::default(), &mut buf)? {
        let absent = std::io::Error::from(std::io::ErrorKind::NotFound);
        return Err(Error::io(path, absent));
    }
    Ok(buf)
}

/// Reads a regular file into `buf` (cleared), within the limits; `false` when absent.
pub(crate) fn read_regular(
    path: &Path,
    shown: &Path,
    limits: Limits,
    buf: &mut Vec<u8>,
) -> Result<bool> {
    buf.clear();
    let Some((file, len)) = open_regular(path, shown, limits.max_file_bytes)? else {
        return Ok(false);
    };
    read_within(file, len, shown, limits.max_file_bytes, buf)?;
    Ok(true)
}

/// Reads an opened file of `len` bytes into `buf`, refusing it if it grew past `limit`.
fn read_within(file: File, len: u64, shown: &Path, limit: u64, buf: &mut Vec<u8>) -> Result<()> {
    buf.reserve(len.min(limit) as usize);
    // take(limit + 1): a file still growing cannot push past the limit.
    file.take(limit.saturating_add(1))
        .read_to_end(buf)
        .map_err(|e| Error::io(shown, e))?;
    if buf.len() as u64 > limit {
        buf.clear();
        return Err(Error::TooLarge {
            path: shown.to_path_buf(),
            what: "grew to",
            limit,
        });
    }
    drop_bom(buf);
    Ok(())
}

/// Drops the byte order mark that Windows editors put before UTF-8 text: JSON has none,
/// and serde would refuse the file at its first byte.
fn drop_bom(buf: &mut Vec<u8>) {
    if buf.starts_with(b"\xEF\xBB\xBF") {
        buf.drain(..3);
    }
}

/// Opens `path` for reading if it is a regular file (after following symlinks) of at
/// most `limit` bytes, with its length; `None` when there is nothing at `path`.
fn open_regular(path: &Path, shown: &Path, limit: u64) -> Result<Option<(File, u64)>> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return nothing_at(shown, std::fs::symlink_metadata(path).is_ok(), None);
        }
        Err(e) => return Err(Error::io(shown, e)),
    };
    // Checked before opening: opening a device can itself do something (a tape rewinds,
    // a watchdog starts), and opening a FIFO blocks until a writer comes.
    check_regular(&meta, shown, limit)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // If the file is swapped for a FIFO between the check and the open, the open
        // still returns at once, and the check below refuses it. O_NONBLOCK does nothing
        // to reads of a regular file.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path).map_err(|e| Error::io(shown, e))?;
    checked_again(file, shown, limit).map(Some)
}

/// What finding nothing at a name means: a symbolic link that leads nowhere is an error
/// that names it; no entry at all is `absent` (the caller's "not there").
fn nothing_at<T>(shown: &Path, dangling_link: bool, absent: T) -> Result<T> {
    if dangling_link {
        return Err(Error::NotAFile {
            path: shown.to_path_buf(),
            kind: "symbolic link to nothing",
        });
    }
    Ok(absent)
}

/// A file just opened, with its length, checked again: it may have been swapped for
/// something else between the first check and the open.
fn checked_again(file: File, shown: &Path, limit: u64) -> Result<(File, u64)> {
    let meta = file.metadata().map_err(|e| Error::io(shown, e))?;
    check_regular(&meta, shown, limit)?;
    Ok((file, meta.len()))
}

/// Refuses anything but a regular file of at most `limit` bytes, naming what it is.
fn check_regular(meta: &Metadata, shown: &Path, limit: u64) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        check_kind(meta.mode(), meta.len(), shown, limit)
    }
    #[cfg(not(unix))]
    {
        let kind = (!meta.is_file()).then_some(if meta.is_dir() {
            "folder"
        } else {
            "special file"
        });
        check_size(kind, meta.len(), shown, limit)
    }
}

/// [`check_regular`] on a raw file mode (as `stat` gives it).
#[cfg(unix)]
fn check_kind(mode: u32, len: u64, shown: &Path, limit: u64) -> Result<()> {
    use rustix::fs::FileType;
    let kind = match FileType::from_raw_mode(mode) {
        FileType::RegularFile => None,
        FileType::Directory => Some("folder"),
        FileType::Fifo => Some("FIFO (named pipe)"),
        FileType::CharacterDevice => Some("character device"),
        FileType::BlockDevice => Some("block device"),
        FileType::Socket => Some("socket"),
        _ => Some("special file"),
    };
    check_size(kind, len, shown, limit)
}

/// Refuses a file that is not a regular one (`kind` says what it is) or is too big.
fn check_size(kind: Option<&'static str>, len: u64, shown: &Path, limit: u64) -> Result<()> {
    if let Some(kind) = kind {
        return Err(Error::NotAFile {
            path: shown.to_path_buf(),
            kind,
        });
    }
    if len > limit {
        return Err(Error::TooLarge {
            path: shown.to_path_buf(),
            what: "is",
            limit,
        });
    }
    Ok(())
}

/// A channel's folder in a folder export, opened once: each day file is then opened by
/// its name inside it (`openat`), so the kernel does not walk the export's whole path
/// again for every file (at a million messages those walks were a tenth of the load).
/// Reads hold no state, so any thread can read through one; listing takes it to itself.
pub struct DayFolder {
    path: PathBuf,
    limits: Limits,
    /// The folder, open: listed through it, and its files opened relative to it.
    #[cfg(unix)]
    dir: rustix::fs::Dir,
    /// Listed before: a new listing starts again from the top (a seek the first skips).
    #[cfg(unix)]
    listed: bool,
}

/// A day file as its folder's listing showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayFile {
    /// `YYYY-MM-DD.json`.
    pub name: String,
    /// The listing said "regular file" (not a link, a FIFO or a device), so it need not
    /// be looked up again before it is opened; its kind is still checked once open.
    /// (Other systems' listings do not tell: they look every file up.)
    #[cfg_attr(not(unix), allow(dead_code))]
    listed_regular: bool,
}

impl DayFile {
    /// A day file whose kind the listing did not tell.
    pub fn named(name: String) -> Self {
        DayFile {
            name,
            listed_regular: false,
        }
    }
}

#[cfg(unix)]
const OPEN_FLAGS: rustix::fs::OFlags = rustix::fs::OFlags::RDONLY
    .union(rustix::fs::OFlags::NONBLOCK)
    .union(rustix::fs::OFlags::NOCTTY)
    .union(rustix::fs::OFlags::CLOEXEC);

#[cfg(unix)]
impl DayFolder {
    fn open(path: PathBuf, limits: Limits) -> Result<Option<Self>> {
        use rustix::fs::{Mode, OFlags};
        use rustix::io::Errno;
        // O_DIRECTORY refuses a file or a FIFO by that name before opening it.
        match rustix::fs::open(&path, OPEN_FLAGS | OFlags::DIRECTORY, Mode::empty()) {
            // Owned by the listing, which then needs no descriptor of its own.
            Ok(fd) => {
                let dir = rustix::fs::Dir::new(fd).map_err(|e| Error::io(&path, e.into()))?;
                Ok(Some(DayFolder {
                    path,
                    limits,
                    dir,
                    listed: false,
                }))
            }
            Err(Errno::NOENT) => Ok(None),
            // A file (or a FIFO…) where the channel's folder belongs.
            Err(Errno::NOTDIR) => Err(Error::NotAFolder { path }),
            Err(e) => Err(Error::io(&path, e.into())),
        }
    }

    /// The day files (`YYYY-MM-DD.json`) in the folder, oldest first.
    pub fn day_files(&mut self) -> Result<Vec<DayFile>> {
        use rustix::fs::FileType;
        let io = |e: rustix::io::Errno| Error::io(&self.path, e.into());
        let mut files = Vec::new();
        if self.listed {
            self.dir.rewind();
        }
        self.listed = true;
        while let Some(entry) = self.dir.read() {
            let entry = entry.map_err(io)?;
            if let Ok(name) = entry.file_name().to_str() {
                if is_day_file(name) {
                    files.push(DayFile {
                        name: name.to_string(),
                        listed_regular: entry.file_type() == FileType::RegularFile,
                    });
                }
            }
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(files)
    }

    /// Reads day file `day` into `buf` (cleared), with the checks and limits of
    /// [`ExportSource::read`]; `shown` names it in errors. `false` when it is gone.
    pub fn read(&self, day: &DayFile, shown: &Path, buf: &mut Vec<u8>) -> Result<bool> {
        use rustix::fs::{openat, statat, AtFlags, Mode};
        use rustix::io::Errno;
        buf.clear();
        let folder = self.dir.fd().map_err(|e| Error::io(&self.path, e.into()))?;
        let (name, limit) = (day.name.as_str(), self.limits.max_file_bytes);
        // A link, a FIFO or a device is refused before it is opened, as in
        // `open_regular`; a file the listing showed as regular needs no second lookup.
        if !day.listed_regular {
            let stat = match statat(folder, name, AtFlags::empty()) {
                Ok(stat) => stat,
                Err(Errno::NOENT) => {
                    let link = statat(folder, name, AtFlags::SYMLINK_NOFOLLOW).is_ok();
                    return nothing_at(shown, link, false);
                }
                Err(e) => return Err(Error::io(shown, e.into())),
            };
            check_kind(stat.st_mode, stat.st_size as u64, shown, limit)?;
        }
        let fd = match openat(folder, name, OPEN_FLAGS, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(false),
            Err(e) => return Err(Error::io(shown, e.into())),
        };
        let (file, len) = checked_again(File::from(fd), shown, limit)?;
        if len == 0 {
            // Nothing to go by (`/proc` files say 0 and hold more): read to the end.
            read_within(file, len, shown, limit, buf)?;
        } else {
            // The file as it was checked: `len` bytes and no further read to find its
            // end (a file still being written is cut there, within the limit).
            buf.reserve(len as usize);
            file.take(len)
                .read_to_end(buf)
                .map_err(|e| Error::io(shown, e))?;
            drop_bom(buf);
        }
        Ok(true)
    }
}

#[cfg(not(unix))]
impl DayFolder {
    fn open(path: PathBuf, limits: Limits) -> Result<Option<Self>> {
        if path.exists() && !path.is_dir() {
            return Err(Error::NotAFolder { path });
        }
        Ok(path.is_dir().then_some(DayFolder { path, limits }))
    }

    /// The day files (`YYYY-MM-DD.json`) in the folder, oldest first.
    pub fn day_files(&mut self) -> Result<Vec<DayFile>> {
        let entries = std::fs::read_dir(&self.path).map_err(|e| Error::io(&self.path, e))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&self.path, e))?;
            if let Some(name) = entry.file_name().to_str().filter(|n| is_day_file(n)) {
                files.push(DayFile::named(name.to_string()));
            }
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(files)
    }

    /// Reads day file `day` into `buf` (cleared), with the checks and limits of
    /// [`ExportSource::read`]; `shown` names it in errors. `false` when it is gone.
    pub fn read(&self, day: &DayFile, shown: &Path, buf: &mut Vec<u8>) -> Result<bool> {
        read_regular(&self.path.join(&day.name), shown, self.limits, buf)
    }
}

/// `2016-03-11.json` and the like; anything else in a channel folder is not a day file.
pub fn is_day_file(name: &str) -> bool {
    day_of_file(name).is_some()
}

/// The name of a channel's day file for `date`: `2016-03-11.json`.
pub fn day_file_name(date: NaiveDate) -> String {
    format!("{}.json", date.format("%Y-%m-%d"))
}

/// The date a day file holds, `None` for any other file name (the inverse of
/// [`day_file_name`]). Read by hand, as it runs once per file of the export: a format
/// string would be parsed for every call.
pub fn day_of_file(name: &str) -> Option<NaiveDate> {
    let date = name.strip_suffix(".json")?;
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = date.get(range)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let dashes = date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-';
    if !dashes {
        return None;
    }
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::{is_day_file, ExportSource, ZipFile, ZIP_READ_AHEAD};
    use std::io::{Read, Seek, SeekFrom};
    use std::path::PathBuf;

    #[test]
    fn a_day_files_path_shows_as_any_other_files() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("channels.json"), "[]").unwrap();
        let mut shown = PathBuf::from("left over from another file");
        for dir in [tmp.path().to_path_buf(), tmp.path().join("")] {
            let source = ExportSource::open(&dir).unwrap();
            source.display_day_path("issue-db-2303", "2016-03-23.json", &mut shown);
            let whole = source.display_path("issue-db-2303/2016-03-23.json");
            assert_eq!(shown, whole);
            assert_eq!(shown.display().to_string(), whole.display().to_string());
        }
    }

    #[test]
    fn a_zip_file_reads_what_its_positions_hold_and_clones_move_apart() {
        let bytes: Vec<u8> = (0..3 * ZIP_READ_AHEAD + 17)
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a.zip");
        std::fs::write(&path, &bytes).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let mut zip = ZipFile::new(file, bytes.len() as u64);
        // Small reads from the read-ahead, and one larger than it read directly.
        let at = |zip: &mut ZipFile, to: SeekFrom, len: usize| {
            let start = zip.seek(to).unwrap() as usize;
            let mut got = vec![0; len];
            zip.read_exact(&mut got).unwrap();
            assert_eq!(got, bytes[start..start + len], "{len} bytes at {start}");
        };
        at(&mut zip, SeekFrom::Start(5), 30);
        at(&mut zip, SeekFrom::Current(-10), ZIP_READ_AHEAD - 3);
        at(&mut zip, SeekFrom::End(-40), 40);
        at(&mut zip, SeekFrom::Start(100), 2 * ZIP_READ_AHEAD);
        let mut clone = zip.clone();
        at(&mut clone, SeekFrom::Start(0), 9);
        at(&mut zip, SeekFrom::Current(0), 7);
        assert_eq!(zip.read(&mut [0; 4]).unwrap(), 4);
        zip.seek(SeekFrom::End(0)).unwrap();
        assert_eq!(zip.read(&mut [0; 4]).unwrap(), 0, "nothing past the end");
        assert!(zip
            .seek(SeekFrom::Current(-(bytes.len() as i64) - 1))
            .is_err());
    }

    #[test]
    fn day_files_are_dated_json() {
        assert!(is_day_file("2016-03-11.json"));
        assert!(!is_day_file("2016-13-11.json"));
        assert!(!is_day_file("notes.json"));
        assert!(!is_day_file("2016-03-11.json.tmp"));
        assert!(is_day_file("2016-02-29.json"));
        assert!(!is_day_file("2015-02-29.json"));
        assert!(!is_day_file("2016-3-11.json"));
        assert!(!is_day_file("2016-03-1x.json"));
        assert!(!is_day_file("+016-03-11.json"));
        assert!(!is_day_file("2016-03-11é.json"));
    }
}
