//! Brand files: arbitrary YAML as `_brand.yml`, in a folder that also holds
//! a logo, a raster image and a font it may name. Every input must end in a
//! brand or in diagnostics, never in a panic, a hang or a huge allocation.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

/// The brand's folder, with the files a brand may name, made once.
static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("handout-fuzz-brand-{}", std::process::id()));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::create_dir_all(dir.join("fonts")).unwrap();
    std::fs::copy(root.join("examples/brand/logo.svg"), dir.join("logo.svg")).unwrap();
    std::fs::copy(
        root.join("examples/brand/fonts/LibertinusSerif-Regular.otf"),
        dir.join("fonts/LibertinusSerif-Regular.otf"),
    )
    .unwrap();
    std::fs::write(dir.join("logo.png"), include_bytes!("../../tests/fixtures/fuzz/logo.png")).unwrap();
    dir
});

fuzz_target!(|data: &[u8]| {
    let path = DIR.join("_brand.yml");
    std::fs::write(&path, data).unwrap();
    let _ = handout::brand::load(&path);
});
