//! Publishing an executed notebook as a blog post: Jekyll markdown with front matter,
//! plots as image files under `images/<slug>/` referenced through `{{ site.url }}`,
//! tables as HTML — and a standalone HTML page of the same post.
//!
//! It refuses a notebook that holds anything shaped like a Slack token, naming the cell.

mod notebook;

use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::Value;

use crate::error::{Error, Result};
pub use notebook::{Cell, Notebook, Output};

/// How to publish.
#[derive(Debug, Clone, Default)]
pub struct PublishOptions {
    /// Leave out every code cell's source, keeping outputs (cells tagged `hide-input` are
    /// always shown without source; cells tagged `hide` are always left out).
    pub hide_inputs: bool,
    /// The post's date (`YYYY-MM-DD`); default: the notebook's `post.date`, else today.
    pub date: Option<String>,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Published {
    pub markdown: PathBuf,
    pub html: PathBuf,
    pub images: Vec<PathBuf>,
}

/// Publishes `notebook` into the Jekyll site folder `site`: `_posts/<date>-<slug>.md`,
/// `images/<slug>/…`, and `<slug>.html` beside them.
pub fn publish(notebook: &Path, site: &Path, options: &PublishOptions) -> Result<Published> {
    let nb = Notebook::read(notebook)?;
    if let Some((cell, what)) = nb.find_token() {
        return Err(Error::Invalid(format!(
            "{}: cell {cell} holds something shaped like a Slack token ({what}); remove it (read tokens from SLACK_TOKEN) and run the notebook again",
            notebook.display()
        )));
    }
    let slug = slug(notebook);
    let post = nb.post_metadata();
    let date = options
        .date
        .clone()
        .or_else(|| post.get("date").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string());

    let title = post
        .get("title")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| nb.first_heading().unwrap_or_else(|| slug.clone()));
    let image_dir = site.join("images").join(&slug);
    let mut images = Vec::new();
    let mut body = String::new();
    for (index, cell) in nb.cells.iter().enumerate() {
        if cell.has_tag("hide") {
            continue;
        }
        match cell.kind.as_str() {
            "markdown" => {
                // The title goes in the front matter; the layout shows it.
                let text = match cell.source.strip_prefix(&format!("# {title}")) {
                    Some(rest) if body.is_empty() => rest.trim_start(),
                    _ => cell.source.as_str(),
                };
                body.push_str(text);
                body.push_str("\n\n");
            }
            "code" => {
                let show_source = !(options.hide_inputs || cell.has_tag("hide-input"));
                if show_source && !cell.source.trim().is_empty() {
                    body.push_str(&format!("```rust\n{}\n```\n\n", cell.source.trim_end()));
                }
                for (n, output) in cell.outputs.iter().enumerate() {
                    body.push_str(&render_output(
                        output,
                        &slug,
                        index,
                        n,
                        &image_dir,
                        &mut images,
                    )?);
                }
            }
            _ => {}
        }
    }

    let mut front = serde_json::Map::new();
    front.insert("layout".into(), "post".into());
    front.insert("title".into(), title.clone().into());
    for key in ["description", "category", "tags", "image", "imagefeature"] {
        if let Some(v) = post.get(key) {
            front.insert(key.into(), v.clone());
        }
    }
    front.insert("date".into(), date.clone().into());
    let markdown = format!("---\n{}---\n\n{body}", front_matter(&front));

    let posts = site.join("_posts");
    std::fs::create_dir_all(&posts).map_err(|e| Error::io(&posts, e))?;
    let md_path = posts.join(format!("{date}-{slug}.md"));
    write(&md_path, markdown.as_bytes())?;

    // The standalone page: the same markdown, images referenced relative to it.
    let local = body.replace("{{ site.url }}/", "");
    let html = page(&title, &format!("# {title}\n\n{local}"));
    let html_path = site.join(format!("{slug}.html"));
    write(&html_path, html.as_bytes())?;
    Ok(Published {
        markdown: md_path,
        html: html_path,
        images,
    })
}

