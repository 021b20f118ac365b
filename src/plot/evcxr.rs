//! evcxr's rich display protocol: a value whose type has an `evcxr_display` method prints
//! its content between `EVCXR_BEGIN_CONTENT <mime>` and `EVCXR_END_CONTENT` lines.
//!
//! [`print_outputs`] is the one place that prints it, for every display in the crate.
//! Not `evcxr_runtime`: its `text` is a bare `println!` (a panic when stdout is closed)
//! and its `bytes` pulls a second, older base64; this helper is the same few lines.

/// One representation of an output: a MIME type and its (text or base64) content.
pub struct MimeOutput {
    pub mime: &'static str,
    pub content: String,
}

/// Something a notebook can show.
pub trait RichDisplay {
    /// The representations, richest first.
    fn outputs(&self) -> Vec<MimeOutput>;
}

/// A rich form (`text/html`, `text/markdown`…) and the plain text beside it, for
/// frontends that show only text.
pub fn rich_and_plain(mime: &'static str, rich: String, plain: String) -> Vec<MimeOutput> {
    vec![
        MimeOutput {
            mime,
            content: rich,
        },
        MimeOutput {
            mime: "text/plain",
            content: plain,
        },
    ]
}

/// Prints `outputs` in evcxr's protocol.
pub fn print_outputs(outputs: &[MimeOutput]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for o in outputs {
        let _ = writeln!(
            out,
            "EVCXR_BEGIN_CONTENT {}\n{}\nEVCXR_END_CONTENT",
            o.mime, o.content
        );
    }
    let _ = out.flush();
}
