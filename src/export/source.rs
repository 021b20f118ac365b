//! Where an export's files come from: a folder on disk or a `.zip` as Slack sends it.
//!
//! Both look the same to the loader: a root with `channels.json`, `users.json` and one
//! folder of day files per channel.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use zip::ZipArchive;

use crate::error::{Error, Result};

/// An opened export, folder or zip.
pub enum ExportSource {
    Folder(PathBuf),
    Zip {
        path: PathBuf,
        archive: ZipArchive<File>,
        /// Folder inside the zip that holds `channels.json` ("" or "name/").
        root: String,
        /// Day files per channel folder, sorted by date.
        days: BTreeMap<String, Vec<String>>,
    },
}

impl ExportSource {
    /// Opens `path`, checking that it exists and looks like an export.
    pub fn open(path: &Path) -> Result<Self> {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound {
                path: path.to_path_buf(),
            },
            _ => Error::io(path, e),
        })?;
        if meta.is_dir() {
            if !path.join("channels.json").is_file() {
                return Err(Error::NotAnExport {
                    path: path.to_path_buf(),
                });
            }
            return Ok(ExportSource::Folder(path.to_path_buf()));
        }
        Self::open_zip(path)
    }

    fn open_zip(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let archive = ZipArchive::new(file).map_err(|e| Error::Zip {
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
            archive,
            root,
            days,
        })
    }

    /// A path for messages: the folder's file, or `export.zip!/file` inside a zip.
    pub fn display_path(&self, rel: &str) -> PathBuf {
        match self {
            ExportSource::Folder(dir) => dir.join(rel),
            ExportSource::Zip { path, root, .. } => {
                PathBuf::from(format!("{}!/{root}{rel}", path.display()))
            }
        }
    }

    /// Reads the file at `rel` (relative to the export root) into `buf`.
    /// Returns `false`, leaving `buf` empty, when there is no such file.
    pub fn read(&mut self, rel: &str, buf: &mut Vec<u8>) -> Result<bool> {
        buf.clear();
        let shown = self.display_path(rel);
        match self {
            ExportSource::Folder(dir) => match File::open(dir.join(rel)) {
                Ok(mut f) => {
                    f.read_to_end(buf).map_err(|e| Error::io(&shown, e))?;
                    Ok(true)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                Err(e) => Err(Error::io(&shown, e)),
            },
            ExportSource::Zip { archive, root, .. } => {
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
                entry.read_to_end(buf).map_err(|e| Error::io(&shown, e))?;
                Ok(true)
            }
        }
    }

    /// The day files (`YYYY-MM-DD.json`) of a channel's folder, oldest first;
    /// empty when the channel has no folder.
    pub fn day_files(&self, folder: &str) -> Result<Vec<String>> {
        match self {
            ExportSource::Folder(dir) => {
                let path = dir.join(folder);
                let entries = match std::fs::read_dir(&path) {
                    Ok(entries) => entries,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
                    Err(e) => return Err(Error::io(&path, e)),
                };
                let mut files = Vec::new();
                for entry in entries {
                    let entry = entry.map_err(|e| Error::io(&path, e))?;
                    if let Some(name) = entry.file_name().to_str() {
                        if is_day_file(name) {
                            files.push(name.to_string());
                        }
                    }
                }
                files.sort();
                Ok(files)
            }
            ExportSource::Zip { days, .. } => Ok(days.get(folder).cloned().unwrap_or_default()),
        }
    }
}

/// `2016-03-11.json` and the like; anything else in a channel folder is not a day file.
pub fn is_day_file(name: &str) -> bool {
    name.strip_suffix(".json")
        .is_some_and(|date| NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok())
}

#[cfg(test)]
mod tests {
    use super::is_day_file;

    #[test]
    fn day_files_are_dated_json() {
        assert!(is_day_file("2016-03-11.json"));
        assert!(!is_day_file("2016-13-11.json"));
        assert!(!is_day_file("notes.json"));
        assert!(!is_day_file("2016-03-11.json.tmp"));
    }
}
