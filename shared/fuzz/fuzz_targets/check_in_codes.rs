//! Check-in codes: any text names an area only if this tenant's key signed it, and every
//! code issued reads back as its area.
#![no_main]

use libfuzzer_sys::fuzz_target;
use platform::signing::{Signer, check_in_code, verify_check_in_code};

fuzz_target!(|data: &[u8]| {
    let signer = Signer::from_bytes(&[7; 32]).unwrap();
    let tenant = domain::TenantId::parse_external("acme").unwrap();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(area) = verify_check_in_code(&signer, &tenant, text) {
        assert_eq!(
            verify_check_in_code(&signer, &tenant, &check_in_code(&signer, &tenant, &area)),
            Some(area)
        );
    }
    if domain::id::parse_id(text).is_ok() {
        let code = check_in_code(&signer, &tenant, text);
        assert_eq!(
            verify_check_in_code(&signer, &tenant, &code).as_deref(),
            Some(text)
        );
        let other = domain::TenantId::parse_external("globex").unwrap();
        assert_eq!(verify_check_in_code(&signer, &other, &code), None);
    }
});
