//! `publish` on hostile notebooks built here: tokens hidden anywhere and in any encoding
//! are refused with the cell named and nothing written; dates and file names cannot
//! write outside the site; HTML, links, titles and SVGs reach the site sanitised or not
//! at all; the project's own charts still publish.

use std::path::PathBuf;

use base64::Engine;
use incident_channels::plot::Chart;
use incident_channels::publish::{publish, PublishOptions, Published};
use serde_json::{json, Value};

const TOKEN: &str = "xoxb-1234567890-abcdefghij";
/// The part of the token no message may show.
const SECRET: &str = "abcdefghij";

fn b64(bytes: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn md(source: &str) -> Value {
    json!({"cell_type": "markdown", "metadata": {}, "source": source})
}

fn code(source: &str, outputs: Vec<Value>) -> Value {
    json!({"cell_type": "code", "metadata": {}, "execution_count": 1, "source": source, "outputs": outputs})
}

fn display(data: Value) -> Value {
    json!({"output_type": "display_data", "metadata": {}, "data": data})
}

/// A notebook: a heading cell, then `cells`.
fn notebook(cells: Vec<Value>) -> Value {
    let mut all = vec![md("# A post\n\nSome text.")];
    all.extend(cells);
    json!({
        "cells": all,
        "metadata": {"post": {"title": "A post", "date": "2017-03-24"}},
        "nbformat": 4,
        "nbformat_minor": 5
    })
}

struct Run {
    dir: tempfile::TempDir,
    result: incident_channels::error::Result<Published>,
}

impl Run {
    fn site(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    fn error(&self) -> String {
        match &self.result {
            Ok(p) => panic!("published: {p:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn published(&self) -> &Published {
        self.result.as_ref().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every file written under the site, with its bytes.
    fn written(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![self.site()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let bytes = std::fs::read(&path).unwrap();
                    out.push((path, bytes));
                }
            }
        }
        out
    }

    fn text_of(&self, suffix: &str) -> String {
        let (_, bytes) = self
            .written()
            .into_iter()
            .find(|(p, _)| p.to_string_lossy().ends_with(suffix))
            .unwrap_or_else(|| panic!("no {suffix} written"));
        String::from_utf8(bytes).unwrap()
    }
}

fn run_named(name: &str, raw: &str, options: PublishOptions) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, raw).unwrap();
    let result = publish(&path, &dir.path().join("site"), &options);
    Run { dir, result }
}

fn run(nb: &Value) -> Run {
    run_named("01-post.ipynb", &nb.to_string(), PublishOptions::default())
}

/// Refused, naming `place`, not showing the secret, and nothing written.
fn assert_refused(run: &Run, place: &str, case: &str) {
    let err = run.error();
    assert!(err.contains("Slack token"), "{case}: {err}");
    assert!(err.contains(place), "{case}: `{place}` not named in: {err}");
    assert!(!err.contains(SECRET), "{case}: the secret shows in: {err}");
    assert!(!run.site().exists(), "{case}: something was written");
}

fn png_with(chunk: &str, text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 1, 1);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let (keyword, text) = ("Comment".to_string(), text.to_string());
        match chunk {
            "tEXt" => encoder.add_text_chunk(keyword, text),
            "zTXt" => encoder.add_ztxt_chunk(keyword, text),
            _ => encoder.add_itxt_chunk(keyword, text),
        }
        .unwrap();
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[0]).unwrap();
        writer.finish().unwrap();
    }
    out
}

