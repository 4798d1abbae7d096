//! The suppression list: people who unsubscribed or asked not to be
//! emailed, and whole domains. It is checked when drafts are built and
//! again when they are sent, so an address added in between is not mailed.

use std::collections::HashSet;
use std::path::Path;

use crate::diag::Diagnostic;
use crate::error::Error;

/// The addresses and domains not to email.
#[derive(Debug, Clone, Default)]
pub struct Suppression {
    addresses: HashSet<String>,
    /// Lower-cased, without the `@`.
    domains: HashSet<String>,
}

impl Suppression {
    /// Reads a CSV with an `email` column, or one address a line (`#`
    /// starts a comment; `@domain` suppresses a whole domain).
    pub fn load(path: &Path) -> Result<Self, Error> {
        let problem = |message: String| {
            Error::Content(vec![
                Diagnostic::error(message)
                    .in_file(path.display().to_string())
                    .with_hint("give --suppress a CSV with an `email` column, or one address a line (@domain for a whole domain)"),
            ])
        };
        if let Some(p) = crate::diag::unreadable_input(path, 256 * 1024 * 1024) {
            return Err(problem(format!("cannot use this suppression list: {p}")));
        }
        let bytes = std::fs::read(path).map_err(|e| {
            problem(format!(
                "cannot read the suppression list: {}",
                crate::diag::io_reason(&e, "file")
            ))
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| problem("the suppression list is not valid UTF-8".into()))?;
        Self::parse(text.trim_start_matches('\u{feff}')).map_err(problem)
    }

    fn parse(text: &str) -> Result<Self, String> {
        let mut list = Self::default();
        let first = text.lines().next().unwrap_or_default();
        let delimiter = [b',', b';', b'\t']
            .into_iter()
            .find(|d| first.contains(char::from(*d)));
        let header = first
            .split([',', ';', '\t'])
            .map(|h| h.trim().trim_matches('"').to_ascii_lowercase())
            .collect::<Vec<_>>();
        if let Some(column) = header.iter().position(|h| h == "email") {
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter.unwrap_or(b','))
                .flexible(true)
                .from_reader(text.as_bytes());
            for (n, row) in reader.records().enumerate() {
                let row = row.map_err(|e| format!("line {}: {e}", n + 2))?;
                if let Some(value) = row.get(column) {
                    list.add(value);
                }
            }
        } else {
            for line in text.lines() {
                let line = line.split('#').next().unwrap_or_default();
                list.add(line);
            }
        }
        Ok(list)
    }

    fn add(&mut self, value: &str) {
        let value = value.trim().to_lowercase();
        if let Some(domain) = value.strip_prefix('@') {
            if !domain.is_empty() {
                self.domains.insert(domain.to_string());
            }
        } else if !value.is_empty() {
            self.addresses.insert(value);
        }
    }

    /// Whether `address` is on the list, or its domain is.
    pub fn contains(&self, address: &str) -> bool {
        let address = address.trim().to_lowercase();
        if self.addresses.contains(&address) {
            return true;
        }
        address
            .rsplit_once('@')
            .is_some_and(|(_, domain)| self.domains.contains(domain))
    }

    pub fn len(&self) -> usize {
        self.addresses.len() + self.domains.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_domains_and_csv() {
        let list =
            Suppression::parse("# opted out\nAna@Example.org\n@blocked.example\n\n").unwrap();
        assert!(list.contains("ana@example.org"));
        assert!(list.contains("ANYONE@Blocked.Example"));
        assert!(!list.contains("bo@example.org"));
        assert_eq!(list.len(), 2);
        let csv = Suppression::parse("name;Email;when\nAna;ana@example.org;2026-11-01\n").unwrap();
        assert!(csv.contains("Ana@example.org"));
        assert!(!csv.contains("ana"));
    }
}
