//! Login and token verification benchmark. Fixed workload, over real sockets on the embedded
//! store: one signed-up tenant; 20 logins one after another (argon2id with OWASP's
//! parameters dominates each), then 8 at once (the hashing is bounded per instance); and
//! access-token verification in process, first-seen (signature checked) and repeated (the
//! verified-token cache). Prints medians and rates.
//!
//!     cargo bench -p identity --bench login

use std::time::{Duration, Instant};

use platform::testing::spawn_app;
use serde_json::json;

const LOGINS: usize = 20;
const TOKENS: usize = 2_000;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main]
async fn main() {
    let app = spawn_app(identity::router(), platform::HttpConfig::default()).await;
    let http = reqwest::Client::new();
    let password = "correct horse battery";
    let signup =
        json!({"company": "Bench", "name": "Ana", "email": "ana@bench.ch", "password": password});
    let reply = http
        .post(app.url("/v1/signup"))
        .json(&signup)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let login = json!({"email": "ana@bench.ch", "password": password});

    let mut times = Vec::new();
    for _ in 0..LOGINS {
        let started = Instant::now();
        let reply = http
            .post(app.url("/v1/auth/login"))
            .json(&login)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
        reply.bytes().await.unwrap();
        times.push(started.elapsed());
    }
    println!(
        "login, one at a time: median {:.1} ms over {LOGINS}",
        ms(median(times))
    );

    let started = Instant::now();
    let burst: Vec<_> = (0..8)
        .map(|_| {
            let (http, url, login) = (http.clone(), app.url("/v1/auth/login"), login.clone());
            tokio::spawn(async move { http.post(url).json(&login).send().await.unwrap().status() })
        })
        .collect();
    for task in burst {
        assert_eq!(task.await.unwrap(), 200);
    }
    println!(
        "login, 8 at once: {:.1} ms for all 8",
        ms(started.elapsed())
    );

    // Failures from many addresses, and 4 per account at most, so no lockout answers first.
    for (label, email) in [
        ("a wrong password", "ana@bench.ch"),
        ("an unknown email", "nobody@bench.ch"),
    ] {
        let mut times = Vec::new();
        for i in 0..4 {
            let wrong = json!({"email": email, "password": "not the password"});
            let started = Instant::now();
            let reply = http
                .post(app.url("/v1/auth/login"))
                .header("x-forwarded-for", format!("192.0.2.{i}"))
                .json(&wrong)
                .send()
                .await
                .unwrap();
            assert_eq!(reply.status(), 401);
            reply.bytes().await.unwrap();
            times.push(started.elapsed());
        }
        println!(
            "login with {label}: median {:.1} ms over 4",
            ms(median(times))
        );
    }

    let verifier = &app.state.verifier;
    let tokens: Vec<String> = (0..TOKENS)
        .map(|i| {
            app.issuer.token(
                "bench",
                &format!("u{i}"),
                platform::Role::Dispatcher,
                chrono::Duration::minutes(15),
            )
        })
        .collect();
    let started = Instant::now();
    for token in &tokens {
        verifier.verify(token).unwrap();
    }
    let first = started.elapsed();
    let started = Instant::now();
    for token in &tokens {
        verifier.verify(token).unwrap();
    }
    let again = started.elapsed();
    let rate = |d: Duration| TOKENS as f64 / d.as_secs_f64();
    println!(
        "token verification, first seen (EdDSA signature): {:.0}/s; seen before (cache): {:.0}/s",
        rate(first),
        rate(again)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
