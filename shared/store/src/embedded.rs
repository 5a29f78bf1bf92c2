//! The embedded store: SQLite on local disk, WAL journal, one row per document with its
//! fields as JSON. Commits run in `BEGIN IMMEDIATE` transactions, so concurrent writers are
//! serialised and a stale precondition is seen, never overwritten.
//!
//! One writer thread makes every commit of the process (group commit): it takes the commits
//! waiting, applies each in a savepoint of one transaction (a commit that fails rolls back
//! alone) and commits them together. Writers queue in order instead of polling SQLite's lock
//! with growing sleeps, which gave 32 concurrent writers a tail of a quarter of a second. A
//! commit is acknowledged only after its transaction is committed. A checkpointer thread
//! copies the log into the database beside it, so no commit waits for that copy and its sync.
//!
//! Reads take a pooled connection whose statements stay prepared, planned once whatever is
//! bound (preparing weighs every declared index). A read of up to a page of rows runs in
//! place, where a hop to the blocking pool would cost more than the read.
//!
//! Queries are served from indexes, as in Firestore: every composite index declared in
//! `firestore.indexes.json` becomes a partial SQLite expression index on its collection's
//! rows (see [`sqlite_indexes`]), so one declaration serves both stores and a read's cost
//! follows what it returns, not what the tenant has stored.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::meta::{Metadata, format_timestamp};
use domain::store::{
    Direction, Document, DocumentStore, FilterOp, Page, Query, StoreError, StoreResult, Write,
    WriteOutcome,
};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params, params_from_iter};
use serde_json::{Map, Value};

/// How long a writer waits for another writer's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle connections kept for reuse.
const POOL_SIZE: usize = 8;
/// Prepared statements kept per connection: more than the query shapes one function issues.
const STATEMENT_CACHE: usize = 128;

#[derive(Clone)]
pub struct EmbeddedStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    writer: tokio::sync::mpsc::UnboundedSender<CommitRequest>,
}

/// One commit, waiting for the writer thread.
struct CommitRequest {
    tenant: String,
    writes: Vec<Write>,
    at: String,
    reply: tokio::sync::oneshot::Sender<StoreResult<Vec<WriteOutcome>>>,
}

/// The most commits one transaction of the writer thread takes.
const GROUP_COMMIT: usize = 64;

/// The writer thread: until every handle of the store is gone, takes the commits waiting
/// and makes them in one transaction.
fn write_loop(
    mut conn: Connection,
    mut queue: tokio::sync::mpsc::UnboundedReceiver<CommitRequest>,
) {
    while let Some(first) = queue.blocking_recv() {
        let mut group = vec![first];
        while group.len() < GROUP_COMMIT {
            match queue.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        let (outcomes, replies): (Vec<_>, Vec<_>) = match commit_group(&mut conn, &mut group) {
            Ok(outcomes) => (outcomes, group.into_iter().map(|r| r.reply).collect()),
            Err(e) => {
                let failed = group.iter().map(|_| Err(e.clone())).collect();
                (failed, group.into_iter().map(|r| r.reply).collect())
            }
        };
        for (outcome, reply) in outcomes.into_iter().zip(replies) {
            // A caller that went away does not need its answer.
            let _ = reply.send(outcome);
        }
    }
}

/// The log's length (in pages) past which it is copied into the database: SQLite's own
/// default for its checkpoint at commit.
const CHECKPOINT_PAGES: i32 = 1000;

/// The checkpointer thread: copies the log into the database when the writer says it is
/// long, beside the writer (a passive checkpoint never blocks a commit), until the writer
/// is gone.
fn checkpoint_loop(conn: Connection, due: std::sync::mpsc::Receiver<()>) {
    while due.recv().is_ok() {
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "the store's checkpoint failed; the log grows until the next");
        }
    }
}

