//! Abuse limits, in memory. Over a limit the answer is 429 with `Retry-After`. The IP is the
//! client's, which behind a trusted reverse proxy is the one it forwards (`client`).
//!
//! - **Logins**, after OWASP's authentication guidance: *failures* are counted per (username,
//!   address), per address, and per username from everywhere. An address refused for a username
//!   is one that failed for it; past the username's own budget, only addresses without recent
//!   failures for it may try. So the right password from an address that never failed is never
//!   refused because others guessed: nobody can lock a member out. Attempts per address and
//!   minute are capped as well (each is an argon2 verification).
//! - **Registrations**: accounts *created* per address, and a looser cap on attempts, so a
//!   newcomer's typos (a weak password, a taken name) do not use up the address's accounts.
//! - **Writes** per account — new topics, replies, edits, votes, flags — stricter for accounts
//!   younger than a day; moderators are not limited. Tag suggestions per address; Markdown
//!   previews per account and minute.
//!
//! One middleware (`enforce`) maps the matched route pattern of a write to an action before any
//! handler runs, so no write handler has to remember its limit. Logins and registrations, whose
//! limits depend on the outcome and whose forms are shown again when refused, are checked by
//! their handlers ([`Limits::login_attempt`], [`Limits::registration`]). Limits live in this
//! process: several app servers would each count their own (see DESIGN.md §9).
mod gcra;
mod settings;

use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, web::Data};

pub use gcra::{Gcra, Rate};
pub use settings::LimitSettings;

use super::AppState;
use super::error::AppError;
use crate::forum::ForumError;
use crate::{db, domain};

/// What a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Rule {
    LoginAttempt,
    LoginFailure,
    Register,
    RegisterAttempt,
    Topic,
    Reply,
    Edit,
    Vote,
    Flag,
    Suggest,
    PasswordReset,
    Preview,
}

/// Whom a limit counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Subject {
    Ip(IpAddr),
    Account(i64),
    Username(String),
    UsernameAt(String, IpAddr),
}

/// The rate-limited writes, by the route they arrive on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Topic,
    Reply,
    Edit,
    Vote,
    Flag,
    Suggest,
    Preview,
}

impl Action {
    /// The action behind a write to a route pattern (as registered in `web::configure`).
    fn of(pattern: &str) -> Option<Self> {
        Some(match pattern {
            "/new" | "/api/v1/topics" => Action::Topic,
            "/t/{id}/reply" | "/api/v1/topics/{id}/replies" => Action::Reply,
            "/p/{id}/edit" | "/api/v1/posts/{id}" => Action::Edit,
            "/p/{id}/vote" | "/api/v1/posts/{id}/vote" => Action::Vote,
            "/p/{id}/flag" | "/api/v1/posts/{id}/flags" => Action::Flag,
            "/api/v1/tags/suggest" => Action::Suggest,
            "/api/v1/preview" | "/new/preview" | "/t/{id}/reply/preview" => Action::Preview,
            _ => return None,
        })
    }
}

type Key = (Rule, Subject);

/// The limits and their counters, shared by all workers.
pub struct Limits {
    settings: LimitSettings,
    counters: Gcra<Key>,
}

/// A login the limits let through; the handler reports how it went.
#[must_use = "report the outcome with `failed` or `succeeded`"]
pub struct LoginAttempt<'a> {
    limits: &'a Limits,
    username: String,
    ip: Option<IpAddr>,
}

/// A registration the limits let through; `created` counts the account it made.
#[must_use = "count a created account with `created`"]
pub struct Registration<'a> {
    limits: &'a Limits,
    ip: Option<IpAddr>,
}

