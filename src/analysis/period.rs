//! Calendar periods to bucket incidents by: a day, a week, a month, or any polars
//! duration string, counted on the clock of the notebook's time zone.

use std::fmt;

use chrono_tz::Tz;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::frames::polars_zone;

/// A calendar period: `Period::parse("week")`, `"month"`, `"day"`, `"quarter"`, or a
/// polars duration such as `"2w"` or `"1mo"`. Weeks start on Monday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    every: String,
}

impl Period {
    pub fn day() -> Self {
        Period { every: "1d".into() }
    }

    pub fn week() -> Self {
        Period { every: "1w".into() }
    }

    pub fn month() -> Self {
        Period {
            every: "1mo".into(),
        }
    }

    /// A period by name (`day`, `week`, `month`, `quarter`, `year`) or as a polars
    /// duration string of whole days, weeks, months or years (`3d`, `2w`, `1mo`, `1y`).
    pub fn parse(text: &str) -> Result<Self> {
        let every = match text.trim() {
            "day" | "daily" => "1d".to_string(),
            "week" | "weekly" => "1w".to_string(),
            "month" | "monthly" => "1mo".to_string(),
            "quarter" | "quarterly" => "1q".to_string(),
            "year" | "yearly" => "1y".to_string(),
            other => {
                let digits = other.chars().take_while(|c| c.is_ascii_digit()).count();
                let (count, unit) = other.split_at(digits);
                let whole_days = matches!(unit, "d" | "w" | "mo" | "q" | "y");
                if count.parse::<u32>().map_or(true, |n| n == 0) || !whole_days {
                    return Err(Error::Parameter {
                        name: "period",
                        value: other.to_string(),
                        expected: "day, week, month, quarter or year, or a count and a unit \
                                   such as 2w or 3mo (d, w, mo, q, y)",
                    });
                }
                other.to_string()
            }
        };
        Ok(Period { every })
    }

    /// The period's polars duration string (`1w`).
    pub fn every(&self) -> &str {
        &self.every
    }

    /// The first day of the period each instant of `datetime` falls in, on `tz`'s
    /// calendar, as a date.
    pub fn start_of(&self, datetime: Expr, tz: Tz) -> Result<Expr> {
        Ok(datetime
            .dt()
            .convert_time_zone(polars_zone(tz)?)
            .dt()
            .date()
            .dt()
            .truncate(lit(self.every.clone())))
    }
}

impl Default for Period {
    /// A month, as the post counts.
    fn default() -> Self {
        Period::month()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.every.as_str() {
            "1d" => "day",
            "1w" => "week",
            "1mo" => "month",
            "1q" => "quarter",
            "1y" => "year",
            other => other,
        };
        f.write_str(name)
    }
}