/// One transaction for `group`, each commit in a savepoint of its own: the outcome of each,
/// or the error that lost them all (the transaction did not commit).
fn commit_group(
    conn: &mut Connection,
    group: &mut [CommitRequest],
) -> StoreResult<Vec<StoreResult<Vec<WriteOutcome>>>> {
    let mut tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql_error)?;
    let mut outcomes = Vec::with_capacity(group.len());
    for request in group.iter_mut() {
        let savepoint = tx.savepoint().map_err(sql_error)?;
        let writes = std::mem::take(&mut request.writes);
        let applied = writes
            .into_iter()
            .map(|write| apply(&savepoint, &request.tenant, write, &request.at))
            .collect::<StoreResult<Vec<_>>>();
        if applied.is_ok() {
            savepoint.commit().map_err(sql_error)?;
        }
        // A failed commit's savepoint rolls back as it is dropped.
        outcomes.push(applied);
    }
    tx.commit().map_err(sql_error)?;
    Ok(outcomes)
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

fn sql_error(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => internal(e),
    }
}

impl EmbeddedStore {
    /// Opens (creating if needed) the store file at `path` and its parent directories.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<Self> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let conn = connect(&path)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS documents (
                tenant TEXT NOT NULL,
                collection TEXT NOT NULL,
                id TEXT NOT NULL,
                version INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                data TEXT NOT NULL,
                PRIMARY KEY (tenant, collection, id)
            ) WITHOUT ROWID;",
        )
        .map_err(sql_error)?;
        sync_indexes(&conn)?;
        let (writer, queue) = tokio::sync::mpsc::unbounded_channel();
        let mut writer_conn = connect(&path)?;
        let checkpoint_conn = connect(&path)?;
        let (checkpoint, due) = std::sync::mpsc::sync_channel(1);
        // Replaces SQLite's checkpoint at commit, which copied the log into the database and
        // synced it while every writer waited: the tail of concurrent writes.
        writer_conn
            .wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, pages: i32| {
                if pages >= CHECKPOINT_PAGES {
                    // Full: a checkpoint is due already.
                    let _ = checkpoint.try_send(());
                }
                Ok(())
            }))
            .map_err(sql_error)?;
        let start = |name: &str, work: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.into())
                .spawn(work)
                .map(drop)
                .map_err(|e| StoreError::Unavailable(format!("cannot start the {name}: {e}")))
        };
        start(
            "store-writer",
            Box::new(move || write_loop(writer_conn, queue)),
        )?;
        start(
            "store-checkpointer",
            Box::new(move || checkpoint_loop(checkpoint_conn, due)),
        )?;
        Ok(Self {
            inner: Arc::new(Inner {
                path,
                idle: Mutex::new(vec![conn]),
                writer,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// SQLite's plan for `query` (`EXPLAIN QUERY PLAN`, one step a line): shows which index
    /// serves it, for the tests that keep every declared query shape indexed.
    pub async fn explain(&self, tenant: &TenantId, query: &Query) -> StoreResult<String> {
        let (sql, params) = build_query(tenant.as_str(), query)?;
        self.with_conn(move |conn| {
            let mut statement = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .map_err(sql_error)?;
            let steps = statement
                .query_map(params_from_iter(params), |row| row.get::<_, String>(3))
                .map_err(sql_error)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(sql_error)?;
            Ok(steps.join("\n"))
        })
        .await
    }

    /// Runs `work` on a pooled connection on the blocking thread pool.
    async fn with_conn<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.with_pooled(work))
            .await
            .map_err(internal)?
    }

    /// Runs a read of at most `rows` rows: in place when it is short, else on the blocking
    /// pool. An indexed read of a few rows takes microseconds, less than handing it to another
    /// thread and waking the task again (which was a third of a point read's time), and WAL
    /// readers never wait for the writer.
    async fn read<T: Send + 'static>(
        &self,
        rows: usize,
        work: impl FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        if rows <= IN_PLACE_ROWS {
            self.inner.with_pooled(work)
        } else {
            self.with_conn(work).await
        }
    }
}

/// The most rows a read serves in place, without the blocking pool: a list page's worth.
const IN_PLACE_ROWS: usize = 100;

impl Inner {
    fn with_pooled<T>(
        &self,
        work: impl FnOnce(&mut Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let pooled = self.idle.lock().map_err(internal)?.pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => connect(&self.path)?,
        };
        let result = work(&mut conn);
        let mut idle = self.idle.lock().map_err(internal)?;
        if idle.len() < POOL_SIZE {
            idle.push(conn);
        }
        result
    }
}

