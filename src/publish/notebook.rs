//! Reading a Jupyter notebook (nbformat 4): cells, their tags, sources and outputs.

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A notebook's cells and metadata.
pub struct Notebook {
    pub cells: Vec<Cell>,
    pub metadata: Map<String, Value>,
}

/// One cell.
pub struct Cell {
    /// `markdown`, `code` or `raw`.
    pub kind: String,
    pub source: String,
    pub tags: Vec<String>,
    pub outputs: Vec<Output>,
}

/// One output of a code cell: rich data by MIME type, or a stream's text.
pub struct Output {
    pub data: Map<String, Value>,
    pub text: Option<String>,
}

/// nbformat stores text as a string or a list of lines.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(lines) => lines.iter().filter_map(Value::as_str).collect(),
        _ => String::new(),
    }
}

impl Notebook {
    pub fn read(path: &Path) -> Result<Notebook> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let json: Value = serde_json::from_slice(&bytes).map_err(|e| Error::json(path, &e))?;
        let cells = json
            .get("cells")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::Field {
                path: path.to_path_buf(),
                field: "cells".into(),
                message: "missing: is this a Jupyter notebook (nbformat 4)?".into(),
            })?
            .iter()
            .map(|c| Cell {
                kind: c["cell_type"].as_str().unwrap_or("raw").to_string(),
                source: text_of(&c["source"]),
                tags: c["metadata"]["tags"]
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                outputs: c["outputs"]
                    .as_array()
                    .map(|outs| {
                        outs.iter()
                            .map(|o| Output {
                                data: o["data"].as_object().cloned().unwrap_or_default(),
                                text: o.get("text").map(text_of),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        Ok(Notebook {
            cells,
            metadata: json["metadata"].as_object().cloned().unwrap_or_default(),
        })
    }

    /// The post's front matter fields, from the notebook metadata's `post` object.
    pub fn post_metadata(&self) -> Map<String, Value> {
        self.metadata
            .get("post")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }

    /// The first `# heading` of a markdown cell.
    pub fn first_heading(&self) -> Option<String> {
        self.cells
            .iter()
            .filter(|c| c.kind == "markdown")
            .flat_map(|c| c.source.lines())
            .find_map(|l| l.strip_prefix("# ").map(|h| h.trim().to_string()))
    }

    /// The first cell (1-based; 0 for the notebook's metadata) holding something shaped
    /// like a Slack token, and a redacted glimpse of it.
    pub fn find_token(&self) -> Option<(usize, String)> {
        if let Some(glimpse) =
            token_like(&serde_json::Value::Object(self.metadata.clone()).to_string())
        {
            return Some((0, glimpse));
        }
        self.cells.iter().enumerate().find_map(|(i, c)| {
            let outputs = c
                .outputs
                .iter()
                .flat_map(|o| o.data.values().map(text_of).chain(o.text.clone()));
            std::iter::once(c.source.clone())
                .chain(outputs)
                .find_map(|text| token_like(&text))
                .map(|glimpse| (i + 1, glimpse))
        })
    }
}

impl Cell {
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

impl Output {
    /// The output's content for a MIME type, as text.
    pub fn data(&self, mime: &str) -> Option<String> {
        self.data.get(mime).map(text_of)
    }
}

/// Slack token shapes — `xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxe-`, `xoxc-`, `xoxs-`,
/// `xapp-` — followed by at least six token characters: returns the prefix, never the
/// secret part.
pub fn token_like(text: &str) -> Option<String> {
    const PREFIXES: [&str; 8] = [
        "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxe-", "xoxc-", "xoxs-", "xapp-",
    ];
    for prefix in PREFIXES {
        let mut from = 0;
        while let Some(pos) = text[from..].find(prefix) {
            let start = from + pos + prefix.len();
            let run = text[start..]
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
                .count();
            if run >= 6 {
                return Some(format!("{prefix}…"));
            }
            from = start;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::token_like;

    #[test]
    fn finds_token_shapes_without_showing_them() {
        assert_eq!(
            token_like("let t = \"xoxb-1234-abcdef\";").as_deref(),
            Some("xoxb-…")
        );
        assert_eq!(token_like("xoxp-99887766"), Some("xoxp-…".into()));
        assert_eq!(token_like("xoxb-12"), None);
        assert_eq!(token_like("xoxo-123456789"), None);
        assert_eq!(token_like("xapp-1-A0123-4567"), Some("xapp-…".into()));
        assert_eq!(token_like("no token here"), None);
    }
}
