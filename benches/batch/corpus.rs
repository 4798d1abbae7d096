//! The content the benchmark renders: variants of the seed, with shared or
//! distinct text, and lists of recipients.

use std::path::{Path, PathBuf};

pub const SEED: &str = include_str!("../../content/ai-engineer-vs-ml-engineer.yaml");

/// The seed's goals, and the empty string for the generic handout.
pub const GOALS: [&str; 4] = [
    "",
    "modern-ai-systems",
    "predictive-models",
    "production-ml",
];

/// Writes `files` variants of the seed, each with its own id and title.
/// With `distinct`, every sentence of each file also gets its own wording.
pub fn synthesize(dir: &Path, name: &str, files: usize, distinct: bool) -> PathBuf {
    let dir = dir.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..files {
        let yaml = SEED
            .replace(
                "id: ai-engineer-vs-ml-engineer",
                &format!("id: comparison-{i:04}"),
            )
            .replace(
                "title: AI Engineer vs ML Engineer",
                &format!("title: AI Engineer vs ML Engineer, edition {i}"),
            )
            .replace(
                "3 learner profiles",
                &format!("{} learner profiles", 3 + i % 7),
            )
            // A real-looking site, so that no placeholder warning is printed.
            .replace("https://example.com/", "https://www.handout-bench.test/");
        let yaml = if distinct {
            let mut value: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap();
            reword(&mut value, i);
            serde_yaml::to_string(&value).unwrap()
        } else {
            yaml
        };
        std::fs::write(dir.join(format!("comparison-{i:04}.yaml")), yaml).unwrap();
    }
    dir
}

/// Changes every sentence (a string with a space; ids, dates and addresses
/// have none) in a way that is different for each `n`.
fn reword(value: &mut serde_yaml::Value, n: usize) {
    use serde_yaml::Value;
    match value {
        Value::String(s) if s.contains(' ') => {
            *s = s.replacen(' ', &format!(" {} ", WORDS[n % WORDS.len()]), 1);
            *s = format!("{s} ({n})");
        }
        Value::Sequence(items) => items.iter_mut().for_each(|v| reword(v, n)),
        Value::Mapping(map) => map.values_mut().for_each(|v| reword(v, n)),
        _ => {}
    }
}

const WORDS: [&str; 7] = [
    "often", "usually", "mostly", "today", "broadly", "still", "now",
];

/// Writes a recipients CSV of `n` people, their goals in turn.
pub fn recipients(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join(format!("people-{n}.csv"));
    let mut csv = String::from("name,email,goal\n");
    for i in 0..n {
        csv += &format!(
            "Learner Number {i},learner{i}@example.org,{}\n",
            GOALS[i % GOALS.len()]
        );
    }
    std::fs::write(&path, csv).unwrap();
    path
}

/// The seed alone, with a real-looking site.
pub fn seed(dir: &Path) -> PathBuf {
    let path = dir.join("seed.yaml");
    let yaml = SEED.replace("https://example.com/", "https://www.handout-bench.test/");
    std::fs::write(&path, yaml).unwrap();
    path
}
