//! Colours as brand.yml writes them, and the checks that keep text readable
//! and options apart in print.

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rgb` or `#rrggbb`.
    pub fn parse_hex(s: &str) -> Option<Self> {
        let hex = s.strip_prefix('#')?;
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize, len: usize| {
            let v = u8::from_str_radix(&hex[i..i + len], 16).ok()?;
            Some(if len == 1 { v * 17 } else { v })
        };
        match hex.len() {
            3 => Some(Rgb(byte(0, 1)?, byte(1, 1)?, byte(2, 1)?)),
            6 => Some(Rgb(byte(0, 2)?, byte(2, 2)?, byte(4, 2)?)),
            _ => None,
        }
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG 2 relative luminance.
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// The grey a black-and-white printer or copier makes of it, 0 to 255.
    pub fn grey(self) -> f64 {
        0.299 * f64::from(self.0) + 0.587 * f64::from(self.1) + 0.114 * f64::from(self.2)
    }
}

pub const WHITE: Rgb = Rgb(255, 255, 255);

/// WCAG 2 contrast ratio, 1 to 21.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// WCAG AA for body text.
pub const MIN_CONTRAST: f64 = 4.5;

/// Accents whose greys are closer than this look alike in black and white.
/// The built-in accents are 25 apart at the closest.
pub const MIN_GREY_DISTANCE: f64 = 20.0;

/// The built-in accents, which stand in for the ones a brand leaves out.
pub const THEME_ACCENTS: [Rgb; 3] = [
    Rgb(0x17, 0x42, 0x7f),
    Rgb(0xd2, 0x70, 0x1f),
    Rgb(0x2a, 0x8a, 0x78),
];

/// CSS's basic names, which brand files use without defining them.
pub fn named(name: &str) -> Option<Rgb> {
    Some(match name {
        "white" => WHITE,
        "black" => Rgb(0, 0, 0),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_colours_parse() {
        assert_eq!(Rgb::parse_hex("#fff"), Some(WHITE));
        assert_eq!(Rgb::parse_hex("#17427F"), Some(Rgb(0x17, 0x42, 0x7f)));
        for bad in ["17427f", "#12345", "#ggg", "#1234567"] {
            assert_eq!(Rgb::parse_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn contrast_matches_wcag() {
        assert!((contrast(WHITE, Rgb(0, 0, 0)) - 21.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1.
        let c = contrast(WHITE, Rgb(0x76, 0x76, 0x76));
        assert!((c - 4.54).abs() < 0.01, "{c}");
    }

    #[test]
    fn built_in_accents_print_apart() {
        let greys: Vec<f64> = THEME_ACCENTS.iter().map(|c| c.grey()).collect();
        for (i, a) in greys.iter().enumerate() {
            for b in &greys[i + 1..] {
                assert!((a - b).abs() >= MIN_GREY_DISTANCE);
            }
        }
    }
}
