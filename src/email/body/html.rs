//! The HTML body, written as MJML and rendered by mrml into the tables,
//! inline styles and media queries that mail clients need: one column at
//! 320 pixels, the message 600 pixels wide on larger screens. No remote
//! resource, script or web font; every value is escaped.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::{Facts, LOGO_CID, Look};

/// The body as HTML.
pub fn html(f: &Facts, look: &Look) -> String {
    let mjml = mjml(f, look);
    let options = mrml::prelude::render::RenderOptions {
        disable_comments: true,
        // Without this, every font family used would be linked from the
        // web.
        fonts: Default::default(),
        ..Default::default()
    };
    // The layout is ours and always parses; should it not, the plain
    // layout below still says everything.
    mrml::parse(&mjml)
        .ok()
        .and_then(|parsed| parsed.element.render(&options).ok())
        .unwrap_or_else(|| fallback(f))
}

fn mjml(f: &Facts, l: &Look) -> String {
    let mut m = String::new();
    head(&mut m, f, l);
    band(&mut m, f, l);
    message(&mut m, f, l);
    foot(&mut m, f, l);
    m.push_str("</mj-body></mjml>");
    m
}

/// The language, direction, title, preheader and defaults; the body's start.
fn head(m: &mut String, f: &Facts, l: &Look) {
    let align = if f.rtl { "right" } else { "left" };
    let _ = write!(
        *m,
        r#"<mjml lang="{lang}" dir="{dir}"><mj-head><mj-title>{subject}</mj-title><mj-preview>{preheader}</mj-preview><mj-attributes><mj-all font-family="Helvetica, Arial, sans-serif"></mj-all><mj-text font-size="16px" line-height="24px" color="{ink}" align="{align}" padding="0 24px 12px"></mj-text><mj-image align="{align}"></mj-image><mj-button align="{align}"></mj-button><mj-section padding="0"></mj-section></mj-attributes></mj-head><mj-body background-color="{page}" width="600px">"#,
        lang = attr(&f.lang),
        dir = if f.rtl { "rtl" } else { "ltr" },
        subject = text(&f.subject),
        preheader = text(&f.preheader),
        ink = l.ink,
        page = l.page,
    );
}

/// The band: the logo and the organisation's name.
fn band(m: &mut String, f: &Facts, l: &Look) {
    let _ = write!(
        *m,
        r#"<mj-section background-color="{}" padding="16px 0 12px"><mj-column>"#,
        l.primary
    );
    if let Some((_, width)) = &l.logo {
        let alt = l.logo_alt.as_deref().unwrap_or(&f.organisation);
        let _ = write!(
            m,
            r#"<mj-image src="cid:{LOGO_CID}" alt="{}" width="{width}px" height="40px" padding="0 24px 8px"></mj-image>"#,
            attr(alt)
        );
    }
    if !f.organisation.is_empty() {
        let _ = write!(
            m,
            r#"<mj-text color="{}" font-size="18px" font-weight="bold" padding="0 24px">{}</mj-text>"#,
            l.on_primary,
            text(&f.organisation)
        );
    }
    m.push_str("</mj-column></mj-section>");
}

