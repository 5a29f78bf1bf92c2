//! The local cloud: every cleanops function in one process on `127.0.0.1`, on the embedded
//! store, with tokens from a local key. Each function keeps the routes it has on Cloud Run;
//! functions own distinct `/v1/...` prefixes, so they compose at one origin.
//!
//! # Layout
//! - this file: the command line, and the server of every function with the bucket;
//! - [`delivery`]: Pub/Sub push delivery in process; [`scheduler`]: Cloud Scheduler in
//!   process; [`operator`]: `cleanops run JOB`; [`simulator`]: `cleanops simulate-sensors`.

pub mod delivery;
pub mod operator;
pub mod scheduler;
pub mod simulator;

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use catalog::Catalog;
use platform::auth::TokenIssuer;
use platform::logging::{self, LogFormat};
use platform::push::PushVerifier;
use platform::routes::Routes;
use platform::{AppState, HttpConfig, Role, SystemClock};

/// The audience and identity of pushes inside the local cloud.
pub const LOCAL_PUSH_AUDIENCE: &str = "cleanops-local-push";
pub const LOCAL_PUSH_ACCOUNT: &str = "local-pusher@cleanops.local";

/// The router of each function crate, by its catalog name. A function is added here when
/// its crate is added to `functions/` and to the catalog.
pub fn router_of(name: &str) -> Option<fn() -> Routes> {
    match name {
        "sites" => Some(sites::router),
        "calendars" => Some(calendars::router),
        "tours" => Some(tours::router),
        "planning" => Some(planning::router),
        "planning-worker" => Some(planning_worker::router),
        "simulation-worker" => Some(simulation_worker::router),
        "fanout" => Some(fanout::router),
        "jobs" => Some(jobs::router),
        "workload-report" => Some(workload_report::router),
        "identity" => Some(identity::router),
        "billing" => Some(billing::router),
        "billing-run" => Some(billing_run::router),
        "documents" => Some(documents::router),
        "sensors" => Some(sensors::router),
        "demand-worker" => Some(demand_worker::router),
        "notifications" => Some(notifications::router),
        "notifications-worker" => Some(notifications_worker::router),
        "cockpit" => Some(cockpit::router),
        _ => None,
    }
}

/// Every function the catalog lists, as one router (functions own distinct route prefixes).
/// The cockpit serves the document of the API the others make up, as built from their routes
/// (the cloud's is the committed one: `tests/openapi.rs` keeps the two the same).
pub fn functions(catalog: &Catalog) -> Result<Routes, String> {
    let api = api_functions(catalog)?;
    let document = platform::api::SpecJson::new(api.openapi().clone());
    Ok(api.merge(cockpit::serving(document.json().clone())))
}

/// Every function of the catalog but the cockpit: the API.
fn api_functions(catalog: &Catalog) -> Result<Routes, String> {
    catalog
        .functions
        .iter()
        .filter(|function| function.name != "cockpit")
        .try_fold(Routes::new(), |router, function| {
            let routes = router_of(&function.name).ok_or_else(|| {
                format!(
                    "the catalog lists {}, but the local cloud has no such function",
                    function.name
                )
            })?;
            Ok(router.merge(routes()))
        })
}

/// The API's OpenAPI document, as JSON: every function's routes, merged.
pub fn openapi_json(catalog: &Catalog) -> Result<String, String> {
    let api = api_functions(catalog)?;
    let document = platform::api::SpecJson::new(api.openapi().clone());
    Ok(String::from_utf8_lossy(document.json()).into_owned())
}

const USAGE: &str = "\
cleanops: the local cloud

