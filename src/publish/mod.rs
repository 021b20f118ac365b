//! Publishing an executed notebook as a blog post: Jekyll markdown with front matter,
//! plots as image files under `images/<slug>/` referenced through `{{ site.url }}`,
//! tables as HTML — and a standalone HTML page of the same post. [`report`] publishes
//! the analysis itself for readers without Jupyter (`report --out`).
//!
//! A notebook is untrusted input. It is refused when anything in it is shaped like a
//! Slack token, in any form a reader could decode (see `scan`), or when an SVG output
//! could run script or fetch anything. Its HTML (outputs, markdown's raw HTML) goes
//! through one allow-list sanitiser, its date and slug are validated so every file lands
//! under the site folder, and every file is checked once more before anything is written.

mod html;
mod interactive;
mod notebook;
pub mod report;
mod scan;
mod svg;

use std::path::{Component, Path, PathBuf};

use base64::Engine;
use chrono::NaiveDate;
use serde_json::Value;

use crate::error::{Error, PublishError, Result};
use crate::export::write::write_whole;
use crate::plot::{escape_html, VEGA_LITE_MIME};
use crate::secret::redact;
pub use html::sanitize;
pub use interactive::INSTALLED_VEGA;
pub use notebook::{Cell, Notebook, Output};
use scan::Finding;

/// How to publish.
#[derive(Debug, Clone, Default)]
pub struct PublishOptions {
    /// Leave out every code cell's source, keeping outputs (cells tagged `hide-input` are
    /// always shown without source; cells tagged `hide` are always left out).
    pub hide_inputs: bool,
    /// The post's date (`YYYY-MM-DD`); default: the notebook's `post.date`, else today.
    pub date: Option<String>,
    /// Charts the reader's browser draws from their Vega-Lite specs, with tooltips and
    /// zoom (the SVG stays for readers without script): the `node_modules` folder holding
    /// Vega and Vega-Lite (e.g. [`INSTALLED_VEGA`]), whose builds are copied into the
    /// site. `None`: static SVG charts, no script. The standalone page stays static.
    pub interactive: Option<PathBuf>,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Published {
    pub markdown: PathBuf,
    pub html: PathBuf,
    pub images: Vec<PathBuf>,
}

/// Publishes `notebook` into the Jekyll site folder `site`: `_posts/<date>-<slug>.md`,
/// `images/<slug>/…`, and `<slug>.html` beside them. Writes nothing when it refuses.
pub fn publish(notebook: &Path, site: &Path, options: &PublishOptions) -> Result<Published> {
    let shown = notebook.display().to_string();
    if scan::text(&shown).is_err() {
        return Err(PublishError::TokenInPath {
            path: redact(&shown).into_owned(),
        }
        .into());
    }
    let bytes = crate::export::source::read_whole(notebook)?;
    let json: Value = serde_json::from_slice(&bytes).map_err(|e| Error::json(notebook, &e))?;
    scan_notebook(&shown, &bytes, &json)?;
    let nb = Notebook::from_json(notebook, &json)?;

    let post = nb.post_metadata();
    let date = match &options.date {
        Some(given) => post_date(given, "--date")?,
        None => match post.get("date") {
            Some(Value::String(given)) => post_date(given, "metadata.post.date")?,
            Some(other) => post_date(&other.to_string(), "metadata.post.date")?,
            None => chrono::Utc::now().date_naive(),
        },
    };
    let date = date.format("%Y-%m-%d").to_string();
    let raw_title = post
        .get("title")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| nb.first_heading());
    let title = raw_title.as_deref().map(plain_title).unwrap_or_default();
    let slug = slug_of(notebook)
        .or_else(|| slug_of_text(&title))
        .unwrap_or_else(|| "post".into());
    let title = if title.is_empty() {
        slug.clone()
    } else {
        title
    };