#[test]
fn tokens_anywhere_in_a_cell_are_refused_naming_the_cell() {
    let error = |fields: Value| {
        let mut out =
            json!({"output_type": "error", "ename": "E", "evalue": "v", "traceback": ["t"]});
        for (k, v) in fields.as_object().unwrap() {
            out[k] = v.clone();
        }
        out
    };
    let cases: Vec<(&str, Value)> = vec![
        ("source", code(&format!("let t = \"{TOKEN}\";"), vec![])),
        ("cell metadata", {
            let mut c = code("1", vec![]);
            c["metadata"] = json!({"note": TOKEN});
            c
        }),
        ("cell metadata key", {
            let mut c = code("1", vec![]);
            c["metadata"] = json!({ TOKEN: 1 });
            c
        }),
        ("attachment (text)", {
            let mut c = md("![x](attachment:a.txt)");
            c["attachments"] = json!({"a.txt": {"text/plain": b64(TOKEN)}});
            c
        }),
        ("attachment (PNG tEXt)", {
            let mut c = md("![x](attachment:a.png)");
            c["attachments"] = json!({"a.png": {"image/png": b64(png_with("tEXt", TOKEN))}});
            c
        }),
        (
            "error ename",
            code("1", vec![error(json!({"ename": TOKEN}))]),
        ),
        (
            "error evalue",
            code("1", vec![error(json!({"evalue": TOKEN}))]),
        ),
        (
            "error traceback",
            code("1", vec![error(json!({"traceback": ["at", TOKEN]}))]),
        ),
        (
            "output metadata",
            code(
                "1",
                vec![
                    json!({"output_type": "display_data", "metadata": {"x": TOKEN}, "data": {"text/plain": "1"}}),
                ],
            ),
        ),
        (
            "application/json",
            code(
                "1",
                vec![display(json!({"application/json": {"k": [TOKEN]}}))],
            ),
        ),
        (
            "text/plain base64",
            code("1", vec![display(json!({"text/plain": b64(TOKEN)}))]),
        ),
        (
            "stream base64 after a word",
            code(
                "1",
                vec![
                    json!({"output_type": "stream", "name": "stdout", "text": [format!("auth={}\n", b64(TOKEN))]}),
                ],
            ),
        ),
        (
            "base64 of base64",
            code("1", vec![display(json!({"text/plain": b64(b64(TOKEN))}))]),
        ),
        (
            "stream split over lines",
            code(
                "1",
                vec![
                    json!({"output_type": "stream", "name": "stdout", "text": ["xoxb-12345", "67890-abcdefghij\n"]}),
                ],
            ),
        ),
        (
            "PNG tEXt",
            code(
                "1",
                vec![display(json!({"image/png": b64(png_with("tEXt", TOKEN))}))],
            ),
        ),
        (
            "PNG zTXt",
            code(
                "1",
                vec![display(json!({"image/png": b64(png_with("zTXt", TOKEN))}))],
            ),
        ),
        (
            "PNG iTXt",
            code(
                "1",
                vec![display(json!({"image/png": b64(png_with("iTXt", TOKEN))}))],
            ),
        ),
        (
            "HTML entity",
            code(
                "1",
                vec![display(
                    json!({"text/html": "<p>xox&#98;-1234567890-abcdefghij</p>"}),
                )],
            ),
        ),
        (
            "HTML split by a tag",
            code(
                "1",
                vec![display(
                    json!({"text/html": "<p>xo<span></span>xb-1234567890-abcdefghij</p>"}),
                )],
            ),
        ),
        (
            "markdown entity",
            md("the token: xox&#x62;-1234567890-abcdefghij"),
        ),
        (
            "markdown emphasis",
            md("the token: xox**b**-1234567890-abcdefghij"),
        ),
        (
            "SVG text",
            code(
                "1",
                vec![display(
                    json!({"image/svg+xml": "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>xox&#98;-1234567890-abcdefghij</text></svg>"}),
                )],
            ),
        ),
        (
            "raw cell",
            json!({"cell_type": "raw", "metadata": {}, "source": TOKEN}),
        ),
    ];
    for (case, cell) in cases {
        let run = run(&notebook(vec![cell]));
        assert_refused(&run, "cell 2", case);
    }
}

