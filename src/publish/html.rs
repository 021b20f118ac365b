//! The HTML that reaches a published page: one allow-list sanitiser (ammonia) for
//! notebook outputs, markdown's raw HTML and the standalone page, and the visible text of
//! HTML (entities decoded, tags dropped) for the token scan.

use std::collections::HashSet;
use std::sync::LazyLock;

/// What the project's own tables, charts and prose need: ammonia's default tags
/// (headings, lists, tables, code, links, images…) with `class` on any of them, links to
/// http(s) and mailto only, and images from relative paths only (a published page must
/// not load anything from elsewhere).
static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_generic_attributes(["class"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .attribute_filter(|element, attribute, value| {
            if (element, attribute) == ("img", "src") && !relative(value) {
                None
            } else {
                Some(value.into())
            }
        });
    b
});

/// Tags and scripts' contents dropped, every entity decoded by the parser.
static TEXT_ONLY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(ammonia::Builder::empty);

/// `html` reduced to the allow-list.
pub fn sanitize(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

/// The text a browser shows for `html`: tags (and scripts' contents) dropped, entities
/// decoded.
pub(crate) fn visible_text(html: &str) -> String {
    unescape_serialised(&TEXT_ONLY.clean(html).to_string())
}

/// `html` as it would be published, with every character reference decoded: what its
/// surviving attributes (`href`, `alt`, `title`) and text say.
pub(crate) fn published_text(html: &str) -> String {
    unescape_serialised(&sanitize(html))
}

/// html5ever's serialiser escapes only these in text and attribute values; undo them
/// (`&amp;` last).
fn unescape_serialised(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Whether a URL is a path on the same site (no scheme, not `//host`).
fn relative(url: &str) -> bool {
    let url = url.trim();
    !url.starts_with("//") && !url.starts_with("\\\\") && scheme(url).is_none()
}

/// The lowercase scheme of a URL as a browser reads it (tabs, newlines and controls
/// removed), if it has one.
pub(crate) fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_control() && !c.is_whitespace())
        .collect();
    let end = cleaned.find(':')?;
    let head = &cleaned[..end];
    let is_scheme = !head.is_empty()
        && head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme.then(|| head.to_ascii_lowercase())
}

/// Whether a link or image destination in markdown may stay as markdown: relative, or
/// http(s)/mailto.
pub(crate) fn safe_link(url: &str) -> bool {
    scheme(url).is_none_or(|s| matches!(s.as_str(), "http" | "https" | "mailto"))
}

/// Markdown as HTML (tables on), before sanitising.
pub(crate) fn markdown_to_html(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitising_keeps_tables_and_drops_scripts() {
        let clean = sanitize(
            "<table class=\"dataframe\"><tr><th>a<br><small>str</small></th></tr></table>\
             <script>alert(1)</script><img src=x onerror=alert(1)>\
             <a href=\"javascript:alert(1)\">x</a><img src=\"https://evil.example/p.png\">\
             <img src=\"images/a/b.svg\" alt=\"chart\">",
        );
        assert!(clean.contains("<table class=\"dataframe\">"), "{clean}");
        assert!(clean.contains("<small>str</small>"), "{clean}");
        assert!(clean.contains("src=\"images/a/b.svg\""), "{clean}");
        for bad in ["script", "onerror", "javascript", "evil.example"] {
            assert!(!clean.contains(bad), "{bad} in {clean}");
        }
    }

    #[test]
    fn visible_text_decodes_entities_and_drops_tags() {
        assert_eq!(
            visible_text("xox&#98;-1<span></span>23 &amp; &lt;b&gt;"),
            "xoxb-123 & <b>"
        );
    }

    #[test]
    fn schemes_as_a_browser_reads_them() {
        assert_eq!(
            scheme("java\tscript:alert(1)").as_deref(),
            Some("javascript")
        );
        assert_eq!(scheme("images/a.png"), None);
        assert_eq!(scheme("a/b:c"), None);
        assert!(safe_link("https://example.com") && safe_link("#x") && safe_link("a.html"));
        assert!(!safe_link(" JavaScript:alert(1)") && !safe_link("data:text/html,x"));
    }
}
