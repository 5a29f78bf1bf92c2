//! The channels' adapters: Twilio's REST API for SMS (a form POST on the one HTTP stack the
//! platform uses), SMTP for email (lettre, rustls, pooled). Unconfigured, a channel writes to
//! the outbox only: locally nothing leaves the machine unless it is configured.
//!
//! Configuration, all optional:
//! - SMS: `TWILIO_ACCOUNT_SID`, `TWILIO_FROM` (a number, or a Messaging Service `MG…`),
//!   `TWILIO_API_URL` (default `https://api.twilio.com`) and the `twilio-auth-token` secret.
//! - Email: `SMTP_URL` (`smtp://host:port` plain, `smtp+starttls://…`, `smtps://…`),
//!   `SMTP_USER`, `SMTP_FROM` (`cleanops <noreply@example.com>`) and the `smtp-password`
//!   secret.
//! - `PUBLIC_URL`: the API's public origin, where Twilio posts status
//!   callbacks; without it, SMS are sent without callbacks (they stay `sent`).

use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};
use platform::config::{self, ConfigError};
use platform::notify::Credential;
use serde::Deserialize;

/// What a send came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The provider took it; its id for the message.
    Sent { provider_id: String },
    /// It may succeed later (429, 5xx, a timeout, the server unreachable).
    Transient(String),
    /// It never will as it is (an invalid number, a refused address).
    Permanent(String),
    /// The recipient opted out (Twilio error 21610, or her STOP).
    OptedOut,
}

/// The configured senders; `None` writes to the outbox only.
#[derive(Clone, Default)]
pub struct Senders {
    pub sms: Option<Arc<Twilio>>,
    pub email: Option<Arc<Smtp>>,
}

impl Senders {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            sms: Twilio::from_env()?.map(Arc::new),
            email: Smtp::from_env()?.map(Arc::new),
        })
    }
}

/// SMS through Twilio's Programmable Messaging (`POST /2010-04-01/Accounts/{Sid}/Messages.json`).
pub struct Twilio {
    client: reqwest::Client,
    api: String,
    account_sid: String,
    auth_token: Credential,
    from: String,
    callback_base: Option<String>,
}

impl std::fmt::Debug for Twilio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Twilio")
            .field("api", &self.api)
            .field("account_sid", &self.account_sid)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// Twilio's error body.
#[derive(Deserialize)]
struct TwilioError {
    code: Option<u32>,
    message: Option<String>,
    /// What a problem+json answer says instead (a gateway, the test mock).
    detail: Option<String>,
}

#[derive(Deserialize)]
struct TwilioMessage {
    sid: String,
}

/// Twilio's code for a recipient who replied STOP.
const UNSUBSCRIBED: u32 = 21610;

impl Twilio {
    pub fn new(
        api: &str,
        account_sid: &str,
        auth_token: Credential,
        from: &str,
        callback_base: Option<String>,
    ) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("an HTTP client");
        Self {
            client,
            api: api.trim_end_matches('/').to_owned(),
            account_sid: account_sid.to_owned(),
            auth_token,
            from: from.to_owned(),
            callback_base: callback_base.map(|b| b.trim_end_matches('/').to_owned()),
        }
    }

    fn from_env() -> Result<Option<Self>, ConfigError> {
        let Some(sid) = config::optional("TWILIO_ACCOUNT_SID") else {
            return Ok(None);
        };
        let from = config::required(
            "TWILIO_FROM",
            "the sender number or Messaging Service SID, with TWILIO_ACCOUNT_SID",
        )?;
        let token = config::required(
            catalog::Secret::TwilioAuthToken.env_var(),
            "the twilio-auth-token secret, with TWILIO_ACCOUNT_SID",
        )?;
        let api = config::optional("TWILIO_API_URL")
            .unwrap_or_else(|| "https://api.twilio.com".to_owned());
        Ok(Some(Self::new(
            &api,
            &sid,
            Credential::new(token),
            &from,
            config::optional("PUBLIC_URL"),
        )))
    }

    /// The URL Twilio posts a message's status to: the tenant and notification are in it,
    /// and Twilio signs it with the auth token, so only a URL we gave it verifies.
    pub fn status_callback(&self, tenant: &str, notification: &str) -> Option<String> {
        self.callback_base
            .as_ref()
            .map(|base| format!("{base}/v1/twilio/status/{tenant}/{notification}"))
    }

    pub fn auth_token(&self) -> &Credential {
        &self.auth_token
    }

    pub async fn send(&self, to: &str, body: &str, status_callback: Option<String>) -> SendOutcome {
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.api, self.account_sid
        );
        let sender = if self.from.starts_with("MG") {
            "MessagingServiceSid"
        } else {
            "From"
        };
        let mut form = vec![("To", to), (sender, self.from.as_str()), ("Body", body)];
        if let Some(callback) = &status_callback {
            form.push(("StatusCallback", callback));
        }
        let response = self
            .client
            .post(&url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose()))
            .form(&form)
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) => return SendOutcome::Transient(format!("Twilio unreachable: {e}")),
        };
        let status = response.status();
        let bytes = response.bytes().await.unwrap_or_default();
        if status.is_success() {
            return match serde_json::from_slice::<TwilioMessage>(&bytes) {
                Ok(message) => SendOutcome::Sent {
                    provider_id: message.sid,
                },
                Err(e) => SendOutcome::Permanent(format!("Twilio's answer has no sid: {e}")),
            };
        }
        let error: Option<TwilioError> = serde_json::from_slice(&bytes).ok();
        let detail = error
            .as_ref()
            .map(|e| {
                format!(
                    "Twilio {} (code {}): {}",
                    status.as_u16(),
                    e.code.map_or("-".to_owned(), |c| c.to_string()),
                    e.message
                        .as_deref()
                        .or(e.detail.as_deref())
                        .unwrap_or("no message")
                )
            })
            .unwrap_or_else(|| format!("Twilio {}", status.as_u16()));
        if error.as_ref().and_then(|e| e.code) == Some(UNSUBSCRIBED) {
            return SendOutcome::OptedOut;
        }
        if status.as_u16() == 429 || status.is_server_error() {
            SendOutcome::Transient(detail)
        } else {
            SendOutcome::Permanent(detail)
        }
    }
}

