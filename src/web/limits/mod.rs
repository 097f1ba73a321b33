//! Abuse limits, in memory: login attempts and registrations per IP address (and login attempts
//! per username), new topics, replies, votes and flags per account — stricter for accounts younger
//! than a day — and tag suggestions per IP. Over a limit the answer is 429 with `Retry-After`.
//! The IP is the client's, which behind a trusted reverse proxy is the one it forwards (`client`).
//!
//! One middleware (`enforce`) maps the matched route pattern to an action before any handler runs,
//! so no write handler has to remember its limit; only the per-username login limit, which needs
//! the body, is checked by the two login handlers (`Limits::login_username`). Moderators are not
//! limited on their accounts' actions. Limits live in this process: several app servers would
//! each count their own (see DESIGN.md §9).
mod gcra;
mod settings;

use std::net::{IpAddr, Ipv6Addr};
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, web::Data};

pub use gcra::{Gcra, Rate};
pub use settings::LimitSettings;

use super::AppState;
use super::error::AppError;
use crate::{db, domain};

/// What a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Rule {
    LoginMinute,
    LoginHour,
    LoginUsername,
    Register,
    Topic,
    Reply,
    Vote,
    Flag,
    Suggest,
}

/// Whom a limit counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Subject {
    Ip(IpAddr),
    Account(i64),
    Username(String),
}

/// The rate-limited writes, by the route they arrive on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Login,
    Register,
    Topic,
    Reply,
    Vote,
    Flag,
    Suggest,
}

impl Action {
    /// The action behind a POST to a route pattern (as registered in `web::configure`).
    fn of(pattern: &str) -> Option<Self> {
        Some(match pattern {
            "/login" | "/api/v1/auth/login" => Action::Login,
            "/register" | "/api/v1/auth/register" => Action::Register,
            "/new" | "/api/v1/topics" => Action::Topic,
            "/t/{id}/reply" | "/api/v1/topics/{id}/replies" => Action::Reply,
            "/p/{id}/vote" | "/api/v1/posts/{id}/vote" => Action::Vote,
            "/p/{id}/flag" | "/api/v1/posts/{id}/flags" => Action::Flag,
            "/api/v1/tags/suggest" => Action::Suggest,
            _ => return None,
        })
    }
}

/// The limits and their counters, shared by all workers.
pub struct Limits {
    settings: LimitSettings,
    counters: Gcra<(Rule, Subject)>,
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            settings,
            counters: Gcra::default(),
        }
    }

    fn check(&self, checks: &[((Rule, Subject), Rate)]) -> Result<(), AppError> {
        self.counters
            .check_all(checks, Instant::now())
            .map_err(|wait| AppError::TooManyRequests {
                // Rounded up, so a client that waits exactly this long is let in.
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            })
    }

    /// Login attempts for one username, from anywhere (slows down guessing one account's password
    /// from many addresses).
    pub fn login_username(&self, username: &str) -> Result<(), AppError> {
        let name = username.trim().to_lowercase();
        self.check(&[(
            (Rule::LoginUsername, Subject::Username(name)),
            Rate::per_hour(self.settings.login_per_username_per_hour),
        )])
    }

    fn by_ip(&self, action: Action, ip: IpAddr) -> Result<(), AppError> {
        let s = &self.settings;
        let key = |rule| (rule, Subject::Ip(ip));
        match action {
            Action::Login => self.check(&[
                (key(Rule::LoginMinute), Rate::per_minute(s.login_per_minute)),
                (key(Rule::LoginHour), Rate::per_hour(s.login_per_hour)),
            ]),
            Action::Register => self.check(&[(
                key(Rule::Register),
                Rate::per_hour(s.registrations_per_hour),
            )]),
            Action::Suggest => self.check(&[(
                key(Rule::Suggest),
                Rate::per_minute(s.tag_suggestions_per_minute),
            )]),
            Action::Topic | Action::Reply | Action::Vote | Action::Flag => Ok(()),
        }
    }

    /// `account_age` in seconds decides between the new-account and the regular rate.
    fn by_account(&self, action: Action, user_id: i64, account_age: i64) -> Result<(), AppError> {
        let s = &self.settings;
        let is_new = account_age < s.new_account_hours * 3600;
        let (rule, per_hour) = match action {
            Action::Topic if is_new => (Rule::Topic, s.new_account_topics_per_hour),
            Action::Topic => (Rule::Topic, s.topics_per_hour),
            Action::Reply if is_new => (Rule::Reply, s.new_account_replies_per_hour),
            Action::Reply => (Rule::Reply, s.replies_per_hour),
            Action::Vote => (Rule::Vote, s.votes_per_hour),
            Action::Flag => (Rule::Flag, s.flags_per_hour),
            Action::Login | Action::Register | Action::Suggest => return Ok(()),
        };
        self.check(&[((rule, Subject::Account(user_id)), Rate::per_hour(per_hour))])
    }
}

