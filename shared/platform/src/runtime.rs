//! Bootstrap: from environment to a serving function, on Cloud Run or AWS Lambda.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::IntoResponse;
use axum::routing::get;
use domain::Clock;
use domain::store::DocumentStore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::auth::Verifier;
use crate::config::{self, ConfigError};
use crate::error::ApiError;
use crate::logging::{self, LogFormat};
use crate::routes::Routes;

/// What every handler can reach. The store is only handed out tenant-scoped, via `Caller`.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn DocumentStore>,
    pub verifier: Arc<Verifier>,
    /// Verifies the OIDC tokens of Pub/Sub pushes and Cloud Scheduler calls; set for functions
    /// with such triggers.
    pub push: Option<Arc<crate::push::PushVerifier>>,
    /// Publishes messages; set for functions that publish (the fan-out, and those whose
    /// catalog entry lists topics in `publishes`).
    pub publisher: Option<Arc<dyn domain::publish::Publisher>>,
    pub clock: Arc<dyn Clock>,
    /// Signs check-in codes and feed tokens; set for functions whose catalog entry lists the
    /// `signing-key` secret.
    pub signer: Option<Arc<crate::signing::Signer>>,
    /// Signs access tokens; set for the function whose catalog entry lists the `issuer-key`
    /// secret (identity).
    pub issuer: Option<Arc<crate::auth::TokenIssuer>>,
    /// API key credentials verified lately (see [`crate::api_keys`]).
    pub api_keys: Arc<crate::api_keys::ApiKeyCache>,
    /// The documents' bucket; set for functions whose catalog entry says `documents`.
    pub blobs: Option<Arc<dyn blobs::BlobStore>>,
}

impl AppState {
    /// The token issuer, or a 500 (logged) if this function was deployed without its key.
    pub fn issuer(&self) -> Result<&crate::auth::TokenIssuer, ApiError> {
        self.issuer.as_deref().ok_or_else(|| {
            ApiError::internal(
                "no issuer key: list the issuer-key secret in the function's catalog entry",
            )
        })
    }

    /// The signer, or a 500 (logged) if this function was deployed without its key.
    pub fn signer(&self) -> Result<&crate::signing::Signer, ApiError> {
        self.signer.as_deref().ok_or_else(|| {
            ApiError::internal(
                "no signing key: list the signing-key secret in the function's catalog entry",
            )
        })
    }
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

/// HTTP settings shared by every function.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Frontend origins allowed to call the API from a browser (`CORS_ALLOWED_ORIGINS`,
    /// comma-separated, e.g. `https://app.example.com`). None: no cross-origin access.
    pub cors_origins: Vec<String>,
    /// How long a connection may take to send a request's headers, and stay idle between
    /// requests (`HTTP_HEADER_TIMEOUT_SECONDS`, default 10). Cloud Run's front end has its
    /// own; the local cloud and a bare server need this against slow or idle clients.
    pub header_timeout: Duration,
    /// How long one request may take, reading its body included (`HTTP_REQUEST_TIMEOUT_SECONDS`,
    /// default 30, the catalog's timeout): then it is answered 503 and dropped.
    pub request_timeout: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            cors_origins: Vec::new(),
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// A duration of whole seconds, at least one, from `var`, else `default`.
fn seconds(var: &'static str, default: Duration) -> Result<Duration, ConfigError> {
    let value: u64 = config::parsed_or(var, default.as_secs(), "a whole number of seconds")?;
    if value == 0 {
        return Err(ConfigError::new(var, "must be at least 1 second"));
    }
    Ok(Duration::from_secs(value))
}

impl HttpConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let cors_origins = config::list("CORS_ALLOWED_ORIGINS");
        for origin in &cors_origins {
            let ok = (origin.starts_with("https://") || origin.starts_with("http://"))
                && !origin.ends_with('/')
                && HeaderValue::from_str(origin).is_ok();
            if !ok {
                return Err(ConfigError::new(
                    "CORS_ALLOWED_ORIGINS",
                    format!(
                        "{origin:?} is not an origin such as https://app.example.com (scheme and host, no path)"
                    ),
                ));
            }
        }
        let defaults = Self::default();
        Ok(Self {
            cors_origins,
            header_timeout: seconds("HTTP_HEADER_TIMEOUT_SECONDS", defaults.header_timeout)?,
            request_timeout: seconds("HTTP_REQUEST_TIMEOUT_SECONDS", defaults.request_timeout)?,
        })
    }

    fn cors(&self) -> Option<CorsLayer> {
        if self.cors_origins.is_empty() {
            return None;
        }
        let origins = self
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok());
        Some(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([
                    Method::GET,
                    Method::POST,
                    Method::PUT,
                    Method::PATCH,
                    Method::DELETE,
                ])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::CONTENT_TYPE,
                    header::IF_MATCH,
                    HeaderName::from_static("traceparent"),
                ])
                .expose_headers([header::ETAG, header::LOCATION])
                .max_age(std::time::Duration::from_secs(3600)),
        )
    }
}

