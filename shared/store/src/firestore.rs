//! The Firestore adapter of the store port, on the Firestore v1 gRPC API through firestore-rs.
//!
//! Documents live at `tenants/{tenant}/{collection}/{id}` and carry `id`, `version`,
//! `createdAt` and `updatedAt` next to the entity's fields, so a tenant's data is one subtree
//! and metadata can be filtered and ordered like any field.
//!
//! Only RPCs that both Firestore and the emulator serve are used: point reads are
//! `BatchGetDocuments`, every write is a transactional `Commit`, and keyset pages are range
//! filters (see [`crate::indexes::plan`]). A commit reads its documents inside a read-write
//! transaction, checks the versions, and commits with preconditions; Firestore aborts it if a
//! read document changed, and it is retried.

use std::collections::HashMap;
use std::error::Error as _;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::meta::{Metadata, format_timestamp};
use domain::store::{
    Direction, Document, DocumentStore, FilterOp, Page, Query, StoreError, StoreResult, Write,
    WriteOutcome,
};
use firestore::gcloud_sdk::google::firestore::v1 as pb;
use firestore::gcloud_sdk::tonic::{Code, Request, Status};
use firestore::{FirestoreDb, FirestoreDbOptions};
use pb::structured_query::{self as sq, field_filter, filter::FilterType, unary_filter};
use serde_json::{Map, Value};

/// Attempts of a commit whose transaction Firestore aborts under contention.
const COMMIT_ATTEMPTS: u32 = 6;
/// Per-request deadline, so an unreachable Firestore is a 503 within seconds, not a hang.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct FirestoreStore {
    db: FirestoreDb,
}

fn status_error(status: Status) -> StoreError {
    // A status with a source was made by the client from a failed connection (a reset stream,
    // a closed socket), not sent by Firestore: tonic files those under Unknown or Internal, but
    // for the caller they are an outage to retry, like Unavailable.
    if status.source().is_some() && matches!(status.code(), Code::Unknown | Code::Internal) {
        return StoreError::Unavailable(format!("Firestore connection lost: {}", status.message()));
    }
    match status.code() {
        Code::Unavailable
        | Code::DeadlineExceeded
        | Code::ResourceExhausted
        | Code::Aborted
        | Code::Cancelled => StoreError::Unavailable(format!("Firestore: {}", status.message())),
        Code::Unauthenticated | Code::PermissionDenied => StoreError::Unavailable(format!(
            "Firestore refused our credentials: {}",
            status.message()
        )),
        Code::InvalidArgument => StoreError::Invalid(format!("Firestore: {}", status.message())),
        _ => StoreError::Internal(format!(
            "Firestore {:?}: {}",
            status.code(),
            status.message()
        )),
    }
}

fn internal(message: impl Into<String>) -> StoreError {
    StoreError::Internal(message.into())
}

impl FirestoreStore {
    /// Connects to `project_id`'s database `database_id`. With `FIRESTORE_EMULATOR_HOST` set
    /// it talks to the emulator without credentials; otherwise it uses the runtime's service
    /// account (Application Default Credentials).
    pub async fn connect(project_id: &str, database_id: &str) -> StoreResult<Self> {
        let options = FirestoreDbOptions::new(project_id.to_owned())
            .with_database_id(database_id.to_owned())
            .with_request_timeout(REQUEST_TIMEOUT);
        let db = FirestoreDb::with_options(options)
            .await
            .map_err(|e| StoreError::Unavailable(format!("cannot connect to Firestore: {e}")))?;
        Ok(Self { db })
    }

    fn database(&self) -> &str {
        self.db.get_database_path()
    }

    fn parent(&self, tenant: &TenantId) -> String {
        format!(
            "{}/tenants/{}",
            self.db.get_documents_path(),
            tenant.as_str()
        )
    }

    fn name(&self, tenant: &TenantId, collection: &str, id: &str) -> String {
        format!("{}/{collection}/{id}", self.parent(tenant))
    }

    fn client(
        &self,
    ) -> pb::firestore_client::FirestoreClient<firestore::gcloud_sdk::GoogleAuthMiddleware> {
        self.db.client().get()
    }

