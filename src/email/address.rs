//! One form for every email address the tool compares or sends to: the
//! send log, the suppression list, headers and the SMTP envelope.

/// A domain in its ASCII (IDNA) form, lower-cased: `Exämple.org` and
/// `xn--exmple-cua.org` are one domain. A value that is not a valid name
/// keeps its ASCII letters, digits, dots and hyphens.
pub fn ascii_domain(domain: &str) -> String {
    match url::Host::parse(domain.trim()) {
        Ok(url::Host::Domain(ascii)) => ascii,
        Ok(ip) => ip.to_string(),
        Err(_) => domain
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
            .collect::<String>()
            .to_ascii_lowercase(),
    }
}

/// The address as comparisons see it: lower case, domain in IDNA form.
pub fn normalise(address: &str) -> String {
    let address = address.trim();
    match address.rsplit_once('@') {
        Some((local, domain)) => format!("{}@{}", local.to_lowercase(), ascii_domain(domain)),
        None => address.to_lowercase(),
    }
}

/// The address as it goes out, in headers and the envelope: the local part
/// as typed, the domain in IDNA form.
pub fn sendable(address: &str) -> String {
    let address = address.trim();
    match address.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", ascii_domain(domain)),
        None => address.to_string(),
    }
}

/// What Message-IDs and unsubscribe tokens hash: lower case, domain in
/// Unicode. Every earlier version hashed the address lower-cased as typed,
/// and a domain typed in Unicode (the only way such an address was sent)
/// hashes the same here, so links already sent keep working; a domain
/// typed in IDNA form now hashes as its Unicode spelling.
pub fn hash_form(address: &str) -> String {
    let address = address.trim();
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let ascii = ascii_domain(domain);
            let (unicode, result) = idna::domain_to_unicode(&ascii);
            let domain = if result.is_ok() {
                unicode
            } else {
                domain.to_lowercase()
            };
            format!("{}@{domain}", local.to_lowercase())
        }
        None => address.to_lowercase(),
    }
}

/// Whether the local part needs SMTPUTF8 (RFC 6531): a domain can always
/// go out in IDNA form, a local part only as it is.
pub fn needs_smtputf8(address: &str) -> bool {
    address
        .rsplit_once('@')
        .is_some_and(|(local, _)| !local.is_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_form_for_case_and_idna() {
        assert_eq!(normalise(" ÜSER@Exämple.org "), "üser@xn--exmple-cua.org");
        assert_eq!(
            normalise("üser@XN--EXMPLE-CUA.org"),
            "üser@xn--exmple-cua.org"
        );
        assert_eq!(normalise("Ana@Example.ORG"), "ana@example.org");
        // ASCII addresses hash as earlier versions did: lower-cased.
        assert_eq!(hash_form("Ana@Example.ORG"), "ana@example.org");
        assert_eq!(hash_form("ÜSER@Exämple.org"), "üser@exämple.org");
        assert_eq!(hash_form("üser@xn--exmple-cua.org"), "üser@exämple.org");
        assert!(needs_smtputf8("üser@example.org"));
        assert!(!needs_smtputf8("user@exämple.org"));
    }
}
