//! The brand.yml file as written, following Posit's brand.yml specification
//! (<https://posit-dev.github.io/brand-yml/>). Every key the specification
//! defines is accepted, so a school's existing file works; the ones this
//! program does not use are typed loosely and listed in one note.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_yaml::Value;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrandFile {
    pub meta: Option<Meta>,
    pub logo: Option<Logo>,
    pub color: Option<Color>,
    pub typography: Option<Typography>,
    /// Settings for other tools (Quarto, Shiny, Bootstrap); not used here.
    #[schemars(with = "Option<serde_json::Value>")]
    pub defaults: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// The organisation's name; fills the content's `organisation.name`
    /// when the content has none.
    pub name: Option<Name>,
    /// The organisation's address; fills `organisation.url` when the
    /// content has no organisation.
    pub link: Option<MetaLink>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Name {
    Plain(String),
    Parts(NameParts),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NameParts {
    pub full: Option<String>,
    pub short: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum MetaLink {
    Plain(String),
    Links(Links),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Links {
    pub home: Option<String>,
    pub mastodon: Option<String>,
    pub github: Option<String>,
    pub linkedin: Option<String>,
    pub bluesky: Option<String>,
    pub twitter: Option<String>,
    pub facebook: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Logo {
    /// One logo for every size.
    Path(String),
    Sizes(Box<LogoSizes>),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoSizes {
    /// Named images that `small`, `medium` and `large` may refer to.
    #[serde(default)]
    pub images: BTreeMap<String, Image>,
    /// Used on the flyer.
    pub small: Option<LogoRef>,
    /// Used on the handout's cover.
    pub medium: Option<LogoRef>,
    pub large: Option<LogoRef>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Image {
    Path(String),
    WithAlt(ImageWithAlt),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageWithAlt {
    pub path: String,
    pub alt: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum LogoRef {
    /// A name from `images`, or a path.
    Name(String),
    /// Handouts are printed on white paper: `light` is used.
    Modes(LightDark),
    WithAlt(ImageWithAlt),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LightDark {
    pub light: Option<Image>,
    pub dark: Option<Image>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Color {
    /// Named colours that the other entries may refer to.
    #[serde(default)]
    pub palette: BTreeMap<String, String>,
    /// Body text.
    pub foreground: Option<String>,
    /// The page in the email edition; print stays on white paper.
    pub background: Option<String>,
    /// The first option's accent.
    pub primary: Option<String>,
    /// The second option's accent.
    pub secondary: Option<String>,
    /// The third option's accent.
    pub tertiary: Option<String>,
    /// Quiet backgrounds: takeaways and table stripes.
    pub light: Option<String>,
    /// Body text when `foreground` is not given.
    pub dark: Option<String>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub success: Option<Value>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub info: Option<Value>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub warning: Option<Value>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub danger: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Typography {
    #[serde(default)]
    pub fonts: Vec<Font>,
    pub base: Option<TextStyle>,
    pub headings: Option<TextStyle>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub monospace: Option<Value>,
    #[serde(rename = "monospace-inline")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub monospace_inline: Option<Value>,
    #[serde(rename = "monospace-block")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub monospace_block: Option<Value>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub link: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Font {
    pub family: String,
    /// `file` is read; `google` (the default), `bunny` and `system` are
    /// never fetched.
    pub source: Option<String>,
    #[serde(default)]
    pub files: Vec<FontFile>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub weight: Option<Value>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub style: Option<Value>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub display: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FontFile {
    Path(String),
    Described(FontFileEntry),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FontFileEntry {
    pub path: String,
    #[schemars(with = "Option<serde_json::Value>")]
    pub weight: Option<Value>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub style: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum TextStyle {
    Family(String),
    Styled(Box<StyleParts>),
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StyleParts {
    pub family: Option<String>,
    /// 100 to 900, or a name such as `bold`.
    #[schemars(with = "Option<serde_json::Value>")]
    pub weight: Option<Value>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub style: Option<Value>,
    /// In points, e.g. `10pt`; sizes in `px`, `em` or `rem` are for screens
    /// and are not used.
    #[schemars(with = "Option<serde_json::Value>")]
    pub size: Option<Value>,
    #[serde(rename = "line-height")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub line_height: Option<Value>,
    pub color: Option<String>,
    #[serde(rename = "background-color")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub background_color: Option<Value>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub decoration: Option<Value>,
}

impl TextStyle {
    pub fn parts(&self) -> StyleParts {
        match self {
            TextStyle::Family(f) => StyleParts {
                family: Some(f.clone()),
                ..StyleParts::default()
            },
            TextStyle::Styled(p) => (**p).clone(),
        }
    }
}