fn connect(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open(path)
        .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql_error)?;
    // Every statement is prepared once per connection: with the declared indexes on the one
    // table, preparing a statement (even a lookup by key) weighs each index, and took
    // longer than running it.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // The plan is made once, whatever values are bound: without this SQLite prepares a
    // statement again whenever a bound value could change its plan, which for queries on
    // the partial indexes was every run. Queries name their index anyway.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map_err(sql_error)?;
    // WAL lets readers go on while one writer commits; NORMAL sync is durable across process
    // crashes (the WAL is fsynced at checkpoints), which is what a local store needs.
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        .map_err(sql_error)?;
    Ok(conn)
}

/// Prefix of the indexes this store derives from the declaration (others are left alone).
const INDEX_PREFIX: &str = "fs_";

/// The SQLite index for each declared composite index: on the tenant, then the index's fields
/// as the queries write them, over the rows of its collection only (so a write maintains
/// the indexes of its own collection). SQLite walks an index both ways, so an index and its
/// mirror image (`id` descending) are one; the name says what it holds.
pub fn sqlite_indexes() -> Vec<(String, String)> {
    let mut indexes: Vec<(String, String)> = crate::indexes::declared()
        .iter()
        .map(|index| {
            let name = sqlite_index_name(index);
            let columns: Vec<String> = index
                .fields
                .iter()
                .map(|f| field_sql(&f.field_path).value)
                .collect();
            let sql = format!(
                "CREATE INDEX IF NOT EXISTS \"{name}\" ON documents (tenant, {}) WHERE collection = {}",
                columns.join(", "),
                sql_literal(&index.collection_group)
            );
            (name, sql)
        })
        .collect();
    indexes.sort();
    indexes.dedup_by(|a, b| a.0 == b.0);
    indexes
}

/// Creates the declared indexes that are missing and drops those no longer declared.
fn sync_indexes(conn: &Connection) -> StoreResult<()> {
    let wanted = sqlite_indexes();
    let existing: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'fs\\_%' ESCAPE '\\'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(sql_error)?;
    for stale in existing
        .iter()
        .filter(|e| !wanted.iter().any(|(w, _)| w == *e))
    {
        conn.execute_batch(&format!("DROP INDEX \"{stale}\""))
            .map_err(sql_error)?;
    }
    for (_, sql) in &wanted {
        conn.execute_batch(sql).map_err(sql_error)?;
    }
    Ok(())
}

/// A string as an SQL literal. Collections are names from code; quoting keeps it so.
fn sql_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn parse_time(raw: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(internal)
}

macro_rules! columns {
    () => {
        "id, version, created_at, updated_at, data"
    };
}
const COLUMNS: &str = columns!();
const LOAD_SQL: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM documents WHERE tenant = ?1 AND collection = ?2 AND id = ?3"
);

fn row_to_document(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, i64, String, String, String)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}

fn into_document(
    (id, version, created, updated, data): (String, i64, String, String, String),
) -> StoreResult<Document> {
    let fields: Map<String, Value> = serde_json::from_str(&data).map_err(internal)?;
    Ok(Document {
        meta: Metadata {
            id,
            version: version as u64,
            created_at: parse_time(&created)?,
            updated_at: parse_time(&updated)?,
        },
        fields,
    })
}

fn load(
    conn: &Connection,
    tenant: &str,
    collection: &str,
    id: &str,
) -> StoreResult<Option<Document>> {
    conn.prepare_cached(LOAD_SQL)
        .and_then(|mut statement| {
            statement.query_row(params![tenant, collection, id], row_to_document)
        })
        .optional()
        .map_err(sql_error)?
        .map(into_document)
        .transpose()
}

/// How SQL sees one queryable field: its value and its JSON type.
struct FieldSql {
    value: String,
    /// `json_type(...)` for document fields; `None` for metadata columns (their type is fixed).
    json_type: Option<String>,
    /// The JSON type of a metadata column's values.
    column_type: &'static str,
}

