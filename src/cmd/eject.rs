//! `handout eject`: one document as a plain Typst project, for designers and
//! for comparing with `typst compile`, which renders it to the same pages.

use std::path::Path;

use crate::batch::{self, Goals};
use crate::cli::EjectArgs;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::output::{prepare_dir, write_atomic};
use crate::project::{Policy, Project};
use crate::render::{Document, Format, Settings, document_files, fitted_density};
use crate::world::DocumentFiles;

pub fn run(args: &EjectArgs) -> Result<(), Error> {
    if args.content.is_dir() {
        return Err(
            Diagnostic::error("expected a content file but found a folder")
                .in_file(args.content.display().to_string())
                .with_hint("pass the YAML files inside it, or use `handout build <folder>`")
                .into(),
        );
    }
    let sources = args.layout.project.sources(vec![args.content.clone()]);
    let project = Project::load(&sources, Policy::default())?;
    let layout = args.layout.layout.as_str();
    project.check_layout(layout)?;
    let loaded = &project.contents[0];
    let goals = args
        .goal
        .clone()
        .map_or(Goals::Generic, |g| Goals::Some(vec![g]));
    let axes = batch::Axes {
        goals: &goals,
        papers: &[args.paper.into()],
        editions: &[args.edition.into()],
        layouts: std::slice::from_ref(&args.layout.layout),
        format: Format::Pdf,
        booklet: false,
    };
    let doc = batch::plan(std::slice::from_ref(loaded), &axes, &args.out)?.remove(0);
    let settings = Settings {
        bleed: args.bleed,
        ..Settings::default()
    };
    let document = Document {
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
    let main_name = doc
        .output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    write_project(out, &project, &document, &main_name)?;
    println!("wrote a Typst project to {}", out.display());
    println!(
        "render it with: typst compile --font-path {0}/fonts --ignore-system-fonts {0}/main.typ",
        out.display()
    );
    Ok(())
}

/// Writes the layouts, the document's data, the brand and the fonts, as the
/// build serves them to Typst.
fn write_project(
    out: &Path,
    project: &Project,
    document: &Document,
    main_name: &str,
) -> Result<(), Error> {
    let write = |rel: &str, bytes: &[u8]| -> Result<(), Error> {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            prepare_dir(dir, "--out")?;
        }
        Ok(write_atomic(&path, bytes)?)
    };
    let layouts = &project.layouts;
    for path in layouts.paths() {
        if let Some(file) = layouts.get(path) {
            write(path, file.bytes.as_slice())?;
        }
    }
    let env = crate::world::Env::new(
        layouts.clone(),
        project.catalogs.clone(),
        &project.brands,
        &project.fonts,
    );
    let DocumentFiles { data, qr, labels } = document_files(
        document,
        Some(fitted_density(&env, document)),
        &project.catalogs,
        &|family| env.book().contains_family(&family.to_lowercase()),
    );
    write("data.json", &data)?;
    write("labels.json", &labels)?;
    // The brand as the build reads it: its data, its images under brand/
    // and its fonts beside the bundled ones.
    let brand = document.brand.and_then(|i| project.brands.get(i));
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
        "// Renders {main_name} with the data in data.json.\n// typst compile --font-path fonts --ignore-system-fonts main.typ\n#include \"{}.typ\"\n",
        document.layout
    );
    write("main.typ", main.as_bytes())?;
    for (name, bytes) in crate::fonts::FONTS {
        write(&format!("fonts/{name}"), bytes)?;
    }
    // `--font-dir` fonts go beside the bundled ones, as the build uses them.
    for font in &project.fonts {
        let name = font
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        write(&format!("fonts/{name}"), font.data.as_slice())?;
    }
    for (name, bytes) in crate::fonts::FONT_LICENSES {
        write(&format!("fonts/{name}"), bytes)?;
    }
    Ok(())
}
