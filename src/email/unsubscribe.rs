//! Unsubscribing: the `List-Unsubscribe` headers that mailbox providers
//! require of bulk mail (RFC 2369, and RFC 8058's one-click POST), a line
//! in the body that a person can read, and a token that ties a link to one
//! address so that no one can unsubscribe someone else by editing it.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::diag::Diagnostic;

/// The environment variable that holds the tokens' secret.
pub const SECRET_VAR: &str = "HANDOUT_UNSUBSCRIBE_SECRET";

/// The placeholder in `--unsubscribe` replaced by each address's token.
pub const TOKEN: &str = "{unsubscribe_token}";

/// The placeholder in `--unsubscribe` replaced by the address itself
/// (lower-cased, percent-encoded), so that a one-click POST, which carries
/// only the link, says whom to unsubscribe.
pub const EMAIL: &str = "{email}";

/// The placeholder for the link in `--body` and `--html-body`, for a
/// template that places the unsubscribe line itself.
pub const URL_PLACEHOLDER: &str = "unsubscribe_url";

/// How people unsubscribe from a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unsubscribe {
    /// An https address, with `{unsubscribe_token}` where the token goes.
    pub url: Option<String>,
    /// An address that unsubscribes whoever writes to it.
    pub mailto: Option<String>,
    /// The tokens' secret; present whenever `url` has the placeholder.
    pub secret: Option<String>,
}

impl Unsubscribe {
    /// Checks `--unsubscribe` and `--unsubscribe-mailto`; the secret comes
    /// from `secret` (the environment). None when neither is given.
    pub fn new(
        url: Option<&str>,
        mailto: Option<&str>,
        secret: Option<String>,
    ) -> Result<Option<Self>, Vec<Diagnostic>> {
        if url.is_none() && mailto.is_none() {
            return Ok(None);
        }
        let mut errors = Vec::new();
        if let Some(url) = url
            && let Some(bad) = url.chars().find(|c| !url_char(*c))
        {
            errors.push(
                Diagnostic::error(format!(
                    "`{}` holds {}, which a link cannot hold",
                    url.escape_debug(),
                    shown(bad)
                ))
                .in_file("--unsubscribe")
                .with_hint("give one https address without spaces or line breaks; percent-encode other characters (a space is %20)"),
            );
        } else if let Some(url) = url {
            let example = url
                .replace(TOKEN, "0123abcd")
                .replace(EMAIL, "a%40b.example");
            let parsed = url::Url::parse(&example);
            if !matches!(&parsed, Ok(u) if u.scheme() == "https" && u.host().is_some()) {
                errors.push(
                    Diagnostic::error(format!("`{url}` is not an https address"))
                        .in_file("--unsubscribe")
                        .with_hint("give the page that unsubscribes, e.g. https://school.example/unsubscribe?t={unsubscribe_token}; one-click unsubscribe needs https"),
                );
            } else if example.contains(['{', '}']) {
                errors.push(
                    Diagnostic::error(format!("`{url}` has a placeholder other than {TOKEN} and {EMAIL}"))
                        .in_file("--unsubscribe")
                        .with_hint(format!("the address may hold {EMAIL} and {TOKEN}, e.g. https://school.example/unsubscribe?e={EMAIL}&t={TOKEN}")),
                );
            }
            if url.contains(TOKEN) && secret.as_deref().is_none_or(|s| s.len() < 16) {
                errors.push(
                    Diagnostic::error(format!(
                        "{SECRET_VAR} is not set, or shorter than 16 characters"
                    ))
                    .in_file("--unsubscribe")
                    .with_hint(format!(
                        "set {SECRET_VAR} to a long random secret that the unsubscribe page also knows, e.g. `openssl rand -hex 32`"
                    )),
                );
            }
        }
        if let Some(mailto) = mailto
            && (mailto.parse::<lettre::Address>().is_err()
                || super::address::needs_smtputf8(mailto)
                || mailto
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "<>,\"".contains(c)))
        {
            errors.push(
                Diagnostic::error(format!("`{mailto}` is not an email address"))
                    .in_file("--unsubscribe-mailto")
                    .with_hint("give an address such as unsubscribe@school.example"),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Some(Self {
            url: url.map(str::to_string),
            mailto: mailto.map(super::address::normalise),
            secret: secret.filter(|_| url.is_some_and(|u| u.contains(TOKEN))),
        }))
    }

    /// The address's token: HMAC-SHA256 of the lower-cased address, in hex.
    pub fn token(&self, address: &str) -> String {
        token(self.secret.as_deref().unwrap_or_default(), address)
    }

    /// The link for one address.
    pub fn url_for(&self, address: &str) -> Option<String> {
        let url = self.url.as_ref()?;
        let email: String =
            url::form_urlencoded::byte_serialize(super::address::hash_form(address).as_bytes())
                .collect();
        Some(
            url.replace(TOKEN, &self.token(address))
                .replace(EMAIL, &email),
        )
    }