/// Maps a field name to SQL. Queries are validated first (`validate_query`), so document
/// fields are plain top-level names and safe to embed in SQL.
fn field_sql(field: &str) -> FieldSql {
    let column = |value: &str, column_type| FieldSql {
        value: value.into(),
        json_type: None,
        column_type,
    };
    match field {
        "id" => column("id", "text"),
        "version" => column("version", "integer"),
        "createdAt" => column("created_at", "text"),
        "updatedAt" => column("updated_at", "text"),
        _ => FieldSql {
            value: format!("json_extract(data, '$.{field}')"),
            json_type: Some(format!("json_type(data, '$.{field}')")),
            column_type: "",
        },
    }
}

fn sql_value(value: &Value) -> StoreResult<SqlValue> {
    Ok(match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(*b as i64),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(
                n.as_f64()
                    .ok_or_else(|| StoreError::Invalid(format!("number {n} is out of range")))?,
            ),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Array(_) | Value::Object(_) => {
            return Err(StoreError::Invalid("filter values must be scalars".into()));
        }
    })
}

/// The JSON types a value compares with (Firestore compares values of one type only).
fn comparable_types(value: &Value) -> &'static [&'static str] {
    match value {
        Value::Null => &["null"],
        Value::Bool(true) => &["true"],
        Value::Bool(false) => &["false"],
        Value::Number(_) => &["integer", "real"],
        Value::String(_) => &["text"],
        _ => &[],
    }
}

/// One comparison `field op value`, true only for values of the same JSON type.
fn comparison(
    field: &FieldSql,
    op: &str,
    value: &Value,
    params: &mut Vec<SqlValue>,
) -> StoreResult<String> {
    let types = comparable_types(value);
    let type_check = match &field.json_type {
        // The value's equality already implies its type: only a JSON string extracts as
        // this text (a number extracts as a number, a boolean as 0 or 1, an object or array
        // as text that starts with a bracket). The check parses every row's document.
        Some(_) if op == "=" && is_plain_text(value) => "1".into(),
        Some(json_type) => {
            let list = types
                .iter()
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(",");
            format!("{json_type} IN ({list})")
        }
        None if types.contains(&field.column_type) => "1".into(),
        None => return Ok("0".into()),
    };
    if matches!(value, Value::Null | Value::Bool(_)) {
        return Ok(format!("({type_check})"));
    }
    params.push(sql_value(value)?);
    Ok(format!("({type_check} AND {} {op} ?)", field.value))
}

/// A string that no JSON object or array extracts as.
fn is_plain_text(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|text| !text.starts_with(['{', '[']))
}

