//! Training runs of the tag classifier and "Retrain now" requests.
use crate::db::{Conn, on};

/// A version without its weights, for lists and decisions.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ModelVersion {
    pub id: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub status: String,
    pub trigger: String,
    pub examples: i64,
    pub tags: i64,
    pub negative_labels: i64,
    pub hyperparameters: String,
    pub metrics: Option<String>,
    pub micro_f1: Option<f64>,
    pub champion_micro_f1: Option<f64>,
    pub train_seconds: Option<f64>,
    pub error: Option<String>,
}

macro_rules! version_columns {
    () => {
        "id, created_at, finished_at, status, trigger, examples, tags, negative_labels,
         hyperparameters, metrics, micro_f1, champion_micro_f1, train_seconds, error"
    };
}

/// Starts a run: a row in status `training`.
pub async fn start(
    conn: &mut Conn<'_>,
    trigger: &str,
    examples: i64,
    tags: i64,
    negative_labels: i64,
    hyperparameters: &str,
    now: i64,
) -> sqlx::Result<i64> {
    on!(conn, {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO model_versions (created_at, status, trigger, examples, tags, negative_labels, hyperparameters)
             VALUES ($1, 'training', $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(now)
        .bind(trigger)
        .bind(examples)
        .bind(tags)
        .bind(negative_labels)
        .bind(hyperparameters)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// The outcome of a finished run.
pub struct Finished<'a> {
    pub status: &'a str,
    pub metrics: Option<&'a str>,
    pub micro_f1: Option<f64>,
    pub champion_micro_f1: Option<f64>,
    pub train_seconds: f64,
    pub error: Option<&'a str>,
    pub weights: Option<&'a [u8]>,
}

/// Records how a run ended. Promoting to champion retires the previous champion first (one
/// statement each, so call this inside a transaction).
pub async fn finish(
    conn: &mut Conn<'_>,
    id: i64,
    outcome: &Finished<'_>,
    now: i64,
) -> sqlx::Result<()> {
    on!(conn, {
        if outcome.status == "champion" {
            sqlx::query("UPDATE model_versions SET status = 'retired' WHERE status = 'champion'")
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query(
            "UPDATE model_versions SET status = $2, metrics = $3, micro_f1 = $4, champion_micro_f1 = $5,
                    train_seconds = $6, error = $7, weights = $8, finished_at = $9
             WHERE id = $1",
        )
        .bind(id)
        .bind(outcome.status)
        .bind(outcome.metrics)
        .bind(outcome.micro_f1)
        .bind(outcome.champion_micro_f1)
        .bind(outcome.train_seconds)
        .bind(outcome.error)
        .bind(outcome.weights)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        // Only the champion's weights are ever loaded; a few recent others are kept for inspection or
        // a manual rollback. A model is tens of megabytes, and retraining runs every hour.
        sqlx::query(
            "UPDATE model_versions SET weights = NULL
             WHERE weights IS NOT NULL AND status <> 'champion' AND id NOT IN (
                 SELECT id FROM model_versions WHERE weights IS NOT NULL AND status <> 'champion'
                 ORDER BY id DESC LIMIT $1)",
        )
        .bind(KEEP_OTHER_WEIGHTS)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// Versions besides the champion that keep their weights.
pub const KEEP_OTHER_WEIGHTS: i64 = 2;

/// Runs left in `training` by a process that died mid-run are marked failed at start-up.
pub async fn fail_abandoned(conn: &mut Conn<'_>, now: i64) -> sqlx::Result<u64> {
    on!(conn, {
        let done = sqlx::query(
            "UPDATE model_versions SET status = 'failed', error = 'the server stopped during training',
                    finished_at = $1
             WHERE status = 'training'",
        )
        .bind(now)
        .execute(conn)
        .await?;
        Ok(done.rows_affected())
    })
}

pub async fn champion(conn: &mut Conn<'_>) -> sqlx::Result<Option<ModelVersion>> {
    on!(conn, {
        sqlx::query_as::<_, ModelVersion>(concat!(
            "SELECT ",
            version_columns!(),
            " FROM model_versions WHERE status = 'champion'"
        ))
        .fetch_optional(conn)
        .await
    })
}

/// The champion's id, without its weights: what a server compares with the model it serves.
pub async fn champion_id(conn: &mut Conn<'_>) -> sqlx::Result<Option<i64>> {
    on!(conn, {
        sqlx::query_scalar(
            "SELECT id FROM model_versions WHERE status = 'champion' AND weights IS NOT NULL",
        )
        .fetch_optional(conn)
        .await
    })
}

/// The champion's id and weights.
pub async fn champion_weights(conn: &mut Conn<'_>) -> sqlx::Result<Option<(i64, Vec<u8>)>> {
    on!(conn, {
        sqlx::query_as(
            "SELECT id, weights FROM model_versions WHERE status = 'champion' AND weights IS NOT NULL",
        )
        .fetch_optional(conn)
        .await
    })
}

/// Newest first.
pub async fn list(conn: &mut Conn<'_>, limit: i64) -> sqlx::Result<Vec<ModelVersion>> {
    on!(conn, {
        sqlx::query_as::<_, ModelVersion>(concat!(
            "SELECT ",
            version_columns!(),
            " FROM model_versions ORDER BY id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}

pub async fn latest(conn: &mut Conn<'_>) -> sqlx::Result<Option<ModelVersion>> {
    on!(conn, { Ok(list(conn, 1).await?.into_iter().next()) })
}

pub async fn request_retrain(conn: &mut Conn<'_>, user_id: i64, now: i64) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("INSERT INTO retrain_requests (requested_by, requested_at) VALUES ($1, $2)")
            .bind(user_id)
            .bind(now)
            .execute(conn)
            .await?;
        Ok(())
    })
}

pub async fn pending_requests(conn: &mut Conn<'_>) -> sqlx::Result<i64> {
    on!(conn, {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM retrain_requests WHERE handled_at IS NULL")
                .fetch_one(conn)
                .await?;
        Ok(n)
    })
}

pub async fn mark_requests_handled(conn: &mut Conn<'_>, now: i64) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("UPDATE retrain_requests SET handled_at = $1 WHERE handled_at IS NULL")
            .bind(now)
            .execute(conn)
            .await?;
        Ok(())
    })
}
