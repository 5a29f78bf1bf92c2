//! Logs: JSON lines in Cloud Logging's structured format on Cloud Run (`severity`, `message`,
//! `logging.googleapis.com/trace`, ...), readable text locally. `RUST_LOG` filters both.

use std::io::Write as _;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Cloud Logging's structured JSON, one object per line on stdout.
    CloudJson,
    /// Human-readable text for a terminal.
    Text,
}

impl LogFormat {
    /// `LOG_FORMAT=json|text`; by default JSON on Cloud Run (where `K_SERVICE` is set) and on
    /// Lambda, text elsewhere.
    pub fn from_env() -> Result<Self, crate::ConfigError> {
        match crate::config::optional("LOG_FORMAT").as_deref() {
            Some("json") => Ok(LogFormat::CloudJson),
            Some("text") => Ok(LogFormat::Text),
            Some(other) => Err(crate::ConfigError::new(
                "LOG_FORMAT",
                format!("expected json or text, got {other:?}"),
            )),
            None if std::env::var_os("K_SERVICE").is_some()
                || std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() =>
            {
                Ok(LogFormat::CloudJson)
            }
            None => Ok(LogFormat::Text),
        }
    }
}

/// Installs the global subscriber. `project` (the Google Cloud project id) makes trace ids
/// into the `projects/{project}/traces/{id}` form that links logs to Cloud Trace.
pub fn init(format: LogFormat, project: Option<String>) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::CloudJson => registry.with(CloudLoggingLayer { project }).try_init(),
        LogFormat::Text => registry
            .with(tracing_subscriber::fmt::layer().with_target(false))
            .try_init(),
    };
    // A second init (tests, the local cloud hosting many functions) keeps the first.
    let _ = result;
}

/// Writes every event as one Cloud Logging JSON line, with the fields of its spans.
pub struct CloudLoggingLayer {
    pub project: Option<String>,
}

/// Span fields, kept in the span's extensions as they are recorded.
struct SpanFields(Map<String, Value>);

struct JsonVisitor<'a>(&'a mut Map<String, Value>);

impl Visit for JsonVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0
            .insert(field.name().into(), Value::String(value.into()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), Value::String(format!("{value:?}")));
    }
}

fn severity(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "ERROR",
        Level::WARN => "WARNING",
        Level::INFO => "INFO",
        Level::DEBUG | Level::TRACE => "DEBUG",
    }
}

impl<S> Layer<S> for CloudLoggingLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        attrs.record(&mut JsonVisitor(&mut fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(SpanFields(fields)) = span.extensions_mut().get_mut::<SpanFields>()
        {
            values.record(&mut JsonVisitor(fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut line = Map::new();
        // Outer spans first, so inner spans and the event's own fields win on a clash.
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(fields)) = span.extensions().get::<SpanFields>() {
                    line.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        event.record(&mut JsonVisitor(&mut line));
        let metadata = event.metadata();
        line.insert("severity".into(), severity(metadata.level()).into());
        line.insert("target".into(), metadata.target().into());
        line.insert(
            "time".into(),
            domain::meta::format_timestamp(&chrono::Utc::now()).into(),
        );
        if let Some(Value::String(trace)) = line.remove("trace") {
            let trace = match &self.project {
                Some(project) => format!("projects/{project}/traces/{trace}"),
                None => trace,
            };
            line.insert("logging.googleapis.com/trace".into(), trace.into());
        }
        if let Some(span_id) = line.remove("span_id") {
            line.insert("logging.googleapis.com/spanId".into(), span_id);
        }
        if let Some(sampled) = line.remove("sampled") {
            line.insert("logging.googleapis.com/trace_sampled".into(), sampled);
        }
        let mut out = serde_json::to_vec(&Value::Object(line)).unwrap_or_default();
        out.push(b'\n');
        // One write per line keeps lines whole when requests log concurrently.
        let _ = std::io::stdout().lock().write_all(&out);
    }
}
