//! Charts and tables for notebooks, reports and posts.
//!
//! A [`Chart`] is data plus a title and labels; it renders to SVG (what notebooks and
//! posts show) or PNG (drawn with a bundled font, so no system font is needed), and
//! carries a Vega-Lite spec of the same data that JupyterLab shows interactive.
//! [`Table`] shows a DataFrame as an HTML table, [`Markdown`] prose computed from it. Both display themselves in evcxr
//! notebooks. [`charts`] draws what `analysis` computes: the post's figures, time to
//! archive, and the metrics' frames.

mod axis;
mod chart;
pub mod charts;
mod evcxr;
pub mod markdown;
pub mod prose;
mod table;
mod vega;

pub use chart::{Chart, Series};
pub use evcxr::{print_outputs, MimeOutput, RichDisplay};
pub use markdown::Markdown;
pub use table::{display_zone, escape_html, show_times_in, FrameDisplay, Table, NULL_LABEL};
pub use vega::VEGA_LITE_MIME;
