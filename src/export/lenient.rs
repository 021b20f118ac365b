//! Deserializers for fields that Slack has written in more than one JSON type over the
//! years: Unix seconds and counts as numbers or numeric strings (2015 exports have
//! `"created": "1424284521"`), and message `ts` as a string or a bare number.
//!
//! Hand-written rather than `serde_with::PickFirst`: a few lines, no new dependency, and
//! the error says what was expected instead of "no variant matched".

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};

/// An integer written as a JSON integer, a numeric string, or a float with no fraction.
pub fn int<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64> + TryFrom<u64> + FromStr,
{
    d.deserialize_any(IntVisitor(PhantomData))
}

/// Like [`int`], with `null` as `None` (a missing field needs `#[serde(default)]`).
pub fn opt_int<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64> + TryFrom<u64> + FromStr,
{
    d.deserialize_any(OptVisitor(IntVisitor(PhantomData)))
}

/// A Slack `ts`: a string (`"1457679323.000200"`, borrowed from the input when it can
/// be), or a number as some old exports wrote it (`1457679323.0002`).
///
/// A number becomes `secs.micros` with six decimals. Precision: the JSON number is read
/// as an f64, which is exact to the microsecond for every `ts` before 2038 (2^31 s); after
/// that, up to 2106, it can be one microsecond off. Integers are exact.
pub fn ts<'de, D>(d: D) -> Result<Cow<'de, str>, D::Error>
where
    D: Deserializer<'de>,
{
    d.deserialize_any(TsVisitor)
}

/// Like [`ts`], with `null` as `None`.
pub fn opt_ts<'de, D>(d: D) -> Result<Option<Cow<'de, str>>, D::Error>
where
    D: Deserializer<'de>,
{
    d.deserialize_any(OptVisitor(TsVisitor))
}

struct IntVisitor<T>(PhantomData<T>);

impl<T> IntVisitor<T>
where
    T: TryFrom<i64> + TryFrom<u64> + FromStr,
{
    fn out_of_range<E: de::Error>(shown: impl fmt::Display) -> E {
        E::custom(format_args!("{shown} is out of range"))
    }
}

impl<'de, T> Visitor<'de> for IntVisitor<T>
where
    T: TryFrom<i64> + TryFrom<u64> + FromStr,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer or a string of digits")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| Self::out_of_range(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| Self::out_of_range(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        // `1424284521.0`: whole, and within i64 (the cast saturates, so check first).
        if v.fract() == 0.0 && v.abs() < 9.0e18 {
            self.visit_i64(v as i64)
        } else {
            Err(E::invalid_type(de::Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.trim()
            .parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

struct TsVisitor;

impl<'de> Visitor<'de> for TsVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Slack timestamp such as \"1457679323.000200\"")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Cow::Owned(format!("{v}.000000")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Cow::Owned(format!("{v}.000000")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // A huge number prints hundreds of digits; it is refused as implausible later,
        // and the message quoting it is cut short there.
        Ok(Cow::Owned(format!("{v:.6}")))
    }
}

/// `null` as `None`, anything else through the inner visitor.
struct OptVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for OptVisitor<V> {
    type Value = Option<V::Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)?;
        f.write_str(" or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self.0).map(Some)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.0.visit_i64(v).map(Some)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.0.visit_u64(v).map(Some)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.0.visit_f64(v).map(Some)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        self.0.visit_borrowed_str(v).map(Some)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.visit_str(v).map(Some)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        self.0.visit_string(v).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct T<'a> {
        #[serde(default, deserialize_with = "int")]
        n: i64,
        #[serde(default, deserialize_with = "opt_int")]
        m: Option<u32>,
        #[serde(borrow, deserialize_with = "ts")]
        ts: Cow<'a, str>,
    }

    fn parse(json: &str) -> Result<(i64, Option<u32>, String, bool), String> {
        serde_json::from_str::<T>(json)
            .map(|t| {
                let borrowed = matches!(t.ts, Cow::Borrowed(_));
                (t.n, t.m, t.ts.into_owned(), borrowed)
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn numbers_and_numeric_strings() {
        assert_eq!(
            parse(r#"{"n": "1424284521", "m": "12", "ts": "1.000001"}"#).unwrap(),
            (1424284521, Some(12), "1.000001".into(), true)
        );
        assert_eq!(
            parse(r#"{"n": 1424284521.0, "m": null, "ts": "1"}"#).unwrap(),
            (1424284521, None, "1".into(), true)
        );
        for bad in [
            r#"{"n": "12x", "ts": "1"}"#,
            r#"{"n": 1.5, "ts": "1"}"#,
            r#"{"n": true, "ts": "1"}"#,
            r#"{"n": 1e300, "ts": "1"}"#,
            r#"{"m": -1, "ts": "1"}"#,
            r#"{"m": 4294967296, "ts": "1"}"#,
            r#"{"m": [], "ts": "1"}"#,
            r#"{"ts": null}"#,
            r#"{"ts": {}}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numeric_ts_keeps_the_microseconds() {
        assert_eq!(
            parse(r#"{"ts": 1457679323.0002}"#).unwrap().2,
            "1457679323.000200"
        );
        assert_eq!(
            parse(r#"{"ts": 2147483647.999999}"#).unwrap().2,
            "2147483647.999999"
        );
        assert_eq!(
            parse(r#"{"ts": 1457679323}"#).unwrap().2,
            "1457679323.000000"
        );
        // An escape cannot be borrowed: the string is copied, still right.
        assert_eq!(
            parse(r#"{"ts": "1457679323.00020\u0030"}"#).unwrap(),
            (0, None, "1457679323.000200".into(), false)
        );
    }
}
