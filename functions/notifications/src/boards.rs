//! `/v1/boards/{siteId}/threads` and `/v1/boards/{siteId}/threads/{threadId}/posts`: a
//! message board per site, between its dispatchers, the cleaners on its tours and its
//! customer. Anyone else gets 404, as for a site that does not exist. Each new post is an
//! in-app notification to the dispatchers, the customer's users and the thread's
//! participants (not its author).
//!
//! Handlers speak to the [`MessageBoard`] port; [`StoreBoard`] keeps the board in the
//! tenant's store.

use std::sync::Arc;

use async_trait::async_trait;
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use domain::boards::{BoardError, BoardPage, MessageBoard, NewPost, Post, Thread};
use domain::documents::Document;
use domain::identity::User;
use domain::notifications::{Audience, Message, NotificationEvent};
use domain::sites::{Area, Site};
use domain::store::{Direction, Filter, FilterOp, Query, StoreError, Write};
use domain::{Entity, UserId};
use platform::api::{self, doc};
use platform::crud::{Stored, entity_fields, key_id};
use platform::error::ApiResult;
use platform::http::{JsonBody, decode_page_token, encode_page_token, parse_list_params};
use platform::routes::Routes;
use platform::{ApiError, RequestContext, Role, TenantData};
use serde::Serialize;

type QueryParams = axum::extract::Query<Vec<(String, String)>>;

/// Per site, how many threads its board has had: numbers the next.
pub const BOARDS: &str = "boards";
pub const THREADS: &str = "boardThreads";
pub const POSTS: &str = "boardPosts";
/// The most participants a thread remembers (who hear of its posts).
const MAX_PARTICIPANTS: usize = 50;

/// The board kept in the tenant's store.
pub struct StoreBoard {
    data: TenantData,
}

impl StoreBoard {
    pub fn new(data: TenantData) -> Self {
        Self { data }
    }
}

fn internal(e: impl std::fmt::Display) -> BoardError {
    BoardError::Internal(e.to_string())
}

fn store_error(e: StoreError) -> BoardError {
    match e {
        StoreError::Unavailable(e) => BoardError::Unavailable(e),
        other => internal(other),
    }
}

/// A site's part of the ids: 16 characters of its hash, so every thread id has one length.
fn site_key(site: &str) -> String {
    key_id(&["board", site])[..16].to_owned()
}

/// The `number`th thread of `site`'s board.
fn thread_id(site: &str, number: u32) -> String {
    format!("{}_{number:06}", site_key(site))
}

/// The `number`th post of `thread`.
fn post_id(thread: &str, number: u32) -> String {
    format!("{thread}_{number:06}")
}

/// Ids that start with `prefix` and `_` (ids of one length before it): a site's threads, a
/// thread's posts. Numbered ids in a range need no index of their own.
fn numbered_under(collection: &'static str, prefix: &str, direction: Direction) -> Query {
    Query::new(collection)
        .filter(Filter::new("id", FilterOp::Gt, format!("{prefix}_")))
        .filter(Filter::new("id", FilterOp::Lt, format!("{prefix}`")))
        .order_by("id", direction)
}

/// The site's threads, newest first.
pub fn threads_query(site: &str) -> Query {
    numbered_under(THREADS, &site_key(site), Direction::Desc)
}

/// A thread's posts, oldest first.
pub fn posts_query(thread: &str) -> Query {
    numbered_under(POSTS, thread, Direction::Asc)
}

/// A thread's or post's fields as stored: its id is the document's, not a field.
fn fields_of<T: Serialize>(
    value: &T,
) -> Result<serde_json::Map<String, serde_json::Value>, BoardError> {
    let mut fields = entity_fields(value).map_err(internal)?;
    fields.remove("id");
    Ok(fields)
}

/// A stored thread or post, its id from the document.
fn read_doc<T: serde::de::DeserializeOwned>(doc: domain::store::Document) -> Result<T, BoardError> {
    let mut fields = doc.fields;
    fields.insert("id".into(), serde_json::Value::from(doc.meta.id));
    serde_json::from_value(serde_json::Value::Object(fields)).map_err(internal)
}

