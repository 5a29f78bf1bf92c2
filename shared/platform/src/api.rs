//! OpenAPI 3.1 from the code: every route is registered with its documentation, so a route
//! cannot be served without a spec entry (see [`crate::routes::Routes`]).
//!
//! A handler is mounted as `api::get(handler, doc("A site's workload").ok::<SiteWorkload>())`: the
//! [`Doc`] says who may call it, what it takes (JSON body, query and path parameters,
//! `If-Match`) and what it answers, and the errors follow from that: every bearer route can
//! answer 401 and 403, every body 400, 413, 415 and 422, every `{id}` 404, every `If-Match`
//! 412, 422 and 428, every route 500 and 503, all as `application/problem+json`.
//!
//! Schemas come from `utoipa::ToSchema` derives on the types the handlers parse into and
//! answer with; [`document`] assembles a function's routes into the served document.

use std::collections::BTreeSet;

use axum::handler::Handler;
use axum::routing::MethodRouter;
use utoipa::openapi::path::{HttpMethod, Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    Components, ContentBuilder, InfoBuilder, OpenApi, Ref, RefOr, Required, Response,
};

pub use utoipa::{PartialSchema, ToSchema};

use crate::runtime::AppState;

/// A schema, or a reference to a named one.
pub type SchemaRef = RefOr<Schema>;
/// Named schemas an operation refers to, collected for the document's components.
pub type Schemas = Vec<(String, SchemaRef)>;

/// The media type of every error answer.
const PROBLEM_JSON: &str = crate::error::PROBLEM_JSON;

/// How a caller proves who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// A bearer access token (or an API key within its scopes).
    Bearer,
    /// Nobody needs to: sign-up, login, published keys, calendar feeds by token.
    Public,
    /// Google's OIDC token of a Pub/Sub push subscription or a Cloud Scheduler job.
    Push,
}

/// The documentation of one operation, written beside its handler.
pub struct Doc {
    operation: Operation,
    access: Access,
    has_body: bool,
    has_query: bool,
    if_match: bool,
    errors: BTreeSet<u16>,
    schemas: Schemas,
}

/// Documentation for an operation that does what `summary` says.
pub fn doc(summary: &str) -> Doc {
    let mut operation = Operation::new();
    operation.summary = Some(summary.to_owned());
    Doc {
        operation,
        access: Access::Bearer,
        has_body: false,
        has_query: false,
        if_match: false,
        errors: BTreeSet::new(),
        schemas: Vec::new(),
    }
}

/// A reference to `T`'s schema, collecting it (and what it refers to) into `schemas`.
pub fn component<T: ToSchema>(schemas: &mut Schemas) -> SchemaRef {
    let name = T::name().into_owned();
    T::schemas(schemas);
    schemas.push((name.clone(), T::schema()));
    RefOr::Ref(Ref::from_schema_name(name))
}

/// `schema` as a component named `name`, referred to from the result.
pub fn named(schemas: &mut Schemas, name: &str, schema: RefOr<Schema>) -> RefOr<Schema> {
    schemas.push((name.to_owned(), schema));
    RefOr::Ref(Ref::from_schema_name(name))
}

/// A schema of one type: a string, a number... (for hand-written schemas).
pub fn of_type(kind: Type) -> RefOr<Schema> {
    RefOr::T(Schema::Object(Object::with_type(SchemaType::Type(kind))))
}

/// A reference to `T`'s component (registered with [`Doc::registers`]).
pub fn reference<T: ToSchema>() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(T::name()))
}

/// `T`'s fields, none required: what a merge patch (RFC 7396) of it may carry.
pub fn partial<T: ToSchema>() -> RefOr<Schema> {
    match T::schema() {
        RefOr::T(Schema::Object(mut object)) => {
            object.required.clear();
            RefOr::T(Schema::Object(object))
        }
        other => other,
    }
}

/// An array of `T`.
pub fn array_of(item: RefOr<Schema>) -> RefOr<Schema> {
    RefOr::T(Schema::Array(utoipa::openapi::schema::Array::new(item)))
}