/// Who it is for, what it is, the recommendation or the short answer, the
/// button, the event, page 1 and the sign-off. Each `mj-text` costs a table
/// cell of markup: related lines share one.
fn message(m: &mut String, f: &Facts, l: &Look) {
    let _ = write!(
        *m,
        r#"<mj-section background-color="{card}" padding="24px 0 4px"><mj-column><mj-text><div style="font-size:13px;color:{muted}">{prepared}</div><div style="font-size:22px;line-height:28px;font-weight:bold;margin:4px 0 12px">{title}</div><div>{intro}</div></mj-text></mj-column></mj-section>"#,
        card = l.card,
        muted = l.muted,
        prepared = text(&f.prepared_for),
        title = text(&f.title),
        intro = text(&f.intro),
    );
    // The reader's goal and our recommendation, or the short answer.
    let panel = match (&f.goal, &f.short_answer) {
        (Some(g), _) => {
            let mut body = format!("<div><em>{}</em></div>", text(&g.goal));
            let _ = write!(
                body,
                r#"<div style="font-size:18px;font-weight:bold;margin-top:12px">{}</div>"#,
                text(&g.recommended)
            );
            if let Some(why) = &g.why {
                let _ = write!(body, r#"<div style="margin-top:8px">{}</div>"#, text(why));
            }
            Some((&g.label, body))
        }
        (None, Some((label, answer))) => Some((label, format!("<div>{}</div>", text(answer)))),
        (None, None) => None,
    };
    if let Some((label, body)) = panel {
        let _ = write!(
            m,
            r#"<mj-section background-color="{tint}" padding="16px 0 4px"><mj-column><mj-text><div style="font-size:13px;color:{muted};margin-bottom:4px">{label}</div>{body}</mj-text></mj-column></mj-section>"#,
            tint = l.tint,
            muted = l.muted,
            label = text(label),
        );
    }
    let _ = write!(
        *m,
        r#"<mj-section background-color="{}" padding="16px 0 8px"><mj-column>"#,
        l.card
    );
    if let Some((words, url)) = &f.button {
        let _ = write!(
            m,
            r#"<mj-button href="{url}" background-color="{bg}" color="{fg}" font-size="16px" font-weight="bold" inner-padding="12px 20px" padding="0 24px 16px">{words}</mj-button>"#,
            url = attr(url),
            bg = l.primary,
            fg = l.on_primary,
            words = text(words),
        );
    }
    if let Some(e) = &f.event {
        let _ = write!(
            m,
            "<mj-text><strong>{}</strong><br>{}<br>{}<br>{}</mj-text>",
            text(&e.label),
            text(&e.name),
            text(&e.date),
            text(&e.place)
        );
    }
    if let Some((src, alt)) = &f.picture {
        let _ = write!(
            m,
            r#"<mj-image src="{}" alt="{}" width="300px" border="1px solid {}" padding="4px 24px 12px"></mj-image>"#,
            attr(src),
            attr(alt),
            l.rule
        );
    }
    let _ = write!(
        *m,
        r#"<mj-text><div>{}</div><div style="margin-top:12px">{}<br>{}</div></mj-text></mj-column></mj-section>"#,
        text(&f.attachment),
        text(&f.sign_off),
        text(&f.team)
    );
}

/// The foot: unsubscribe and the postal address.
fn foot(m: &mut String, f: &Facts, l: &Look) {
    if f.unsubscribe.is_some() || f.postal.is_some() {
        let _ = write!(
            m,
            r#"<mj-section background-color="{}" padding="16px 0"><mj-column>"#,
            l.page
        );
        if let Some(u) = &f.unsubscribe {
            let _ = write!(
                m,
                r#"<mj-text font-size="13px" line-height="20px" color="{muted}">{before}<a href="{url}" style="color:{muted};text-decoration:underline">{link}</a>{after}</mj-text>"#,
                muted = l.muted,
                before = text(&u.before),
                url = attr(&u.url),
                link = text(&u.link_text),
                after = text(&u.after),
            );
        }
        if let Some(postal) = &f.postal {
            let _ = write!(
                m,
                r#"<mj-text font-size="13px" line-height="20px" color="{}">{}</mj-text>"#,
                l.muted,
                text(postal)
            );
        }
        m.push_str("</mj-column></mj-section>");
    }
}

/// The plain text in paragraphs, should the layout not render.
fn fallback(f: &Facts) -> String {
    let body: String = f
        .text()
        .split("\n\n")
        .map(|b| format!("<p>{}</p>\n", text(b).replace('\n', "<br>\n")))
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n<body>\n{body}</body>\n</html>\n",
        attr(&f.lang),
        if f.rtl { "rtl" } else { "ltr" },
        text(&f.subject)
    )
}
