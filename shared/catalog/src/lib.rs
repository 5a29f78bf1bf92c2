//! The function catalog (`functions/catalog.json`): every function of the fleet with its
//! bounded context, ingress, routes, triggers and scaling hints. It is the one source of truth:
//! the local cloud mounts what it lists, terraform deploys it, Cloud Build builds it, and tests
//! fail when a function crate and the catalog disagree.

use std::collections::BTreeSet;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub mod cron;

/// The catalog file, compiled in.
pub const CATALOG_JSON: &str = include_str!("../../../functions/catalog.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub functions: Vec<Function>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Function {
    /// The crate under `functions/`, the Cloud Run service and the image name.
    pub name: String,
    pub context: BoundedContext,
    pub description: String,
    pub ingress: Ingress,
    /// Path prefixes the function owns; they compose at one origin, so they never overlap.
    pub routes: Vec<String>,
    /// The load balancer's default: it also serves every path no function's routes claim (the
    /// cockpit's web app). At most one function is.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
    pub triggers: Vec<Trigger>,
    pub scaling: Scaling,
    /// Secrets the function reads from its environment (Secret Manager in the cloud).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Secret>,
    /// Job topics a request of the function publishes to (work it hands to a worker); a
    /// scheduled function publishes to every job topic without listing them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publishes: Vec<String>,
    /// Reads and writes documents in the bucket (`CLEANOPS_BUCKET`, Cloud Storage).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub documents: bool,
}

impl Function {
    /// Whether the function publishes messages: it is scheduled, or lists topics.
    pub fn publishes_messages(&self) -> bool {
        !self.publishes.is_empty()
            || self
                .triggers
                .iter()
                .any(|t| matches!(t, Trigger::Schedule { .. }))
    }
}

/// A secret a function needs, and the environment variable it arrives in: `CLEANOPS_` and its
/// catalog name in upper snake case (terraform derives the variable by that rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Secret {
    /// `CLEANOPS_SIGNING_KEY`: signs check-in codes and calendar feed tokens.
    SigningKey,
    /// `CLEANOPS_ISSUER_KEY`: what the identity function's signing keys come from (a master
    /// secret they are derived from month by month); their public halves are the JWKS every
    /// function verifies against.
    IssuerKey,
    /// `CLEANOPS_TWILIO_AUTH_TOKEN`: authenticates SMS sent through Twilio and verifies
    /// Twilio's status callbacks (`X-Twilio-Signature`).
    TwilioAuthToken,
    /// `CLEANOPS_SMTP_PASSWORD`: the SMTP relay's password.
    SmtpPassword,
}

impl Secret {
    pub const fn env_var(self) -> &'static str {
        match self {
            Secret::SigningKey => "CLEANOPS_SIGNING_KEY",
            Secret::IssuerKey => "CLEANOPS_ISSUER_KEY",
            Secret::TwilioAuthToken => "CLEANOPS_TWILIO_AUTH_TOKEN",
            Secret::SmtpPassword => "CLEANOPS_SMTP_PASSWORD",
        }
    }
}

/// The bounded context a function belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BoundedContext {
    Cleaning,
    EconomicEntity,
    Platform,
    /// The web app people use.
    Cockpit,
}