#[test]
fn tokens_outside_the_cells_are_refused() {
    let mut nb = notebook(vec![]);
    nb["metadata"]["kernelspec"] = json!({"display_name": TOKEN});
    assert_refused(&run(&nb), "metadata", "notebook metadata");

    let mut nb = notebook(vec![]);
    nb["metadata"]["post"]["title"] = json!(format!("My {TOKEN}"));
    assert_refused(&run(&nb), "metadata", "post title");

    let mut nb = notebook(vec![]);
    nb["x-extra"] = json!({"deep": [TOKEN]});
    assert_refused(&run(&nb), "top level", "unknown top-level key");

    let mut nb = notebook(vec![]);
    nb[TOKEN] = json!(1);
    assert_refused(&run(&nb), "top level", "a top-level key that is a token");

    // A JSON escape hides the token from a plain look at the file.
    let raw = notebook(vec![md("a")]).to_string().replace(
        "\"source\":\"a\"",
        "\"source\":\"xox\\u0062-1234567890-abcdefghij\"",
    );
    assert_refused(
        &run_named("01-post.ipynb", &raw, PublishOptions::default()),
        "cell 2",
        "JSON escape",
    );

    let named = run_named(
        &format!("{TOKEN}.ipynb"),
        &notebook(vec![]).to_string(),
        PublishOptions::default(),
    );
    let err = named.error();
    assert!(err.contains("path") && err.contains("Slack token"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
    assert!(!named.site().exists());
}

#[test]
fn dates_and_names_cannot_write_outside_the_site() {
    for date in [
        "../../pwn",
        "/tmp/pwn",
        "2017-02-30",
        "2017-3-4",
        "2017-03-24/../../x",
    ] {
        let mut nb = notebook(vec![]);
        nb["metadata"]["post"]["date"] = json!(date);
        let r = run(&nb);
        let err = r.error();
        assert!(
            err.contains("post.date") && err.contains("YYYY-MM-DD"),
            "{date}: {err}"
        );
        assert!(!r.site().exists(), "{date}");

        let r = run_named(
            "01-post.ipynb",
            &notebook(vec![]).to_string(),
            PublishOptions {
                date: Some(date.into()),
                ..Default::default()
            },
        );
        assert!(r.error().contains("--date"), "{date}");
        assert!(!r.site().exists(), "{date}");
        // Nothing beside the notebook and (absent) site either.
        let names: Vec<_> = std::fs::read_dir(r.dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "{date}");
    }

    let mut nb = notebook(vec![]);
    nb["metadata"]["post"]["date"] = json!(20170324);
    assert!(run(&nb).error().contains("post.date"));

    // Odd file names make a plain slug; everything lands under the site.
    for name in [
        "..%2F..%2Fpwn.ipynb",
        "..ipynb",
        " Ünïcode Post!.ipynb",
        "-.ipynb",
    ] {
        let r = run_named(
            name,
            &notebook(vec![]).to_string(),
            PublishOptions::default(),
        );
        let p = r.published();
        for file in [&p.markdown, &p.html] {
            assert!(file.starts_with(r.site()), "{name}: {}", file.display());
            let stem = file.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                stem.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.".contains(c)),
                "{name}: {stem}"
            );
        }
        let outside: Vec<_> = std::fs::read_dir(r.dir.path()).unwrap().flatten().collect();
        assert_eq!(outside.len(), 2, "{name}: only the notebook and the site");
    }
}

const HOSTILE_HTML: &str = "<script>alert(1)</script><img src=x onerror=alert(2)>\
    <a href=\"javascript:alert(3)\">x</a><iframe src=\"https://evil.example\"></iframe>\
    <img src=\"https://evil.example/track.png\"><div onclick=\"alert(4)\" style=\"x\">d</div>";

/// The publisher's own box around an output, the one tag allowed a style: it scrolls a
/// wide table in themes that have no rule for it.
const OUTPUT_BOX: &str = r#"<div class="output" style="overflow-x: auto">"#;

/// No script, frame, event handler, script link, style or external image in any tag (text
/// that merely mentions them is harmless), but for [`OUTPUT_BOX`].
fn assert_clean(text: &str, what: &str) {
    let tags = regex::Regex::new(r"(?is)<[a-z][^>]*>").unwrap();
    let bad = regex::Regex::new(
        r#"(?is)^<(script|iframe|object|embed)|\son[a-z]+\s*=|(href|src)\s*=\s*["']?\s*(javascript|data):|(href|src)\s*=\s*["']?[^"'>]*evil\.example|\sstyle\s*="#,
    )
    .unwrap();
    for tag in tags.find_iter(text).filter(|t| t.as_str() != OUTPUT_BOX) {
        assert!(
            !bad.is_match(tag.as_str()),
            "{what} holds {}:\n{text}",
            tag.as_str()
        );
    }
}

#[test]
fn html_links_and_titles_reach_the_site_sanitised() {
    let mut nb = notebook(vec![
        md(&format!("Raw HTML in markdown: {HOSTILE_HTML}\n\n[a link](javascript:alert(5)) and <javascript:alert(6)>")),
        md("[spaced](java\tscript:alert(7)) {: onclick=\"alert(8)\"}"),
        code(
            "1",
            vec![display(json!({
                "text/html": format!("<table class=\"dataframe\"><tr><td>1</td></tr></table>{HOSTILE_HTML}"),
                "text/plain": "table"
            }))],
        ),
    ]);
    nb["metadata"]["post"]["title"] = json!("<h1><script>alert(9)</script>Hello & <b>bye</b>");
    let r = run(&nb);
    let p = r.published();
    let markdown = r.text_of(".md");
    let html = std::fs::read_to_string(&p.html).unwrap();
    assert_clean(&markdown, "the Jekyll post");
    assert!(
        !markdown.contains("{:"),
        "a kramdown attribute list: {markdown}"
    );
    assert_clean(&html, "the page");
    assert!(!markdown.contains("alert(9)") && !html.contains("alert(9)"));
    assert!(markdown.contains("title: \"Hello & bye\""), "{markdown}");
    assert!(html.contains("<title>Hello &amp; bye</title>"), "{html}");
    assert!(html.contains("<table class=\"dataframe\">"), "{html}");
    assert!(
        markdown.contains("<table class=\"dataframe\">"),
        "{markdown}"
    );
    assert!(markdown.contains("A post") || markdown.contains("Some text."));
}

#[test]
fn svgs_that_can_run_or_fetch_are_refused_naming_the_cell() {
    let open =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">";
    for body in [
        "<script>alert(1)</script>",
        "<rect onload=\"alert(1)\"/>",
        "<foreignObject><p>x</p></foreignObject>",
        "<a xlink:href=\"javascript:alert(1)\"><text>x</text></a>",
        "<image href=\"https://evil.example/x.png\"/>",
        "<rect style=\"fill:url(https://evil.example/x)\"/>",
    ] {
        let nb = notebook(vec![code(
            "chart",
            vec![display(
                json!({"image/svg+xml": format!("{open}{body}</svg>"), "text/plain": "c"}),
            )],
        )]);
        let r = run(&nb);
        let err = r.error();
        assert!(
            err.contains("cell 2") && err.contains("image/svg+xml"),
            "{body}: {err}"
        );
        assert!(!r.site().exists(), "{body}");
    }
}

#[test]
fn the_projects_own_charts_and_tables_publish() {
    let t = |s: i64| chrono::DateTime::from_timestamp(1_457_679_323 + s * 86_400, 0).unwrap();
    let chart =
        Chart::over_time("Open channels", "open").line("open", (0..30).map(|d| (t(d), d as f64)));
    let bars = Chart::bars(
        "By weekday",
        "weekday",
        "channels",
        vec!["Mon".into(), "Tue".into()],
        "a",
        vec![3.0, 4.0],
    )
    .with_bars("b", vec![1.0, 2.0]);
    let heat = Chart::heat_map(
        "When",
        vec!["Mon".into(), "Tue".into()],
        vec!["0".into(), "1".into()],
        vec![vec![1.0, 2.0], vec![3.0, 0.0]],
    );
    let png = b64(chart.png().unwrap());
    let mut cells = Vec::new();
    let mut svgs = Vec::new();
    for c in [&chart, &bars, &heat] {
        let svg = c.svg().unwrap();
        svgs.push(svg.clone());
        cells.push(code(
            "chart",
            vec![display(
                json!({"image/svg+xml": svg, "text/plain": "<chart>"}),
            )],
        ));
    }
    cells.push(code("png", vec![display(json!({"image/png": png}))]));
    let r = run(&notebook(cells));
    let p = r.published();
    assert_eq!(p.images.len(), 4);
    for (image, svg) in p.images.iter().zip(&svgs) {
        assert_eq!(&std::fs::read_to_string(image).unwrap(), svg);
        assert!(image.starts_with(r.site().join("images").join("post")));
    }
    let markdown = r.text_of(".md");
    assert!(
        markdown.contains("{{ site.url }}/images/post/post-1-0.svg"),
        "{markdown}"
    );
    assert!(markdown.contains("```rust\nchart\n```"), "{markdown}");
    assert!(
        markdown.contains("Some text."),
        "plain markdown stays markdown: {markdown}"
    );
    let html = std::fs::read_to_string(&p.html).unwrap();
    assert!(
        html.contains("<img src=\"images/post/post-1-0.svg\""),
        "{html}"
    );
}

#[test]
fn a_refusal_names_the_field_and_the_decoding() {
    let nb = notebook(vec![code(
        "1",
        vec![display(json!({"text/plain": b64(TOKEN)}))],
    )]);
    let err = run(&nb).error();
    assert!(err.contains("outputs[0].data.text/plain"), "{err}");
    assert!(err.contains("base64-decoded"), "{err}");
    assert!(err.contains("xoxb-…"), "{err}");
}

/// What Jekyll's Liquid leaves of a post, for the tags the publisher writes (raw blocks,
/// string literals printed); any other tag fails the test, as it would the site's build
/// or silently change the text.
fn after_liquid(post: &str) -> String {
    let end_raw = regex::Regex::new(r"\{%-?\s*endraw\s*-?%\}").unwrap();
    let literal = regex::Regex::new(r#"^\{\{ "([^"]*)" \}\}"#).unwrap();
    let (mut out, mut rest) = (String::new(), post);
    while let Some(at) = [rest.find("{{"), rest.find("{%")]
        .into_iter()
        .flatten()
        .min()
    {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(raw) = rest.strip_prefix("{% raw %}") {
            let end = end_raw.find(raw).expect("a raw block ends");
            out.push_str(&raw[..end.start()]);
            rest = &raw[end.end()..];
        } else if let Some(printed) = literal.captures(rest) {
            out.push_str(&printed[1]);
            rest = &rest[printed[0].len()..];
        } else {
            panic!("Liquid would run this: {}", &rest[..rest.len().min(40)]);
        }
    }
    out + rest
}

#[test]
fn liquid_leaves_code_outputs_and_text_as_written() {
    let source =
        "println!(\"{{}} {{ x }} {{ site.url }}/images/a.png\"); // {% if a %} {%- endraw -%} {% endraw %}";
    let output = "{{ value }} and {%endraw%} and {% raw %}";
    let nb = notebook(vec![
        md("Braces in prose: {{ x }} and {% include y %}."),
        code(
            source,
            vec![json!({"output_type": "stream", "name": "stdout", "text": output})],
        ),
        code("let plain = 1;", vec![]),
    ]);
    let r = run(&nb);
    let post = r.text_of(".md");
    let seen = after_liquid(&post);
    assert!(seen.contains(source), "{seen}");
    assert!(seen.contains(&format!("    {output}")), "{seen}");
    assert!(
        seen.contains("Braces in prose: &#123;&#123; x &#125;&#125;"),
        "{seen}"
    );
    // Blocks with no braces are left as they were.
    assert!(post.contains("```rust\nlet plain = 1;\n```"), "{post}");
    // The page runs no Liquid: the text as written, no raw tags.
    let html = std::fs::read_to_string(&r.published().html).unwrap();
    assert!(
        html.contains("{% if a %} {%- endraw -%} {% endraw %}"),
        "{html}"
    );
    assert!(html.contains(output), "{html}");
    // Nor does it lose the site's address written in code (images alone are relative).
    assert!(html.contains("{{ site.url }}/images/a.png"), "{html}");
    assert_eq!(
        html.matches("{% raw %}").count(),
        1,
        "only the output's: {html}"
    );
}

#[test]
fn a_posts_image_must_be_an_address_a_link_could_have() {
    for good in ["images/cover.png", "https://example.com/cover.png"] {
        let mut nb = notebook(vec![]);
        nb["metadata"]["post"]["image"] = json!(good);
        let post = run(&nb).text_of(".md");
        assert!(post.contains(&format!("image: \"{good}\"")), "{post}");
    }
    for bad in [
        json!("javascript:alert(1)"),
        json!(" data:image/svg+xml,<svg/>"),
        json!({"src": 1}),
        json!(""),
    ] {
        for field in ["image", "imagefeature"] {
            let mut nb = notebook(vec![]);
            nb["metadata"]["post"][field] = bad.clone();
            let r = run(&nb);
            let err = r.error();
            assert!(err.contains(&format!("metadata.post.{field}")), "{err}");
            assert!(r.written().is_empty(), "{bad}: something was written");
        }
    }
}

#[test]
fn a_notebook_path_that_is_no_file_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("01-post.ipynb");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Reading a FIFO blocks until a writer comes: the check must refuse it first.
    let (done, wait) = std::sync::mpsc::channel();
    let (path, site) = (fifo.clone(), dir.path().join("site"));
    std::thread::spawn(move || {
        let result = publish(&path, &site, &PublishOptions::default());
        let _ = done.send(result.map(|_| ()).map_err(|e| e.to_string()));
    });
    let err = wait
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("publish returns instead of waiting on the FIFO")
        .unwrap_err();
    assert!(
        err.contains("01-post.ipynb") && err.contains("FIFO"),
        "{err}"
    );
    let missing = dir.path().join("gone.ipynb");
    let err = publish(
        &missing,
        &dir.path().join("site"),
        &PublishOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("gone.ipynb"), "{err}");
    assert!(!dir.path().join("site").exists());
}

#[test]
fn a_huge_text_output_is_cut_in_the_post_with_a_note_but_scanned_whole() {
    // 50 MB of log lines, as a cell that printed a whole file would leave.
    let line = format!("{}\n", "log line with *stars* and _underscores_ ".repeat(2));
    let huge = line.repeat(50_000_000 / line.len());
    let stream = json!({"output_type": "stream", "name": "stdout", "text": huge});
    let run = run(&notebook(vec![code("dump()", vec![stream.clone()])]));
    let post = run.text_of(".md");
    assert!(
        post.contains("*(output truncated: 50.0 MB in")
            && post.contains("the first 1.0 MB shown)*"),
        "{}",
        &post[post.len().saturating_sub(300)..]
    );
    assert!(post.len() < 1_200_000, "{} bytes", post.len());
    let page = run.text_of(".html");
    assert!(page.contains("output truncated") && page.len() < 2_000_000);
    // A token past the part shown still stops the post.
    let mut leaky = huge.clone();
    leaky.push_str(&format!("the last line holds {TOKEN}\n"));
    let stream = json!({"output_type": "stream", "name": "stdout", "text": leaky});
    let run = self::run(&notebook(vec![code("dump()", vec![stream])]));
    assert_refused(&run, "cell 2", "a token past the cut");
}

/// A folder laid out as npm installs Vega and Vega-Lite, each file saying what it is.
fn vega_folder(dir: &std::path::Path) -> PathBuf {
    let folder = dir.join("node_modules");
    for file in [
        "vega/build/vega.min.js",
        "vega-lite/build/vega-lite.min.js",
        "vega/LICENSE",
        "vega-lite/LICENSE",
    ] {
        let path = folder.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("/* {file} */")).unwrap();
    }
    folder
}