    /// Reads documents by name (inside `transaction` if given); absent ones are left out.
    async fn batch_get(
        &self,
        names: Vec<String>,
        transaction: Option<Vec<u8>>,
    ) -> StoreResult<HashMap<String, pb::Document>> {
        if names.is_empty() {
            return Ok(HashMap::new());
        }
        let request = pb::BatchGetDocumentsRequest {
            database: self.database().to_owned(),
            documents: names,
            consistency_selector: transaction
                .map(pb::batch_get_documents_request::ConsistencySelector::Transaction),
            ..Default::default()
        };
        let mut stream = self
            .client()
            .batch_get_documents(Request::new(request))
            .await
            .map_err(status_error)?
            .into_inner();
        let mut found = HashMap::new();
        while let Some(response) = stream.message().await.map_err(status_error)? {
            if let Some(pb::batch_get_documents_response::Result::Found(doc)) = response.result {
                found.insert(doc.name.clone(), doc);
            }
        }
        Ok(found)
    }

    async fn run_query(
        &self,
        tenant: &TenantId,
        query: pb::StructuredQuery,
    ) -> StoreResult<Vec<pb::Document>> {
        let request = pb::RunQueryRequest {
            parent: self.parent(tenant),
            query_type: Some(pb::run_query_request::QueryType::StructuredQuery(query)),
            ..Default::default()
        };
        let mut stream = self
            .client()
            .run_query(Request::new(request))
            .await
            .map_err(status_error)?
            .into_inner();
        let mut documents = Vec::new();
        while let Some(response) = stream.message().await.map_err(status_error)? {
            documents.extend(response.document);
        }
        Ok(documents)
    }

    async fn begin(&self) -> StoreResult<Vec<u8>> {
        let request = pb::BeginTransactionRequest {
            database: self.database().to_owned(),
            options: Some(pb::TransactionOptions {
                mode: Some(pb::transaction_options::Mode::ReadWrite(Default::default())),
            }),
            ..Default::default()
        };
        Ok(self
            .client()
            .begin_transaction(Request::new(request))
            .await
            .map_err(status_error)?
            .into_inner()
            .transaction)
    }

    async fn rollback(&self, transaction: Vec<u8>) {
        let request = pb::RollbackRequest {
            database: self.database().to_owned(),
            transaction,
            ..Default::default()
        };
        // A failed rollback only delays the lock's expiry; the commit error is what matters.
        if let Err(e) = self.client().rollback(Request::new(request)).await {
            tracing::debug!("rollback failed: {e}");
        }
    }

    /// One attempt of a commit: read in a transaction, check, write.
    async fn try_commit(
        &self,
        tenant: &TenantId,
        writes: &[Write],
        at: &str,
    ) -> Result<Vec<WriteOutcome>, Attempt> {
        let transaction = self.begin().await.map_err(Attempt::Failed)?;
        let names: Vec<String> = writes
            .iter()
            .map(|w| {
                let (c, id) = w.target();
                self.name(tenant, c, id)
            })
            .collect();
        let current = match self
            .batch_get(names.clone(), Some(transaction.clone()))
            .await
        {
            Ok(current) => current,
            Err(e) => {
                self.rollback(transaction).await;
                return Err(Attempt::Failed(e));
            }
        };
        let mut pb_writes = Vec::new();
        let mut outcomes = Vec::new();
        for (write, name) in writes.iter().zip(&names) {
            match plan_write(write, name, current.get(name), at) {
                Ok((pb_write, outcome)) => {
                    pb_writes.extend(pb_write);
                    outcomes.push(outcome);
                }
                Err(e) => {
                    self.rollback(transaction).await;
                    return Err(Attempt::Failed(e));
                }
            }
        }
        // Firestore applies a commit whole, in any order. The emulator applies its writes one
        // by one and stops at the first failing `exists` precondition, keeping those before
        // it; putting those guarded writes first makes a lost race there change nothing too.
        pb_writes.sort_by_key(|w| !guarded_by_existence(w));
        let request = pb::CommitRequest {
            database: self.database().to_owned(),
            writes: pb_writes,
            transaction,
            ..Default::default()
        };
        match self.client().commit(Request::new(request)).await {
            Ok(_) => Ok(outcomes),
            Err(status) if status.code() == Code::Aborted => Err(Attempt::Contended(status)),
            // A precondition that held when read but not at commit: another writer won.
            Err(status)
                if matches!(
                    status.code(),
                    Code::AlreadyExists | Code::NotFound | Code::FailedPrecondition
                ) =>
            {
                Err(Attempt::Contended(status))
            }
            Err(status) => Err(Attempt::Failed(status_error(status))),
        }
    }
}

enum Attempt {
    /// Final: the precondition failed, or the request is bad.
    Failed(StoreError),
    /// Lost a race at commit time: read again and re-check.
    Contended(Status),
}

fn guarded_by_existence(write: &pb::Write) -> bool {
    matches!(
        write.current_document,
        Some(pb::Precondition {
            condition_type: Some(pb::precondition::ConditionType::Exists(_))
        })
    )
}

