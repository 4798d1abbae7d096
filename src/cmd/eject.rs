//! `handout eject`: one document as a plain Typst project, for designers and
//! for comparing with `typst compile`, which renders it to the same pages.

use crate::batch::{self, Goals};
use crate::cli::EjectArgs;
use crate::error::Error;
use crate::output::{prepare_dir, write_atomic};
use crate::render::{DocumentFiles, Format, Job, Settings, document_files};

pub fn run(args: &EjectArgs) -> Result<(), Error> {
    let mut loaded = crate::content::load(&args.content).map_err(Error::Content)?;
    let brands = crate::brand::for_contents(
        args.layout.brand.as_deref(),
        std::slice::from_mut(&mut loaded),
        false,
        false,
    )?;
    let brand = loaded.brand.and_then(|i| brands.get(i));
    let layouts = super::layouts(args.layout.layouts.as_deref())?;
    let layout = args.layout.layout.as_str();
    super::check_layout(&layouts, layout)?;
    let goals = args.goal.clone().map_or(Goals::Generic, Goals::One);
    let axes = batch::Axes {
        goals: &goals,
        papers: &[args.paper.into()],
        editions: &[args.edition.into()],
        layouts: std::slice::from_ref(&args.layout.layout),
        format: Format::Pdf,
        booklet: false,
    };
    let doc = batch::plan(std::slice::from_ref(&loaded), &axes, &args.out)?.remove(0);
    let settings = Settings {
        bleed: args.bleed,
        ..Settings::default()
    };
    let job = Job {
        content: &loaded.content,
        goal: doc.goal.as_deref().and_then(|id| loaded.content.goal(id)),
        paper: doc.paper,
        edition: doc.edition,
        layout,
        settings: &settings,
        brand: loaded.brand,
        recipient: None,
    };

    let out = &args.out;
    let used = std::fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_some());
    if used && !args.force {
        return Err(Error::usage(
            format!("{} is not empty", out.display()),
            "eject into a new folder, or add --force to replace the files there (edited layouts too)",
        ));
    }
    prepare_dir(out, "--out")?;
    let write = |rel: &str, bytes: &[u8]| -> Result<(), Error> {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            prepare_dir(dir, "--out")?;
        }
        Ok(write_atomic(&path, bytes)?)
    };
    for path in layouts.paths() {
        if let Some(file) = layouts.get(path) {
            write(path, file.bytes.as_slice())?;
        }
    }
    let catalogs = crate::lang::Catalogs::load(&layouts).map_err(Error::Content)?;
    let fonts = crate::fonts::load(&args.layout.font_dir)?;
    let env = crate::world::Env::new(layouts.clone(), &brands, &fonts);
    let DocumentFiles { data, qr, labels } = document_files(&job, 0, &catalogs, &|family| {
        env.book().contains_family(&family.to_lowercase())
    });
    write("data.json", &data)?;
    write("labels.json", &labels)?;
    // The brand as the build reads it: its data, its images under brand/
    // and its fonts beside the bundled ones.
    write(
        "brand.json",
        brand.map_or(crate::brand::NO_BRAND, |b| &b.data),
    )?;
    for (path, bytes) in brand.iter().flat_map(|b| &b.files) {
        write(&format!("brand/{path}"), bytes)?;
    }
    for (name, bytes) in brand.iter().flat_map(|b| &b.fonts) {
        write(&format!("fonts/{name}"), bytes)?;
    }
    for (i, svg) in qr.iter().enumerate() {
        write(&format!("qr/{i}.svg"), svg)?;
    }
    let main = format!(
        "// Renders {} with the data in data.json.\n// typst compile --font-path fonts --ignore-system-fonts main.typ\n#include \"{layout}.typ\"\n",
        doc.output
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    write("main.typ", main.as_bytes())?;
    for (name, bytes) in crate::world::FONTS {
        write(&format!("fonts/{name}"), bytes)?;
    }
    // `--font-dir` fonts go beside the bundled ones, as the build uses them.
    for font in &fonts {
        let name = font
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        write(&format!("fonts/{name}"), font.data.as_slice())?;
    }
    for (name, bytes) in crate::world::FONT_LICENSES {
        write(&format!("fonts/{name}"), bytes)?;
    }
    println!("wrote a Typst project to {}", out.display());
    println!(
        "render it with: typst compile --font-path {0}/fonts --ignore-system-fonts {0}/main.typ",
        out.display()
    );
    Ok(())
}
