//! SVG outputs are published as image files, which a reader can open on their own: one
//! that could run script or fetch anything is refused. Parsed as XML (no DTD), so
//! entities and odd spellings are read as a browser reads them.

/// Elements that run script, embed other documents or play media.
const FORBIDDEN: [&str; 11] = [
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "handler",
    "listener",
    "audio",
    "video",
    "image",
    "feimage",
];

/// Why `svg` may not be published, if it may not; otherwise its text (text nodes and
/// attribute values) for the token scan.
pub(crate) fn check(svg: &str) -> Result<String, String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(svg, options)
        .map_err(|e| format!("it is not well-formed XML ({e})"))?;
    let mut text = Vec::new();
    for node in doc.descendants() {
        if let Some(pi) = node.pi() {
            return Err(format!(
                "it holds a processing instruction (`<?{}`), which can load a style sheet",
                pi.target
            ));
        }
        if let Some(t) = node.text().filter(|_| node.is_text()) {
            if let Some(reason) = unsafe_css(t).filter(|_| parent_is(&node, "style")) {
                return Err(reason);
            }
            text.push(t.to_string());
            continue;
        }
        if !node.is_element() {
            continue;
        }
        let name = node.tag_name().name().to_ascii_lowercase();
        if FORBIDDEN.contains(&name.as_str()) {
            return Err(format!("it holds a <{name}> element"));
        }
        for attr in node.attributes() {
            let attr_name = attr.name().to_ascii_lowercase();
            let value = attr.value();
            let plain: String = value
                .chars()
                .filter(|c| !c.is_ascii_control() && !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            if attr_name.starts_with("on") {
                return Err(format!("it holds an event handler attribute ({attr_name})"));
            }
            if plain.contains("javascript:")
                || plain.contains("vbscript:")
                || plain.starts_with("data:")
            {
                return Err(format!("attribute {attr_name} holds a script or data URL"));
            }
            if matches!(attr_name.as_str(), "href" | "src") && !plain.starts_with('#') {
                return Err(format!(
                    "attribute {attr_name} refers to something outside the image"
                ));
            }
            if attr_name == "attributename" && matches!(plain.as_str(), "href" | "xlink:href") {
                return Err("it animates a link target".into());
            }
            if let Some(reason) = unsafe_css(value) {
                return Err(reason);
            }
            text.push(value.to_string());
        }
    }
    Ok(text.join("\n"))
}

/// The text of an SVG (text nodes and attribute values, references decoded), when it
/// parses; for the token scan.
pub(crate) fn text(svg: &str) -> Option<String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(svg, options).ok()?;
    let mut text = Vec::new();
    for node in doc.descendants() {
        text.extend(node.text().filter(|_| node.is_text()).map(str::to_string));
        text.extend(node.attributes().map(|a| a.value().to_string()));
    }
    Some(text.join("\n"))
}

fn parent_is(node: &roxmltree::Node, name: &str) -> bool {
    node.parent_element()
        .is_some_and(|p| p.tag_name().name().eq_ignore_ascii_case(name))
}

/// CSS that loads something (`url(` other than `#id`, `@import`) or runs script.
fn unsafe_css(css: &str) -> Option<String> {
    let plain: String = css
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '\\'))
        .collect::<String>()
        .to_ascii_lowercase();
    if plain.contains("@import") || plain.contains("expression(") {
        return Some("its style loads or runs something".into());
    }
    let external_url = plain
        .split("url(")
        .skip(1)
        .any(|rest| !rest.starts_with('#'));
    external_url.then(|| "its style refers to something outside the image".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">"#;

    #[test]
    fn refuses_what_can_run_or_fetch() {
        for body in [
            "<script>alert(1)</script>",
            "<SCRIPT>alert(1)</SCRIPT>",
            r#"<rect onload="alert(1)"/>"#,
            r#"<rect OnClick="alert(1)"/>"#,
            "<foreignObject><div>x</div></foreignObject>",
            r#"<a href="javascript:alert(1)"><text>x</text></a>"#,
            r#"<a xlink:href="jav&#x61;script:alert(1)"><text>x</text></a>"#,
            r#"<image href="https://evil.example/p.png"/>"#,
            r#"<use href="https://evil.example/s.svg#x"/>"#,
            r#"<rect style="fill:url(https://evil.example/x)"/>"#,
            "<style>@import 'https://evil.example/x.css';</style>",
            r##"<set attributeName="href" to="#x"/>"##,
        ] {
            let svg = format!("{OPEN}{body}</svg>");
            assert!(check(&svg).is_err(), "{body}");
        }
        assert!(check("<!DOCTYPE svg [<!ENTITY x \"y\">]><svg/>").is_err());
        assert!(check("<?xml-stylesheet href=\"https://evil.example/a.css\"?><svg/>").is_err());
        assert!(check("<svg><rect").is_err());
    }

    #[test]
    fn keeps_plain_drawings_and_returns_their_text() {
        let svg = format!(
            r##"{OPEN}<rect fill="url(#g)" x="1"/><text x="1">Open &#x63;hannels</text></svg>"##
        );
        let text = check(&svg).unwrap();
        assert!(text.contains("Open channels"), "{text}");
    }
}
