//! Looking for Slack secrets in everything that could reach the site, in every form a
//! reader could see it: as written, as HTML shows it (entities decoded, tags dropped), as
//! markdown renders it, base64-decoded, and in PNG text chunks.

use base64::engine::{general_purpose, DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

use super::html::{markdown_to_html, published_text, visible_text};
use crate::secret::token_like;

/// What a scan found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Finding {
    /// Something shaped like a Slack secret: a glimpse that does not show it, and the
    /// decodings that revealed it (empty: as written).
    Token {
        glimpse: String,
        via: Vec<&'static str>,
    },
    /// Something that cannot be checked (a PNG whose text chunks cannot be read).
    Unchecked { reason: String },
}

impl Finding {
    /// How it was found, for an error message: `as written`, `base64-decoded, …`.
    pub(crate) fn how(via: &[&'static str]) -> String {
        if via.is_empty() {
            "as written".into()
        } else {
            via.join(", then ")
        }
    }
}

/// Decodings nest at most this deep (base64 of a PNG whose text chunk holds HTML…).
const MAX_DEPTH: usize = 4;
/// Shorter base64 runs cannot hold a token.
const MIN_BASE64: usize = 12;
/// PNG text chunks inflate to at most this many bytes each.
const PNG_TEXT_LIMIT: usize = 1 << 20;
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Lenient decoders: padding optional, trailing bits allowed, in both alphabets.
const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

/// Text past this many bytes is scanned as written and base64-decoded, not in its HTML,
/// markdown and SVG forms: nothing past it reaches a post in those forms (the publisher
/// cuts text there and leaves out larger HTML, markdown and images), and each form costs
/// a parse of the whole text.
pub(crate) const DECODED_FORMS_WITHIN: usize = 1 << 20;

/// Scans text as it is and in every decoded form.
pub(crate) fn text(text: &str) -> Result<(), Finding> {
    if text.len() <= DECODED_FORMS_WITHIN {
        return text_via(text, &mut Vec::new());
    }
    if let Some(glimpse) = token_like(text) {
        return Err(Finding::Token {
            glimpse,
            via: Vec::new(),
        });
    }
    let mut via = Vec::new();
    base64_via(text, &mut via)?;
    text_via(
        &text[..text.floor_char_boundary(DECODED_FORMS_WITHIN)],
        &mut via,
    )
}

/// Scans bytes: PNG text chunks when they are a PNG, else the bytes as text.
pub(crate) fn bytes(bytes: &[u8]) -> Result<(), Finding> {
    bytes_via(bytes, &mut Vec::new())
}

fn text_via(text: &str, via: &mut Vec<&'static str>) -> Result<(), Finding> {
    if let Some(glimpse) = token_like(text) {
        return Err(Finding::Token {
            glimpse,
            via: via.clone(),
        });
    }
    if via.len() >= MAX_DEPTH {
        return Ok(());
    }
    // HTML and markdown forms only near the top: decoded text rarely holds more markup,
    // and each form costs a parse.
    if via.len() < 2 && text.contains(['<', '&']) {
        let shown = visible_text(text);
        nested(shown.as_str(), "as HTML shows it", via, text_via)?;
        let published = published_text(text);
        nested(
            published.as_str(),
            "as its HTML is published",
            via,
            text_via,
        )?;
    }
    if via.len() < 2 && text.contains("<svg") {
        if let Some(svg_text) = super::svg::text(text.trim()) {
            nested(svg_text.as_str(), "as SVG text", via, text_via)?;
        }
    }
    if via.len() < 2 && text.contains(['*', '_', '`', '\\', '[', '~', '<', '&']) {
        let rendered = markdown_to_html(text);
        let shown = visible_text(&rendered);
        nested(shown.as_str(), "as markdown renders it", via, text_via)?;
        let published = published_text(&rendered);
        nested(
            published.as_str(),
            "as its markdown is published",
            via,
            text_via,
        )?;
    }
    base64_via(text, via)
}

/// Scans every base64 run of `text`, decoded.
fn base64_via(text: &str, via: &mut Vec<&'static str>) -> Result<(), Finding> {
    for candidate in base64_candidates(text) {
        if let Some(decoded) = decode_base64(&candidate) {
            nested(decoded.as_slice(), "base64-decoded", via, bytes_via)?;
        }
    }
    Ok(())
}

fn nested<T: ?Sized>(
    value: &T,
    step: &'static str,
    via: &mut Vec<&'static str>,
    scan: fn(&T, &mut Vec<&'static str>) -> Result<(), Finding>,
) -> Result<(), Finding> {
    via.push(step);
    let result = scan(value, via);
    via.pop();
    result
}

fn bytes_via(bytes: &[u8], via: &mut Vec<&'static str>) -> Result<(), Finding> {
    if bytes.starts_with(PNG_SIGNATURE) {
        for chunk in png_texts(bytes).map_err(|reason| Finding::Unchecked { reason })? {
            nested(chunk.as_str(), "in a PNG text chunk", via, text_via)?;
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text_via(text, via),
        // Binary: only the plain pattern; decoding noise again would only cost time.
        Err(_) => match token_like(&String::from_utf8_lossy(bytes)) {
            Some(glimpse) => Err(Finding::Token {
                glimpse,
                via: via.clone(),
            }),
            None => Ok(()),
        },
    }
}

/// The whole text when it is base64 (whitespace allowed, as in image outputs), and every
/// run of base64 characters long enough to hold a token, from each of the four offsets
/// (a payload glued to a word).
fn base64_candidates(text: &str) -> Vec<String> {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_');
    let whole: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let whole_is_base64 = whole.len() >= MIN_BASE64 && whole.chars().all(|c| is_b64(c) || c == '=');
    // Each distinct run once (a log repeats its words on every line): a set, so that the
    // look-up costs the same however many runs came before.
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    if whole_is_base64 {
        seen.insert(whole.as_str());
    }
    let mut out = Vec::new();
    // Runs end at `=` too: padding, or `key=payload`.
    for run in text.split(|c: char| !is_b64(c)) {
        if run.len() >= MIN_BASE64 && seen.insert(run) {
            out.extend((0..4).map(|offset| run[offset..].to_string()));
        }
    }
    drop(seen);
    if whole_is_base64 {
        out.insert(0, whole);
    }
    out
}

fn decode_base64(candidate: &str) -> Option<Vec<u8>> {
    let trimmed = candidate.trim_end_matches('=');
    // A single leftover character is never valid base64: drop it.
    let usable = &trimmed[..trimmed.len() - usize::from(trimmed.len() % 4 == 1)];
    STANDARD
        .decode(usable)
        .or_else(|_| URL_SAFE.decode(usable))
        .ok()
        .or_else(|| general_purpose::STANDARD.decode(candidate).ok())
}

/// Every text a PNG carries in tEXt, zTXt and iTXt chunks (keywords included).
pub(crate) fn png_texts(bytes: &[u8]) -> Result<Vec<String>, String> {
    let unreadable = |e: png::DecodingError| format!("a PNG whose text cannot be read ({e})");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_ignore_text_chunk(false);
    let mut reader = decoder.read_info().map_err(unreadable)?;
    // Text chunks may follow the image data: read to the end.
    reader.finish().map_err(unreadable)?;
    let info = reader.info();
    let mut texts = Vec::new();
    for chunk in &info.uncompressed_latin1_text {
        texts.extend([chunk.keyword.clone(), chunk.text.clone()]);
    }
    for chunk in &info.compressed_latin1_text {
        let mut chunk = chunk.clone();
        chunk
            .decompress_text_with_limit(PNG_TEXT_LIMIT)
            .map_err(unreadable)?;
        texts.extend([chunk.keyword.clone(), chunk.get_text().map_err(unreadable)?]);
    }
    for chunk in &info.utf8_text {
        let mut chunk = chunk.clone();
        chunk
            .decompress_text_with_limit(PNG_TEXT_LIMIT)
            .map_err(unreadable)?;
        texts.extend([
            chunk.keyword.clone(),
            chunk.language_tag.clone(),
            chunk.translated_keyword.clone(),
            chunk.get_text().map_err(unreadable)?,
        ]);
    }
    Ok(texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "xoxb-1234567890-abcdefghij";

    fn via(r: Result<(), Finding>) -> Vec<&'static str> {
        match r {
            Err(Finding::Token { via, .. }) => via,
            other => panic!("expected a token, got {other:?}"),
        }
    }

    #[test]
    fn finds_tokens_in_every_form() {
        assert!(via(text(&format!("a {TOKEN}"))).is_empty());
        assert_eq!(via(text("xox&#98;-1234567890")), ["as HTML shows it"]);
        assert_eq!(
            via(text("xo<span></span>xb-1234567890")),
            ["as HTML shows it"]
        );
        assert_eq!(via(text("xox**b**-1234567890")), ["as markdown renders it"]);
        let b64 = general_purpose::STANDARD.encode(TOKEN);
        assert_eq!(via(text(&b64)), ["base64-decoded"]);
        assert_eq!(via(text(&format!("secret={b64}."))), ["base64-decoded"]);
        let twice = general_purpose::STANDARD.encode(&b64);
        assert_eq!(via(text(&twice)), ["base64-decoded", "base64-decoded"]);
        assert_eq!(
            via(text("<a href=\"https://x/?t=xox&#98;-1234567890\">x</a>")),
            ["as its HTML is published"]
        );
        assert!(!via(text("[x](https://x/?t=xox&#98;-1234567890)")).is_empty());
        assert!(text("plain words, a_long_identifier_name and 0123456789abcdef").is_ok());
    }
}
