//! `threadwise user create | set-role`: account management for operators.
use anyhow::{Context, bail};
use clap::Subcommand;

use crate::db;
use crate::domain::{Email, Password, Role, Username};
use crate::forum::{ForumError, accounts};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account (e.g. the first admin).
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        /// The password; read from THREADWISE_PASSWORD when not given, so it stays out of shell history.
        #[arg(long, env = "THREADWISE_PASSWORD", hide_env_values = true)]
        password: String,
        /// member, moderator or admin.
        #[arg(long, default_value = "member")]
        role: Role,
    },
    /// Print a single-use password-reset link (valid for an hour) to hand to a member, for forums
    /// that send no e-mail.
    ResetLink {
        #[arg(long)]
        username: String,
        /// The forum's public address, which the link starts with.
        #[arg(
            long,
            env = "THREADWISE_BASE_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        base_url: String,
    },
    /// Change the role of an existing account.
    SetRole {
        #[arg(long)]
        username: String,
        /// member, moderator or admin.
        #[arg(long)]
        role: Role,
    },
}

pub async fn run(database_url: &str, command: UserCommand) -> anyhow::Result<()> {
    let pool = db::connect(database_url, 1).await?;
    match command {
        UserCommand::Create {
            username,
            email,
            password,
            role,
        } => {
            let username = Username::parse(&username)?;
            let email = Email::parse(&email)?;
            let hash = crate::auth::hash_password(Password::parse(&password)?).await?;
            let mut conn = pool.acquire().await?;
            match accounts::create(&mut conn, &username, &email, Some(&hash), Some(role)).await {
                Ok(user) => println!("created {} ({}) as {}", user.username, user.id, user.role),
                Err(ForumError::Invalid(errors)) => {
                    let why: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    bail!("cannot create the user: {}", why.join("; "))
                }
                Err(e) => return Err(e).context("cannot create the user"),
            }
        }
        UserCommand::ResetLink { username, base_url } => {
            let mut conn = pool.acquire().await?;
            let Some(user) = db::users::find_by_username(&mut conn, &username).await? else {
                bail!("no user named {username:?}");
            };
            drop(conn);
            let mailer = crate::mail::Mailer::new(&crate::mail::MailSettings {
                base_url,
                ..crate::mail::MailSettings::default()
            })?;
            let link = crate::forum::passwords::reset_link(&pool, user.id, &mailer).await?;
            println!("{link}");
            eprintln!("valid for one hour, once; using it ends {username}'s sessions");
        }
        UserCommand::SetRole { username, role } => {
            let mut conn = pool.acquire().await?;
            if !db::users::set_role(&mut conn, &username, role).await? {
                bail!("no user named {username:?}");
            }
            println!("{username} is now {role}");
        }
    }
    pool.close().await;
    Ok(())
}