/// The Firestore write for one port write, given the document as read in the transaction.
fn plan_write(
    write: &Write,
    name: &str,
    current: Option<&pb::Document>,
    at: &str,
) -> StoreResult<(Option<pb::Write>, WriteOutcome)> {
    let (collection, id) = write.target();
    let version_of = |doc: &pb::Document| -> StoreResult<u64> {
        match doc.fields.get("version").and_then(|v| v.value_type.clone()) {
            Some(pb::value::ValueType::IntegerValue(v)) => Ok(v as u64),
            _ => Err(internal(format!("{name} has no version"))),
        }
    };
    let check = |expected: u64| -> StoreResult<&pb::Document> {
        let doc = current.ok_or_else(|| StoreError::NotFound {
            collection: collection.into(),
            id: id.into(),
        })?;
        let actual = version_of(doc)?;
        if actual != expected {
            return Err(StoreError::VersionMismatch {
                collection: collection.into(),
                id: id.into(),
                expected,
                actual,
            });
        }
        Ok(doc)
    };
    let precondition = |doc: Option<&pb::Document>| {
        Some(pb::Precondition {
            condition_type: Some(match doc.and_then(|d| d.update_time) {
                Some(time) => pb::precondition::ConditionType::UpdateTime(time),
                None => pb::precondition::ConditionType::Exists(doc.is_some()),
            }),
        })
    };
    match write {
        Write::Create { fields, .. } => {
            if current.is_some() {
                return Err(StoreError::AlreadyExists {
                    collection: collection.into(),
                    id: id.into(),
                });
            }
            let meta = Metadata {
                id: id.into(),
                version: 1,
                created_at: parse_time(at)?,
                updated_at: parse_time(at)?,
            };
            let doc = to_pb_document(name, &meta, fields)?;
            let pb_write = pb::Write {
                operation: Some(pb::write::Operation::Update(doc)),
                current_document: Some(pb::Precondition {
                    condition_type: Some(pb::precondition::ConditionType::Exists(false)),
                }),
                ..Default::default()
            };
            Ok((
                Some(pb_write),
                WriteOutcome::Written(Document {
                    meta,
                    fields: fields.clone(),
                }),
            ))
        }
        Write::Update {
            expected_version,
            fields,
            ..
        } => {
            let doc = check(*expected_version)?;
            let created = from_pb_document(doc)?.meta.created_at;
            let meta = Metadata {
                id: id.into(),
                version: expected_version + 1,
                created_at: created,
                updated_at: parse_time(at)?,
            };
            let new_doc = to_pb_document(name, &meta, fields)?;
            // The mask names old and new fields, so fields left out are removed: a replace,
            // also on the emulator, which merges unmasked updates.
            let mut mask: Vec<String> = doc
                .fields
                .keys()
                .chain(new_doc.fields.keys())
                .cloned()
                .collect();
            mask.sort();
            mask.dedup();
            let pb_write = pb::Write {
                operation: Some(pb::write::Operation::Update(new_doc)),
                update_mask: Some(pb::DocumentMask {
                    field_paths: mask.into_iter().map(|f| quote_field(&f)).collect(),
                }),
                current_document: precondition(Some(doc)),
                ..Default::default()
            };
            Ok((
                Some(pb_write),
                WriteOutcome::Written(Document {
                    meta,
                    fields: fields.clone(),
                }),
            ))
        }
        Write::Delete {
            expected_version, ..
        } => {
            let guard = match expected_version {
                Some(expected) => precondition(Some(check(*expected)?)),
                None => None,
            };
            let pb_write = pb::Write {
                operation: Some(pb::write::Operation::Delete(name.to_owned())),
                current_document: guard,
                ..Default::default()
            };
            Ok((Some(pb_write), WriteOutcome::Deleted))
        }
        // Read in the transaction: Firestore aborts the commit if it changes before then.
        Write::Verify {
            expected_version, ..
        } => check(*expected_version).map(|_| (None, WriteOutcome::Verified)),
    }
}

/// Field paths with characters beyond `[A-Za-z_0-9]` (or a leading digit) need backquotes.
fn quote_field(field: &str) -> String {
    if domain::store::is_field_name(field) {
        field.to_owned()
    } else {
        format!("`{}`", field.replace('\\', "\\\\").replace('`', "\\`"))
    }
}

fn parse_time(raw: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| internal(e.to_string()))
}

