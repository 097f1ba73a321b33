//! `Application::build`: pool, migrations, HTTP server on its own listener (port 0 in tests), jobs.
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web::Data};
use anyhow::Context;
use tracing_actix_web::TracingLogger;

use crate::config::Settings;
use crate::mail::{Mailer, Signer};
use crate::web::{self, AppState};
use crate::{db, jobs};

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let pool = db::connect(&settings.database_url, 8).await?;
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        crate::auth::warm_up();
        let mailer = Mailer::new(&settings.mail)?;
        let mut conn = pool.acquire().await?;
        let signer = Signer::new(
            db::secrets::get_or_create(&mut conn, "link_signing", &crate::auth::random_token())
                .await?,
        );
        drop(conn);
        let heavy =
            web::heavy::HeavyPool::connect(&settings.database_url, settings.heavy()).await?;
        let state = AppState::new(pool, heavy, Arc::new(settings), mailer, signer);
        let mut conn = state.pool.acquire().await?;
        // A version left 'training' was abandoned by a process that died, unless another server
        // is training it right now (it holds the lease).
        if let Some(lease) = db::lease::try_take(&state.pool, db::lease::Job::Retrain).await? {
            db::model_versions::fail_abandoned(&mut conn, crate::domain::now()).await?;
            lease.release().await?;
        }
        state.tagger.load_champion(&mut conn).await?;
        drop(conn);
        let data = Data::new(state.clone());
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(web::error::with_viewer))
                .wrap(web::error::method_not_allowed_bodies())
                .wrap(from_fn(web::deadline::enforce))
                .wrap(from_fn(web::limits::enforce))
                .wrap(from_fn(web::cache::serve))
                .wrap(from_fn(web::render::remember_path))
                .wrap(web::headers::security_headers())
                .wrap(TracingLogger::<web::request_span::RequestSpan>::new())
                .app_data(data.clone())
                .configure(web::configure)
        })
        .listen(listener)?;
        if let Some(workers) = state.settings.workers {
            server = server.workers(workers);
        }
        Ok(Self {
            port,
            server: server.run(),
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the server stops (SIGINT/SIGTERM stop it gracefully), with the background jobs
    /// beside it; then writes what is buffered and closes the pool.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let state = self.state.clone();
        let ranks = jobs::every("ranks", jobs::ranks::PERIOD, move || {
            let state = state.clone();
            async move {
                jobs::ranks::run_once(&state.pool, &state.views).await?;
                // View counts and ranks changed: pages rendered before are stale.
                state.pages_changed().await;
                Ok(())
            }
        });
        let state = self.state.clone();
        let notify = jobs::every("notify", jobs::notify::PERIOD, move || {
            let state = state.clone();
            async move { run_notify(&state).await.map(drop) }
        });
        let state = self.state.clone();
        let champion = jobs::every("champion", jobs::retrain::CHAMPION_CHECK, move || {
            let state = state.clone();
            async move { refresh_champion(&state).await.map(drop) }
        });
        let state = self.state.clone();
        // Catches session changes by other processes; this process's own writes refresh the
        // session cache as they answer. On PostgreSQL the other servers and the CLI announce
        // them (`web::nodes`); on SQLite only the CLI writes besides this server, and a check
        // once a second catches it.
        let sessions = async move {
            if state.pool.kind() == db::Kind::Postgres {
                web::nodes::listen(state).await;
            } else {
                jobs::every("sessions", std::time::Duration::from_secs(1), move || {
                    let state = state.clone();
                    async move {
                        state.sessions.refresh(&state.pool).await;
                        Ok(())
                    }
                })
                .await;
            }
        };
        let stop = Arc::new(AtomicBool::new(false));
        let retrain = retrain_job(&self.state).run_forever(stop.clone());
        let result = tokio::select! {
            served = self.server => served.context("the HTTP server failed"),
            () = ranks => Ok(()),
            () = notify => Ok(()),
            () = champion => Ok(()),
            () = sessions => Ok(()),
            () = retrain => Ok(()),
        };
        // A training run in progress stops at its next batch.
        stop.store(true, Ordering::Relaxed);
        if let Err(e) = jobs::ranks::run_once(&self.state.pool, &self.state.views).await {
            tracing::warn!(error = ?e, "could not write buffered views at shutdown");
        }
        self.state.heavy.close().await;
        self.state.pool.close().await;
        result
    }
}

/// The retrain job, sharing the app's tagger and its "Retrain now" and next-check handles.
pub fn retrain_job(state: &AppState) -> jobs::retrain::RetrainJob {
    jobs::retrain::RetrainJob {
        pool: state.pool.clone(),
        tagger: state.tagger.clone(),
        config: state.settings.tagging.retrain_config(),
        interval: std::time::Duration::from_secs(state.settings.tagging.retrain_interval_secs),
        wake: state.retrain_now.clone(),
        next_check: state.next_retrain_check.clone(),
    }
}

/// Serves a champion that another process (the CLI's `retrain`, another server) stored since
/// this one loaded its own; returns whether the model changed.
pub async fn refresh_champion(state: &AppState) -> anyhow::Result<bool> {
    let mut conn = state.pool.acquire().await?;
    Ok(state.tagger.refresh(&mut conn).await?)
}

/// One run of the notify job; pages and unread counts are stale after it wrote notifications.
pub async fn run_notify(state: &AppState) -> anyhow::Result<jobs::notify::Done> {
    let routing = jobs::notify::Routing {
        after_hours: state.settings.route_after_hours,
    };
    let done = jobs::notify::run_once(&state.pool, &state.mailer, &state.signer, routing).await?;
    if done.changed_anything() {
        state.pages_changed().await;
    }
    Ok(done)
}
