//! Feed tokens: any text names a tenant and a feed only if signed for them, and every token
//! issued reads back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use platform::signing::{Signer, feed_token, verify_feed_token};

fuzz_target!(|data: &[u8]| {
    let signer = Signer::from_bytes(&[9; 32]).unwrap();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some((tenant, id)) = verify_feed_token(&signer, text) {
        assert_eq!(feed_token(&signer, &tenant, &id), text);
    }
    let tenant = domain::TenantId::parse_external("acme").unwrap();
    if domain::id::parse_id(text).is_ok() {
        let token = feed_token(&signer, &tenant, text);
        assert_eq!(
            verify_feed_token(&signer, &token),
            Some((tenant, text.to_owned()))
        );
    }
});