/// Who may invoke the function: anyone (app-level auth) or only its push/scheduler identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Ingress {
    Public,
    Private,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum Trigger {
    /// Requests from the frontend and other clients.
    Http,
    /// A Pub/Sub push subscription on `topic`, delivered to `path`.
    #[serde(rename_all = "camelCase")]
    Push {
        topic: String,
        path: String,
        ack_deadline_seconds: u32,
        min_backoff_seconds: u32,
        max_backoff_seconds: u32,
        max_delivery_attempts: u32,
    },
    /// A Cloud Scheduler job calling `path` (the fan-out) for `job`.
    #[serde(rename_all = "camelCase")]
    Schedule {
        job: String,
        cron: String,
        time_zone: String,
        path: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scaling {
    pub min_instances: u32,
    pub max_instances: u32,
    /// Requests one instance serves at once.
    pub concurrency: u32,
    pub cpu: String,
    pub memory: String,
    pub timeout_seconds: u32,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("functions/catalog.json: {0}")]
pub struct CatalogError(pub String);

fn is_name(s: &str) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 40
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && !s.ends_with('-')
}

impl Catalog {
    /// The compiled-in catalog, checked.
    pub fn load() -> Result<Self, CatalogError> {
        Self::parse(CATALOG_JSON)
    }

    /// The compiled-in catalog, parsed and checked once per process.
    pub fn get() -> Result<&'static Self, CatalogError> {
        static CATALOG: std::sync::OnceLock<Result<Catalog, CatalogError>> =
            std::sync::OnceLock::new();
        CATALOG
            .get_or_init(Self::load)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Every trigger of every function.
    pub fn triggers(&self) -> impl Iterator<Item = &Trigger> {
        self.functions.iter().flat_map(|f| &f.triggers)
    }

    /// The topics workers subscribe to (a scheduled job's topic is named like the job).
    pub fn push_topics(&self) -> impl Iterator<Item = &str> {
        self.triggers().filter_map(|t| match t {
            Trigger::Push { topic, .. } => Some(topic.as_str()),
            _ => None,
        })
    }

    pub fn parse(json: &str) -> Result<Self, CatalogError> {
        let catalog: Catalog =
            serde_json::from_str(json).map_err(|e| CatalogError(e.to_string()))?;
        catalog.check()?;
        Ok(catalog)
    }

    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// Names are unique service names; routes are `/...` prefixes no two functions share;
    /// triggers fit their ingress; schedules are valid cron in an IANA time zone.
    pub fn check(&self) -> Result<(), CatalogError> {
        let error = |m: String| Err(CatalogError(m));
        let mut names = BTreeSet::new();
        let mut routes: Vec<(&str, &str)> = Vec::new();
        for f in &self.functions {
            if !is_name(&f.name) {
                return error(format!(
                    "{:?} is not a service name (lower case, digits, -)",
                    f.name
                ));
            }
            if !names.insert(f.name.as_str()) {
                return error(format!("{} is listed twice", f.name));
            }
            if f.triggers.is_empty() {
                return error(format!("{} has no trigger", f.name));
            }
            let s = &f.scaling;
            if s.max_instances == 0
                || s.min_instances > s.max_instances
                || s.concurrency == 0
                || s.timeout_seconds == 0
            {
                return error(format!(
                    "{}: scaling needs 0 <= min <= max, max > 0, concurrency > 0, timeout > 0",
                    f.name
                ));
            }
            for route in &f.routes {
                if !route.starts_with('/') || route.ends_with('/') {
                    return error(format!(
                        "{}: route {route:?} must start with / and not end with /",
                        f.name
                    ));
                }
                routes.push((route, &f.name));
            }
            for trigger in &f.triggers {
                match trigger {
                    Trigger::Http if f.ingress == Ingress::Private => {
                        return error(format!(
                            "{}: a private function has no public HTTP trigger",
                            f.name
                        ));
                    }
                    Trigger::Http => {}
                    Trigger::Push {
                        topic,
                        path,
                        min_backoff_seconds,
                        max_backoff_seconds,
                        max_delivery_attempts,
                        ack_deadline_seconds,
                    } => {
                        if !is_name(topic) || !f.routes.contains(path) {
                            return error(format!(
                                "{}: push needs a topic name and a path among its routes",
                                f.name
                            ));
                        }
                        if min_backoff_seconds > max_backoff_seconds
                            || !(5..=100).contains(max_delivery_attempts)
                            || !(10..=600).contains(ack_deadline_seconds)
                        {
                            return error(format!(
                                "{}: push needs min <= max backoff, 5-100 attempts, a 10-600 s ack deadline (Pub/Sub's limits)",
                                f.name
                            ));
                        }
                    }
                    Trigger::Schedule {
                        job,
                        cron,
                        time_zone,
                        path,
                    } => {
                        if !is_name(job) || !f.routes.contains(path) {
                            return error(format!(
                                "{}: a schedule needs a job name and a path among its routes",
                                f.name
                            ));
                        }
                        if cron::Cron::parse(cron).is_none() {
                            return error(format!(
                                "{}: {cron:?} is not a five-field cron expression",
                                f.name
                            ));
                        }
                        if chrono_tz::Tz::from_str(time_zone).is_err() {
                            return error(format!(
                                "{}: {time_zone:?} is not an IANA time zone",
                                f.name
                            ));
                        }
                    }
                }
            }
        }
        let defaults: Vec<&str> = self
            .functions
            .iter()
            .filter(|f| f.default)
            .map(|f| f.name.as_str())
            .collect();
        if defaults.len() > 1 {
            return error(format!(
                "{} are each the default; one function serves unclaimed paths",
                defaults.join(" and ")
            ));
        }
        if let Some(f) = self
            .functions
            .iter()
            .find(|f| f.default && f.ingress != Ingress::Public)
        {
            return error(format!("{}: the default function must be public", f.name));
        }
        let topics: BTreeSet<&str> = self.push_topics().collect();
        for f in &self.functions {
            for trigger in &f.triggers {
                if let Trigger::Schedule { job, .. } = trigger
                    && !topics.contains(job.as_str())
                {
                    return error(format!(
                        "{}: scheduled job {job} has no worker subscribed to topic {job}",
                        f.name
                    ));
                }
            }
        }
        for f in &self.functions {
            if let Some(topic) = f.publishes.iter().find(|t| !topics.contains(t.as_str())) {
                return error(format!(
                    "{}: publishes to {topic}, which no worker subscribes to",
                    f.name
                ));
            }
        }
        for (i, (a, fa)) in routes.iter().enumerate() {
            for (b, fb) in &routes[i + 1..] {
                let nested = |x: &str, y: &str| x == y || y.starts_with(&format!("{x}/"));
                if nested(a, b) || nested(b, a) {
                    return error(format!("routes {a} ({fa}) and {b} ({fb}) overlap"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_in_the_repository_is_valid() {
        let catalog = Catalog::load().unwrap();
        assert!(catalog.function("sites").is_some());
    }

    #[test]
    fn one_public_function_at_most_serves_unclaimed_paths() {
        let base = Catalog::load().unwrap();
        assert_eq!(
            base.functions.iter().filter(|f| f.default).count(),
            1,
            "the cockpit serves every path no function claims"
        );
        let mut two = base.clone();
        two.functions[0].default = true;
        assert!(two.check().unwrap_err().0.contains("each the default"));
        let mut private = base.clone();
        for f in &mut private.functions {
            f.default = f.name == "fanout";
        }
        assert!(private.check().unwrap_err().0.contains("must be public"));
    }

    #[test]
    fn overlapping_routes_and_bad_schedules_are_refused() {
        let base = Catalog::load().unwrap();
        let mut twice = base.clone();
        let mut other = twice.functions[0].clone();
        other.name = "other".into();
        other.routes = vec!["/v1/sites/x".into()];
        twice.functions.push(other);
        assert!(twice.check().unwrap_err().0.contains("overlap"));

        let mut scheduled = base.clone();
        let f = &mut scheduled.functions[0];
        f.routes.push("/internal/nightly".into());
        let schedule = |cron: &str, tz: &str| Trigger::Schedule {
            job: "nightly".into(),
            cron: cron.into(),
            time_zone: tz.into(),
            path: "/internal/nightly".into(),
        };
        f.triggers.push(schedule("0 2 * * 1-5", "Europe/Berlin"));
        assert!(
            scheduled.check().unwrap_err().0.contains("no worker"),
            "a job needs its worker"
        );
        let mut worker = scheduled.functions[0].clone();
        worker.name = "worker".into();
        worker.ingress = Ingress::Private;
        worker.routes = vec!["/push/nightly".into()];
        worker.triggers = vec![Trigger::Push {
            topic: "nightly".into(),
            path: "/push/nightly".into(),
            ack_deadline_seconds: 60,
            min_backoff_seconds: 10,
            max_backoff_seconds: 600,
            max_delivery_attempts: 5,
        }];
        scheduled.functions.push(worker);
        assert_eq!(scheduled.check(), Ok(()));
        for (cron, tz) in [
            ("0 2 * *", "Europe/Berlin"),
            ("61 2 * * *", "Europe/Berlin"),
            ("0 2 * * *", "Mars/Base"),
        ] {
            scheduled.functions[0].triggers[1] = schedule(cron, tz);
            assert!(scheduled.check().is_err(), "{cron} {tz}");
        }
    }
}