/// A notebook with one chart output of the crate (SVG and Vega-Lite spec) whose spec is
/// changed by `edit`.
fn chart_notebook(edit: impl FnOnce(&mut Value)) -> Value {
    let t = |s: i64| chrono::DateTime::from_timestamp(1_457_679_323 + s * 86_400, 0).unwrap();
    let chart = Chart::over_time("Open {{ channels }}", "open")
        .line("open", (0..30).map(|d| (t(d), d as f64)));
    let mut spec = chart.vega_lite();
    edit(&mut spec);
    notebook(vec![code(
        "chart",
        vec![display(json!({
            "image/svg+xml": chart.svg().unwrap(),
            "application/vnd.vegalite.v5+json": spec,
            "text/plain": "<chart>",
        }))],
    )])
}

#[test]
fn interactive_posts_carry_the_spec_beside_the_svg_and_vega_in_the_site() {
    let nb = chart_notebook(|_| {});
    // Static by default: the SVG alone, no script, no Vega.
    let r = run(&nb);
    assert!(!r.text_of(".md").contains("<script"));
    assert!(!r.site().join("assets").exists());

    let dir = tempfile::tempdir().unwrap();
    let options = PublishOptions {
        interactive: Some(vega_folder(dir.path())),
        ..Default::default()
    };
    let r = run_named("01-post.ipynb", &nb.to_string(), options);
    r.published();
    let post = r.text_of(".md");
    assert!(
        post.contains(
            "<div class=\"vega-chart\">\n<img src=\"{{ site.url }}/images/post/post-1-0.svg\""
        ),
        "{post}"
    );
    let spec = post
        .split("<script type=\"application/json\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .unwrap();
    let spec: Value = serde_json::from_str(spec).unwrap();
    assert_eq!(
        spec["title"], "Open {{ channels }}",
        "the same spec, decoded"
    );
    // Liquid sees no tag but the site's address.
    assert_eq!(post.matches("{{").count(), 4, "{post}");
    for script in ["vega.min.js", "vega-lite.min.js", "charts.js"] {
        assert!(
            post.contains(&format!(
                "<script src=\"{{{{ site.url }}}}/assets/vega/{script}\">"
            )),
            "{script}"
        );
    }
    let copied = std::fs::read_to_string(r.site().join("assets/vega/vega.min.js")).unwrap();
    assert_eq!(copied, "/* vega/build/vega.min.js */");
    assert!(r.site().join("assets/vega/LICENSE-vega-lite").is_file());
    assert!(
        std::fs::read_to_string(r.site().join("assets/vega/charts.js"))
            .unwrap()
            .contains("vegaLite.compile")
    );
    // The standalone page stays static: its HTML keeps only the allow-list.
    let page = std::fs::read_to_string(&r.published().html).unwrap();
    assert!(!page.contains("<script"), "{page}");
}

#[test]
fn interactive_charts_that_would_fetch_or_lack_vega_are_refused_writing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let vega = vega_folder(dir.path());
    for (case, edit) in [
        ("data url", json!({"url": "https://example.com/data.json"})),
        (
            "image mark",
            json!({"values": [], "mark": {"type": "image"}}),
        ),
    ] {
        let nb = chart_notebook(|spec| spec["data"] = edit.clone());
        let options = PublishOptions {
            interactive: Some(vega.clone()),
            ..Default::default()
        };
        let r = run_named("01-post.ipynb", &nb.to_string(), options);
        let err = r.error();
        assert!(
            err.contains("cell 2, output 1") && err.contains("vegalite"),
            "{case}: {err}"
        );
        assert!(!r.site().exists(), "{case}: something was written");
    }
    let options = PublishOptions {
        interactive: Some(dir.path().join("nowhere")),
        ..Default::default()
    };
    let r = run_named(
        "01-post.ipynb",
        &chart_notebook(|_| {}).to_string(),
        options,
    );
    let err = r.error();
    assert!(
        err.contains("nowhere")
            && err.contains("vega/build/vega.min.js")
            && err.contains("--interactive"),
        "{err}"
    );
    assert!(!r.site().exists());
}