USAGE:
    cleanops [serve] [--host ADDR] [--port N] [--data-dir DIR]
        Serves every function on http://ADDR:N (default 127.0.0.1; 0.0.0.0 lets a
        phone on the same network reach it; port: $PORT, else 8080), keeping data
        in DIR (default: $CLEANOPS_DATA_DIR, else .cleanops).
    cleanops run JOB [--tenant T] [--at TIME] [--host ADDR] [--port N] [--data-dir DIR] [--wait S]
        Runs a scheduled job of the catalog now, through the fan-out and the push
        path, as its latest tick (or the RFC 3339 TIME) would, for every active
        tenant or T alone; waits up to S seconds (default 60) for each tenant's
        record. A second run of the same tick has no second effect.
    cleanops rotate-keys [--data-dir DIR | --keyring FILE] [--at TIME]
        Rotates the token issuer's keys: the key published ahead starts signing,
        the signing key stays published until its last token has expired (16
        minutes), a new next key is published. The running local cloud picks the
        change up. --keyring rotates a key ring file instead (the cloud's
        CLEANOPS_ISSUER_KEY secret: add the file as its new version), creating it
        when missing. --at rotates as of an RFC 3339 TIME.
    cleanops openapi
        Prints the API's OpenAPI 3.1 document (every function's routes), the one
        functions/cockpit/openapi.json holds and the cockpit's client is made from.
    cleanops simulate-sensors --tenant T --site S [--rate R] [--hours H] [--host ADDR] [--port N] [--data-dir DIR]
        Feeds the running local cloud realistic sensor readings for site S of tenant
        T: a people counter per room (registered when missing), the last H hours
        (default 12) replayed as a working day from 06:00 at R simulated minutes a
        second (default 60): busy washroom mornings, a quiet afternoon, meeting
        rooms used twice. Demand
        cleanings show on the cockpit's sensor page and the cleaners' sheets.
    cleanops token --tenant T --role R [--user U] [--customer C] [--hours H] [--data-dir DIR]
        Prints a bearer token signed by the local key (roles: admin, dispatcher,
        cleaner, customer; valid H hours, default 12). The customer role needs
        --customer: the customerId of the sites it may see.
";

#[derive(Debug, PartialEq)]
enum Command {
    Serve {
        host: IpAddr,
        port: u16,
        data_dir: PathBuf,
    },
    Run {
        request: operator::RunRequest,
        data_dir: PathBuf,
    },
    SimulateSensors {
        simulation: simulator::Simulation,
        data_dir: PathBuf,
    },
    Token {
        tenant: String,
        role: Role,
        user: String,
        customer: Option<String>,
        hours: i64,
        data_dir: PathBuf,
    },
    RotateKeys {
        /// A key ring file; else the data dir's.
        keyring: Option<PathBuf>,
        data_dir: PathBuf,
        at: Option<chrono::DateTime<chrono::Utc>>,
    },
    OpenApi,
    Help,
}

/// `--host` (default loopback) and `--port` (default `$PORT`, else 8080).
fn address(args: &mut Arguments) -> Result<(IpAddr, u16), String> {
    let host = match args.take("host") {
        Some(raw) => raw
            .parse()
            .map_err(|_| format!("--host: expected an IP address such as 0.0.0.0, got {raw:?}"))?,
        None => IpAddr::V4(Ipv4Addr::LOCALHOST),
    };
    let port = match args.take("port").or_else(|| std::env::var("PORT").ok()) {
        Some(raw) => raw
            .parse()
            .map_err(|_| format!("--port: expected a port number, got {raw:?}"))?,
        None => 8080,
    };
    Ok((host, port))
}

/// A command's `--name value` (or `--name=value`) options and its other arguments.
struct Arguments {
    options: std::collections::BTreeMap<String, String>,
    positional: Vec<String>,
}

impl Arguments {
    fn read(raw: &[String]) -> Result<Self, String> {
        let (mut options, mut positional) = (std::collections::BTreeMap::new(), Vec::new());
        let mut iter = raw.iter();
        while let Some(flag) = iter.next() {
            let Some(name) = flag.strip_prefix("--") else {
                positional.push(flag.clone());
                continue;
            };
            let (name, value) = match name.split_once('=') {
                Some((n, v)) => (n.to_owned(), v.to_owned()),
                None => {
                    let value = iter
                        .next()
                        .ok_or_else(|| format!("--{name} needs a value"))?;
                    (name.to_owned(), value.clone())
                }
            };
            options.insert(name, value);
        }
        Ok(Self {
            options,
            positional,
        })
    }

