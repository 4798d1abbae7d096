//! The suppression list: people who unsubscribed or asked not to be
//! emailed, and whole domains. It is checked when drafts are built and
//! again when they are sent, so an address added in between is not mailed.
//! A list that cannot be read in full is an error, never a shorter list.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use super::address::{ascii_domain, normalise};
use crate::diag::{Diagnostic, Span};
use crate::error::Error;

const HINT: &str = "give --suppress a CSV with an `email` column (or `e-mail`, `email address`, `mail`), or one address a line (@domain for a whole domain)";

/// The addresses and domains not to email, each in one form (lower case,
/// domain in IDNA form).
#[derive(Debug, Clone, Default)]
pub struct Suppression {
    addresses: HashSet<String>,
    /// Without the `@`.
    domains: HashSet<String>,
}

impl Suppression {
    /// Reads a CSV with an address column, or one address a line (`#`
    /// starts a comment; `@domain` suppresses a whole domain). Addresses may
    /// be written `Name <address>` or `mailto:address`.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let name = path.display().to_string();
        let problem = |message: String| {
            Error::Content(vec![
                Diagnostic::error(message)
                    .in_file(name.clone())
                    .with_hint(HINT),
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
        let text: Arc<str> = text.trim_start_matches('\u{feff}').into();
        Self::parse(&name, &text).map_err(Error::Content)
    }

    fn parse(name: &str, text: &Arc<str>) -> Result<Self, Vec<Diagnostic>> {
        let at = |start: usize, len: usize, message: String| {
            Diagnostic::error(message)
                .with_span(Span {
                    file: name.to_string(),
                    text: text.clone(),
                    range: start..(start + len.max(1)).min(text.len()),
                })
                .with_hint(HINT)
        };
        let mut list = Self::default();
        let mut errors = Vec::new();
        let first = text.lines().next().unwrap_or_default();
        let delimiter = [b',', b';', b'\t']
            .into_iter()
            .find(|d| first.contains(char::from(*d)));
        match delimiter {
            Some(delimiter) if !first.contains('@') => {
                let header: Vec<&str> = first.split(char::from(delimiter)).collect();
                let Some(column) = header.iter().position(|h| is_address_column(h)) else {
                    return Err(vec![at(
                        0,
                        first.len(),
                        format!(
                            "the header names no address column (it has {})",
                            header
                                .iter()
                                .map(|h| format!("`{}`", h.trim().trim_matches('"')))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )]);
                };
                let mut reader = csv::ReaderBuilder::new()
                    .delimiter(delimiter)
                    .flexible(true)
                    .from_reader(text.as_bytes());
                for row in reader.records() {
                    match row {
                        Ok(row) => {
                            let start = row.position().map_or(0, |p| p.byte() as usize);
                            let value = row.get(column).unwrap_or_default();
                            if let Err(why) = list.add(value) {
                                let len = text[start..].find('\n').unwrap_or(text.len() - start);
                                errors.push(at(start, len, why));
                            }
                        }
                        Err(e) => {
                            let start = e.position().map_or(0, |p| p.byte() as usize);
                            errors.push(at(start, 1, format!("this row cannot be read: {e}")));
                        }
                    }
                }
            }
            _ => {
                let mut start = 0;
                for (n, raw) in text.split_inclusive('\n').enumerate() {
                    let at_line = start;
                    start += raw.len();
                    let line = raw.split('#').next().unwrap_or_default().trim();
                    // A one-column CSV: its header is not an address.
                    if line.is_empty() || (n == 0 && is_address_column(line)) {
                        continue;
                    }
                    if let Err(why) = list.add(line) {
                        errors.push(at(at_line, raw.trim_end().len(), why));
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(list)
        } else {
            Err(errors)
        }
    }

    /// Adds one cell or line; why it holds no address, if it does not.
    fn add(&mut self, value: &str) -> Result<(), String> {
        let value = value.trim();
        if value.is_empty() {
            return Err("this row has no address".into());
        }
        if let Some(domain) = value.strip_prefix('@') {
            if domain.is_empty() || domain.contains(['@', ' ', '<', '>']) {
                return Err(format!("`{value}` is not a domain"));
            }
            self.domains.insert(ascii_domain(domain));
            return Ok(());
        }
        let address = address_in(value);
        match address.rsplit_once('@') {
            Some((local, domain))
                if !local.is_empty()
                    && !domain.is_empty()
                    && !address.contains(char::is_whitespace)
                    && !address.contains(['<', '>']) =>
            {
                self.addresses.insert(normalise(address));
                Ok(())
            }
            _ => Err(format!("`{value}` is not an email address")),
        }
    }

    /// Whether `address` is on the list, or its domain is.
    pub fn contains(&self, address: &str) -> bool {
        let address = normalise(address_in(address));
        if self.addresses.contains(&address) {
            return true;
        }
        address
            .rsplit_once('@')
            .is_some_and(|(_, domain)| self.domains.contains(domain))
    }

    /// How many single addresses the list holds.
    pub fn addresses(&self) -> usize {
        self.addresses.len()
    }

    /// How many whole domains the list holds.
    pub fn domains(&self) -> usize {
        self.domains.len()
    }

    pub fn len(&self) -> usize {
        self.addresses.len() + self.domains.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `Email Address`, `e-mail`, `MAIL`: the column names of common exports,
/// in any case, with spaces, hyphens or underscores.
fn is_address_column(header: &str) -> bool {
    let name: String = header
        .trim()
        .trim_matches('"')
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .collect::<String>()
        .to_lowercase();
    matches!(
        name.as_str(),
        "email" | "emailaddress" | "mail" | "mailaddress" | "emails"
    )
}

/// The address in `Name <address>` or `mailto:address?subject=…`.
fn address_in(value: &str) -> &str {
    let value = value.trim();
    let value = match (value.rfind('<'), value.rfind('>')) {
        (Some(open), Some(close)) if open < close => &value[open + 1..close],
        _ => value,
    };
    let value = value.trim();
    match value.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => {
            value[7..].split('?').next().unwrap_or_default()
        }
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Suppression, Vec<Diagnostic>> {
        Suppression::parse("list", &Arc::from(text))
    }

    #[test]
    fn lines_domains_and_csv() {
        let list = parse("# opted out\nAna@Example.org\n@blocked.example\n\n").unwrap();
        assert!(list.contains("ana@example.org"));
        assert!(list.contains("ANYONE@Blocked.Example"));
        assert!(!list.contains("bo@example.org"));
        assert_eq!(list.len(), 2);
        let csv = parse("name;Email;when\nAna;ana@example.org;2026-11-01\n").unwrap();
        assert!(csv.contains("Ana@example.org"));
        assert!(!csv.contains("ana"));
    }

    #[test]
    fn exports_names_mailto_and_idna() {
        let csv = parse("Email Address,First Name,Last Name\nsean@example.org,Sean,Ó\n").unwrap();
        assert!(csv.contains("Sean@Example.org"));
        for header in ["E-Mail", "MAIL", "email_address", "\"Email Address\""] {
            let list = parse(&format!("{header},x\nana@example.org,1\n")).unwrap();
            assert!(list.contains("ana@example.org"), "{header}");
        }
        let list = parse(
            "Zoë <zoe@example.org>\nmailto:sean@example.org\nMAILTO:ann@example.org?subject=x\n@xn--exmple-cua.org\n",
        )
        .unwrap();
        assert!(list.contains("zoe@example.org"));
        assert!(list.contains("Sean@example.org"));
        assert!(list.contains("ann@example.org"));
        assert!(list.contains("ÜSER@Exämple.org"));
        let unicode = parse("@Exämple.org\nÜser@EXÄMPLE.org\n").unwrap();
        assert!(unicode.contains("anyone@xn--exmple-cua.org"));
        assert_eq!((unicode.addresses(), unicode.domains()), (1, 1));
        let one_column = parse("email\nana@example.org\n").unwrap();
        assert_eq!(one_column.len(), 1);
    }

    #[test]
    fn a_line_or_row_without_an_address_is_an_error_at_its_line() {
        let errors = parse("ana@example.org\nAna Lima\n@\n").unwrap_err();
        assert_eq!(errors.len(), 2);
        let line = |d: &Diagnostic| d.span.as_ref().unwrap().line_column().0;
        assert_eq!((line(&errors[0]), line(&errors[1])), (2, 3));
        let errors = parse("Name,Phone\nAna,123\n").unwrap_err();
        assert!(
            errors[0].message.contains("no address column"),
            "{}",
            errors[0].message
        );
        let errors = parse("name,email\nAna,ana@example.org\nJo,\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(line(&errors[0]), 3);
    }
}