/// A string parameter or value.
pub fn string() -> RefOr<Schema> {
    RefOr::T(Schema::Object(Object::with_type(Type::String)))
}

/// A calendar date, `YYYY-MM-DD`.
pub fn date() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Date,
        )))
        .into()
}

/// A month, `YYYY-MM`.
pub fn month() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"^\d{4}-(0[1-9]|1[0-2])$"))
        .examples([serde_json::json!("2026-11")])
        .into()
}

/// A whole number within `min..=max`.
pub fn integer(min: i64, max: i64) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(min))
        .maximum(Some(max))
        .into()
}

/// One of `values`.
pub fn one_of(values: &[&str]) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.iter().copied()))
        .into()
}

/// A JSON object whose fields are not described (stored documents without a type).
pub fn any_object() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(true),
        ))
        .into()
}

/// `{items: [item], nextPageToken?}`: one page of a listing.
pub fn page_of(item: RefOr<Schema>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .property("items", array_of(item))
        .required("items")
        .property(
            "nextPageToken",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("Where the next page starts; absent on the last page.")),
        )
        .into()
}

/// Every schema of `all` at once (`allOf`): an entity with its metadata and computed fields.
pub fn all_of(all: impl IntoIterator<Item = RefOr<Schema>>) -> RefOr<Schema> {
    let mut composed = utoipa::openapi::schema::AllOf::new();
    composed.items = all.into_iter().collect();
    RefOr::T(Schema::AllOf(composed))
}

fn json_response(description: &str, schema: RefOr<Schema>) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(schema)).build(),
        )
        .build()
}

fn header(description: &str) -> utoipa::openapi::header::Header {
    utoipa::openapi::header::HeaderBuilder::new()
        .schema(string())
        .description(Some(description))
        .build()
}

impl Doc {
    /// A longer description (markdown) after the summary.
    pub fn about(mut self, description: &str) -> Self {
        self.operation.description = Some(description.to_owned());
        self
    }

    /// Reached without a token.
    pub fn public(mut self) -> Self {
        self.access = Access::Public;
        self
    }

    /// Reached only by a Pub/Sub push subscription or Cloud Scheduler, with their OIDC token.
    pub fn push(mut self) -> Self {
        self.access = Access::Push;
        self
    }

    /// Takes a JSON body described by `T`.
    pub fn body<T: ToSchema>(mut self) -> Self {
        let schema = component::<T>(&mut self.schemas);
        self.body_schema(schema)
    }

