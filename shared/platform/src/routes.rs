//! A function's routes: an axum router that also knows the paths it serves and documents every
//! operation on them. The attack suite tries every route and method of every function, and the
//! OpenAPI document lists them, so a new route can be left out of neither (axum's `Router`
//! does not list its routes).

use axum::Router;
use axum::handler::Handler;
use utoipa::openapi::path::PathItem;
use utoipa::openapi::{Components, OpenApi, Paths};

use crate::api::Endpoint;
use crate::runtime::AppState;

/// Routes, the paths they are served at in the order they were added, and their OpenAPI
/// paths and schemas.
pub struct Routes {
    router: Router<AppState>,
    paths: Vec<String>,
    api: OpenApi,
    /// What answers a path no route serves (the cockpit's app); default: a 404 problem.
    fallback: Option<Router<AppState>>,
}

impl Default for Routes {
    fn default() -> Self {
        Self {
            router: Router::new(),
            paths: Vec::new(),
            api: OpenApi::new(Default::default(), Paths::new()),
            fallback: None,
        }
    }
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `endpoint`'s methods at `path` (axum's syntax, `{id}` for a segment), each
    /// documented; methods already served there stay.
    pub fn route(mut self, path: &str, endpoint: Endpoint) -> Self {
        self.router = self.router.route(path, endpoint.methods);
        // A path may gain methods in a second call (an action beside a resource's reads).
        if !self.paths.iter().any(|known| known == path) {
            self.paths.push(path.to_owned());
        }
        let components = self.api.components.get_or_insert_with(Components::new);
        for (method, operation, schemas) in Endpoint::operations(endpoint.docs, path) {
            for (name, schema) in schemas {
                components.schemas.entry(name).or_insert(schema);
            }
            self.api
                .paths
                .paths
                .entry(path.to_owned())
                .or_default()
                .merge_operations(PathItem::new(method, operation));
        }
        self
    }

    /// Answers every request no route serves with `handler` (one function may: the one that
    /// serves the web app).
    pub fn fallback<H, T>(mut self, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.fallback = Some(Router::new().fallback(handler));
        self
    }

    /// Adds another set of routes (its paths must be new).
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self.api.merge(other.api);
        assert!(
            self.fallback.is_none() || other.fallback.is_none(),
            "two sets of routes each have a fallback"
        );
        self.fallback = self.fallback.or(other.fallback);
        self
    }

    /// Hands `service` to every route added so far (handlers take it as `Extension<T>`, jobs
    /// as [`crate::push::PushJob::service`]): what one function alone needs, such as a
    /// worker's senders, without a field in every function's state.
    pub fn with_service<T: Clone + Send + Sync + 'static>(mut self, service: T) -> Self {
        self.router = self.router.layer(axum::Extension(service));
        self
    }

    /// Every path served, as declared.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    /// The paths and schemas of every operation served (see [`crate::api::document`]).
    pub fn openapi(&self) -> &OpenApi {
        &self.api
    }

    /// The methods documented at `path` (`GET`, `POST`...).
    pub fn documented_methods(&self, path: &str) -> Vec<&'static str> {
        let Some(item) = self.api.paths.paths.get(path) else {
            return Vec::new();
        };
        [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ]
        .into_iter()
        .filter_map(|(method, present)| present.then_some(method))
        .collect()
    }

    /// The router, and what answers unrouted requests if the routes say.
    pub(crate) fn into_parts(self) -> (Router<AppState>, Option<Router<AppState>>) {
        (self.router, self.fallback)
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
