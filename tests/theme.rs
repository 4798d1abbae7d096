//! `theme.typ` holds the design tokens: a folder with only a theme of its
//! own changes the look of the handout and of both flyers.

mod common;

use std::path::Path;

use common::*;

/// How many pixels of page 1 of each layout are close to `color`.
fn pixels_near(layouts: Option<&Path>, color: [u8; 3]) -> Vec<(String, usize)> {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![
        &"build",
        &SEED,
        &"--goal",
        &"modern-ai-systems",
        &"--layout",
        &"handout,flyer,flyer-duplex",
        &"--format",
        &"png",
        &"--ppi",
        &"36",
        &"-q",
        &"-o",
    ];
    let out = dir.path().to_path_buf();
    args.push(&out);
    if let Some(l) = &layouts {
        args.push(&"--layouts");
        args.push(l);
    }
    assert_ok(&handout(&args));
    ["", "--flyer", "--flyer-duplex"]
        .iter()
        .map(|suffix| {
            let name = format!("{SEED_ID}--modern-ai-systems{suffix}-1.png");
            let near = png_rgb(&out.join(&name))
                .2
                .iter()
                .filter(|px| px.iter().zip(color).all(|(a, b)| a.abs_diff(b) < 16))
                .count();
            (name, near)
        })
        .collect()
}

#[test]
fn overriding_only_the_theme_recolours_every_layout() {
    let red = [255, 0, 0];
    let dir = tempfile::tempdir().unwrap();
    let brand = dir.path().join("brand");
    std::fs::create_dir(&brand).unwrap();
    let theme = std::fs::read_to_string(root().join("layouts/theme.typ")).unwrap();
    let accents = theme
        .lines()
        .find(|l| l.starts_with("#let accents = "))
        .expect("theme.typ defines the accents");
    let theme = theme.patched(
        accents,
        r##"#let accents = (rgb("#ff0000"), rgb("#00aa00"), rgb("#0000ff"))"##,
    );
    std::fs::write(brand.join("theme.typ"), theme).unwrap();

    for (name, near) in pixels_near(None, red) {
        assert_eq!(near, 0, "{name} has red before the theme changes");
    }
    for (name, near) in pixels_near(Some(&brand), red) {
        assert!(
            near > 50,
            "{name} has only {near} red pixels with the brand theme"
        );
    }
}
