//! Editing on the page, in headless Chromium as staff do it: click a
//! sentence, type, Ctrl+Enter, and the YAML file gets exactly that change;
//! the same from the keyboard alone.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use common::serve::Serve;
use common::webdriver::Browser;
use common::*;
use serde_json::json;

/// Marks the first traced run whose text is `text` with the id `target`.
fn mark(b: &Browser, text: &str) {
    b.wait_for(
        &format!("a run {text:?}"),
        "const s = [...document.querySelectorAll('.text span')].find(s => s.textContent.trim().startsWith(arguments[0]) && s.dataset.src !== undefined); if (!s) return false; document.querySelectorAll('#target').forEach(t => t.removeAttribute('id')); s.id = 'target'; return true;",
        json!([text]),
    );
}

/// Clicks the first traced run that starts with `text`, finding it again
/// if the page redrew in between.
fn click_text(b: &Browser, text: &str) {
    for _ in 0..20 {
        mark(b, text);
        if b.try_click("#target") {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("could not click {text:?}");
}

#[test]
fn a_title_edited_on_the_page_changes_only_its_scalar_in_the_file() {
    let Some(browser) = Browser::start() else {
        return not_checked("chromium and chromedriver are not installed");
    };
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("page.yaml");
    std::fs::copy(root().join(SEED), &yaml).unwrap();
    let before = std::fs::read_to_string(&yaml).unwrap();
    let serve = Serve::start(&[yaml.to_str().unwrap()]);
    let b = &browser;
    b.open(&serve.url);
    b.wait_for(
        "the pages",
        "return document.body.dataset.state === 'ok'",
        json!([]),
    );

    click_text(b, "AI Engineer vs ML Engineer");
    b.wait_for(
        "the editor, focused, holding the title",
        "const f = document.getElementById('edit-value'); return !document.getElementById('editor').hidden && document.activeElement === f && f.value === 'AI Engineer vs ML Engineer'",
        json!([]),
    );
    assert_eq!(serious_violations(b), Vec::<String>::new());

    let title = "'Quoted': AI # vs ML, é";
    let drawn = b.run("return window.handoutDrawn.length", json!([]));
    b.type_into("#edit-value", true, title);
    b.type_into("#edit-value", false, "\u{E009}\u{E007}\u{E000}");
    b.wait_for(
        "the saved title drawn",
        "return window.handoutDrawn.length > arguments[0] && [...document.querySelectorAll('.text span')].some(s => s.textContent.includes('AI # vs ML'))",
        json!([drawn]),
    );
    let after = std::fs::read_to_string(&yaml).unwrap();
    let parsed: serde_yaml::Value = serde_yaml::from_str(&after).unwrap();
    assert_eq!(parsed["title"].as_str(), Some(title));
    let changed: Vec<_> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(before.lines().count(), after.lines().count());

    // The picture in the README: an edit on the page, the editor open
    // (written only when asked, with HANDOUT_DOCS_SHOT=1).
    if std::env::var_os("HANDOUT_DOCS_SHOT").is_some() {
        click_text(b, "An AI Engineer works with");
        b.wait_for(
            "the editor",
            "return document.activeElement.id === 'edit-value'",
            json!([]),
        );
        std::fs::write(root().join("docs/serve-edit.png"), b.screenshot()).unwrap();
    }

    // The keyboard alone: focus the traced subtitle, Enter, type, Ctrl+Enter.
    mark(b, "Modern AI Systems or Classical ML Engineering?");
    b.run("document.getElementById('target').focus()", json!([]));
    b.type_into("#target", false, "\u{E007}");
    b.wait_for(
        "the editor for the subtitle",
        "return document.activeElement.id === 'edit-value' && document.getElementById('edit-value').value.startsWith('Modern AI')",
        json!([]),
    );
    b.type_into(
        "#edit-value",
        true,
        "Which one fits you?\u{E009}\u{E007}\u{E000}",
    );
    b.wait_for(
        "the subtitle saved",
        "return document.getElementById('edit-message').textContent.startsWith('Saved')",
        json!([]),
    );
    let parsed: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&yaml).unwrap()).unwrap();
    assert_eq!(parsed["subtitle"].as_str(), Some("Which one fits you?"));

    // Undo from the page puts the subtitle back.
    b.click("#edit-undo");
    b.wait_for(
        "the undo",
        "return document.getElementById('edit-message').textContent.includes('undone')",
        json!([]),
    );
    let parsed: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&yaml).unwrap()).unwrap();
    assert_eq!(
        parsed["subtitle"].as_str(),
        Some("Modern AI Systems or Classical ML Engineering?")
    );

    // An FAQ entry added after the first, from the editor of its answer:
    // the page shows the placeholder question, and the file still checks.
    click_text(b, "Yes. A strong ML");
    b.wait_for(
        "the entry's actions",
        "return !document.getElementById('list-actions').hidden",
        json!([]),
    );
    let drawn = b.run("return window.handoutDrawn.length", json!([]));
    b.click("#list-actions button[data-op=add]");
    b.wait_for(
        "the new entry drawn",
        "return window.handoutDrawn.length > arguments[0] && [...document.querySelectorAll('.text span')].some(s => s.textContent.includes('A question readers ask?'))",
        json!([drawn]),
    );
    assert_ok(&handout(&[&"check", &yaml]));
    // The editor now holds the new entry's answer, ready to fill in.
    b.wait_for(
        "the new entry's answer in the editor",
        "return document.activeElement.id === 'edit-value' && document.getElementById('edit-value').value === 'Its answer.'",
        json!([]),
    );
    std::fs::write(dir.path().join("editor.png"), b.screenshot()).unwrap();
}

