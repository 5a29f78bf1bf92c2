//! A function's routes: an axum router that also knows the paths it serves, so the attack
//! suite tries every route and method of every function, and a new route cannot be left out
//! of it (axum's `Router` does not list its routes).

use axum::Router;
use axum::routing::MethodRouter;

use crate::runtime::AppState;

/// Routes and the paths they are served at, in the order they were added.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    paths: Vec<String>,
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `methods` at `path` (axum's syntax, `{id}` for a segment).
    pub fn route(mut self, path: &str, methods: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, methods);
        self.paths.push(path.to_owned());
        self
    }

    /// Adds another set of routes (its paths must be new).
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    /// Every path served, as declared.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