    /// Takes a JSON body described by `schema`.
    pub fn body_schema(mut self, schema: RefOr<Schema>) -> Self {
        self.has_body = true;
        self.operation.request_body = Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(schema)).build(),
                )
                .build(),
        );
        self
    }

    /// Answers `status` with a JSON body described by `T`.
    pub fn answers<T: ToSchema>(mut self, status: u16, description: &str) -> Self {
        let schema = component::<T>(&mut self.schemas);
        self.answers_schema(status, description, schema)
    }

    /// Answers `status` with a JSON body described by `schema`.
    pub fn answers_schema(mut self, status: u16, description: &str, schema: RefOr<Schema>) -> Self {
        let mut response = json_response(description, schema);
        if status == 201 {
            response
                .headers
                .insert("Location".into(), header("Where the new entity is read."));
        }
        if matches!(status, 200 | 201) && description.contains("ETag") {
            response.headers.insert(
                "ETag".into(),
                header("The entity's version, to send back as If-Match when changing it."),
            );
        }
        self.operation
            .responses
            .responses
            .insert(status.to_string(), RefOr::T(response));
        self
    }

    /// Registers extra component schemas (those [`named`] collected).
    pub fn with_schemas(mut self, schemas: Schemas) -> Self {
        self.schemas.extend(schemas);
        self
    }

    /// Replaces the summary.
    pub fn summary(mut self, summary: &str) -> Self {
        self.operation.summary = Some(summary.to_owned());
        self
    }

    /// Registers `T`'s schema (and those it refers to) as components, for a hand-written
    /// schema that refers to it ([`reference`]).
    pub fn registers<T: ToSchema>(mut self) -> Self {
        component::<T>(&mut self.schemas);
        self
    }

    /// Answers `status` with either `A` or `B` (`oneOf`).
    pub fn answers_either<A: ToSchema, B: ToSchema>(
        mut self,
        status: u16,
        description: &str,
    ) -> Self {
        let a = component::<A>(&mut self.schemas);
        let b = component::<B>(&mut self.schemas);
        let mut either = utoipa::openapi::schema::OneOf::new();
        either.items = vec![a, b];
        self.answers_schema(status, description, RefOr::T(Schema::OneOf(either)))
    }

    /// Answers 200 with `T`.
    pub fn ok<T: ToSchema>(self) -> Self {
        self.answers::<T>(200, "OK")
    }

    /// Answers 200 with one page of `T`s, and takes the page's size and where it starts.
    pub fn page<T: ToSchema>(mut self) -> Self {
        let item = component::<T>(&mut self.schemas);
        self.page_schema(item)
    }

    /// Answers 200 with one page of `item`s, and takes the page's size and where it starts.
    pub fn page_schema(self, item: SchemaRef) -> Self {
        self.answers_schema(200, "One page of the listing", page_of(item))
            .paged()
    }

    /// Takes a page's size and where it starts (`limit`, `pageToken`), for answers of a shape
    /// of their own.
    pub fn paged(self) -> Self {
        self.query(
            "limit",
            integer(1, crate::http::MAX_LIMIT as i64),
            "Items per page (default 50).",
        )
        .query(
            "pageToken",
            string(),
            "The nextPageToken of the page before.",
        )
    }

    /// Answers `status` with a body of `media_type` (a PDF, an iCalendar feed).
    pub fn answers_media(mut self, status: u16, media_type: &str, description: &str) -> Self {
        let content = ContentBuilder::new()
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .content_media_type(media_type),
            ))
            .build();
        // Another representation of an answer already described (JSON, or a PDF).
        match self
            .operation
            .responses
            .responses
            .get_mut(&status.to_string())
        {
            Some(RefOr::T(response)) => {
                response.content.insert(media_type.to_owned(), content);
                response.description = format!("{}; or {description}", response.description);
            }
            _ => {
                let response = ResponseBuilder::new()
                    .description(description)
                    .content(media_type, content)
                    .build();
                self.operation
                    .responses
                    .responses
                    .insert(status.to_string(), RefOr::T(response));
            }
        }
        self
    }

    /// Answers 204, no body.
    pub fn no_content(mut self, description: &str) -> Self {
        self.operation.responses.responses.insert(
            "204".into(),
            RefOr::T(ResponseBuilder::new().description(description).build()),
        );
        self
    }

    /// A query parameter.
    pub fn query(self, name: &str, schema: RefOr<Schema>, description: &str) -> Self {
        self.parameter(name, ParameterIn::Query, false, schema, description)
    }

    /// A query parameter the request must carry.
    pub fn query_required(self, name: &str, schema: RefOr<Schema>, description: &str) -> Self {
        self.parameter(name, ParameterIn::Query, true, schema, description)
    }

    fn parameter(
        mut self,
        name: &str,
        place: ParameterIn,
        required: bool,
        schema: RefOr<Schema>,
        description: &str,
    ) -> Self {
        if place == ParameterIn::Query {
            self.has_query = true;
        }
        self.operation.parameters.get_or_insert_default().push(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(place)
                .required(if required {
                    Required::True
                } else {
                    Required::False
                })
                .schema(Some(schema))
                .description(Some(description))
                .build(),
        );
        self
    }

    /// Needs `If-Match` with the ETag of the version it changes.
    pub fn if_match(mut self) -> Self {
        self.if_match = true;
        self.parameter(
            "If-Match",
            ParameterIn::Header,
            true,
            string(),
            "The ETag of the version this changes, as GET answered it (\"3\").",
        )
    }

    /// Can also answer these error statuses (404, 409, 429...).
    pub fn errors(mut self, statuses: &[u16]) -> Self {
        self.errors.extend(statuses);
        self
    }

    /// The operation, completed for `method` at `path`: its path parameters, security and
    /// the errors that follow from what it takes.
    fn finish(mut self, method: &HttpMethod, path: &str) -> (Operation, Schemas) {
        let method_name = match method {
            HttpMethod::Get => "get",
            HttpMethod::Post => "post",
            HttpMethod::Put => "put",
            HttpMethod::Patch => "patch",
            HttpMethod::Delete => "delete",
            HttpMethod::Head => "head",
            HttpMethod::Options => "options",
            HttpMethod::Trace => "trace",
        };
        self.operation.operation_id = Some(operation_id(method_name, path));
        self.operation.tags = Some(vec![tag_of(path)]);
        let path_params: Vec<Parameter> = path_parameters(path)
            .map(|name| {
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(string()))
                    .build()
            })
            .collect();
        let mut errors = std::mem::take(&mut self.errors);
        if !path_params.is_empty() {
            errors.insert(404);
        }
        let params = self.operation.parameters.get_or_insert_default();
        for (i, param) in path_params.into_iter().enumerate() {
            params.insert(i, param);
        }
        if params.is_empty() {
            self.operation.parameters = None;
        }
        match self.access {
            Access::Bearer => {
                errors.extend([401, 403]);
            }
            Access::Public => {
                // An empty requirement: no credentials.
                self.operation.security = Some(vec![SecurityRequirement::default()]);
            }
            Access::Push => {
                errors.insert(401);
                self.operation.security = Some(vec![SecurityRequirement::new::<_, _, &str>(
                    PUSH_SCHEME,
                    [],
                )]);
            }
        }
        if self.has_body {
            errors.extend([400, 413, 415, 422]);
        }
        if self.has_query {
            errors.extend([400, 422]);
        }
        if self.if_match {
            // 422 on If-Match: not one strong ETag.
            errors.extend([412, 422, 428]);
        }
        errors.extend([500, 503]);
        for status in errors {
            self.operation
                .responses
                .responses
                .entry(status.to_string())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name(error_name(status))));
        }
        (self.operation, self.schemas)
    }
}