/// A folded (`>-`) and a literal (`|`) block edited on the page keep their
/// styles, and the comments around them stay.
#[test]
fn block_scalars_edited_on_the_page_keep_their_style_and_comments() {
    let Some(browser) = Browser::start() else {
        return not_checked("chromium and chromedriver are not installed");
    };
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("page.yaml");
    let seed = std::fs::read_to_string(root().join(SEED)).unwrap();
    let literal = seed.replacen(
        "    - question: Can an ML Engineer become an AI Engineer later\n      answer: >-\n        Yes. A strong ML engineering foundation can transfer well into AI\n        engineering once modern GenAI and LLM system patterns are added.\n",
        "    # The last question, kept short.\n    - question: Can an ML Engineer become an AI Engineer later\n      answer: |\n        Yes. A strong ML engineering foundation transfers well.\n        Add modern GenAI and LLM system patterns.\n",
        1,
    );
    assert_ne!(literal, seed);
    std::fs::write(&yaml, &literal).unwrap();
    let serve = Serve::start(&[yaml.to_str().unwrap()]);
    let b = &browser;
    b.open(&serve.url);
    b.wait_for(
        "the pages",
        "return document.body.dataset.state === 'ok'",
        json!([]),
    );

    let save = |start: &str, text: &str| {
        click_text(b, start);
        b.wait_for(
            "the editor",
            "return document.activeElement.id === 'edit-value'",
            json!([]),
        );
        b.type_into("#edit-value", true, text);
        b.type_into("#edit-value", false, "\u{E009}\u{E007}\u{E000}");
        b.wait_for(
            "the save",
            "return document.getElementById('edit-message').textContent.startsWith('Saved')",
            json!([]),
        );
        std::fs::read_to_string(&yaml).unwrap()
    };
    let folded = "A new summary of both roles, long enough to be folded over more than one line in the file.";
    let after = save("An AI Engineer works with", folded);
    assert!(
        after.contains("summary: >-\n  A new summary"),
        "{}",
        &after[..500]
    );
    let literal_text = "Yes, often.\nStart with LLM system patterns.";
    b.wait_for(
        "the redraw",
        "return document.body.dataset.state === 'ok'",
        json!([]),
    );
    let after = save("Yes. A strong ML engineering", literal_text);
    assert!(
        after.contains("    # The last question, kept short.\n    - question: Can an ML Engineer become an AI Engineer later\n      answer: |-\n        Yes, often.\n        Start with LLM system patterns.\n"),
        "{}",
        &after[after.len() - 400..]
    );
    let parsed: serde_yaml::Value = serde_yaml::from_str(&after).unwrap();
    assert_eq!(parsed["summary"].as_str(), Some(folded));
    assert_eq!(
        parsed["faq"]["entries"][3]["answer"].as_str(),
        Some(literal_text)
    );
    assert_eq!(after.matches('#').count(), literal.matches('#').count());
}
