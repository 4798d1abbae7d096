//! The values of options: paper sizes, editions, standards, formats, and
//! lengths and numbers with their checks.

use clap::ValueEnum;

use crate::render::{Edition, Format, Pages, Paper, Standard};

/// `--paper`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaperArg {
    A4,
    UsLetter,
    /// 148 × 210 mm.
    A5,
    /// 5.5 × 8.5 in.
    HalfLetter,
}

impl From<PaperArg> for Paper {
    fn from(p: PaperArg) -> Self {
        match p {
            PaperArg::A4 => Paper::A4,
            PaperArg::UsLetter => Paper::UsLetter,
            PaperArg::A5 => Paper::A5,
            PaperArg::HalfLetter => Paper::HalfLetter,
        }
    }
}

/// `--edition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EditionArg {
    /// Links become QR codes with a short readable address.
    Print,
    /// Links are clickable; no QR codes.
    Email,
}

impl From<EditionArg> for Edition {
    fn from(e: EditionArg) -> Self {
        match e {
            EditionArg::Print => Edition::Print,
            EditionArg::Email => Edition::Email,
        }
    }
}

/// `--pdf-standard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StandardArg {
    /// PDF/UA-1, accessible tagged PDF.
    #[value(name = "ua-1")]
    Ua1,
    /// PDF/A-2b, for archiving.
    #[value(name = "a-2b")]
    A2b,
    /// PDF/A-3b, for archiving.
    #[value(name = "a-3b")]
    A3b,
    /// No standard; still tagged.
    None,
}

impl From<StandardArg> for Option<Standard> {
    fn from(s: StandardArg) -> Self {
        match s {
            StandardArg::Ua1 => Some(Standard::Ua1),
            StandardArg::A2b => Some(Standard::A2b),
            StandardArg::A3b => Some(Standard::A3b),
            StandardArg::None => None,
        }
    }
}

/// `--imposition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImpositionArg {
    /// Folded sheets: print on both sides, flipping on the short edge.
    Booklet,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Pdf,
    /// One PNG per page, at `--ppi`.
    Png,
    /// One SVG per page.
    Svg,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Pdf => Format::Pdf,
            FormatArg::Png => Format::Png,
            FormatArg::Svg => Format::Svg,
        }
    }
}

/// A length with a unit (`3mm`, `0.3cm`, `0.125in`, `9pt`), in points.
/// `--pages`: a number from 1, `none`, or `layout` (the default).
pub fn parse_pages(s: &str) -> Result<Pages, String> {
    match s {
        "layout" => Ok(Pages::Layout),
        _ => s.parse(),
    }
}

pub fn parse_length(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or("give a unit: mm, cm, in or pt")?;
    let value: f64 = s[..split]
        .trim()
        .parse()
        .map_err(|_| format!("`{}` is not a number", &s[..split]))?;
    let pt = match &s[split..] {
        "mm" => value * 72.0 / 25.4,
        "cm" => value * 72.0 / 2.54,
        "in" => value * 72.0,
        "pt" => value,
        unit => return Err(format!("unknown unit `{unit}`; use mm, cm, in or pt")),
    };
    if !(0.0..=72.0).contains(&pt) {
        return Err("bleed must be between 0 and 1 inch".into());
    }
    Ok(pt)
}

pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "," => Ok(b','),
        ";" => Ok(b';'),
        "\\t" | "\t" | "tab" => Ok(b'\t'),
        _ => Err("use `,`, `;` or `tab`".into()),
    }
}

pub fn parse_ppi(s: &str) -> Result<f32, String> {
    let ppi: f32 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if !(9.0..=1200.0).contains(&ppi) {
        return Err("ppi must be between 9 and 1200".into());
    }
    Ok(ppi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_parse() {
        assert!((parse_length("3mm").unwrap() - 8.5039).abs() < 1e-3);
        assert_eq!(parse_length("0.125in"), Ok(9.0));
        assert_eq!(parse_length("9pt"), Ok(9.0));
        assert!(parse_length("3").is_err());
        assert!(parse_length("3furlongs").is_err());
        assert!(parse_length("5in").is_err());
    }
}