fn page_of<T: serde::de::DeserializeOwned>(
    page: domain::store::Page,
    order_field: &str,
) -> Result<BoardPage<T>, BoardError> {
    let next = page
        .next
        .as_ref()
        .map(|c| encode_page_token(order_field, c));
    let items = page
        .documents
        .into_iter()
        .map(read_doc)
        .collect::<Result<_, _>>()?;
    Ok(BoardPage { items, next })
}

fn token(after: Option<&str>, order_field: &str) -> Option<domain::store::Cursor> {
    after.and_then(|t| decode_page_token(t, order_field))
}

#[async_trait]
impl MessageBoard for StoreBoard {
    async fn threads(
        &self,
        site: &str,
        limit: usize,
        after: Option<&str>,
    ) -> Result<BoardPage<Thread>, BoardError> {
        let query = threads_query(site)
            .limit(limit)
            .start_after(token(after, "id"));
        let page = self.data.store().query(&query).await.map_err(store_error)?;
        page_of(page, "id")
    }

    async fn start(
        &self,
        site: &str,
        author: (&UserId, &str),
        post: NewPost,
        at: DateTime<Utc>,
    ) -> Result<(Thread, Post), BoardError> {
        // The board's count numbers the thread: a lost race reads again.
        for _ in 0..5 {
            let board = self
                .data
                .store()
                .get(BOARDS, site)
                .await
                .map_err(store_error)?;
            let number = board
                .as_ref()
                .and_then(|b| b.fields.get("threads").and_then(serde_json::Value::as_u64))
                .unwrap_or(0) as u32
                + 1;
            let thread = Thread {
                id: thread_id(site, number),
                site_id: site.to_owned(),
                title: post.title.clone().unwrap_or_default(),
                started_by: author.0.clone(),
                started_by_name: author.1.to_owned(),
                posts: 1,
                last_post_at: at,
                participants: vec![author.0.clone()],
            };
            let first = new_post(&thread, 1, author, post.clone(), at);
            let count = serde_json::Map::from_iter([("threads".to_owned(), number.into())]);
            let writes = vec![
                Write::upsert(BOARDS, site, board.as_ref().map(|b| &b.meta), count),
                Write::Create {
                    collection: THREADS,
                    id: thread.id.clone(),
                    fields: fields_of(&thread)?,
                },
                Write::Create {
                    collection: POSTS,
                    id: first.id.clone(),
                    fields: fields_of(&first)?,
                },
            ];
            match self.data.store().commit(writes, at).await {
                Ok(_) => return Ok((thread, first)),
                Err(StoreError::VersionMismatch { .. } | StoreError::AlreadyExists { .. }) => {
                    continue;
                }
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(BoardError::Unavailable(
            "the board is busy; retry the thread".into(),
        ))
    }

    async fn thread(&self, site: &str, thread: &str) -> Result<Option<Thread>, BoardError> {
        let Some(doc) = self
            .data
            .store()
            .get(THREADS, thread)
            .await
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        let thread: Thread = read_doc(doc)?;
        Ok((thread.site_id == site).then_some(thread))
    }

    async fn posts(
        &self,
        thread: &Thread,
        limit: usize,
        after: Option<&str>,
    ) -> Result<BoardPage<Post>, BoardError> {
        let query = posts_query(&thread.id)
            .limit(limit)
            .start_after(token(after, "id"));
        let page = self.data.store().query(&query).await.map_err(store_error)?;
        page_of(page, "id")
    }

    async fn post(
        &self,
        thread: &Thread,
        author: (&UserId, &str),
        post: NewPost,
        at: DateTime<Utc>,
    ) -> Result<(Thread, Post), BoardError> {
        // The thread's count, which numbers the post, and its participants move with each
        // post: a lost race reads again.
        for _ in 0..5 {
            let doc = self
                .data
                .store()
                .get(THREADS, &thread.id)
                .await
                .map_err(store_error)?
                .ok_or_else(|| BoardError::NoThread(thread.id.clone()))?;
            let version = doc.meta.version;
            let mut current: Thread = read_doc(doc)?;
            current.posts += 1;
            current.last_post_at = at;
            let post = new_post(&current, current.posts, author, post.clone(), at);
            if !current.participants.contains(author.0)
                && current.participants.len() < MAX_PARTICIPANTS
            {
                current.participants.push(author.0.clone());
            }
            let writes = vec![
                Write::Update {
                    collection: THREADS,
                    id: thread.id.clone(),
                    expected_version: version,
                    fields: fields_of(&current)?,
                },
                Write::Create {
                    collection: POSTS,
                    id: post.id.clone(),
                    fields: fields_of(&post)?,
                },
            ];
            match self.data.store().commit(writes, at).await {
                Ok(_) => return Ok((current, post)),
                Err(StoreError::VersionMismatch { .. } | StoreError::AlreadyExists { .. }) => {
                    continue;
                }
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(BoardError::Unavailable(
            "the thread is busy; retry the post".into(),
        ))
    }
}

fn new_post(
    thread: &Thread,
    number: u32,
    author: (&UserId, &str),
    post: NewPost,
    at: DateTime<Utc>,
) -> Post {
    Post {
        id: post_id(&thread.id, number),
        thread_id: thread.id.clone(),
        site_id: thread.site_id.clone(),
        author_id: author.0.clone(),
        author_name: author.1.to_owned(),
        text: post.text,
        document_ids: post.document_ids,
        posted_at: at,
    }
}

/// One page of threads or posts.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadPage {
    pub items: Vec<Thread>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostPage {
    pub items: Vec<Post>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// A new thread and its first post.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Started {
    pub thread: Thread,
    pub post: Post,
}

/// The body of a new thread.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct ThreadBody {
    title: String,
    /// The first post, 1 to 4,000 characters.
    text: String,
    /// Photos: ids of documents uploaded first, at most 6.
    document_ids: Option<Vec<String>>,
}

/// The body of a post.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct PostBody {
    text: String,
    document_ids: Option<Vec<String>>,
}

pub fn routes() -> Routes {
    let page = |summary: &str| doc(summary).paged().errors(&[404]);
    Routes::new()
        .route(
            "/v1/boards/{siteId}/threads",
            api::get(
                list_threads,
                page("List a site's board threads")
                    .about("Latest post first. The site's dispatchers, cleaners on its tours and customer (404 for anyone else).")
                    .answers::<ThreadPage>(200, "One page of threads"),
            )
            .post(
                start_thread,
                doc("Start a thread on a site's board")
                    .about("With its first post; photos are documents uploaded first. The others on the board are told in the app.")
                    .body::<ThreadBody>()
                    .answers::<Started>(201, "The thread and its first post")
                    .errors(&[404]),
            ),
        )
        .route(
            "/v1/boards/{siteId}/threads/{threadId}/posts",
            api::get(
                list_posts,
                page("List a thread's posts")
                    .about("Oldest first.")
                    .answers::<PostPage>(200, "One page of posts"),
            )
            .post(
                add_post,
                doc("Post in a thread")
                    .about("The thread's participants, the dispatchers and the customer are told in the app.")
                    .body::<PostBody>()
                    .answers::<Post>(201, "The post")
                    .errors(&[404]),
            ),
        )
}

fn board(cx: &RequestContext) -> Arc<dyn MessageBoard> {
    Arc::new(StoreBoard::new(cx.data().clone()))
}

/// The site, if the caller is on its board; else the 404 of a site that does not exist.
async fn site_of_board(cx: &RequestContext, site: &str) -> ApiResult<Stored<Site>> {
    let not_found = || ApiError::NotFound {
        kind: Site::KIND,
        id: site.to_owned(),
    };
    let stored = cx.repo::<Site>().find(site).await?.ok_or_else(not_found)?;
    let allowed = match cx.caller.role {
        Role::Admin | Role::Dispatcher => true,
        Role::Customer => {
            cx.caller.customer.is_some() && stored.entity.customer_id == cx.caller.customer
        }
        Role::Cleaner => cleans_at(cx, site).await?,
    };
    if allowed {
        Ok(stored)
    } else {
        Err(not_found())
    }
}

/// Whether one of the cleaner's tours in force within a week either way visits the site.
async fn cleans_at(cx: &RequestContext, site: &str) -> ApiResult<bool> {
    let today = cx.now().date_naive();
    let tours = platform::tours::in_force(
        cx.data(),
        today - Duration::days(7),
        today + Duration::days(7),
        Some(cx.caller.user.as_str()),
    )
    .await?;
    let area_ids: Vec<String> = tours.iter().flat_map(|t| t.entity.area_ids()).collect();
    let areas = cx.repo::<Area>().get_map(area_ids).await?;
    Ok(areas.values().any(|a| a.entity.site_id.as_str() == site))
}

async fn author_name(cx: &RequestContext) -> ApiResult<String> {
    Ok(cx
        .repo::<User>()
        .find(cx.caller.user.as_str())
        .await?
        .map_or_else(|| cx.caller.user.to_string(), |u| u.entity.name))
}

/// Refuses (422) a post whose photos are not documents of this tenant.
async fn photos(cx: &RequestContext, post: &NewPost) -> ApiResult<()> {
    for (i, id) in post.document_ids.iter().enumerate() {
        let document = cx.repo::<Document>().find(id).await?;
        if document.is_none() {
            return Err(ApiError::field(
                format!("documentIds[{i}]"),
                "names no document (/v1/documents)",
            ));
        }
    }
    Ok(())
}

async fn list_threads(
    cx: RequestContext,
    Path(site): Path<String>,
    axum::extract::Query(query): QueryParams,
) -> ApiResult<Response> {
    let params = parse_list_params(&query, &[], &[platform::http::Order::desc("id")])?;
    site_of_board(&cx, &site).await?;
    let token = query
        .iter()
        .find(|(k, _)| k == "pageToken")
        .map(|(_, v)| v.as_str());
    let page = board(&cx).threads(&site, params.limit, token).await?;
    Ok(Json(ThreadPage {
        items: page.items,
        next_page_token: page.next,
    })
    .into_response())
}

async fn list_posts(
    cx: RequestContext,
    Path((site, thread)): Path<(String, String)>,
    axum::extract::Query(query): QueryParams,
) -> ApiResult<Response> {
    let params = parse_list_params(&query, &[], &[platform::http::Order::asc("id")])?;
    site_of_board(&cx, &site).await?;
    let board = board(&cx);
    let thread = board
        .thread(&site, &thread)
        .await?
        .ok_or(BoardError::NoThread(thread))?;
    let token = query
        .iter()
        .find(|(k, _)| k == "pageToken")
        .map(|(_, v)| v.as_str());
    let page = board.posts(&thread, params.limit, token).await?;
    Ok(Json(PostPage {
        items: page.items,
        next_page_token: page.next,
    })
    .into_response())
}

async fn start_thread(
    cx: RequestContext,
    Path(site): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let post = NewPost::parse(&body, true)?;
    let stored = site_of_board(&cx, &site).await?;
    photos(&cx, &post).await?;
    let name = author_name(&cx).await?;
    let (thread, first) = board(&cx)
        .start(&site, (&cx.caller.user, &name), post, cx.now())
        .await?;
    tell(&cx, &stored, &thread, &first).await;
    Ok((
        StatusCode::CREATED,
        Json(Started {
            thread,
            post: first,
        }),
    )
        .into_response())
}

async fn add_post(
    cx: RequestContext,
    Path((site, thread)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let post = NewPost::parse(&body, false)?;
    let stored = site_of_board(&cx, &site).await?;
    let board = board(&cx);
    let thread = board
        .thread(&site, &thread)
        .await?
        .ok_or(BoardError::NoThread(thread))?;
    photos(&cx, &post).await?;
    let name = author_name(&cx).await?;
    let (thread, post) = board
        .post(&thread, (&cx.caller.user, &name), post, cx.now())
        .await?;
    tell(&cx, &stored, &thread, &post).await;
    Ok((StatusCode::CREATED, Json(post)).into_response())
}

/// The others on the board hear of the post in the app.
async fn tell(cx: &RequestContext, site: &Stored<Site>, thread: &Thread, post: &Post) {
    let mut to = Audience::site(site.entity.customer_id.as_deref());
    to.extend(
        thread
            .participants
            .iter()
            .map(|p| Audience::User { user_id: p.clone() }),
    );
    let excerpt: String = post.text.chars().take(200).collect();
    cx.notify(&NotificationEvent {
        id: format!("board-post:{}", post.id),
        to,
        message: Message::BoardPost {
            site_name: site.entity.name.clone(),
            author: post.author_name.clone(),
            thread: thread.title.clone(),
            excerpt,
        },
        time_zone: Some(site.entity.time_zone),
        link: None,
        attachment: None,
        site_id: Some(site.meta.id.clone()),
        not_to: Some(post.author_id.clone()),
    })
    .await;
}