fn too_many(wait: Duration) -> AppError {
    AppError::TooManyRequests {
        // Rounded up, so a client that waits exactly this long is let in.
        retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
    }
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            settings,
            counters: Gcra::default(),
        }
    }

    fn check(&self, checks: &[(Key, Rate)]) -> Result<(), AppError> {
        self.counters
            .check_all(checks, Instant::now())
            .map_err(too_many)
    }

    fn peek(&self, checks: &[(Key, Rate)]) -> Result<(), AppError> {
        self.counters
            .peek_all(checks, Instant::now())
            .map_err(too_many)
    }

    /// The failure counters a login for `username` from `ip` is judged by, most specific first.
    fn login_failure_rules(&self, username: &str, ip: Option<IpAddr>) -> Vec<(Key, Rate)> {
        let s = &self.settings;
        let mut rules = Vec::with_capacity(3);
        if let Some(ip) = ip {
            rules.push((
                (Rule::LoginFailure, Subject::UsernameAt(username.into(), ip)),
                Rate::per_hour(s.login_failures_per_account_per_address),
            ));
            rules.push((
                (Rule::LoginFailure, Subject::Ip(ip)),
                Rate::per_hour(s.login_failures_per_hour),
            ));
        }
        rules.push((
            (Rule::LoginFailure, Subject::Username(username.into())),
            Rate::per_hour(s.login_failures_per_username_per_hour),
        ));
        rules
    }

    /// Admits a login for `username` from the request's address, or refuses it with 429.
    pub fn login_attempt(
        &self,
        req: &HttpRequest,
        username: &str,
    ) -> Result<LoginAttempt<'_>, AppError> {
        self.login_attempt_from(client_ip(req), username)
    }

    fn login_attempt_from(
        &self,
        ip: Option<IpAddr>,
        username: &str,
    ) -> Result<LoginAttempt<'_>, AppError> {
        let username = username.trim().to_lowercase();
        let mut rules = self.login_failure_rules(&username, ip);
        let username_wide = rules
            .pop()
            .expect("the username's own rule is always there");
        self.peek(&rules)?;
        // The username's budget stops only the addresses that failed for it: the one the owner
        // logs in from is, unless they mistyped themselves.
        let failed_here = rules
            .first()
            .filter(|_| ip.is_some())
            .is_some_and(|(key, _)| self.counters.is_charged(key, Instant::now()));
        if failed_here {
            self.peek(&[username_wide])?;
        }
        if let Some(ip) = ip {
            self.check(&[(
                (Rule::LoginAttempt, Subject::Ip(ip)),
                Rate::per_minute(self.settings.login_per_minute),
            )])?;
        }
        Ok(LoginAttempt {
            limits: self,
            username,
            ip,
        })
    }

    /// Admits a registration from the request's address (attempts), or refuses it with 429;
    /// also refused once the address has created its accounts for the hour.
    pub fn registration(&self, req: &HttpRequest) -> Result<Registration<'_>, AppError> {
        self.registration_from(client_ip(req))
    }

    fn registration_from(&self, ip: Option<IpAddr>) -> Result<Registration<'_>, AppError> {
        if let Some(ip) = ip {
            let s = &self.settings;
            self.peek(&[(
                (Rule::Register, Subject::Ip(ip)),
                Rate::per_hour(s.registrations_per_hour),
            )])?;
            self.check(&[(
                (Rule::RegisterAttempt, Subject::Ip(ip)),
                Rate::per_hour(s.registration_attempts_per_hour),
            )])?;
        }
        Ok(Registration { limits: self, ip })
    }

    /// "Forgot password?" requests from the request's address (each may send a mail).
    pub fn password_reset(&self, req: &HttpRequest) -> Result<(), AppError> {
        let Some(ip) = client_ip(req) else {
            return Ok(());
        };
        self.check(&[(
            (Rule::PasswordReset, Subject::Ip(ip)),
            Rate::per_hour(self.settings.password_resets_per_hour),
        )])
    }

    fn by_ip(&self, action: Action, ip: IpAddr) -> Result<(), AppError> {
        let s = &self.settings;
        match action {
            Action::Suggest => self.check(&[(
                (Rule::Suggest, Subject::Ip(ip)),
                Rate::per_minute(s.tag_suggestions_per_minute),
            )]),
            Action::Topic
            | Action::Reply
            | Action::Edit
            | Action::Vote
            | Action::Flag
            | Action::Preview => Ok(()),
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
            Action::Edit if is_new => (Rule::Edit, s.new_account_edits_per_hour),
            Action::Edit => (Rule::Edit, s.edits_per_hour),
            Action::Vote => (Rule::Vote, s.votes_per_hour),
            Action::Flag => (Rule::Flag, s.flags_per_hour),
            Action::Preview => {
                let rate = Rate::per_minute(s.previews_per_minute);
                return self.check(&[((Rule::Preview, Subject::Account(user_id)), rate)]);
            }
            Action::Suggest => return Ok(()),
        };
        self.check(&[((rule, Subject::Account(user_id)), Rate::per_hour(per_hour))])
    }
}