fn build_query(tenant: &str, query: &Query) -> StoreResult<(String, Vec<SqlValue>)> {
    domain::store::validate_query(query)?;
    let mut params = vec![SqlValue::Text(tenant.to_owned())];
    // The collection is a literal, not a parameter: SQLite uses a partial index only when
    // the query names its collection.
    let mut clauses = vec![
        "tenant = ?".to_owned(),
        format!("collection = {}", sql_literal(query.collection)),
    ];
    for filter in &query.filters {
        let field = field_sql(&filter.field);
        let clause = match filter.op {
            FilterOp::In => {
                let values = filter
                    .value
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let parts = values
                    .iter()
                    .map(|v| comparison(&field, "=", v, &mut params))
                    .collect::<StoreResult<Vec<_>>>()?;
                format!("({})", parts.join(" OR "))
            }
            op => {
                let sql_op = match op {
                    FilterOp::Eq => "=",
                    FilterOp::Lt => "<",
                    FilterOp::Le => "<=",
                    FilterOp::Gt => ">",
                    FilterOp::Ge => ">=",
                    FilterOp::In => unreachable!("handled above"),
                };
                comparison(&field, sql_op, &filter.value, &mut params)?
            }
        };
        clauses.push(clause);
    }
    let order_field = field_sql(query.order_field());
    let (dir, cmp) = match query
        .order_by
        .as_ref()
        .map(|o| o.direction)
        .unwrap_or_default()
    {
        Direction::Asc => ("ASC", ">"),
        Direction::Desc => ("DESC", "<"),
    };
    if let Some(json_type) = &order_field.json_type {
        // Firestore leaves documents without the order field out of the result.
        clauses.push(format!("{json_type} IS NOT NULL"));
    }
    if let Some(cursor) = &query.start_after {
        if order_field.value == "id" {
            clauses.push(format!("id {cmp} ?"));
        } else {
            let value = sql_value(&cursor.value)?;
            let v = &order_field.value;
            // NULL sorts first in SQLite; a cursor on NULL continues among NULLs, then values.
            // Row values, so that SQLite seeks the index to the cursor rather than scanning up
            // to it. A metadata column is never NULL; a field's JSON null sorts after every
            // value when descending.
            let nullable = order_field.json_type.is_some();
            clauses.push(match (&value, dir) {
                (SqlValue::Null, "ASC") => format!("({v} IS NOT NULL OR id > ?)"),
                (SqlValue::Null, _) => format!("({v} IS NULL AND id < ?)"),
                _ if dir == "ASC" => format!("({v}, id) > (?, ?)"),
                _ if nullable => format!("(({v}, id) < (?, ?) OR {v} IS NULL)"),
                _ => format!("({v}, id) < (?, ?)"),
            });
            if value != SqlValue::Null {
                params.push(value);
            }
        }
        params.push(SqlValue::Text(cursor.id.clone()));
    }
    let order = if order_field.value == "id" {
        format!("id {dir}")
    } else {
        format!("{} {dir}, id {dir}", order_field.value)
    };
    params.push(SqlValue::Integer(query.limit as i64));
    let sql = format!(
        "SELECT {COLUMNS} FROM documents{} WHERE {} ORDER BY {order} LIMIT ?",
        serving_index(query)
            .map(|name| format!(" INDEXED BY \"{name}\""))
            .unwrap_or_default(),
        clauses.join(" AND ")
    );
    Ok((sql, params))
}

/// The SQLite index of the declared index that Firestore would serve `query` from, if one
/// does. Named, because SQLite without statistics prefers the primary key's (tenant,
/// collection) range whenever it yields the order by id: a scan of the whole collection.
fn serving_index(query: &Query) -> Option<String> {
    let first_page = Query {
        start_after: None,
        ..query.clone()
    };
    let planned = crate::indexes::plan(&first_page).ok()?.into_iter().next()?;
    let serving = crate::indexes::serving(&planned.shape(), crate::indexes::declared()).ok()?;
    // Merged indexes: SQLite walks one, the one of the first equality, and filters the rest.
    serving.first().map(|index| sqlite_index_name(index))
}

fn sqlite_index_name(index: &crate::indexes::CompositeIndex) -> String {
    let fields: Vec<&str> = index.fields.iter().map(|f| f.field_path.as_str()).collect();
    format!(
        "{INDEX_PREFIX}{}__{}",
        index.collection_group,
        fields.join("__")
    )
}

