//! Interactive charts in a post (`publish --interactive`): each chart's Vega-Lite spec,
//! checked, embedded beside its SVG, and the Vega builds copied into the site from the
//! installed packages, so that the reader's browser draws the chart with tooltips and
//! zoom and never fetches anything from elsewhere.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{PublishError, Result};

/// Where `scripts/setup.sh --interactive` installs Vega and Vega-Lite: the default of
/// [`super::PublishOptions::interactive`] for a checkout of this repository.
pub const INSTALLED_VEGA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/vega/node_modules");

/// The script that turns each chart box of a page into a Vega view.
const CHARTS_JS: &str = include_str!("../../assets/vega/charts.js");

/// Where the site keeps the scripts, and the files copied there: (name in the site, path
/// in the packages' folder). The licences travel with the code.
const SITE_FOLDER: &str = "assets/vega";
const LIBRARIES: [(&str, &str); 4] = [
    ("vega.min.js", "vega/build/vega.min.js"),
    ("vega-lite.min.js", "vega-lite/build/vega-lite.min.js"),
    ("LICENSE-vega", "vega/LICENSE"),
    ("LICENSE-vega-lite", "vega-lite/LICENSE"),
];

/// Why a spec is not published, if it is not: anything that could make the reader's
/// browser fetch or open an address (a `url` or `href` anywhere, an image mark). The
/// page's loader refuses those too; a notebook is untrusted, so both say no.
pub(super) fn unsafe_spec(spec: &Value) -> Option<String> {
    match spec {
        Value::Object(map) => map.iter().find_map(|(key, value)| {
            if key == "url" || key == "href" {
                return Some(format!("its spec names an address (`{key}`)"));
            }
            let image_mark = key == "mark"
                && (value == "image" || value.get("type").is_some_and(|t| t == "image"));
            if image_mark {
                return Some("its spec draws images from addresses".into());
            }
            unsafe_spec(value)
        }),
        Value::Array(items) => items.iter().find_map(unsafe_spec),
        _ => None,
    }
}

/// The chart's box: the SVG a reader without script sees, and the spec the page's script
/// draws in its place. The spec is JSON in which `<`, `>` and `&` are escaped, so nothing
/// in it can end the script element or be read as markup, and so are the characters
/// that would open a Liquid tag (`{{`, `{%` occur only inside JSON strings, where an
/// escape means the same).
pub(super) fn chart_box(image: &str, alt: &str, spec: &Value) -> String {
    let json = spec
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace("{{", "{\\u007b")
        .replace("{%", "{\\u0025");
    format!(
        "<div class=\"vega-chart\">\n<img src=\"{image}\" alt=\"{alt}\">\n<script type=\"application/json\">{json}</script>\n</div>\n\n"
    )
}

/// The script elements that end an interactive post, under the site's `base` address.
pub(super) fn scripts(base: &str) -> String {
    ["vega.min.js", "vega-lite.min.js", "charts.js"]
        .iter()
        .map(|name| format!("<script src=\"{base}/{SITE_FOLDER}/{name}\"></script>\n"))
        .collect::<String>()
        + "\n"
}

/// The files to copy into the site, read from the packages' folder `installed`: Vega's and
/// Vega-Lite's builds and licences, and the page script.
pub(super) fn site_files(installed: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut files = Vec::with_capacity(LIBRARIES.len() + 1);
    for (name, package_path) in LIBRARIES {
        let from = installed.join(package_path);
        let bytes = std::fs::read(&from).map_err(|_| PublishError::VegaMissing {
            folder: installed.display().to_string(),
            missing: package_path,
        })?;
        files.push((Path::new(SITE_FOLDER).join(name), bytes));
    }
    files.push((
        Path::new(SITE_FOLDER).join("charts.js"),
        CHARTS_JS.as_bytes().to_vec(),
    ));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn specs_that_would_fetch_are_refused() {
        let fine = json!({"data": {"values": [{"a": "<script>"}]}, "mark": "bar"});
        assert_eq!(unsafe_spec(&fine), None);
        for bad in [
            json!({"data": {"url": "https://example.com/x.json"}, "mark": "bar"}),
            json!({"layer": [{"mark": {"type": "image"}}]}),
            json!({"mark": "image"}),
            json!({"encoding": {"href": {"field": "link"}}}),
        ] {
            assert!(unsafe_spec(&bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn a_spec_cannot_end_its_script_element_nor_run_liquid() {
        let spec = json!({"title": "</script><script>alert(1)</script>", "mark": "bar",
                          "description": "{{ site.secret }} {% include x %} {{{"});
        let html = chart_box("/a.svg", "a", &spec);
        assert_eq!(html.matches("</script>").count(), 1, "{html}");
        assert!(!html.contains("{{") && !html.contains("{%"), "{html}");
        // Still the same JSON for the browser.
        let inner = html.split("application/json\">").nth(1).unwrap();
        let json = inner.split("</script>").next().unwrap();
        assert_eq!(serde_json::from_str::<Value>(json).unwrap(), spec);
    }
}