async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

/// Wraps a function's routes with what every function has: `/healthz`, its OpenAPI document
/// at `/openapi.json` (the merged one behind the load balancer is the cockpit's
/// `/v1/openapi.json`), problem+json for
/// unknown routes, panics and every other error, a body limit (413), a time limit per
/// request, CORS and request tracing.
pub fn app(routes: Routes, state: AppState, http: &HttpConfig) -> Router {
    let request_timeout = http.request_timeout;
    let spec = Arc::new(crate::api::SpecJson::new(routes.openapi().clone()));
    let (router, fallback) = routes.into_parts();
    let router = router
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(move || async move { spec.response() }));
    let router = match fallback {
        Some(fallback) => router.merge(fallback),
        None => router.fallback(|| async { ApiError::NoRoute }),
    };
    let mut app = router
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::http::MAX_BODY_BYTES,
        ))
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                ApiError::Internal("a handler panicked".into()).into_response()
            },
        ))
        .layer(axum::middleware::from_fn(crate::http::problem_bodies))
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| async move {
                match tokio::time::timeout(request_timeout, next.run(request)).await {
                    Ok(response) => response,
                    Err(_) => ApiError::Unavailable(format!(
                        "the request took longer than {} s",
                        request_timeout.as_secs()
                    ))
                    .into_response(),
                }
            },
        ));
    if let Some(cors) = http.cors() {
        app = app.layer(cors);
    }
    app.layer(axum::middleware::from_fn(crate::trace::trace_requests))
}

/// Serves `app` on `listener` over HTTP/1.1 until `shutdown` resolves; requests in flight then
/// finish. A connection that takes longer than `http.header_timeout` to send a request's
/// headers, or stays that long idle between requests, is closed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    http: &HttpConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(http.header_timeout);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors or a reset before accept: go on serving the others.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let mut stopped = stopped.clone();
        connections.spawn(async move {
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stopped.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
        // Finished connections are reaped as the server goes, so the set stays small.
        while connections.try_join_next().is_some() {}
    }
    let _ = stop.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// Resolves on SIGTERM (Cloud Run's stop signal) or Ctrl-C. The handlers are installed when
/// this is called, not when the future is first polled: a signal that arrives while the
/// server is still starting must stop it gracefully too, not kill it.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let terminate = async move {
            match terminate {
                Some(mut signal) => {
                    signal.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = terminate => {},
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}

#[derive(Debug, thiserror::Error)]
enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] store::StoreSetupError),
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    #[error("{0} is not in functions/catalog.json")]
    NotInCatalog(&'static str),
    #[error("cannot listen on port {port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("server failed: {0}")]
    Serve(String),
}