fn to_pb_value(value: &Value) -> StoreResult<pb::Value> {
    use pb::value::ValueType as V;
    let value_type = match value {
        Value::Null => V::NullValue(0),
        Value::Bool(b) => V::BooleanValue(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => V::IntegerValue(i),
            None => V::DoubleValue(
                n.as_f64()
                    .ok_or_else(|| StoreError::Invalid(format!("number {n} is out of range")))?,
            ),
        },
        Value::String(s) => V::StringValue(s.clone()),
        Value::Array(items) => V::ArrayValue(pb::ArrayValue {
            values: items.iter().map(to_pb_value).collect::<StoreResult<_>>()?,
        }),
        Value::Object(map) => V::MapValue(pb::MapValue {
            fields: to_pb_fields(map)?,
        }),
    };
    Ok(pb::Value {
        value_type: Some(value_type),
    })
}

fn to_pb_fields(map: &Map<String, Value>) -> StoreResult<HashMap<String, pb::Value>> {
    map.iter()
        .map(|(k, v)| Ok((k.clone(), to_pb_value(v)?)))
        .collect()
}

fn from_pb_value(value: &pb::Value) -> Value {
    use pb::value::ValueType as V;
    match &value.value_type {
        None | Some(V::NullValue(_)) => Value::Null,
        Some(V::BooleanValue(b)) => Value::Bool(*b),
        Some(V::IntegerValue(i)) => Value::from(*i),
        Some(V::DoubleValue(d)) => {
            serde_json::Number::from_f64(*d).map_or(Value::Null, Value::Number)
        }
        Some(V::StringValue(s)) | Some(V::ReferenceValue(s)) => Value::String(s.clone()),
        Some(V::TimestampValue(t)) => DateTime::from_timestamp(t.seconds, t.nanos.max(0) as u32)
            .map_or(Value::Null, |t| Value::String(format_timestamp(&t))),
        Some(V::BytesValue(b)) => {
            use base64::Engine as _;
            Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        Some(V::GeoPointValue(p)) => serde_json::json!({"lat": p.latitude, "lng": p.longitude}),
        Some(V::ArrayValue(a)) => Value::Array(a.values.iter().map(from_pb_value).collect()),
        Some(V::MapValue(m)) => Value::Object(from_pb_map(&m.fields)),
        Some(_) => Value::Null,
    }
}

fn from_pb_map(fields: &HashMap<String, pb::Value>) -> Map<String, Value> {
    // Firestore returns fields unordered; sorted keys make documents compare stably.
    let mut keys: Vec<&String> = fields.keys().collect();
    keys.sort();
    keys.into_iter()
        .map(|k| (k.clone(), from_pb_value(&fields[k])))
        .collect()
}

fn to_pb_document(
    name: &str,
    meta: &Metadata,
    fields: &Map<String, Value>,
) -> StoreResult<pb::Document> {
    let mut pb_fields = to_pb_fields(fields)?;
    pb_fields.insert("id".into(), to_pb_value(&Value::String(meta.id.clone()))?);
    pb_fields.insert("version".into(), to_pb_value(&Value::from(meta.version))?);
    pb_fields.insert(
        "createdAt".into(),
        to_pb_value(&Value::String(format_timestamp(&meta.created_at)))?,
    );
    pb_fields.insert(
        "updatedAt".into(),
        to_pb_value(&Value::String(format_timestamp(&meta.updated_at)))?,
    );
    Ok(pb::Document {
        name: name.to_owned(),
        fields: pb_fields,
        ..Default::default()
    })
}

fn from_pb_document(doc: &pb::Document) -> StoreResult<Document> {
    let mut fields = from_pb_map(&doc.fields);
    let mut take_str = |key: &str| match fields.remove(key) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(internal(format!("{} lacks {key}", doc.name))),
    };
    let id = take_str("id")?;
    let created_at = parse_time(&take_str("createdAt")?)?;
    let updated_at = parse_time(&take_str("updatedAt")?)?;
    let version = fields
        .remove("version")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| internal(format!("{} lacks version", doc.name)))?;
    Ok(Document {
        meta: Metadata {
            id,
            version,
            created_at,
            updated_at,
        },
        fields,
    })
}

fn field_ref(field: &str) -> sq::FieldReference {
    sq::FieldReference {
        field_path: field.to_owned(),
    }
}

