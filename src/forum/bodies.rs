//! Post bodies are rendered here, before a write transaction begins and off the async workers.
use std::sync::LazyLock;

use tokio::sync::Semaphore;

use super::ForumError;
use crate::domain::{PostBody, RenderedBody};

/// Renders at once at most as many bodies as there are cores: each render is bounded (see
/// `domain::markdown::MAX_NESTING`), and a burst of big posts then queues here instead of taking
/// every blocking thread and core from argon2, training and the database.
static RENDER_SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    Semaphore::new(cores)
});

/// Renders a parsed body on a blocking thread.
pub(crate) async fn render(body: PostBody) -> Result<RenderedBody, ForumError> {
    let _slot = RENDER_SLOTS
        .acquire()
        .await
        .expect("the render semaphore is never closed");
    Ok(tokio::task::spawn_blocking(move || RenderedBody::render(body)).await??)
}

/// The HTML a body would get as a post — the same parsing, bounds and renderer — with nothing
/// stored: the compose and reply forms' preview.
pub async fn preview(body: &str, max_body_bytes: usize) -> Result<String, ForumError> {
    let body = PostBody::parse(body, max_body_bytes)?;
    Ok(render(body).await?.html().to_owned())
}
