//! What the page's controls offer: the files, goals, layouts, papers and
//! recipients of the project as last read.

use serde_json::{Value, json};

use super::State;

impl State {
    /// The content files and what can be chosen for each, with the errors
    /// of the last read.
    pub fn overview(&self) -> String {
        let (generation, ready, errors) = self.snapshot();
        let files: Vec<Value> = ready
            .as_ref()
            .map(|r| {
                r.files
                    .iter()
                    .map(|f| match *f {
                        Ok(i) => {
                            let l = &r.project.contents[i];
                            let goals: Vec<Value> = l
                                .content
                                .goals()
                                .map(|g| json!({"id": g.id, "label": g.goal}))
                                .collect();
                            json!({"name": l.name, "title": l.content.title, "goals": goals})
                        }
                        Err(j) => {
                            let name = &r.project.unusable[j].name;
                            json!({"name": name, "title": "(has errors)", "goals": []})
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let recipients: Vec<Value> = ready
            .as_ref()
            .and_then(|r| r.project.recipients.as_ref())
            .map(|people| people.rows.iter().map(|p| json!(p.name)).collect())
            .unwrap_or_default();
        let layouts = ready
            .as_ref()
            .map(|r| r.project.layouts.names().iter().map(|n| json!(n)).collect())
            .unwrap_or_else(Vec::new);
        json!({
            "generation": generation,
            "files": files,
            "layouts": layouts,
            "papers": ["a4", "us-letter", "a5", "half-letter"],
            "editions": ["print", "email"],
            "recipients": recipients,
            "errors": errors,
        })
        .to_string()
    }
}