fn to_pb_filter(filter: &domain::store::Filter) -> StoreResult<sq::Filter> {
    let op = match filter.op {
        FilterOp::Eq if filter.value.is_null() => {
            return Ok(sq::Filter {
                filter_type: Some(FilterType::UnaryFilter(sq::UnaryFilter {
                    op: unary_filter::Operator::IsNull as i32,
                    operand_type: Some(unary_filter::OperandType::Field(field_ref(&filter.field))),
                })),
            });
        }
        FilterOp::Eq => field_filter::Operator::Equal,
        FilterOp::Lt => field_filter::Operator::LessThan,
        FilterOp::Le => field_filter::Operator::LessThanOrEqual,
        FilterOp::Gt => field_filter::Operator::GreaterThan,
        FilterOp::Ge => field_filter::Operator::GreaterThanOrEqual,
        FilterOp::In => field_filter::Operator::In,
    };
    Ok(sq::Filter {
        filter_type: Some(FilterType::FieldFilter(sq::FieldFilter {
            field: Some(field_ref(&filter.field)),
            op: op as i32,
            value: Some(to_pb_value(&filter.value)?),
        })),
    })
}

fn to_pb_query(planned: &crate::indexes::PlannedQuery) -> StoreResult<pb::StructuredQuery> {
    let filters = planned
        .filters
        .iter()
        .map(to_pb_filter)
        .collect::<StoreResult<Vec<_>>>()?;
    let r#where = match filters.len() {
        0 => None,
        1 => filters.into_iter().next(),
        _ => Some(sq::Filter {
            filter_type: Some(FilterType::CompositeFilter(sq::CompositeFilter {
                op: sq::composite_filter::Operator::And as i32,
                filters,
            })),
        }),
    };
    let order_by = planned
        .order
        .iter()
        .map(|o| {
            let direction = match o.direction {
                Direction::Asc => sq::Direction::Ascending,
                Direction::Desc => sq::Direction::Descending,
            };
            Ok(sq::Order {
                field: Some(field_ref(&o.field)),
                direction: direction as i32,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(pb::StructuredQuery {
        from: vec![sq::CollectionSelector {
            collection_id: planned.collection.to_owned(),
            all_descendants: false,
        }],
        r#where,
        order_by,
        limit: Some(planned.limit as i32),
        ..Default::default()
    })
}

#[async_trait]
impl DocumentStore for FirestoreStore {
    #[tracing::instrument(
        name = "store.get",
        level = "debug",
        skip_all,
        fields(
            store = "firestore",
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
        Ok(self
            .get_many(tenant, collection, &[id.to_owned()])
            .await?
            .into_iter()
            .next())
    }

    #[tracing::instrument(
        name = "store.get_many",
        level = "debug",
        skip_all,
        fields(
            store = "firestore",
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
        let valid: Vec<&String> = ids
            .iter()
            .filter(|id| domain::id::parse_id(id).is_ok())
            .collect();
        let names: Vec<String> = valid
            .iter()
            .map(|id| self.name(tenant, collection, id))
            .collect();
        let mut found = self.batch_get(names.clone(), None).await?;
        names
            .iter()
            .filter_map(|name| found.remove(name))
            .map(|doc| from_pb_document(&doc))
            .collect()
    }

    #[tracing::instrument(
        name = "store.query",
        level = "debug",
        skip_all,
        fields(
            store = "firestore",
            tenant = %tenant,
            collection = query.collection
        )
    )]
    async fn query(&self, tenant: &TenantId, query: &Query) -> StoreResult<Page> {
        domain::store::validate_query(query)?;
        let order_field = query.order_field().to_owned();
        let mut documents = Vec::new();
        for mut planned in crate::indexes::plan(query)? {
            planned.limit = query.limit - documents.len();
            if planned.limit == 0 {
                break;
            }
            for doc in self.run_query(tenant, to_pb_query(&planned)?).await? {
                // Firestore leaves out documents that lack the order field; the emulator sorts
                // them last instead, so they are dropped here.
                if doc.fields.contains_key(&order_field) {
                    documents.push(from_pb_document(&doc)?);
                }
            }
        }
        Ok(Page::from_documents(documents, query))
    }

    #[tracing::instrument(
        name = "store.commit",
        level = "debug",
        skip_all,
        fields(
            store = "firestore",
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
        let at = format_timestamp(&at);
        let mut backoff = Duration::from_millis(20);
        for attempt in 1..=COMMIT_ATTEMPTS {
            match self.try_commit(tenant, &writes, &at).await {
                Ok(outcomes) => return Ok(outcomes),
                Err(Attempt::Failed(e)) => return Err(e),
                Err(Attempt::Contended(status)) if attempt == COMMIT_ATTEMPTS => {
                    return Err(status_error(status));
                }
                Err(Attempt::Contended(_)) => {
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                }
            }
        }
        Err(StoreError::Unavailable(
            "the commit kept losing races".into(),
        ))
    }
}