    let mut site_files = SiteFiles::new(site, &shown, options.interactive.is_some());
    // The Jekyll post's markdown, and the standalone page's (no Liquid runs there).
    let (mut body, mut page_body) = (String::new(), String::new());
    for (index, cell) in nb.cells.iter().enumerate() {
        if cell.has_tag("hide") {
            continue;
        }
        match cell.kind.as_str() {
            "markdown" => {
                // The title goes in the front matter and the layout shows it: the
                // notebook's own heading at the top would be a second one (it may differ
                // from a title set in the post's metadata).
                let source = match (body.is_empty(), raw_title.is_some()) {
                    (true, true) => leading_heading_dropped(&cell.source),
                    _ => cell.source.as_str(),
                };
                let (source, cut) = capped(source);
                let markdown = markdown_cell(source) + "\n\n" + cut.as_deref().unwrap_or("");
                body.push_str(&markdown);
                page_body.push_str(&markdown);
            }
            "code" => {
                let show_source = !(options.hide_inputs || cell.has_tag("hide-input"));
                if show_source && !cell.source.trim().is_empty() {
                    let code = code_block(&cell.source);
                    body.push_str(&liquid_raw(&code));
                    page_body.push_str(&code);
                }
                for (n, output) in cell.outputs.iter().enumerate() {
                    let (post, page) = render_output(output, &slug, index, n, &mut site_files)?;
                    body.push_str(&post);
                    page_body.push_str(&page);
                }
            }
            _ => {}
        }
    }

    if let (Some(installed), true) = (&options.interactive, site_files.charts > 0) {
        body.push_str(&interactive::scripts(SITE_URL));
        for (relative, bytes) in interactive::site_files(installed)? {
            site_files.add_vendored(relative, bytes)?;
        }
    }

    let mut front = serde_json::Map::new();
    front.insert("layout".into(), "post".into());
    front.insert("title".into(), title.clone().into());
    for key in ["description", "category", "tags", "image", "imagefeature"] {
        if let Some(v) = post.get(key) {
            if key.starts_with("image") {
                check_image_address(&shown, key, v)?;
            }
            front.insert(key.into(), v.clone());
        }
    }
    front.insert("date".into(), date.clone().into());
    let markdown = format!("---\n{}---\n\n{body}", front_matter(&front));
    let md_path = site_files.add(
        PathBuf::from("_posts").join(format!("{date}-{slug}.md")),
        markdown.into_bytes(),
    )?;

    // The standalone page: the same text, images referenced relative to it.
    let html = page(
        &title,
        &format!("<h1>{}</h1>\n\n{page_body}", escape_html(&title)),
    );
    let html_path = site_files.add(PathBuf::from(format!("{slug}.html")), html.into_bytes())?;
    let images = site_files.images.clone();
    site_files.write()?;
    Ok(Published {
        markdown: md_path,
        html: html_path,
        images,
    })
}

/// Scans every string of the notebook (keys too, nbformat's line lists joined) in every
/// decoded form, and the file as written; names the cell and field of the first find.
fn scan_notebook(file: &str, bytes: &[u8], json: &Value) -> Result<()> {
    let refuse = |place: String, field: String, finding: Finding| -> Error {
        let file = file.to_string();
        match finding {
            Finding::Token { glimpse, via } => PublishError::Token {
                file,
                place,
                field,
                glimpse,
                how: Finding::how(&via),
            },
            Finding::Unchecked { reason } => PublishError::Unchecked {
                file,
                place,
                field,
                reason,
            },
        }
        .into()
    };
    if let Value::Object(top) = json {
        for (key, value) in top {
            let cells = value.as_array().filter(|_| key == "cells");
            match cells {
                Some(cells) => {
                    for (i, cell) in cells.iter().enumerate() {
                        scan_value(cell, String::new())
                            .map_err(|(field, f)| refuse(format!("cell {}", i + 1), field, f))?;
                    }
                }
                None => {
                    let place = if key == "metadata" {
                        "the notebook's metadata".to_string()
                    } else {
                        "the notebook's top level".to_string()
                    };
                    let field = redact(key).into_owned();
                    scan::text(key).map_err(|f| refuse(place.clone(), field.clone(), f))?;
                    scan_value(value, field).map_err(|(field, f)| refuse(place, field, f))?;
                }
            }
        }
    } else {
        scan_value(json, String::new())
            .map_err(|(field, f)| refuse("the notebook".into(), field, f))?;
    }
    // What the walk cannot see (the JSON as written).
    if let Some(glimpse) = crate::secret::token_like(&String::from_utf8_lossy(bytes)) {
        return Err(refuse(
            "the notebook file".into(),
            "(as written)".into(),
            Finding::Token {
                glimpse,
                via: Vec::new(),
            },
        ));
    }
    Ok(())
}