    fn take(&mut self, name: &str) -> Option<String> {
        self.options.remove(name)
    }

    /// Refuses arguments past the first `count`.
    fn at_most(&self, count: usize) -> Result<(), String> {
        match self.positional.get(count) {
            Some(extra) => Err(format!("unexpected argument {extra:?}")),
            None => Ok(()),
        }
    }

    fn data_dir(&mut self) -> PathBuf {
        self.take("data-dir")
            .map_or_else(store::data_dir, PathBuf::from)
    }

    /// What is left is a mistake.
    fn finish(self, command: Command) -> Result<Command, String> {
        match self.options.keys().next() {
            Some(unknown) => Err(format!("unknown option --{unknown}")),
            None => Ok(command),
        }
    }
}

fn parse(args: &[String]) -> Result<Command, String> {
    let (command, rest) = match args.first().map(String::as_str) {
        Some("token") => ("token", &args[1..]),
        Some("serve") => ("serve", &args[1..]),
        Some("run") => ("run", &args[1..]),
        Some("simulate-sensors") => ("simulate-sensors", &args[1..]),
        Some("rotate-keys") => ("rotate-keys", &args[1..]),
        Some("-h" | "--help" | "help") => return Ok(Command::Help),
        Some("openapi") if args.len() == 1 => return Ok(Command::OpenApi),
        _ => ("serve", args),
    };
    let mut args = Arguments::read(rest)?;
    let command = match command {
        "serve" => parse_serve(&mut args)?,
        "run" => parse_run(&mut args)?,
        "simulate-sensors" => parse_simulation(&mut args)?,
        "rotate-keys" => {
            args.at_most(0)?;
            Command::RotateKeys {
                keyring: args.take("keyring").map(PathBuf::from),
                at: parse_at(&mut args)?,
                data_dir: args.data_dir(),
            }
        }
        _ => parse_token(&mut args)?,
    };
    args.finish(command)
}

fn parse_serve(args: &mut Arguments) -> Result<Command, String> {
    args.at_most(0)?;
    let (host, port) = address(args)?;
    Ok(Command::Serve {
        host,
        port,
        data_dir: args.data_dir(),
    })
}

fn parse_run(args: &mut Arguments) -> Result<Command, String> {
    let job = args
        .positional
        .first()
        .cloned()
        .ok_or("run needs the JOB to run")?;
    args.at_most(1)?;
    let (host, port) = address(args)?;
    // A server bound to every interface is reached on loopback.
    let host = if host.is_unspecified() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host
    };
    let at = parse_at(args)?;
    let wait = match args.take("wait") {
        Some(raw) => raw
            .parse::<u64>()
            .ok()
            .filter(|s| (1..=3600).contains(s))
            .ok_or("--wait: expected 1 to 3600 seconds")?,
        None => 60,
    };
    let request = operator::RunRequest {
        job,
        tenant: args.take("tenant"),
        at,
        base_url: format!("http://{}", SocketAddr::new(host, port)),
        wait: std::time::Duration::from_secs(wait),
    };
    Ok(Command::Run {
        request,
        data_dir: args.data_dir(),
    })
}

fn parse_simulation(args: &mut Arguments) -> Result<Command, String> {
    args.at_most(0)?;
    let tenant = args
        .take("tenant")
        .ok_or("simulate-sensors needs --tenant")?;
    domain::TenantId::parse_external(&tenant).map_err(|e| format!("--tenant {e}"))?;
    let site = args.take("site").ok_or("simulate-sensors needs --site")?;
    domain::id::parse_id(&site).map_err(|e| format!("--site {e}"))?;
    let number =
        |name: &str, raw: Option<String>, default: u32, range: std::ops::RangeInclusive<u32>| {
            raw.map_or(Ok(default), |raw| {
                raw.parse::<u32>()
                    .ok()
                    .filter(|n| range.contains(n))
                    .ok_or(format!(
                        "--{name}: expected {} to {}",
                        range.start(),
                        range.end()
                    ))
            })
        };
    let rate = number("rate", args.take("rate"), 60, 1..=1440)?;
    let hours = number("hours", args.take("hours"), 12, 1..=168)?;
    let (host, port) = address(args)?;
    let host = if host.is_unspecified() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host
    };
    Ok(Command::SimulateSensors {
        simulation: simulator::Simulation {
            tenant,
            site,
            rate,
            hours,
            base_url: format!("http://{}", SocketAddr::new(host, port)),
        },
        data_dir: args.data_dir(),
    })
}

