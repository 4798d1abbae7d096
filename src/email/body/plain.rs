//! HTML for a body the user wrote: their text as paragraphs, and the foot
//! (unsubscribe and postal address) added to their HTML.

/// Text as simple HTML: a paragraph per blank-line block, a line break per
/// line, every character escaped; then page 1's picture and the foot.
pub fn text_page(lang: &str, title: &str, text: &str, thumbnail: &str, footer: &str) -> String {
    let mut body = String::new();
    for block in text.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        let lines: Vec<String> = block
            .lines()
            .map(|l| html_escape::encode_text(l).into_owned())
            .collect();
        body.push_str(&format!("<p>{}</p>\n", lines.join("<br>\n")));
    }
    if !thumbnail.is_empty() {
        body.push_str(&format!("<p>{thumbnail}</p>\n"));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n<body style=\"font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2328;background-color:#ffffff\">\n{body}{footer}</body>\n</html>\n",
        html_escape::encode_double_quoted_attribute(lang),
        html_escape::encode_text(title)
    )
}

/// The unsubscribe and postal paragraphs of an HTML body; empty without
/// either.
pub fn html_footer(link: Option<&str>, postal: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(link) = link {
        out.push_str(&format!(
            "<p style=\"font-size:13px;color:#57606a\">To stop receiving these emails, <a href=\"{}\">unsubscribe here</a>.</p>\n",
            html_escape::encode_double_quoted_attribute(link)
        ));
    }
    if let Some(postal) = postal {
        out.push_str(&format!(
            "<p style=\"font-size:13px;color:#57606a\">{}</p>\n",
            html_escape::encode_text(postal)
        ));
    }
    out
}

/// `html` with `footer` before `</body>`, or at the end.
pub fn with_footer(html: &str, footer: &str) -> String {
    if footer.is_empty() {
        return html.to_string();
    }
    match html.to_ascii_lowercase().rfind("</body>") {
        Some(at) => format!("{}{footer}{}", &html[..at], &html[at..]),
        None => format!("{html}{footer}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_into_paragraphs() {
        let html = text_page(
            "en",
            "T",
            "Hi <b>Ana</b> & co,\nline two\n\nBye",
            "<img>",
            "",
        );
        assert!(html.contains(
            "<p>Hi &lt;b&gt;Ana&lt;/b&gt; &amp; co,<br>\nline two</p>\n<p>Bye</p>\n<p><img></p>\n"
        ));
    }
}