/// One output as markdown; images are written to files and linked.
fn render_output(
    output: &Output,
    slug: &str,
    cell: usize,
    n: usize,
    image_dir: &Path,
    images: &mut Vec<PathBuf>,
) -> Result<String> {
    let image = |ext: &str, bytes: &[u8], images: &mut Vec<PathBuf>| -> Result<String> {
        let name = format!("{slug}-{cell}-{n}.{ext}");
        let path = image_dir.join(&name);
        write(&path, bytes)?;
        images.push(path);
        Ok(format!(
            "![{slug} chart {cell}]({{{{ site.url }}}}/images/{slug}/{name})\n\n"
        ))
    };
    if let Some(svg) = output.data("image/svg+xml") {
        return image("svg", svg.as_bytes(), images);
    }
    if let Some(png) = output.data("image/png") {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.split_whitespace().collect::<String>())
            .map_err(|e| {
                Error::Invalid(format!("cell {cell}: image/png output is not base64: {e}"))
            })?;
        return image("png", &bytes, images);
    }
    if let Some(html) = output.data("text/html") {
        return Ok(format!(
            "<div class=\"output\">\n{}\n</div>\n\n",
            html.trim()
        ));
    }
    if let Some(text) = output.data("text/plain").or_else(|| output.text.clone()) {
        if text.trim().is_empty() {
            return Ok(String::new());
        }
        let indented: Vec<String> = text
            .trim_end()
            .lines()
            .map(|l| format!("    {l}"))
            .collect();
        return Ok(format!("{}\n\n", indented.join("\n")));
    }
    Ok(String::new())
}

/// `notebooks/01-issue-channels.ipynb` → `issue-channels`.
fn slug(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("post");
    let stem = stem
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches(['-', '_']);
    let slug: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if slug.is_empty() {
        "post".into()
    } else {
        slug
    }
}

/// YAML front matter from JSON values: strings quoted, lists inline.
fn front_matter(map: &serde_json::Map<String, Value>) -> String {
    let mut out = String::new();
    for (k, v) in map {
        let value = match v {
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(yaml_scalar).collect();
                format!("[{}]", items.join(", "))
            }
            other => yaml_scalar(other),
        };
        out.push_str(&format!("{k}: {value}\n"));
    }
    out
}

fn yaml_scalar(v: &Value) -> String {
    match v {
        // JSON strings are valid YAML double-quoted scalars.
        Value::String(_) => v.to_string(),
        other => other.to_string(),
    }
}

fn markdown_to_html(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

/// A standalone HTML page of markdown, with the post's styles.
pub fn page(title: &str, markdown: &str) -> String {
    let body = markdown_to_html(markdown);
    let title = title.replace('&', "&amp;").replace('<', "&lt;");
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; line-height: 1.55; color: #222; }}
pre {{ background: #f6f8fa; padding: .8em; overflow-x: auto; font-size: 13px; }}
code {{ font-family: "SFMono-Regular", Consolas, monospace; }}
img {{ max-width: 100%; }}
.output {{ overflow-x: auto; }}
table.dataframe {{ border-collapse: collapse; font-size: 13px; margin: .5em 0; }}
table.dataframe th, table.dataframe td {{ border: 1px solid #ddd; padding: 3px 8px; text-align: left; }}
table.dataframe th {{ background: #f0f3f6; }}
</style></head>
<body>
{body}
</body></html>
"#
    )
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_drop_the_number() {
        assert_eq!(
            slug(Path::new("notebooks/01-issue-channels.ipynb")),
            "issue-channels"
        );
        assert_eq!(slug(Path::new("My Post.ipynb")), "my-post");
    }

    #[test]
    fn front_matter_quotes_strings_and_lists() {
        let v: Value = serde_json::json!({"title": "A: \"b\"", "tags": ["x", "y z"]});
        let fm = front_matter(v.as_object().unwrap());
        assert_eq!(fm, "tags: [\"x\", \"y z\"]\ntitle: \"A: \\\"b\\\"\"\n");
    }
}