/// Runs one function: `main.rs` calls this and returns its exit code.
pub fn run(function: &'static str, routes: fn() -> Routes) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("{function}: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match start(function, routes()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(function, "cannot start: {e}");
                eprintln!("{function}: cannot start: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

async fn start(function: &'static str, routes: Routes) -> Result<(), StartupError> {
    let shutdown = shutdown_signal();
    logging::init(
        LogFormat::from_env()?,
        config::optional("GOOGLE_CLOUD_PROJECT"),
    );
    let catalog = catalog::Catalog::get()?;
    let entry = catalog
        .function(function)
        .ok_or(StartupError::NotInCatalog(function))?;
    let invoked = entry
        .triggers
        .iter()
        .any(|t| !matches!(t, catalog::Trigger::Http));
    let publisher: Option<Arc<dyn domain::publish::Publisher>> = if entry.publishes_messages() {
        let project = config::optional("PUBSUB_PROJECT_ID")
            .or_else(|| config::optional("GOOGLE_CLOUD_PROJECT"))
            .ok_or_else(|| {
                ConfigError::new(
                    "PUBSUB_PROJECT_ID",
                    "is not set (nor GOOGLE_CLOUD_PROJECT); this function publishes to Pub/Sub",
                )
            })?;
        let publisher = crate::pubsub::PubSubPublisher::connect(&project)
            .await
            .map_err(|e| ConfigError::new("PUBSUB_PROJECT_ID", e.to_string()))?;
        Some(Arc::new(publisher))
    } else {
        None
    };
    let state = AppState {
        store: store::StoreConfig::from_env()?.connect().await?,
        verifier: Arc::new(Verifier::from_env()?),
        push: if invoked {
            Some(Arc::new(crate::push::PushVerifier::from_env()?))
        } else {
            None
        },
        publisher,
        clock: Arc::new(SystemClock),
        signer: if entry.secrets.contains(&catalog::Secret::SigningKey) {
            Some(Arc::new(crate::signing::Signer::from_env()?))
        } else {
            None
        },
        issuer: if entry.secrets.contains(&catalog::Secret::IssuerKey) {
            Some(Arc::new(crate::auth::TokenIssuer::from_env()?))
        } else {
            None
        },
        api_keys: Arc::default(),
        blobs: if entry.documents {
            let config = blobs::gcs::GcsConfig::from_env()
                .map_err(|e| ConfigError::new("CLEANOPS_BUCKET", e.to_string()))?
                .ok_or_else(|| {
                    ConfigError::new(
                        "CLEANOPS_BUCKET",
                        "is not set; this function keeps documents",
                    )
                })?;
            let bucket = blobs::gcs::GcsBlobs::connect(config)
                .await
                .map_err(|e| ConfigError::new("CLEANOPS_BUCKET", e.to_string()))?;
            Some(Arc::new(bucket))
        } else {
            None
        },
    };
    let http = HttpConfig::from_env()?;
    let app = app(routes, state, &http);
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        tracing::info!(function, "serving through the AWS Lambda runtime API");
        return lambda::run(app).await.map_err(StartupError::Serve);
    }
    let port = config::parsed_or("PORT", 8080u16, "a TCP port number")?;
    // Cloud Run sends traffic to the container's external interface.
    let listener = tokio::net::TcpListener::bind(("0.0.0.0", port))
        .await
        .map_err(|source| StartupError::Bind { port, source })?;
    tracing::info!(function, port, "listening");
    serve(listener, app, &http, shutdown)
        .await
        .map_err(|e| StartupError::Serve(e.to_string()))
}

mod lambda {
    use axum::Router;
    use lambda_http::request::RequestContext;
    use lambda_http::{Request, RequestExt as _};

    /// API Gateway puts a named stage in front of the path (`/prod/v1/sites`); our routes
    /// know nothing of stages, so it is removed before routing. `$default` has no prefix.
    pub(super) fn strip_stage(mut request: Request) -> Request {
        let stage = match request.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => context.stage.clone(),
            Some(RequestContext::ApiGatewayV1(context)) => context.stage.clone(),
            _ => None,
        };
        let Some(stage) = stage.filter(|s| !s.is_empty() && s != "$default") else {
            return request;
        };
        let prefix = format!("/{stage}");
        let path = request.uri().path();
        let rest = match path.strip_prefix(&prefix) {
            Some("") => "/".to_owned(),
            Some(rest) if rest.starts_with('/') => rest.to_owned(),
            _ => return request,
        };
        let path_and_query = match request.uri().query() {
            Some(query) => format!("{rest}?{query}"),
            None => rest,
        };
        let mut parts = request.uri().clone().into_parts();
        if let Ok(pq) = path_and_query.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = axum::http::Uri::from_parts(parts) {
                *request.uri_mut() = uri;
            }
        }
        request
    }

    pub(super) async fn run(app: Router) -> Result<(), String> {
        let service = tower::ServiceBuilder::new()
            .map_request(strip_stage)
            .service(app);
        lambda_http::run(service).await.map_err(|e| e.to_string())
    }
}