/// `--at`: an RFC 3339 time.
fn parse_at(args: &mut Arguments) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    args.take("at")
        .map(|raw| {
            chrono::DateTime::parse_from_rfc3339(&raw)
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|_| format!("--at: expected an RFC 3339 time, got {raw:?}"))
        })
        .transpose()
}

fn parse_token(args: &mut Arguments) -> Result<Command, String> {
    args.at_most(0)?;
    let tenant = args.take("tenant").ok_or("token needs --tenant")?;
    domain::TenantId::parse_external(&tenant).map_err(|e| format!("--tenant {e}"))?;
    let role = args
        .take("role")
        .ok_or("token needs --role")?
        .parse()
        .map_err(|e| format!("--role: {e}"))?;
    let user = args.take("user").unwrap_or_else(|| "local-user".into());
    domain::UserId::parse(&user).map_err(|e| format!("--user {e}"))?;
    let customer = args.take("customer");
    match (&role, &customer) {
        (Role::Customer, None) => return Err("the customer role needs --customer".into()),
        (Role::Customer, Some(c)) => {
            domain::id::parse_id(c).map_err(|e| format!("--customer {e}"))?;
        }
        (_, Some(_)) => return Err("--customer is for the customer role only".into()),
        (_, None) => {}
    }
    let hours = match args.take("hours") {
        Some(raw) => raw
            .parse()
            .ok()
            .filter(|h| (1..=24 * 30).contains(h))
            .ok_or("--hours: expected 1 to 720")?,
        None => 12,
    };
    Ok(Command::Token {
        tenant,
        role,
        user,
        customer,
        hours,
        data_dir: args.data_dir(),
    })
}

