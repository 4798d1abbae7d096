//! A draft's headers as `handout send` reads and edits them: the
//! Message-ID and `To:` lookups, the new Date header and the CRLF line
//! ends, on arbitrary bytes. Never a panic.
#![no_main]

use handout::email::send::{header, with_crlf, with_date};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = header(data, "message-id");
    let _ = header(data, "to");
    if let Some(dated) = with_date(data, "Wed, 2 Dec 2026 10:00:00 +0000") {
        assert!(header(&dated, "date").is_some());
        let _ = with_crlf(&dated);
    }
    let crlf = with_crlf(data);
    assert!(!crlf.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'));
    assert!(!(crlf.first() == Some(&b'\n')));
});
