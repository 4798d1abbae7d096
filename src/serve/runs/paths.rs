//! Paths from the page: each must lie in the project folder, as written
//! and after following links, so that a page cannot make the server write
//! or read elsewhere.

use std::path::{Component, Path, PathBuf};

/// The project folder, as given and as the file system resolves it.
#[derive(Debug, Clone)]
pub struct Root {
    /// As on the command line (`.` for the current folder): paths shown in
    /// the command line a run stands for start from it.
    given: PathBuf,
    resolved: PathBuf,
}

impl Root {
    /// The folder holding the first content folder (or the content file's
    /// folder): where `content/` and `out/` sit side by side.
    pub fn of_content(content: &[PathBuf]) -> Self {
        let first = content.first().cloned().unwrap_or_default();
        let folder = if first.is_dir() {
            first.parent().map(Path::to_path_buf)
        } else {
            first.parent().and_then(Path::parent).map(Path::to_path_buf)
        };
        let given = match folder {
            Some(f) if !f.as_os_str().is_empty() => f,
            _ => PathBuf::from("."),
        };
        let resolved = given.canonicalize().unwrap_or_else(|_| given.clone());
        Self { given, resolved }
    }

    /// `typed` from the page, as a path to give `handout build`, or why it
    /// cannot be used. `what` names the field in the message.
    pub fn inside(&self, typed: &str, what: &str) -> Result<PathBuf, String> {
        let outside = || {
            format!(
                "{what} `{typed}` is outside the project folder {}: give a folder inside it, such as `out`",
                self.given.display()
            )
        };
        let typed_path = Path::new(typed.trim());
        if typed.trim().is_empty() {
            return Err(format!("{what} is empty: give a folder, such as `out`"));
        }
        let mut parts = Vec::new();
        for part in typed_path.components() {
            match part {
                Component::Normal(p) => parts.push(p.to_os_string()),
                Component::CurDir => {}
                Component::ParentDir if !parts.is_empty() => {
                    parts.pop();
                }
                _ => return Err(outside()),
            }
        }
        let mut path = self.given.clone();
        path.extend(&parts);
        // A link inside may point outside: the deepest part that exists is
        // resolved and checked again.
        let mut existing = self.resolved.clone();
        existing.extend(&parts);
        let mut probe = existing.as_path();
        while !probe.exists() {
            match probe.parent() {
                Some(p) => probe = p,
                None => break,
            }
        }
        match probe.canonicalize() {
            Ok(real) if real.starts_with(&self.resolved) => Ok(tidy(path)),
            _ => Err(outside()),
        }
    }

    /// A path under the root as the page shows it: relative to the root.
    pub fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.given)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    pub fn given(&self) -> &Path {
        &self.given
    }
}

/// `./out` as `out`.
fn tidy(path: PathBuf) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_project_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        let root = Root::of_content(&[dir.path().join("content")]);
        assert_eq!(
            root.inside("out", "the output folder").unwrap(),
            dir.path().join("out")
        );
        assert!(root.inside("out/a/../b", "x").is_ok());
        for bad in ["../x", "/tmp", "a/../../x", ""] {
            assert!(root.inside(bad, "x").is_err(), "{bad}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/tmp", dir.path().join("link")).unwrap();
            assert!(root.inside("link/out", "x").is_err());
        }
    }
}