fn apply(tx: &Connection, tenant: &str, write: Write, at: &str) -> StoreResult<WriteOutcome> {
    let (collection, id) = write.target();
    let (collection, id) = (collection.to_owned(), id.to_owned());
    let current: Option<i64> = tx
        .prepare_cached(
            "SELECT version FROM documents WHERE tenant = ?1 AND collection = ?2 AND id = ?3",
        )
        .and_then(|mut statement| {
            statement.query_row(params![tenant, collection, id], |r| r.get(0))
        })
        .optional()
        .map_err(sql_error)?;
    let not_found = || StoreError::NotFound {
        collection: collection.clone(),
        id: id.clone(),
    };
    let check = |expected: u64| -> StoreResult<()> {
        match current {
            None => Err(not_found()),
            Some(actual) if actual as u64 != expected => Err(StoreError::VersionMismatch {
                collection: collection.clone(),
                id: id.clone(),
                expected,
                actual: actual as u64,
            }),
            Some(_) => Ok(()),
        }
    };
    match write {
        Write::Create { fields, .. } => {
            if current.is_some() {
                return Err(StoreError::AlreadyExists { collection, id });
            }
            let data = serde_json::to_string(&fields).map_err(internal)?;
            tx.prepare_cached(
                "INSERT INTO documents (tenant, collection, id, version, created_at, updated_at, data)
                 VALUES (?1, ?2, ?3, 1, ?4, ?4, ?5)",
            )
            .and_then(|mut statement| statement.execute(params![tenant, collection, id, at, data]))
            .map_err(sql_error)?;
        }
        Write::Update {
            expected_version,
            fields,
            ..
        } => {
            check(expected_version)?;
            let data = serde_json::to_string(&fields).map_err(internal)?;
            tx.prepare_cached(
                "UPDATE documents SET version = version + 1, updated_at = ?4, data = ?5
                 WHERE tenant = ?1 AND collection = ?2 AND id = ?3",
            )
            .and_then(|mut statement| statement.execute(params![tenant, collection, id, at, data]))
            .map_err(sql_error)?;
        }
        Write::Delete {
            expected_version, ..
        } => {
            if let Some(expected) = expected_version {
                check(expected)?;
            }
            tx.prepare_cached(
                "DELETE FROM documents WHERE tenant = ?1 AND collection = ?2 AND id = ?3",
            )
            .and_then(|mut statement| statement.execute(params![tenant, collection, id]))
            .map_err(sql_error)?;
            return Ok(WriteOutcome::Deleted);
        }
        Write::Verify {
            expected_version, ..
        } => {
            check(expected_version)?;
            return Ok(WriteOutcome::Verified);
        }
    }
    let doc = load(tx, tenant, &collection, &id)?.ok_or_else(not_found)?;
    Ok(WriteOutcome::Written(doc))
}

#[async_trait]
impl DocumentStore for EmbeddedStore {
    #[tracing::instrument(
        name = "store.get",
        level = "debug",
        skip_all,
        fields(
            store = "embedded",
            tenant = %tenant,
            collection = collection
        )
    )]
    async fn get(
        &self,
        tenant: &TenantId,
        collection: &'static str,
        id: &str,
    ) -> StoreResult<Option<Document>> {
        let (tenant, id) = (tenant.to_string(), id.to_owned());
        self.read(1, move |conn| load(conn, &tenant, collection, &id))
            .await
    }

    #[tracing::instrument(
        name = "store.get_many",
        level = "debug",
        skip_all,
        fields(
            store = "embedded",
            tenant = %tenant,
            collection = collection,
            ids = ids.len()
        )
    )]
    async fn get_many(
        &self,
        tenant: &TenantId,
        collection: &'static str,
        ids: &[String],
    ) -> StoreResult<Vec<Document>> {
        let (tenant, ids) = (tenant.to_string(), ids.to_vec());
        self.read(ids.len(), move |conn| {
            let mut found = Vec::with_capacity(ids.len());
            for id in &ids {
                found.extend(load(conn, &tenant, collection, id)?);
            }
            Ok(found)
        })
        .await
    }

    #[tracing::instrument(
        name = "store.query",
        level = "debug",
        skip_all,
        fields(
            store = "embedded",
            tenant = %tenant,
            collection = query.collection
        )
    )]
    async fn query(&self, tenant: &TenantId, query: &Query) -> StoreResult<Page> {
        let (sql, params) = build_query(tenant.as_str(), query)?;
        let query = query.clone();
        self.read(query.limit, move |conn| {
            let mut statement = conn.prepare_cached(&sql).map_err(sql_error)?;
            let rows = statement
                .query_map(params_from_iter(params), row_to_document)
                .map_err(sql_error)?
                .map(|row| row.map_err(sql_error).and_then(into_document))
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Page::from_documents(rows, &query))
        })
        .await
    }

    #[tracing::instrument(
        name = "store.commit",
        level = "debug",
        skip_all,
        fields(
            store = "embedded",
            tenant = %tenant,
            writes = writes.len()
        )
    )]
    async fn commit(
        &self,
        tenant: &TenantId,
        writes: Vec<Write>,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<WriteOutcome>> {
        domain::store::validate_writes(&writes)?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let request = CommitRequest {
            tenant: tenant.to_string(),
            writes,
            at: format_timestamp(&at),
            reply,
        };
        let gone = || StoreError::Unavailable("the store's writer has stopped".into());
        self.inner.writer.send(request).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}
