//! What a login reads before it trusts anything: email addresses, chosen passwords and API
//! keys. None may panic; an address reads back as itself, and a key only as its own parts.
#![no_main]

use domain::identity::{Email, NewPassword};
use libfuzzer_sys::fuzz_target;
use platform::api_keys::PresentedKey;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(email) = Email::parse(text) {
        assert_eq!(Email::parse(email.as_str()).as_ref(), Ok(&email));
        assert!(email.as_str().len() <= 254);
    }
    let _ = NewPassword::parse(text, None);
    if let Some(key) = PresentedKey::parse(text) {
        assert_eq!(format!("co_{}_{}", key.prefix, key.secret), text);
    }
});