/// The client's address (behind a trusted proxy, the one it reports: see `client`). An IPv6
/// client usually holds a whole /64, so it is counted as one.
fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    Some(match super::client::address(req)? {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        v4 => v4,
    })
}

async fn admit(req: &HttpRequest, action: Action) -> Result<(), AppError> {
    let state = req
        .app_data::<Data<AppState>>()
        .expect("AppState is registered on the App");
    let limits = &state.limits;
    if let Some(ip) = client_ip(req) {
        limits.by_ip(action, ip)?;
    }
    if matches!(
        action,
        Action::Topic | Action::Reply | Action::Vote | Action::Flag
    ) {
        // Anonymous requests go on to the handler, which refuses them; moderators are trusted.
        let Some(viewer) = super::session::lookup(req).await? else {
            return Ok(());
        };
        if viewer.is_moderator() {
            return Ok(());
        }
        let mut conn = state.pool.acquire().await?;
        let created_at = db::users::find_by_id(&mut conn, viewer.id)
            .await?
            .map_or(0, |u| u.created_at);
        limits.by_account(action, viewer.id, domain::now() - created_at)?;
    }
    Ok(())
}

/// The middleware: refuses a rate-limited write over its limit before the handler runs.
pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let action = (req.method() == Method::POST)
        .then(|| req.match_pattern())
        .flatten()
        .and_then(|pattern| Action::of(&pattern));
    if let Some(action) = action
        && let Err(error) = admit(req.request(), action).await
    {
        let response = error.response_for(req.path());
        return Ok(req.into_response(response));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> Limits {
        Limits::new(LimitSettings::default())
    }

    #[test]
    fn routes_map_to_their_actions() {
        assert_eq!(
            Action::of("/api/v1/topics/{id}/replies"),
            Some(Action::Reply)
        );
        assert_eq!(Action::of("/p/{id}/flag"), Some(Action::Flag));
        assert_eq!(Action::of("/t/{id}"), None);
    }

    #[test]
    fn young_accounts_get_the_stricter_topic_rate() {
        let limits = strict();
        let young = limits.settings.new_account_topics_per_hour;
        let old = limits.settings.topics_per_hour;
        assert!(young < old);
        for _ in 0..young {
            limits.by_account(Action::Topic, 1, 60).unwrap();
        }
        assert!(matches!(
            limits.by_account(Action::Topic, 1, 60),
            Err(AppError::TooManyRequests { .. })
        ));
        for _ in 0..old {
            limits.by_account(Action::Topic, 2, 2 * 86_400).unwrap();
        }
        assert!(limits.by_account(Action::Topic, 2, 2 * 86_400).is_err());
    }

    #[test]
    fn the_username_limit_ignores_case_and_spaces() {
        let limits = strict();
        for _ in 0..limits.settings.login_per_username_per_hour {
            limits.login_username("Alice").unwrap();
        }
        assert!(limits.login_username(" alice ").is_err());
        assert!(limits.login_username("bob").is_ok());
    }

    #[test]
    fn retry_after_is_rounded_up_to_whole_seconds() {
        let limits = Limits::new(LimitSettings {
            registrations_per_hour: 7,
            ..LimitSettings::default()
        });
        let ip = IpAddr::from([10, 0, 0, 1]);
        for _ in 0..7 {
            limits.by_ip(Action::Register, ip).unwrap();
        }
        // 3600 s / 7 = 514.28… s
        match limits.by_ip(Action::Register, ip) {
            Err(AppError::TooManyRequests { retry_after_secs }) => {
                assert_eq!(retry_after_secs, 515);
            }
            other => panic!("expected 429, got {other:?}"),
        }
    }
}
