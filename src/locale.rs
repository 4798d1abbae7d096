//! Facts about languages and dates that every stage shares, below the
//! catalogs that hold the words themselves.

use serde::{Deserialize, Serialize};

/// A calendar date, split so that layouts can build a `datetime`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DateParts {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// Languages written from right to left: the page mirrors for them.
pub fn is_rtl(lang: &str) -> bool {
    matches!(
        lang,
        "ar" | "fa" | "ur" | "he" | "ps" | "sd" | "ug" | "yi" | "dv" | "ckb"
    )
}
