//! The YAML paths whose values differ between two content files, written
//! as the loader names them: `faq.entries[2].answer`.

use serde_yaml::Value;

/// Paths of values changed, added or removed, in document order.
pub fn changed_paths(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(before, after, String::new(), &mut out);
    out
}

fn walk(a: &Value, b: &Value, path: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Mapping(x), Value::Mapping(y)) => {
            for (key, va) in x {
                let name = key_name(key);
                let child = join(&path, &name);
                match y.get(key) {
                    Some(vb) => walk(va, vb, child, out),
                    None => out.push(child),
                }
            }
            for key in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(join(&path, &key_name(key)));
            }
        }
        (Value::Sequence(x), Value::Sequence(y)) => {
            for i in 0..x.len().max(y.len()) {
                let child = format!("{path}[{i}]");
                match (x.get(i), y.get(i)) {
                    (Some(va), Some(vb)) => walk(va, vb, child, out),
                    _ => out.push(child),
                }
            }
        }
        (Value::Tagged(x), Value::Tagged(y)) if x.tag == y.tag => {
            walk(&x.value, &y.value, path, out)
        }
        _ if a != b => out.push(if path.is_empty() {
            "(the whole file)".into()
        } else {
            path
        }),
        _ => {}
    }
}

fn key_name(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_changed_added_and_removed_values() {
        let a: Value = serde_yaml::from_str(
            "title: A\nfaq:\n  entries:\n    - {question: Q1, answer: one}\n    - {question: Q2, answer: two}\nold: 1\n",
        )
        .unwrap();
        let b: Value = serde_yaml::from_str(
            "title: A\nfaq:\n  entries:\n    - {question: Q1, answer: one}\n    - {question: Q2, answer: too}\n    - {question: Q3, answer: three}\nnew: 2\n",
        )
        .unwrap();
        assert_eq!(
            changed_paths(&a, &b),
            ["faq.entries[1].answer", "faq.entries[2]", "old", "new"]
        );
        assert!(changed_paths(&a, &a).is_empty());
    }
}
