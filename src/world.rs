//! The Typst world: fonts, layout files and one document's data.
//!
//! [`Env`] holds what every document shares (the library, the fonts and the
//! parsed layout sources) and is built once per process. [`DocWorld`] adds
//! one document's data on top and is cheap to create. File ids are created
//! once, for the layout files and a fixed data path, and reused by every
//! document, because Typst interns file ids for the life of the process.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::{FontSource, FontStore};

use crate::brand::{BRAND_DATA_PATH, Brand, NO_BRAND};
use crate::lang::Catalogs;
use crate::layouts::LayoutFiles;

/// The path at which layouts find the document's data: `json("/data.json")`.
pub const DATA_PATH: &str = "/data.json";

/// The path of the document's labels: `json("/labels.json")`.
pub const LABELS_PATH: &str = "/labels.json";

/// At most this many QR codes per document, served at `/qr/<n>.svg`.
pub const MAX_QR: usize = 64;

/// A bundled font, parsed only when a document first uses it.
struct EmbeddedFont {
    data: &'static [u8],
    index: u32,
}

impl FontSource for EmbeddedFont {
    fn load(&self) -> Option<Font> {
        Font::new(Bytes::new(self.data), self.index)
    }
}

/// A brand or `--font-dir` font, read once per build and kept for its
/// whole length.
struct BrandFont {
    data: Bytes,
    index: u32,
}

impl FontSource for BrandFont {
    fn load(&self) -> Option<Font> {
        Font::new(self.data.clone(), self.index)
    }
}

/// A brand as documents read it.
struct BrandFiles {
    data: Bytes,
    files: HashMap<FileId, Bytes>,
}

struct FileSlot {
    bytes: Bytes,
    display: String,
    source: OnceLock<FileResult<Source>>,
}

/// Everything documents share.
pub struct Env {
    library: LazyHash<Library>,
    fonts: FontStore,
    files: HashMap<FileId, FileSlot>,
    data_id: FileId,
    qr_ids: Vec<FileId>,
    brand_id: FileId,
    no_brand: Bytes,
    brands: Vec<BrandFiles>,
    layouts: LayoutFiles,
    labels_id: FileId,
    catalogs: Catalogs,
}

impl Env {
    /// Built once per process; `catalogs` are those of `layouts`, as the
    /// build checked them, and `brands` the build's brands, whose fonts join
    /// the bundled ones after them.
    pub fn new(
        layouts: LayoutFiles,
        catalogs: Catalogs,
        brands: &[Brand],
        extra: &[crate::fonts::FontFile],
    ) -> Self {
        let mut fonts = FontStore::new();
        for (_, data) in crate::fonts::FONTS {
            for (index, info) in FontInfo::iter(data).enumerate() {
                fonts.push((
                    EmbeddedFont {
                        data,
                        index: index as u32,
                    },
                    info,
                ));
            }
        }
        let brands = brands
            .iter()
            .map(|brand| {
                for (_, data) in &brand.fonts {
                    let data = Bytes::new(data.clone());
                    for (index, info) in FontInfo::iter(&data).enumerate() {
                        let font = BrandFont {
                            data: data.clone(),
                            index: index as u32,
                        };
                        fonts.push((font, info));
                    }
                }
                let files = brand
                    .files
                    .iter()
                    .filter_map(|(path, bytes)| {
                        Some((
                            file_id(&format!("/brand/{path}"))?,
                            Bytes::new(bytes.clone()),
                        ))
                    })
                    .collect();
                BrandFiles {
                    data: Bytes::new(brand.data.clone()),
                    files,
                }
            })
            .collect();
        // `--font-dir` fonts come last: layouts list their families, or
        // reach them through fallback.
        for file in extra {
            for (index, info) in FontInfo::iter(&file.data).enumerate() {
                let font = BrandFont {
                    data: file.data.clone(),
                    index: index as u32,
                };
                fonts.push((font, info));
            }
        }
        let mut files = HashMap::new();
        for path in layouts.paths() {
            let file = layouts.get(path).expect("listed path");
            if let Some(id) = file_id(&format!("/{path}")) {
                let slot = FileSlot {
                    bytes: file.bytes.clone(),
                    display: file.display.clone(),
                    source: OnceLock::new(),
                };
                files.insert(id, slot);
            }
        }
        let data_id = file_id(DATA_PATH).expect("valid path");
        let qr_ids = (0..MAX_QR)
            .filter_map(|i| file_id(&format!("/qr/{i}.svg")))
            .collect();
        Self {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            files,
            data_id,
            qr_ids,
            brand_id: file_id(BRAND_DATA_PATH).expect("valid path"),
            no_brand: Bytes::new(NO_BRAND),
            brands,
            layouts,
            labels_id: file_id(LABELS_PATH).expect("valid path"),
            catalogs,
        }
    }

    /// What layouts read of brand `index` at `/brand.json`.
    pub fn brand_data(&self, index: usize) -> Option<&[u8]> {
        self.brands.get(index).map(|b| b.data.as_slice())
    }

    /// A file of brand `index`, by its path as layouts read it
    /// (`/brand/<path>`).
    pub fn brand_file(&self, index: usize, path: &str) -> Option<Vec<u8>> {
        let brand = self.brands.get(index)?;
        Some(brand.files.get(&file_id(path)?)?.to_vec())
    }

    /// The layouts' words in each language.
    pub fn catalogs(&self) -> &Catalogs {
        &self.catalogs
    }