/// `getV1SitesId` for `GET /v1/sites/{id}`: unique per operation, stable across builds.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for word in path.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id
}

/// The tag an operation is listed under: its collection (`sites` for `/v1/sites/{id}`).
fn tag_of(path: &str) -> String {
    path.trim_start_matches('/')
        .split('/')
        .find(|s| !s.is_empty() && *s != "v1")
        .unwrap_or("other")
        .to_owned()
}

/// `{name}` segments of a path template.
fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

/// The shared response an error status refers to.
fn error_name(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        412 => "PreconditionFailed",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        422 => "ValidationFailed",
        428 => "PreconditionRequired",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "Unavailable",
        _ => "Error",
    }
}

const ERROR_RESPONSES: [(u16, &str); 15] = [
    (
        400,
        "Malformed JSON, or a path or query that does not decode.",
    ),
    (
        401,
        "No valid credentials: a missing, expired or forged token.",
    ),
    (403, "The caller's role (or API key scope) may not do this."),
    (
        404,
        "No such entity in the caller's tenant (another tenant's ids answer the same).",
    ),
    (
        405,
        "The route exists, but not with this method (see Allow).",
    ),
    (
        409,
        "It conflicts with what is stored (a duplicate, a reference still in use, work already running: see runningId).",
    ),
    (
        412,
        "If-Match names an older version: someone else changed it first. The ETag header carries the current one.",
    ),
    (413, "The body is larger than 1 MiB."),
    (415, "The body is not JSON in UTF-8."),
    (
        422,
        "Fields break the rules: errors names each field and the rule.",
    ),
    (
        428,
        "If-Match is required: send the ETag of the version you change.",
    ),
    (
        429,
        "Too many attempts; try again after Retry-After seconds.",
    ),
    (
        500,
        "An internal error, logged with the traceId it carries.",
    ),
    (
        503,
        "Temporarily unavailable (the store, or the request took over its time); retry.",
    ),
    (0, "An error."),
];