/// The process entry point (see `main.rs`).
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match parse(&args) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            Ok(())
        }
        Ok(Command::OpenApi) => Catalog::get()
            .map_err(|e| e.to_string())
            .and_then(openapi_json)
            .map(|json| println!("{json}")),
        Ok(Command::Token {
            tenant,
            role,
            user,
            customer,
            hours,
            data_dir,
        }) => runtime()
            .and_then(|runtime| runtime.block_on(register_tenant(&data_dir, &tenant)))
            .and_then(|()| {
                TokenIssuer::load_or_create(&data_dir).map(|issuer| {
                    println!(
                        "{}",
                        issuer.token_with_customer(
                            &tenant,
                            &user,
                            role,
                            customer.as_deref(),
                            chrono::Duration::hours(hours)
                        )
                    )
                })
            }),
        Ok(Command::Serve {
            host,
            port,
            data_dir,
        }) => runtime().and_then(|runtime| runtime.block_on(serve(host, port, data_dir))),
        Ok(Command::Run { request, data_dir }) => runtime().and_then(|runtime| {
            runtime.block_on(async {
                logging::init(LogFormat::from_env().map_err(|e| e.to_string())?, None);
                operator::run(request, &data_dir).await
            })
        }),
        Ok(Command::SimulateSensors {
            simulation,
            data_dir,
        }) => runtime().and_then(|runtime| runtime.block_on(simulator::run(simulation, &data_dir))),
        Ok(Command::RotateKeys {
            keyring,
            data_dir,
            at,
        }) => {
            let at = at.unwrap_or_else(chrono::Utc::now);
            match keyring {
                Some(file) => TokenIssuer::rotate_file(&file, None, at),
                None => TokenIssuer::rotate_in(&data_dir, at),
            }
            .map(|report| println!("{report}"))
        }
        Err(message) => Err(format!("{message}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cleanops: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The bucket's signed URLs, served as Cloud Storage serves them: to any origin (the URL is
/// the permission), so a cockpit opened at `localhost` uploads to `127.0.0.1`.
fn bucket_router(bucket: Arc<blobs::disk::DiskBlobs>) -> axum::Router {
    use axum::http::{HeaderName, Method, header};
    blobs::disk::router(bucket).layer(
        tower_http::cors::CorsLayer::new()
            .allow_origin(tower_http::cors::Any)
            .allow_methods([Method::GET, Method::PUT, Method::HEAD])
            .allow_headers([header::CONTENT_TYPE, HeaderName::from_static("x-goog-hash")]),
    )
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

/// A tenant that gets a token exists: it is registered (active) so scheduled work includes it.
async fn register_tenant(data_dir: &std::path::Path, tenant: &str) -> Result<(), String> {
    let store: Arc<dyn domain::store::DocumentStore> = Arc::new(
        store::EmbeddedStore::open(data_dir.join("store.sqlite3")).map_err(|e| e.to_string())?,
    );
    let tenant = domain::TenantId::parse_external(tenant).map_err(|e| format!("--tenant {e}"))?;
    platform::tenants::register(&store, &tenant, chrono::Utc::now())
        .await
        .map_err(|e| e.to_string())
}

async fn serve(host: IpAddr, port: u16, data_dir: PathBuf) -> Result<(), String> {
    // Before anything is printed: a SIGTERM from then on stops the server gracefully.
    let shutdown = platform::shutdown_signal();
    logging::init(LogFormat::from_env().map_err(|e| e.to_string())?, None);
    let issuer = TokenIssuer::load_or_create(&data_dir)?;
    let store =
        store::EmbeddedStore::open(data_dir.join("store.sqlite3")).map_err(|e| e.to_string())?;
    let embedded: Arc<dyn domain::store::DocumentStore> = Arc::new(store);
    // Locally, a query without a declared Firestore index fails as it would in the cloud. (The
    // local topic and scheduler below are local-only and read the embedded store directly.)
    let store = Arc::new(store::indexes::IndexCheckedStore::new(embedded.clone()));
    // Local pushes are signed with the local key, as the local topic will sign them.
    let push = PushVerifier::new(
        &issuer.jwks(),
        &issuer.issuer,
        LOCAL_PUSH_AUDIENCE,
        LOCAL_PUSH_ACCOUNT,
    )?;
    let hint = format!(
        "log in (POST /v1/auth/login), or run `cargo run --release -- token --tenant T --role R \
         --data-dir {}`: this server's key is in that data dir",
        data_dir.display()
    );
    // Bound first: the bucket's signed URLs name the address the local cloud serves them at.
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(host, port))
        .await
        .map_err(|e| format!("cannot listen on {host}:{port}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let bucket = Arc::new(
        blobs::disk::DiskBlobs::open(&data_dir.join("blobs"), &format!("http://{address}"))
            .map_err(|e| e.to_string())?,
    );
    let state = AppState {
        store: store.clone(),
        verifier: Arc::new(issuer.verifier().with_unknown_key_hint(hint)),
        push: Some(Arc::new(push)),
        publisher: Some(Arc::new(platform::local_topic::LocalTopic::new(
            store.clone(),
        ))),
        clock: Arc::new(SystemClock),
        signer: Some(Arc::new(platform::signing::Signer::load_or_create(
            &data_dir,
        )?)),
        issuer: Some(Arc::new(issuer.clone())),
        api_keys: Arc::default(),
        blobs: Some(bucket.clone()),
    };
    let http = HttpConfig::from_env().map_err(|e| e.to_string())?;
    let catalog = Catalog::get().map_err(|e| e.to_string())?;
    let app = platform::app(functions(catalog)?, state, &http).merge(bucket_router(bucket));
    if !host.is_loopback() {
        tracing::warn!(
            %host,
            "listening beyond loopback: anyone on this network can reach the local cloud, \
             which signs tokens with a development key"
        );
    }
    let data = data_dir.display();
    // A closed stdout (a detached terminal) must not stop the server.
    let fleet: Vec<String> = catalog
        .functions
        .iter()
        .map(|f| format!("  {:<16} {}", f.name, f.routes.join(" ")))
        .collect();
    let _ = writeln!(
        std::io::stdout(),
        "cleanops local cloud listening on http://{address}  (data: {data})\n{}\n\
         the cockpit:  open http://{address}/ in a browser, sign up, and follow its first steps\n\
         the API:      http://{address}/v1/openapi.json describes every route\n\
         sign up:      curl -s http://{address}/v1/signup -H 'Content-Type: application/json' \
         -d '{{\"company\": \"Demo\", \"name\": \"Ana\", \"email\": \"ana@demo.example\", \"password\": \"correct horse battery\"}}'\n\
         log in:       POST http://{address}/v1/auth/login {{email, password}} (README, \"A first session, with curl\")\n\
         a developer token:  cargo run --release -- token --tenant demo --role admin --data-dir {data}",
        fleet.join("\n")
    );
    let base_url = format!("http://{address}");
    let issuer = Arc::new(issuer);
    let deliverer = delivery::Deliverer::new(
        embedded.clone(),
        delivery::subscriptions(catalog, &base_url),
        issuer.clone(),
        LOCAL_PUSH_AUDIENCE,
        LOCAL_PUSH_ACCOUNT,
    );
    tokio::spawn(Arc::new(deliverer).run(std::time::Duration::from_millis(250)));
    let scheduler = scheduler::Scheduler::new(
        embedded,
        scheduler::schedules(catalog, &base_url),
        issuer,
        LOCAL_PUSH_AUDIENCE,
        LOCAL_PUSH_ACCOUNT,
    );
    tokio::spawn(Arc::new(scheduler).run(std::time::Duration::from_secs(1)));
    platform::serve(listener, app, &http, shutdown)
        .await
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(raw: &str) -> Vec<String> {
        raw.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_a_run_of_a_job() {
        let Command::Run { request, .. } = parse(&args(
            "run workload-report --tenant acme --port 9000 --host 0.0.0.0 --at 2026-12-01T01:00:00Z",
        ))
        .unwrap() else {
            panic!("a run")
        };
        assert_eq!(request.job, "workload-report");
        assert_eq!(request.tenant.as_deref(), Some("acme"));
        assert_eq!(request.base_url, "http://127.0.0.1:9000");
        assert_eq!(request.at, Some("2026-12-01T01:00:00Z".parse().unwrap()));
        assert_eq!(request.wait, std::time::Duration::from_secs(60));
    }

    #[test]
    fn parses_both_commands_and_refuses_nonsense() {
        assert_eq!(
            parse(&args("--port 9000 --data-dir /tmp/x")).unwrap(),
            Command::Serve {
                host: IpAddr::V4(Ipv4Addr::LOCALHOST),
                port: 9000,
                data_dir: "/tmp/x".into()
            }
        );
        assert!(matches!(
            parse(&args("serve --host 0.0.0.0 --port 9000")).unwrap(),
            Command::Serve { host, .. } if host.is_unspecified()
        ));
        let token = parse(&args(
            "token --tenant acme --role cleaner --hours=2 --data-dir d",
        ))
        .unwrap();
        assert_eq!(
            token,
            Command::Token {
                tenant: "acme".into(),
                role: Role::Cleaner,
                user: "local-user".into(),
                customer: None,
                hours: 2,
                data_dir: "d".into()
            }
        );
        let customer = parse(&args("token --tenant acme --role customer --customer c1")).unwrap();
        assert!(matches!(customer, Command::Token { customer: Some(c), .. } if c == "c1"));
        for bad in [
            "--port x",
            "token --role admin",
            "token --tenant a/b --role admin",
            "token --tenant a --role boss",
            "token --tenant a --role customer",
            "token --tenant a --role admin --customer c1",
            "--colour red",
            "stray",
            "--host phone",
            "run",
            "run workload-report extra",
            "run workload-report --at yesterday",
            "run workload-report --wait 0",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
    }
}