impl LoginAttempt<'_> {
    /// Tells the limits how the login went: wrong credentials are a failure; the right password
    /// (a banned account's too) is a success; an internal error is neither.
    pub fn report<T>(self, outcome: &Result<T, ForumError>) {
        match outcome {
            Err(ForumError::Invalid(_)) => self.failed(),
            Ok(_) | Err(ForumError::Forbidden(_) | ForumError::Banned(_)) => self.succeeded(),
            Err(_) => {}
        }
    }

    /// Wrong username or password: counts against this address, this username from here, and
    /// this username from everywhere.
    fn failed(self) {
        let rules = self.limits.login_failure_rules(&self.username, self.ip);
        self.limits.counters.charge(&rules, Instant::now());
    }

    /// The right password: this address's failures for this username are forgiven.
    fn succeeded(self) {
        if let Some((key, _)) = self
            .limits
            .login_failure_rules(&self.username, self.ip)
            .into_iter()
            .next()
            .filter(|_| self.ip.is_some())
        {
            self.limits.counters.forget(&key);
        }
    }
}

impl Registration<'_> {
    pub fn created(self) {
        if let Some(ip) = self.ip {
            let rule = (
                (Rule::Register, Subject::Ip(ip)),
                Rate::per_hour(self.limits.settings.registrations_per_hour),
            );
            self.limits.counters.charge(&[rule], Instant::now());
        }
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
    if action != Action::Suggest {
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
    let action = matches!(*req.method(), Method::POST | Method::PATCH)
        .then(|| req.match_pattern())
        .flatten()
        .and_then(|pattern| Action::of(&pattern));
    if let Some(action) = action
        && let Err(error) = admit(req.request(), action).await
    {
        // A refused form write shows its form again with the text (see `pages::drafts`).
        if let Some(target) = super::pages::drafts::DraftTarget::of_path(req.path()) {
            return Ok(super::pages::drafts::limited(req, target, error).await);
        }
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
    fn failures_elsewhere_never_refuse_an_address_that_did_not_fail() {
        let limits = strict();
        let attacker = |n: u8| Some(IpAddr::from([10, 0, 0, n]));
        for n in 0..50 {
            limits
                .login_attempt_from(attacker(n), "Alice")
                .unwrap()
                .failed();
        }
        // Past the username's budget, a failed address is refused for alice ...
        assert!(limits.login_attempt_from(attacker(1), " alice ").is_err());
        // ... but not for someone else, and alice's own address never is.
        assert!(limits.login_attempt_from(attacker(1), "bob").is_ok());
        let home = Some(IpAddr::from([192, 0, 2, 7]));
        limits
            .login_attempt_from(home, "alice")
            .unwrap()
            .succeeded();
        assert!(limits.login_attempt_from(home, "alice").is_ok());
    }

    #[test]
    fn an_address_gets_its_own_failures_for_a_username_then_waits() {
        let limits = strict();
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        let per_pair = limits.settings.login_failures_per_account_per_address;
        for _ in 0..per_pair {
            limits.login_attempt_from(ip, "alice").unwrap().failed();
        }
        assert!(limits.login_attempt_from(ip, "alice").is_err());
    }

    #[test]
    fn retry_after_is_rounded_up_to_whole_seconds() {
        let limits = Limits::new(LimitSettings {
            registrations_per_hour: 7,
            ..LimitSettings::default()
        });
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..7 {
            limits.registration_from(ip).unwrap().created();
        }
        // 3600 s / 7 = 514.28… s
        match limits.registration_from(ip) {
            Err(AppError::TooManyRequests { retry_after_secs }) => {
                assert_eq!(retry_after_secs, 515);
            }
            other => panic!("expected 429, got {:?}", other.err()),
        }
    }

    #[test]
    fn only_created_accounts_use_up_the_registrations_of_an_address() {
        let limits = strict();
        let ip = Some(IpAddr::from([10, 0, 0, 2]));
        let created = limits.settings.registrations_per_hour;
        for _ in 0..created + 5 {
            // Refused forms (a weak password, a taken name) count as attempts only.
            let _ = limits.registration_from(ip).unwrap();
        }
        for _ in 0..created {
            limits.registration_from(ip).unwrap().created();
        }
        assert!(limits.registration_from(ip).is_err());
    }
}
