//! Outgoing e-mail, optional: with `--smtp-url` the forum sends notifications, digests, password
//! resets and address confirmations through SMTP (lettre); without it nothing is sent and the
//! pages say so. Every mail is plain text, names the forum, and — when it is about notifications —
//! carries an unsubscribe link that works without logging in (signed, see [`Signer`]).
mod signer;

use clap::Args;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub use signer::{Signer, UNSUBSCRIBE};

#[derive(Debug, Clone, Args)]
pub struct MailSettings {
    /// SMTP server for outgoing mail: `smtp://host:25` (plain, for a local relay),
    /// `smtp://host:587?tls=required` (STARTTLS) or `smtps://host:465`. Unset: no mail is sent.
    #[arg(long, env = "THREADWISE_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// SMTP user name (from the environment only, like the password).
    #[arg(skip = std::env::var("THREADWISE_SMTP_USERNAME").ok())]
    pub smtp_username: Option<String>,

    #[arg(skip = std::env::var("THREADWISE_SMTP_PASSWORD").ok())]
    pub smtp_password: Option<String>,

    /// The sender of the forum's mail.
    #[arg(
        long,
        env = "THREADWISE_MAIL_FROM",
        default_value = "threadwise <noreply@localhost>"
    )]
    pub mail_from: String,

    /// The forum's public address, for links in mail (no trailing slash).
    #[arg(
        long,
        env = "THREADWISE_BASE_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub base_url: String,

    /// The forum's name, in mail subjects and signatures.
    #[arg(long, env = "THREADWISE_FORUM_NAME", default_value = "threadwise")]
    pub forum_name: String,
}

impl Default for MailSettings {
    /// No mail, the command line's defaults otherwise.
    fn default() -> Self {
        Self {
            smtp_url: None,
            smtp_username: None,
            smtp_password: None,
            mail_from: "threadwise <noreply@localhost>".into(),
            base_url: "http://127.0.0.1:8080".into(),
            forum_name: "threadwise".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid --smtp-url: {0}")]
    Url(#[source] lettre::transport::smtp::Error),
    #[error("invalid sender address {0:?}")]
    From(String),
    #[error("invalid recipient address {0:?}")]
    To(String),
    #[error("cannot build the message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("the SMTP server refused or failed: {0}")]
    Send(#[from] lettre::transport::smtp::Error),
}

/// One mail to send.
pub struct Mail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    /// For notification mail: the link that stops it (also sent as `List-Unsubscribe`).
    pub unsubscribe: Option<&'a str>,
}

/// The forum's mail service: a transport when SMTP is configured, and what links need.
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    base_url: String,
    forum_name: String,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Self, MailError> {
        let transport = match &settings.smtp_url {
            None => None,
            Some(url) => {
                let mut builder =
                    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(MailError::Url)?;
                if let (Some(user), Some(password)) =
                    (&settings.smtp_username, &settings.smtp_password)
                {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                Some(builder.build())
            }
        };
        let from = settings
            .mail_from
            .parse()
            .map_err(|_| MailError::From(settings.mail_from.clone()))?;
        Ok(Self {
            transport,
            from,
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            forum_name: settings.forum_name.clone(),
        })
    }

    /// A mailer that sends nothing.
    pub fn off() -> Self {
        Self::new(&MailSettings::default()).expect("the default sender address is valid")
    }

    pub fn is_on(&self) -> bool {
        self.transport.is_some()
    }

    pub fn forum_name(&self) -> &str {
        &self.forum_name
    }

    /// An absolute link to `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Sends a mail; without SMTP, does nothing and says so (`Ok(false)`).
    pub async fn send(&self, mail: &Mail<'_>) -> Result<bool, MailError> {
        let Some(transport) = &self.transport else {
            return Ok(false);
        };
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| MailError::To(mail.to.to_owned()))?;
        let mut text = format!(
            "{}\n\n-- \n{}\n{}\n",
            mail.text, self.forum_name, self.base_url
        );
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(format!("[{}] {}", self.forum_name, mail.subject));
        if let Some(unsubscribe) = mail.unsubscribe {
            text.push_str(&format!(
                "Stop these e-mails: {unsubscribe}\n(or choose what you get in your settings)\n"
            ));
            builder = builder.header(ListUnsubscribe(format!("<{unsubscribe}>")));
        }
        let message = builder.header(ContentType::TEXT_PLAIN).body(text)?;
        transport.send(message).await?;
        Ok(true)
    }
}

/// `List-Unsubscribe: <https://…>` (RFC 2369), which mail clients show as an unsubscribe button.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl lettre::message::header::Header for ListUnsubscribe {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), self.0.clone())
    }
}