    pub fn layouts(&self) -> &LayoutFiles {
        &self.layouts
    }

    pub fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    /// The file id of a layout's main file, if the layout exists.
    pub fn layout_id(&self, name: &str) -> Option<FileId> {
        let id = file_id(&format!("/{name}.typ"))?;
        self.files.contains_key(&id).then_some(id)
    }

    /// The name to show for a file in messages.
    pub fn display_name(&self, id: FileId) -> String {
        match self.files.get(&id) {
            Some(slot) => slot.display.clone(),
            None if id == self.data_id => "<document data>".into(),
            None if id == self.brand_id => "<brand data>".into(),
            None if id == self.labels_id => "<labels>".into(),
            None => id.vpath().get_without_slash().to_string(),
        }
    }
}

fn file_id(path: &str) -> Option<FileId> {
    Some(RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).ok()?).intern())
}

/// The files a layout reads besides its own: what the render stage made
/// of one document's data.
pub struct DocumentFiles {
    /// `/data.json`.
    pub data: Vec<u8>,
    /// `/qr/<n>.svg`.
    pub qr: Vec<Arc<[u8]>>,
    /// `/labels.json`: the language's catalog with the content's labels.
    pub labels: Arc<[u8]>,
}

/// One document: the shared environment plus this document's data.
pub struct DocWorld<'a> {
    env: &'a Env,
    main: FileId,
    data: Bytes,
    labels: Bytes,
    today: Option<Datetime>,
    /// QR code images, at `/qr/<index>.svg`.
    qr: Vec<Bytes>,
    brand: Option<&'a BrandFiles>,
    /// The layout files the compile read: what the document depends on,
    /// for reusing it while they are unchanged.
    used: Mutex<HashSet<FileId>>,
}

impl<'a> DocWorld<'a> {
    pub fn new(
        env: &'a Env,
        main: FileId,
        files: DocumentFiles,
        today: Option<Datetime>,
        brand: Option<usize>,
    ) -> Self {
        let qr = files.qr.into_iter().map(Bytes::new).collect();
        Self {
            env,
            main,
            data: Bytes::new(files.data),
            labels: Bytes::new(files.labels),
            today,
            qr,
            brand: brand.and_then(|i| env.brands.get(i)),
            used: Mutex::new(HashSet::new()),
        }
    }

    /// The layout files read so far, by their paths in the layout folder.
    /// Typst's caches ask the world again for every file a cached result
    /// read, so a compile that reuses another document's work still names
    /// them all.
    pub fn used_files(&self) -> Vec<String> {
        let used = self.used.lock();
        let mut paths: Vec<String> = used
            .iter()
            .map(|id| id.vpath().get_without_slash().to_string())
            .collect();
        paths.sort();
        paths
    }

    pub fn env(&self) -> &'a Env {
        self.env
    }

    /// The file an image was read from, as messages name it: a brand's
    /// file by its path in the brand's folder, or a layout file.
    pub fn name_of(&self, data: &Bytes) -> Option<String> {
        let brand = self.brand.into_iter().flat_map(|b| &b.files);
        let found = brand.chain(self.env.files.iter().map(|(id, slot)| (id, &slot.bytes)));
        found
            .filter(|(_, bytes)| *bytes == data)
            .map(|(id, _)| {
                let path = id.vpath().get_without_slash().to_string();
                self.env
                    .files
                    .get(id)
                    .map_or(path, |slot| slot.display.clone())
            })
            .next()
    }

    /// The source text of a layout file, for diagnostics.
    pub fn text_of(&self, id: FileId) -> Option<Arc<str>> {
        if id == self.env.data_id {
            return std::str::from_utf8(&self.data).ok().map(Arc::from);
        }
        self.source(id).ok().map(|s| Arc::from(s.text()))
    }
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.env.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.env.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        // Asked for, found or not: a file added later changes the document.
        self.used.lock().insert(id);
        let slot = self.env.files.get(&id).ok_or_else(|| not_found(id))?;
        slot.source
            .get_or_init(|| {
                let text = std::str::from_utf8(&slot.bytes).map_err(|_| FileError::InvalidUtf8)?;
                Ok(Source::new(id, text.to_string()))
            })
            .clone()
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.env.data_id {
            return Ok(self.data.clone());
        }
        if id == self.env.labels_id {
            return Ok(self.labels.clone());
        }
        if let Some(i) = self.env.qr_ids.iter().position(|q| *q == id) {
            return self.qr.get(i).cloned().ok_or_else(|| not_found(id));
        }
        if id == self.env.brand_id {
            return Ok(self
                .brand
                .map_or_else(|| self.env.no_brand.clone(), |b| b.data.clone()));
        }
        if let Some(bytes) = self.brand.and_then(|b| b.files.get(&id)) {
            return Ok(bytes.clone());
        }
        self.used.lock().insert(id);
        let slot = self.env.files.get(&id).ok_or_else(|| not_found(id))?;
        Ok(slot.bytes.clone())
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.env.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

/// Packages are never downloaded and files outside the layout folder do not
/// exist as far as a layout can tell.
fn not_found(id: FileId) -> FileError {
    match id.root() {
        VirtualRoot::Package(_) => FileError::Other(Some(
            "packages are not available: layouts must be self-contained".into(),
        )),
        VirtualRoot::Project => FileError::NotFound(id.vpath().get_with_slash().into()),
    }
}
