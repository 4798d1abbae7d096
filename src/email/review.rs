//! The review sheet, `outbox.html`: what a campaign sends, one row per
//! draft (who, which subject, page 1, the files), and who gets nothing and
//! why, for a person to look over before `handout send`. It is one file
//! that opens from disk, with no script and nothing fetched.

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

/// One draft, with paths relative to the sheet's folder.
pub struct Row {
    pub name: String,
    pub address: String,
    pub subject: String,
    /// The message's text, as the person reads it.
    pub body: String,
    pub pdf: String,
    pub eml: String,
    /// The message's HTML body, as a page.
    pub html: String,
    /// The picture of page 1.
    pub picture: Option<String>,
}

/// A recipient who gets no draft.
pub struct Left {
    pub line: usize,
    pub name: String,
    pub reason: String,
}

/// The sheet's HTML.
pub fn html(title: &str, rows: &[Row], left: &[Left]) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p>{} to send, {} without one. Open a PDF or a draft to read it in full; <code>handout send</code> sends exactly these drafts.</p>\n",
        text(title),
        text(title),
        crate::diag::count(rows.len(), "draft", "drafts"),
        left.len()
    );
    out.push_str("<table>\n<thead><tr><th>#</th><th>Page 1</th><th>To</th><th>Subject</th><th>Files</th></tr></thead>\n<tbody>\n");
    for (i, r) in rows.iter().enumerate() {
        let picture = r
            .picture
            .as_deref()
            .map(|p| {
                format!(
                    "<a href=\"{0}\"><img src=\"{1}\" alt=\"Page 1 of the handout for {2}\" width=\"150\"></a>",
                    attr(&r.pdf),
                    attr(p),
                    attr(&r.name)
                )
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "<tr class=\"draft\"><td>{}</td><td>{picture}</td><td>{}<br><span class=\"address\">{}</span></td><td>{}<details><summary>Message</summary><iframe src=\"{}\" title=\"The message to {}\" width=\"360\" height=\"640\" sandbox></iframe><details><summary>Plain text</summary><pre>{}</pre></details></details></td><td><a href=\"{}\">PDF</a> · <a href=\"{}\">message</a> · <a href=\"{}\">draft</a></td></tr>\n",
            i + 1,
            text(&r.name),
            text(&r.address),
            text(&r.subject),
            attr(&r.html),
            attr(&r.name),
            text(&r.body),
            attr(&r.pdf),
            attr(&r.html),
            attr(&r.eml),
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    if !left.is_empty() {
        out.push_str("<h2>No draft</h2>\n<table>\n<thead><tr><th>Line</th><th>Name</th><th>Why</th></tr></thead>\n<tbody>\n");
        for l in left {
            out.push_str(&format!(
                "<tr class=\"left\"><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                l.line,
                text(&l.name),
                text(&l.reason)
            ));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2328}\n\
table{border-collapse:collapse;width:100%}\n\
th,td{border-bottom:1px solid #d0d7de;padding:.5rem;text-align:left;vertical-align:top}\n\
img{border:1px solid #d0d7de}\n\
.address{color:#57606a}\n\
pre{white-space:pre-wrap;font:inherit;max-width:40rem}\n\
summary{cursor:pointer;color:#0b57d0}\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_escaped() {
        let rows = [Row {
            name: "<b>Jo</b>".into(),
            address: "jo@example.org".into(),
            subject: "A & B \"quoted\"".into(),
            body: "Dear <Jo>".into(),
            pdf: "x\".pdf".into(),
            eml: "x.eml".into(),
            html: "x.html".into(),
            picture: Some("x.preview.jpg".into()),
        }];
        let html = html("T <i>", &rows, &[]);
        assert!(html.contains("&lt;b&gt;Jo&lt;/b&gt;"));
        assert!(html.contains("A &amp; B \"quoted\""));
        assert!(html.contains("Dear &lt;Jo&gt;"));
        assert!(html.contains("href=\"x&quot;.pdf\""));
        assert!(!html.contains("<i>"));
    }
}
