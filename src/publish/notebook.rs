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
pub(crate) fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(lines) => lines.iter().filter_map(Value::as_str).collect(),
        _ => String::new(),
    }
}

impl Notebook {
    /// The notebook in `json`, read from `path` (named in errors).
    pub fn from_json(path: &Path, json: &Value) -> Result<Notebook> {
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

    /// Reads and parses the notebook at `path`.
    pub fn read(path: &Path) -> Result<Notebook> {
        let bytes = crate::export::source::read_whole(path)?;
        let json: Value = serde_json::from_slice(&bytes).map_err(|e| Error::json(path, &e))?;
        Notebook::from_json(path, &json)
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

    /// The output's content for a JSON MIME type (a Vega-Lite spec): stored as JSON, or as
    /// text holding JSON.
    pub fn json(&self, mime: &str) -> Option<Value> {
        match self.data.get(mime)? {
            Value::Object(_) => self.data.get(mime).cloned(),
            text => serde_json::from_str(&text_of(text)).ok(),
        }
    }
}
