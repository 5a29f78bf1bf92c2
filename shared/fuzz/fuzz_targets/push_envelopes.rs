//! Pub/Sub push envelopes: any body is refused or decoded into a job message whose key
//! matches its job, tenant and time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use platform::push::{JobMessage, PushEnvelope, idempotency_key};

fuzz_target!(|data: &[u8]| {
    let Ok(envelope) = serde_json::from_slice::<PushEnvelope>(data) else {
        return;
    };
    if let Ok(message) = JobMessage::decode(envelope) {
        assert_eq!(
            message.idempotency_key,
            idempotency_key(
                &message.job,
                &message.tenant,
                &message.scheduled_for,
                message.subject.as_deref()
            )
        );
    }
});
