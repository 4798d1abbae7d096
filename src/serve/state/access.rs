//! The server's secret token, which every request but the page itself
//! carries.

use super::State;

impl State {
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Compares in time that does not depend on where they differ.
    pub fn token_matches(&self, given: &str) -> bool {
        let (a, b) = (self.token.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}
