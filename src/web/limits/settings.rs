//! The limits as settings (flags and `THREADWISE_*` variables); 0 switches one off.
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct LimitSettings {
    /// Login attempts per minute from one IP address.
    #[arg(long, env = "THREADWISE_LOGIN_PER_MINUTE", default_value_t = 6)]
    pub login_per_minute: u32,

    /// Failed logins per hour from one IP address, whatever the usernames.
    #[arg(long, env = "THREADWISE_LOGIN_FAILURES_PER_HOUR", default_value_t = 30)]
    pub login_failures_per_hour: u32,

    /// Failed logins per hour for one username from one IP address.
    #[arg(
        long,
        env = "THREADWISE_LOGIN_FAILURES_PER_ACCOUNT_PER_ADDRESS",
        default_value_t = 5
    )]
    pub login_failures_per_account_per_address: u32,

    /// Failed logins per hour for one username from all addresses together. Past it, only
    /// addresses without recent failures for that username may try: the owner is never locked
    /// out by someone else's guesses.
    #[arg(
        long,
        env = "THREADWISE_LOGIN_FAILURES_PER_USERNAME_PER_HOUR",
        default_value_t = 10
    )]
    pub login_failures_per_username_per_hour: u32,

    /// Accounts created per hour from one IP address.
    #[arg(long, env = "THREADWISE_REGISTRATIONS_PER_HOUR", default_value_t = 3)]
    pub registrations_per_hour: u32,

    /// Registration attempts (refused forms included) per hour from one IP address.
    #[arg(
        long,
        env = "THREADWISE_REGISTRATION_ATTEMPTS_PER_HOUR",
        default_value_t = 20
    )]
    pub registration_attempts_per_hour: u32,

    /// New topics per hour per account.
    #[arg(long, env = "THREADWISE_TOPICS_PER_HOUR", default_value_t = 10)]
    pub topics_per_hour: u32,

    /// New topics per hour for an account younger than `new_account_hours`.
    #[arg(
        long,
        env = "THREADWISE_NEW_ACCOUNT_TOPICS_PER_HOUR",
        default_value_t = 3
    )]
    pub new_account_topics_per_hour: u32,

    /// Replies per hour per account.
    #[arg(long, env = "THREADWISE_REPLIES_PER_HOUR", default_value_t = 60)]
    pub replies_per_hour: u32,

    /// Replies per hour for an account younger than `new_account_hours`.
    #[arg(
        long,
        env = "THREADWISE_NEW_ACCOUNT_REPLIES_PER_HOUR",
        default_value_t = 10
    )]
    pub new_account_replies_per_hour: u32,

    /// Post edits per hour per account.
    #[arg(long, env = "THREADWISE_EDITS_PER_HOUR", default_value_t = 30)]
    pub edits_per_hour: u32,

    /// Post edits per hour for an account younger than `new_account_hours`.
    #[arg(
        long,
        env = "THREADWISE_NEW_ACCOUNT_EDITS_PER_HOUR",
        default_value_t = 10
    )]
    pub new_account_edits_per_hour: u32,

    /// Votes per hour per account.
    #[arg(long, env = "THREADWISE_VOTES_PER_HOUR", default_value_t = 120)]
    pub votes_per_hour: u32,

    /// Flags per hour per account.
    #[arg(long, env = "THREADWISE_FLAGS_PER_HOUR", default_value_t = 20)]
    pub flags_per_hour: u32,

    /// Tag-suggestion requests per minute from one IP address.
    #[arg(
        long,
        env = "THREADWISE_TAG_SUGGESTIONS_PER_MINUTE",
        default_value_t = 60
    )]
    pub tag_suggestions_per_minute: u32,

    /// Markdown previews (`POST /api/v1/preview`, the forms' Preview button) per minute per
    /// account.
    #[arg(long, env = "THREADWISE_PREVIEWS_PER_MINUTE", default_value_t = 60)]
    pub previews_per_minute: u32,

    /// "Forgot password?" requests per hour from one IP address.
    #[arg(long, env = "THREADWISE_PASSWORD_RESETS_PER_HOUR", default_value_t = 5)]
    pub password_resets_per_hour: u32,

    /// Accounts younger than this many hours get the stricter posting rates.
    #[arg(long, env = "THREADWISE_NEW_ACCOUNT_HOURS", default_value_t = 24)]
    pub new_account_hours: i64,
}

impl Default for LimitSettings {
    /// The same values as the command line's defaults.
    fn default() -> Self {
        Self {
            login_per_minute: 6,
            login_failures_per_hour: 30,
            login_failures_per_account_per_address: 5,
            login_failures_per_username_per_hour: 10,
            registrations_per_hour: 3,
            registration_attempts_per_hour: 20,
            topics_per_hour: 10,
            new_account_topics_per_hour: 3,
            replies_per_hour: 60,
            new_account_replies_per_hour: 10,
            edits_per_hour: 30,
            new_account_edits_per_hour: 10,
            votes_per_hour: 120,
            flags_per_hour: 20,
            tag_suggestions_per_minute: 60,
            previews_per_minute: 60,
            password_resets_per_hour: 5,
            new_account_hours: 24,
        }
    }
}

impl LimitSettings {
    /// Every limit off: for tests and tools that write fast from one address on purpose.
    pub fn off() -> Self {
        Self {
            login_per_minute: 0,
            login_failures_per_hour: 0,
            login_failures_per_account_per_address: 0,
            login_failures_per_username_per_hour: 0,
            registrations_per_hour: 0,
            registration_attempts_per_hour: 0,
            topics_per_hour: 0,
            new_account_topics_per_hour: 0,
            replies_per_hour: 0,
            new_account_replies_per_hour: 0,
            edits_per_hour: 0,
            new_account_edits_per_hour: 0,
            votes_per_hour: 0,
            flags_per_hour: 0,
            tag_suggestions_per_minute: 0,
            previews_per_minute: 0,
            password_resets_per_hour: 0,
            new_account_hours: 24,
        }
    }
}