/// The scheme of access tokens and API keys.
pub const BEARER_SCHEME: &str = "bearer";
/// The scheme of Pub/Sub push and Cloud Scheduler calls.
pub const PUSH_SCHEME: &str = "googleOidc";

/// One mounted path's methods and their documentation: what [`crate::routes::Routes::route`]
/// takes. Built with [`get`], [`post`]... and chained: `get(list, doc).post(create, doc)`.
pub struct Endpoint {
    pub(crate) methods: MethodRouter<AppState>,
    pub(crate) docs: Vec<(HttpMethod, Doc)>,
}

impl Endpoint {
    /// The operations of this path, completed for `path`.
    pub(crate) fn operations(
        docs: Vec<(HttpMethod, Doc)>,
        path: &str,
    ) -> Vec<(HttpMethod, Operation, Schemas)> {
        docs.into_iter()
            .map(|(method, doc)| {
                let (operation, schemas) = doc.finish(&method, path);
                (method, operation, schemas)
            })
            .collect()
    }
}

macro_rules! methods {
    ($($name:ident => $method:ident),* $(,)?) => {
        $(
            #[doc = concat!("Serves `", stringify!($name), "` with `handler`, documented by `doc`.")]
            pub fn $name<H, T>(handler: H, doc: Doc) -> Endpoint
            where
                H: Handler<T, AppState>,
                T: 'static,
            {
                Endpoint { methods: MethodRouter::new(), docs: Vec::new() }.$name(handler, doc)
            }
        )*
        impl Endpoint {
            $(
                #[doc = concat!("Also serves `", stringify!($name), "` with `handler`.")]
                pub fn $name<H, T>(mut self, handler: H, doc: Doc) -> Self
                where
                    H: Handler<T, AppState>,
                    T: 'static,
                {
                    self.methods = self.methods.$name(handler);
                    self.docs.push((HttpMethod::$method, doc));
                    self
                }
            )*
        }
    };
}

methods!(get => Get, post => Post, put => Put, patch => Patch, delete => Delete);

/// The document of `paths` (as a function's [`crate::routes::Routes`] collected them): info,
/// security schemes, the shared error responses and schemas.
pub fn document(mut api: OpenApi) -> OpenApi {
    api.info = InfoBuilder::new()
        .title(TITLE)
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(DESCRIPTION))
        .build();
    let components = api.components.get_or_insert_with(Components::new);
    let mut problem_schemas = Vec::new();
    let problem = component::<crate::error::Problem>(&mut problem_schemas);
    for (name, schema) in problem_schemas {
        components.schemas.insert(name, schema);
    }
    for (status, description) in ERROR_RESPONSES {
        let name = error_name(status);
        let mut response = ResponseBuilder::new().description(description).content(
            PROBLEM_JSON,
            ContentBuilder::new().schema(Some(problem.clone())).build(),
        );
        match status {
            401 => {
                response =
                    response.header("WWW-Authenticate", header("Bearer error=\"invalid_token\""))
            }
            412 => response = response.header("ETag", header("The current version.")),
            405 => response = response.header("Allow", header("The methods the route has.")),
            429 | 503 => response = response.header("Retry-After", header("Seconds to wait.")),
            _ => {}
        }
        components
            .responses
            .insert(name.to_owned(), RefOr::T(response.build()));
    }
    components.security_schemes.insert(
        BEARER_SCHEME.to_owned(),
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "An access token from POST /v1/auth/login (EdDSA JWT, 15 minutes), or a \
                     device API key co_<prefix>_<secret> on the routes its scopes name.",
                ))
                .build(),
        ),
    );
    components.security_schemes.insert(
        PUSH_SCHEME.to_owned(),
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "Google's OIDC token of the Pub/Sub push subscription or Cloud Scheduler \
                     job (its service account and audience).",
                ))
                .build(),
        ),
    );
    api.security = Some(vec![SecurityRequirement::new::<_, _, &str>(
        BEARER_SCHEME,
        [],
    )]);
    api
}