    /// The `List-Unsubscribe` value: the link first, then the mailto.
    pub fn header(&self, address: &str) -> String {
        let mut targets = Vec::new();
        if let Some(url) = self.url_for(address) {
            targets.push(format!("<{url}>"));
        }
        if let Some(mailto) = &self.mailto {
            targets.push(format!("<mailto:{mailto}?subject=unsubscribe>"));
        }
        targets.join(", ")
    }

    /// Whether the message may offer one-click unsubscribe (RFC 8058): only
    /// with an https link.
    pub fn one_click(&self) -> bool {
        self.url.is_some()
    }

    /// The line that ends the text body.
    pub fn line(&self, address: &str) -> String {
        match (self.url_for(address), &self.mailto) {
            (Some(url), _) => format!("To stop receiving these emails, unsubscribe here: {url}"),
            (None, Some(mailto)) => format!(
                "To stop receiving these emails, write to {mailto} with the subject \"unsubscribe\"."
            ),
            (None, None) => String::new(),
        }
    }
}

/// What a link may hold as it is (RFC 3986's unreserved and reserved
/// characters, `%` of an escape), and the braces of a placeholder. No
/// space, line break or `<>` that could end the header's `<…>` and add a
/// second address to unsubscribe at.
fn url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%{}".contains(c)
}

/// A character as a person can read it in a message.
fn shown(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\r' | '\n' => "a line break".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

/// HMAC-SHA256 of the lower-cased address under `secret`, in hex: what the
/// unsubscribe page computes again to check a link. A domain is hashed in
/// its Unicode spelling, as earlier versions hashed it (`hash_form`).
pub fn token(secret: &str, address: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(super::address::hash_form(address).as_bytes());
    format!("{:x}", mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a long test secret, 32 characters";

    #[test]
    fn the_token_is_rfc_4231_hmac_sha256_of_the_lower_cased_address() {
        // RFC 4231, test case 2: key "Jefe".
        assert_eq!(
            token("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            token(SECRET, "Ana@Example.org"),
            token(SECRET, "ana@example.org")
        );
        assert_ne!(
            token(SECRET, "ana@example.org"),
            token(SECRET, "bo@example.org")
        );
    }

    #[test]
    fn headers_links_and_checks() {
        let u = Unsubscribe::new(
            Some("https://school.example/u?t={unsubscribe_token}"),
            Some("unsubscribe@school.example"),
            Some(SECRET.into()),
        )
        .unwrap()
        .unwrap();
        let t = token(SECRET, "ana@example.org");
        assert_eq!(
            u.header("ana@example.org"),
            format!(
                "<https://school.example/u?t={t}>, <mailto:unsubscribe@school.example?subject=unsubscribe>"
            )
        );
        assert!(u.one_click());
        let with_address = Unsubscribe::new(
            Some("https://school.example/u?e={email}&t={unsubscribe_token}"),
            None,
            Some(SECRET.into()),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            with_address.url_for("Ana+x@Example.org").unwrap(),
            format!(
                "https://school.example/u?e=ana%2Bx%40example.org&t={}",
                token(SECRET, "ana+x@example.org")
            )
        );
        let errors = |url: &str, secret: Option<&str>| {
            Unsubscribe::new(Some(url), None, secret.map(str::to_string))
                .unwrap_err()
                .len()
        };
        assert_eq!(errors("http://school.example/u", None), 1);
        assert_eq!(
            errors("https://school.example/u?t={token}", Some(SECRET)),
            1
        );
        assert_eq!(
            errors("https://school.example/u?t={unsubscribe_token}", None),
            1
        );
        assert_eq!(
            errors(
                "https://school.example/u?t={unsubscribe_token}",
                Some("short")
            ),
            1
        );
        // Whatever could break the header or add a second target.
        for bad in [
            "https://school.example/u\r\nBcc: x@evil.example",
            "https://school.example/u page",
            "https://school.example/u>, <https://evil.example/",
            "https://school.example/u\u{7f}",
        ] {
            let e = Unsubscribe::new(Some(bad), None, None).unwrap_err();
            assert!(
                e[0].message.contains("which a link cannot hold"),
                "{bad:?}: {}",
                e[0].message
            );
        }
        for bad in [
            "u@school.example>, <https://evil.example/",
            "u@school.example\r\n",
            "u @school.example",
        ] {
            assert!(Unsubscribe::new(None, Some(bad), None).is_err(), "{bad:?}");
        }
        let upper = Unsubscribe::new(None, Some("U@School.Example"), None)
            .unwrap()
            .unwrap();
        assert_eq!(
            upper.header("a@b.example"),
            "<mailto:u@school.example?subject=unsubscribe>"
        );
        let idn = Unsubscribe::new(None, Some("u@école.example"), None)
            .unwrap()
            .unwrap();
        assert_eq!(idn.mailto.as_deref(), Some("u@xn--cole-9oa.example"));
        let mailto_only = Unsubscribe::new(None, Some("u@school.example"), None)
            .unwrap()
            .unwrap();
        assert!(!mailto_only.one_click());
        assert!(Unsubscribe::new(None, Some("not an address"), None).is_err());
        assert_eq!(Unsubscribe::new(None, None, None).unwrap(), None);
    }
}
