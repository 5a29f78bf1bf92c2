//! A message board per site: threads of posts between the dispatchers, the cleaners on the
//! site's tours and the customer, with photos (documents). Behind the [`MessageBoard`] port,
//! so a chat provider (Stream) can be an adapter later; the first adapter is the store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::UserId;
use crate::validation::{Fields, ValidationErrors};

/// The most photos on one post, and the longest post.
pub const MAX_PHOTOS: usize = 6;
pub const MAX_POST_CHARS: usize = 4000;

/// A thread on a site's board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    pub id: String,
    pub site_id: String,
    pub title: String,
    pub started_by: UserId,
    pub started_by_name: String,
    pub posts: u32,
    pub last_post_at: DateTime<Utc>,
    /// Who posted in it (up to 50): they hear of new posts.
    pub participants: Vec<UserId>,
}

/// One post of a thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    pub id: String,
    pub thread_id: String,
    pub site_id: String,
    pub author_id: UserId,
    pub author_name: String,
    pub text: String,
    /// Photos: ids of documents (`/v1/documents`) uploaded first.
    pub document_ids: Vec<String>,
    pub posted_at: DateTime<Utc>,
}

/// The body of a new post (and of a new thread's first post, with `title`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewPost {
    pub title: Option<String>,
    pub text: String,
    pub document_ids: Vec<String>,
}

impl NewPost {
    pub fn parse(body: &Value, with_title: bool) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, &[])?;
        let title = if with_title {
            f.required_str("title", 1..=200)
        } else {
            None
        };
        let text = f.required_str("text", 1..=MAX_POST_CHARS);
        let document_ids = f.optional_parsed_list("documentIds", MAX_PHOTOS, |raw| {
            crate::id::parse_id(raw).map(|_| raw.to_owned())
        });
        f.finish(|| {
            Some(NewPost {
                title: if with_title { Some(title?) } else { None },
                text: text?,
                document_ids: document_ids.unwrap_or_default(),
            })
        })
    }
}

/// A page of a board's listing.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardPage<T> {
    pub items: Vec<T>,
    /// Where the next page starts, opaque to callers.
    pub next: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BoardError {
    #[error("thread {0} not found")]
    NoThread(String),
    /// The provider cannot be reached now.
    #[error("the board is unavailable: {0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

/// A site's message board, wherever it is kept.
#[async_trait]
pub trait MessageBoard: Send + Sync {
    /// The site's threads, latest post first.
    async fn threads(
        &self,
        site: &str,
        limit: usize,
        after: Option<&str>,
    ) -> Result<BoardPage<Thread>, BoardError>;

    /// Starts a thread with its first post.
    async fn start(
        &self,
        site: &str,
        author: (&UserId, &str),
        post: NewPost,
        at: DateTime<Utc>,
    ) -> Result<(Thread, Post), BoardError>;

    /// A thread of the site, if there is one.
    async fn thread(&self, site: &str, thread: &str) -> Result<Option<Thread>, BoardError>;

    /// A thread's posts, oldest first.
    async fn posts(
        &self,
        thread: &Thread,
        limit: usize,
        after: Option<&str>,
    ) -> Result<BoardPage<Post>, BoardError>;

    /// Adds a post to a thread.
    async fn post(
        &self,
        thread: &Thread,
        author: (&UserId, &str),
        post: NewPost,
        at: DateTime<Utc>,
    ) -> Result<(Thread, Post), BoardError>;
}