/// Email through an SMTP relay.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// One email to send.
pub struct Email<'a> {
    pub to: &'a str,
    pub to_name: &'a str,
    pub language: &'a str,
    pub subject: &'a str,
    pub text: String,
    pub html: String,
    /// Where the recipient changes what she is sent (`List-Unsubscribe`), where it applies.
    pub unsubscribe: Option<String>,
    pub attachment: Option<(String, String, Vec<u8>)>,
    pub message_id: String,
}

impl Smtp {
    /// A pooled transport to `url`: `smtp://` (plain, for a local relay), `smtp+starttls://`
    /// or `smtps://`.
    pub fn new(
        url: &str,
        user: Option<String>,
        password: Option<Credential>,
        from: &str,
    ) -> Result<Self, ConfigError> {
        let bad = |why: String| ConfigError::new("SMTP_URL", why);
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            bad("must be smtp://host:port, smtp+starttls://… or smtps://…".into())
        })?;
        let (host, port) = match rest.trim_end_matches('/').rsplit_once(':') {
            Some((host, port)) => (
                host.to_owned(),
                port.parse::<u16>()
                    .map_err(|_| bad(format!("{port:?} is not a port")))?,
            ),
            None => (rest.trim_end_matches('/').to_owned(), 0),
        };
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| bad(format!("TLS for {host}: {e}")))
        };
        let (tls, default_port) = match scheme {
            "smtp" => (Tls::None, 25),
            "smtp+starttls" => (Tls::Required(tls(&host)?), 587),
            "smtps" => (Tls::Wrapper(tls(&host)?), 465),
            other => {
                return Err(bad(format!(
                    "{other}:// is not smtp, smtp+starttls or smtps"
                )));
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host)
            .port(if port == 0 { default_port } else { port })
            .tls(tls)
            .timeout(Some(Duration::from_secs(20)))
            .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(8));
        if let (Some(user), Some(password)) = (user, password) {
            builder = builder.credentials(Credentials::new(user, password.expose().to_owned()));
        }
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| ConfigError::new("SMTP_FROM", format!("not an address: {e}")))?;
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    fn from_env() -> Result<Option<Self>, ConfigError> {
        let Some(url) = config::optional("SMTP_URL") else {
            return Ok(None);
        };
        let from = config::required("SMTP_FROM", "the sender address, with SMTP_URL")?;
        let password =
            config::optional(catalog::Secret::SmtpPassword.env_var()).map(Credential::new);
        Self::new(&url, config::optional("SMTP_USER"), password, &from).map(Some)
    }

    /// The sender's domain, for Message-IDs.
    pub fn domain(&self) -> &str {
        self.from.email.domain()
    }

    pub async fn send(&self, email: Email<'_>) -> SendOutcome {
        let to = match email.to.parse::<lettre::Address>() {
            Ok(address) => Mailbox::new(Some(email.to_name.to_owned()), address),
            Err(e) => return SendOutcome::Permanent(format!("{:?} is no address: {e}", email.to)),
        };
        let alternative = MultiPart::alternative()
            .singlepart(SinglePart::plain(email.text))
            .singlepart(SinglePart::html(email.html));
        let body = match email.attachment {
            Some((name, media_type, bytes)) => {
                let content_type = ContentType::parse(&media_type)
                    .unwrap_or(ContentType::parse("application/octet-stream").expect("a type"));
                // Base64 whatever the bytes look like: a PDF may hold long text lines.
                let body = match Body::new_with_encoding(bytes, ContentTransferEncoding::Base64) {
                    Ok(body) => body,
                    Err(_) => {
                        return SendOutcome::Permanent("the attachment cannot be encoded".into());
                    }
                };
                MultiPart::mixed()
                    .multipart(alternative)
                    .singlepart(Attachment::new(name).body(body, content_type))
            }
            None => alternative,
        };
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject)
            .message_id(Some(email.message_id.clone()))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                email.language.to_owned(),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_owned(),
            ));
        if let Some(unsubscribe) = &email.unsubscribe {
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{unsubscribe}>"),
            ));
        }
        let message = match builder.multipart(body) {
            Ok(message) => message,
            Err(e) => return SendOutcome::Permanent(format!("the email cannot be built: {e}")),
        };
        match self.transport.send(message).await {
            Ok(_) => SendOutcome::Sent {
                provider_id: email.message_id,
            },
            Err(e) if e.is_permanent() => SendOutcome::Permanent(format!("SMTP refused: {e}")),
            Err(e) => SendOutcome::Transient(format!("SMTP failed: {e}")),
        }
    }
}
