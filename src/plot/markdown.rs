//! Prose computed from the data: a notebook cell's finding written as markdown, shown
//! rendered in Jupyter and published as part of the post's text.

use super::evcxr::{print_outputs, rich_and_plain, MimeOutput, RichDisplay};

/// Markdown built from the frames, so that a sentence stating a finding is true of
/// whatever workspace the notebook ran on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Markdown(pub String);

impl Markdown {
    pub fn evcxr_display(&self) {
        print_outputs(&self.outputs());
    }
}

impl RichDisplay for Markdown {
    fn outputs(&self) -> Vec<MimeOutput> {
        rich_and_plain("text/markdown", self.0.clone(), self.0.clone())
    }
}

impl std::fmt::Display for Markdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `text` as a markdown code span, whatever it holds: a channel name from the data reads
/// as itself, never as emphasis, a link or HTML.
pub fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick needs a space inside its fence.
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Channel names as code spans with their `#`, joined as a reader would list them:
/// `#a`, `#a` and `#b`, `#a`, `#b` and `#c`.
pub fn channel_list<S: AsRef<str>>(names: &[S]) -> String {
    let spans: Vec<String> = names
        .iter()
        .map(|n| code(&format!("#{}", n.as_ref())))
        .collect();
    match spans.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `n` with its noun, singular or plural: `1 channel`, `3 channels`.
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code("issue-db-1203"), "`issue-db-1203`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("<b>*x*</b>"), "`<b>*x*</b>`");
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(channel_list::<&str>(&[]), "");
        assert_eq!(channel_list(&["a"]), "`#a`");
        assert_eq!(channel_list(&["a", "b", "c"]), "`#a`, `#b` and `#c`");
        assert_eq!(count(1, "channel", "channels"), "1 channel");
        assert_eq!(count(0, "channel", "channels"), "0 channels");
    }
}