/// Scans one JSON value; on a find, the field's path (`outputs[0].data.text/plain`).
fn scan_value(value: &Value, field: String) -> std::result::Result<(), (String, Finding)> {
    match value {
        Value::String(s) => scan::text(s).map_err(|f| (field, f)),
        // nbformat splits text into lines: scan them as one text.
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string) => {
            scan::text(&notebook::text_of(value)).map_err(|f| (field, f))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| scan_value(item, format!("{field}[{i}]"))),
        Value::Object(map) => map.iter().try_for_each(|(key, item)| {
            let field = if field.is_empty() {
                redact(key).into_owned()
            } else {
                format!("{field}.{}", redact(key))
            };
            scan::text(key).map_err(|f| (field.clone(), f))?;
            scan_value(item, field)
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// `source` without a first line that is a level-one heading (`# …`).
fn leading_heading_dropped(source: &str) -> &str {
    let trimmed = source.trim_start();
    match trimmed.strip_prefix("# ") {
        Some(rest) => rest
            .split_once('\n')
            .map_or("", |(_, after)| after.trim_start()),
        None => source,
    }
}

/// A real calendar date written `YYYY-MM-DD`: it becomes part of a file name.
fn post_date(given: &str, given_by: &'static str) -> Result<NaiveDate> {
    let shaped = given.len() == 10
        && given.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(given, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| {
            PublishError::Date {
                given_by,
                value: redact(given).chars().take(40).collect(),
            }
            .into()
        })
}

/// The title as plain text: what HTML would show, without `<` or `>`, on one line.
fn plain_title(raw: &str) -> String {
    let text = html::visible_text(raw).replace(['<', '>'], "");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `notebooks/01-issue-channels.ipynb` → `issue-channels`: the file name without its
/// leading number, as lowercase ASCII letters, digits and single `-`.
fn slug_of(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_string_lossy();
    let stem = stem
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches(['-', '_']);
    slug_of_text(stem)
}

/// Lowercase ASCII letters and digits, every other run of characters one `-`; `None`
/// when nothing is left.
fn slug_of_text(text: &str) -> Option<String> {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(80).collect();
    let slug = slug.trim_end_matches('-').to_string();
    (!slug.is_empty()).then_some(slug)
}

/// A markdown cell for the Jekyll post: kept as markdown when it holds no HTML, no
/// kramdown attribute syntax (`{:`) and only http(s)/mailto/relative links; otherwise
/// rendered and sanitised, so no markdown engine sees raw HTML from the notebook.
fn markdown_cell(source: &str) -> String {
    if plain_markdown(source) {
        source.to_string()
    } else {
        format!(
            "<div class=\"markdown\">\n{}\n</div>",
            inert_for_jekyll(&html::sanitize(&html::markdown_to_html(source)))
        )
    }
}

/// Sanitised HTML for the Jekyll post, with braces as character references: Liquid
/// (`{{ }}`, `{% %}`) and kramdown attribute lists (`{: onclick=…}`) in notebook output
/// stay text.
fn inert_for_jekyll(html: &str) -> String {
    html.trim().replace('{', "&#123;").replace('}', "&#125;")
}

fn plain_markdown(source: &str) -> bool {
    use pulldown_cmark::{Event, Parser, Tag};
    // Liquid's tags and kramdown's attribute lists: rendered, their braces become
    // character references.
    if source.contains('<') || source.contains("{:") || has_liquid(source) {
        return false;
    }
    Parser::new_ext(source, pulldown_cmark::Options::ENABLE_TABLES).all(|event| match event {
        Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
            html::safe_link(&dest_url)
        }
        Event::Html(_) | Event::InlineHtml(_) => false,
        _ => true,
    })
}

/// The site's address as Jekyll writes it into a post, before the site's own paths.
const SITE_URL: &str = "{{ site.url }}";

/// Opens, closes and briefly leaves a `{% raw %}` block of the Jekyll post.
const RAW_OPEN: &str = "{% raw %}\n\n";
const RAW_CLOSE: &str = "{% endraw %}\n\n";
const RAW_BRACE: &str = "{% endraw %}{{ \"{%\" }}{% raw %}";

/// A block of notebook text (code, or an output shown as text) for the Jekyll post, ending
/// in a blank line. Liquid runs `{{ … }}` and `{% … %}` anywhere in a post, code blocks
/// too, so a block holding either goes in `{% raw %}`, and each `{%` in it steps out of the
/// raw block to be printed, so that nothing in the block can end it early.
fn liquid_raw(block: &str) -> String {
    if !has_liquid(block) {
        return block.to_string();
    }
    format!("{RAW_OPEN}{}{RAW_CLOSE}", block.replace("{%", RAW_BRACE))
}

/// Whether Jekyll's Liquid would run something in `text`: it opens a tag at `{{` or `{%`.
fn has_liquid(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// A fenced code block whose fence is longer than any run of backticks in the code, so
/// the code cannot close it.
fn code_block(source: &str) -> String {
    let longest = source.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}rust\n{}\n{fence}\n\n", source.trim_end())
}

/// One output as markdown; images are added to the site's files and linked.
fn render_output(
    output: &Output,
    slug: &str,
    cell: usize,
    n: usize,
    files: &mut SiteFiles,
) -> Result<(String, String)> {
    let notebook = files.notebook.clone();
    let refuse = |mime: &'static str, reason: String| -> Error {
        PublishError::UnsafeImage {
            file: notebook.clone(),
            cell: cell + 1,
            output: n + 1,
            mime,
            reason,
        }
        .into()
    };
    // Adds an image to the site: its address within the site.
    let image = |ext: &str, bytes: Vec<u8>, files: &mut SiteFiles| -> Result<String> {
        let address = format!("images/{slug}/{slug}-{cell}-{n}.{ext}");
        files.add_image(PathBuf::from(&address), bytes)?;
        Ok(address)
    };
    let alt = format!("{slug} chart {cell}");
    // The image's markdown in the post (under the site's address) and in the page.
    let linked = |address: &str| {
        let link = |to: &str| format!("![{alt}]({to}{address})\n\n");
        (link(&format!("{SITE_URL}/")), link(""))
    };
    // Past the cap an output is not published in a rendered form (and the scan did not
    // read it in one): it is left out, saying so.
    for mime in ["image/svg+xml", "text/markdown", "text/html"] {
        if let Some(data) = output.data(mime).filter(|d| d.len() > MAX_TEXT_OUTPUT) {
            let note = format!(
                "*(a {mime} output of {:.1} MB left out: a post shows at most {:.1} MB of one)*\n\n",
                data.len() as f64 / 1e6,
                MAX_TEXT_OUTPUT as f64 / 1e6
            );
            return Ok((note.clone(), note));
        }
    }
    if let Some(svg) = output.data("image/svg+xml") {
        svg::check(&svg).map_err(|reason| refuse("image/svg+xml", reason))?;
        let spec = output.json(VEGA_LITE_MIME).filter(|_| files.interactive);
        let address = image("svg", svg.into_bytes(), files)?;
        let (post, page) = linked(&address);
        let Some(spec) = spec else {
            return Ok((post, page));
        };
        if let Some(reason) = interactive::unsafe_spec(&spec) {
            return Err(refuse(VEGA_LITE_MIME, reason));
        }
        files.charts += 1;
        let chart = interactive::chart_box(&format!("{SITE_URL}/{address}"), &alt, &spec);
        return Ok((chart, page));
    }
    if let Some(png) = output.data("image/png") {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.split_whitespace().collect::<String>())
            .map_err(|e| refuse("image/png", format!("it is not base64 ({e})")))?;
        scan::png_texts(&bytes).map_err(|reason| refuse("image/png", reason))?;
        return Ok(linked(&image("png", bytes, files)?));
    }
    // Prose a cell computed from the data: published as a markdown cell is.
    if let Some(markdown) = output.data("text/markdown") {
        let markdown = markdown_cell(&markdown) + "\n\n";
        return Ok((markdown.clone(), markdown));
    }
    if let Some(html) = output.data("text/html") {
        // The box scrolls wide tables in any theme, which has no rule for `.output`.
        let html = format!(
            "<div class=\"output\" style=\"overflow-x: auto\">\n{}\n</div>\n\n",
            inert_for_jekyll(&html::sanitize(&html))
        );
        return Ok((html.clone(), html));
    }
    if let Some(text) = output.data("text/plain").or_else(|| output.text.clone()) {
        if text.trim().is_empty() {
            return Ok(Default::default());
        }
        let (shown, note) = capped(text.trim_end());
        let mut block = String::with_capacity(shown.len() + shown.len() / 8 + 64);
        for line in shown.lines() {
            block.push_str("    ");
            block.push_str(line);
            block.push('\n');
        }
        block.push('\n');
        if let Some(note) = note {
            block.push_str(&note);
        }
        return Ok((liquid_raw(&block), block));
    }
    Ok(Default::default())
}

/// The most of one text output (or markdown cell) a post shows: a reader scrolls past a
/// screenful, and a log of megabytes would make the page slow to build, load and read.
/// HTML, markdown and SVG outputs larger than this are left out. (The secret scan reads
/// text past it only as written and base64-decoded.)
pub const MAX_TEXT_OUTPUT: usize = scan::DECODED_FORMS_WITHIN;

/// `text` cut to its lines within [`MAX_TEXT_OUTPUT`] bytes, with a note saying how much
/// there was when it is cut.
fn capped(text: &str) -> (&str, Option<String>) {
    if text.len() <= MAX_TEXT_OUTPUT {
        return (text, None);
    }
    let end = text.floor_char_boundary(MAX_TEXT_OUTPUT);
    // Whole lines: up to the last line break within the limit, if there is one.
    let end = text[..end].rfind('\n').unwrap_or(end);
    let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
    let mb = |bytes: usize| bytes as f64 / 1e6;
    let note = format!(
        "*(output truncated: {:.1} MB in {lines} lines; the first {:.1} MB shown)*\n\n",
        mb(text.len()),
        mb(end)
    );
    (&text[..end], Some(note))
}

/// The files of one post, kept in memory until all are built and checked, so a refusal
/// writes nothing.
struct SiteFiles {
    site: PathBuf,
    /// The notebook, as named in errors.
    notebook: String,
    files: Vec<(PathBuf, Vec<u8>)>,
    images: Vec<PathBuf>,
    /// Whether charts are published interactive, and how many were.
    interactive: bool,
    charts: usize,
}

impl SiteFiles {
    fn new(site: &Path, notebook: &str, interactive: bool) -> Self {
        SiteFiles {
            site: site.to_path_buf(),
            notebook: notebook.to_string(),
            files: Vec::new(),
            images: Vec::new(),
            interactive,
            charts: 0,
        }
    }

    /// Adds a file that does not come from the notebook (the Vega builds): its path is
    /// checked, its bytes are the installed package's.
    fn add_vendored(&mut self, relative: PathBuf, bytes: Vec<u8>) -> Result<()> {
        self.check_inside(&relative)?;
        self.files.push((self.site.join(relative), bytes));
        Ok(())
    }

    fn check_inside(&self, relative: &Path) -> Result<()> {
        let inside = relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if inside {
            return Ok(());
        }
        Err(PublishError::OutsideSite {
            file: self.notebook.clone(),
            path: redact(&relative.display().to_string()).into_owned(),
        }
        .into())
    }

    /// Adds a file at `relative` (plain names only: it stays under the site) after
    /// checking its bytes once more for tokens; returns its full path.
    fn add(&mut self, relative: PathBuf, bytes: Vec<u8>) -> Result<PathBuf> {
        self.check_inside(&relative)?;
        if let Err(finding) = scan::bytes(&bytes) {
            let glimpse = match finding {
                Finding::Token { glimpse, .. } => glimpse,
                Finding::Unchecked { reason } => reason,
            };
            return Err(PublishError::TokenInOutput {
                file: self.notebook.clone(),
                written: relative.display().to_string(),
                glimpse,
            }
            .into());
        }
        let path = self.site.join(relative);
        self.files.push((path.clone(), bytes));
        Ok(path)
    }

    fn add_image(&mut self, relative: PathBuf, bytes: Vec<u8>) -> Result<()> {
        let path = self.add(relative, bytes)?;
        self.images.push(path);
        Ok(())
    }

    fn write(self) -> Result<()> {
        for (path, bytes) in &self.files {
            write_whole(path, bytes)?;
        }
        Ok(())
    }
}

/// A theme puts the post's `image` in an `<img>` or a card's meta tag: only an address a
/// link in the post could have (relative, or http(s)) is passed on.
fn check_image_address(file: &str, field: &str, value: &Value) -> Result<()> {
    match value.as_str() {
        Some(address) if html::safe_link(address) && !address.trim().is_empty() => Ok(()),
        _ => {
            let value = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            Err(PublishError::ImageAddress {
                file: file.to_string(),
                field: field.to_string(),
                value: value.chars().take(60).collect(),
            }
            .into())
        }
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

/// A standalone HTML page of markdown, with the post's styles. The markdown is rendered
/// and sanitised (raw HTML in it keeps only the allow-list); the title is escaped.
pub fn page(title: &str, markdown: &str) -> String {
    let body = html::sanitize(&html::markdown_to_html(markdown));
    let title = escape_html(title);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_drop_the_number_and_keep_to_ascii() {
        let slug = |p: &str| slug_of(Path::new(p));
        assert_eq!(
            slug("notebooks/01-issue-channels.ipynb").as_deref(),
            Some("issue-channels")
        );
        assert_eq!(slug("My Post.ipynb").as_deref(), Some("my-post"));
        assert_eq!(slug("../../x/..ipynb").as_deref(), None);
        assert_eq!(slug("a/..%2F..%2Fpwn .ipynb").as_deref(), Some("2f-2fpwn"));
        assert_eq!(
            slug("Ünïcode — post!.ipynb").as_deref(),
            Some("n-code-post")
        );
    }

    #[test]
    fn dates_are_real_and_plain() {
        assert_eq!(
            post_date("2017-03-24", "--date").unwrap().to_string(),
            "2017-03-24"
        );
        for bad in [
            "../../pwn",
            "/etc/x",
            "2017-02-30",
            "2017-3-24",
            "+2017-03-2",
            "2017-03-24/x",
            "",
        ] {
            let err = post_date(bad, "--date").unwrap_err().to_string();
            assert!(err.contains("YYYY-MM-DD"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_last_check_refuses_a_token_in_any_file_and_paths_outside() {
        let mut files = SiteFiles::new(Path::new("site"), "nb.ipynb", false);
        let token = "<p>xox&#98;-1234567890</p>";
        let err = files
            .add("a.html".into(), token.as_bytes().to_vec())
            .unwrap_err()
            .to_string();
        assert!(err.contains("a.html") && err.contains("xoxb-…"), "{err}");
        assert!(files.add("../x.md".into(), vec![]).is_err());
        assert!(files.add("/abs.md".into(), vec![]).is_err());
        assert!(files.files.is_empty());
    }

    #[test]
    fn code_fences_outlast_the_code() {
        let block = code_block("let s = \"```\";\n````");
        assert!(block.starts_with("`````rust\n"), "{block}");
    }

    #[test]
    fn front_matter_quotes_strings_and_lists() {
        let v: Value = serde_json::json!({"title": "A: \"b\"", "tags": ["x", "y z"]});
        let fm = front_matter(v.as_object().unwrap());
        assert_eq!(fm, "tags: [\"x\", \"y z\"]\ntitle: \"A: \\\"b\\\"\"\n");
    }
}