/// A document served as JSON, written on its first request (start-up stays as quick).
pub struct SpecJson {
    api: OpenApi,
    json: std::sync::OnceLock<axum::body::Bytes>,
}

impl SpecJson {
    /// Serves the paths of `api` as a whole document.
    pub fn new(api: OpenApi) -> Self {
        Self {
            api,
            json: std::sync::OnceLock::new(),
        }
    }

    /// The document as JSON.
    pub fn json(&self) -> &axum::body::Bytes {
        self.json.get_or_init(|| {
            let document = document(self.api.clone());
            document
                .to_pretty_json()
                .map(axum::body::Bytes::from)
                .unwrap_or_default()
        })
    }

    /// The answer to `GET .../openapi.json`.
    pub fn response(&self) -> axum::response::Response {
        use axum::response::IntoResponse as _;
        (
            [
                (axum::http::header::CONTENT_TYPE, "application/json"),
                (axum::http::header::CACHE_CONTROL, "no-cache"),
            ],
            self.json().clone(),
        )
            .into_response()
    }
}

/// The document's title.
pub const TITLE: &str = "cleanops API";
/// What the document says first.
pub const DESCRIPTION: &str = "The operations platform of a commercial cleaning company: sites, \
areas and area types, calendars, tours and tour sheets, check-ins, inspections, proof of service, \
cleaners, absences, plans, identity. Every tenant is isolated: the tenant comes from the token. \
Changes carry If-Match with the ETag read; errors are application/problem+json.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_and_tags_follow_the_path() {
        assert_eq!(operation_id("get", "/v1/sites/{id}"), "getV1SitesId");
        assert_eq!(
            operation_id("post", "/v1/visits/{id}/check-out"),
            "postV1VisitsIdCheckOut"
        );
        assert_eq!(tag_of("/v1/area-types/{id}"), "area-types");
        assert_eq!(tag_of("/.well-known/jwks.json"), ".well-known");
    }

    #[test]
    fn errors_follow_from_what_an_operation_takes() {
        let (op, _) = doc("Change")
            .body_schema(string())
            .if_match()
            .finish(&HttpMethod::Patch, "/v1/sites/{id}");
        let statuses: Vec<&str> = op.responses.responses.keys().map(String::as_str).collect();
        for status in [
            "400", "401", "403", "404", "412", "413", "415", "422", "428", "500",
        ] {
            assert!(statuses.contains(&status), "{status} in {statuses:?}");
        }
        let params = op.parameters.unwrap();
        assert_eq!(params[0].name, "id");
        assert_eq!(params[1].name, "If-Match");
    }

    #[test]
    fn a_second_media_type_joins_the_answer_it_is_another_form_of() {
        let (op, _) = doc("A sheet")
            .answers_schema(200, "The sheet", any_object())
            .answers_media(200, "application/pdf", "the printable sheet")
            .finish(&HttpMethod::Get, "/v1/tour-sheets");
        let Some(RefOr::T(ok)) = op.responses.responses.get("200") else {
            panic!("a 200")
        };
        let types: Vec<&str> = ok.content.keys().map(String::as_str).collect();
        assert_eq!(types, ["application/json", "application/pdf"]);
    }

    #[test]
    fn a_public_operation_needs_no_credentials() {
        let (op, _) = doc("Log in")
            .public()
            .finish(&HttpMethod::Post, "/v1/auth/login");
        assert!(op.security == Some(vec![SecurityRequirement::default()]));
        assert!(!op.responses.responses.contains_key("401"));
    }
}
