//! A deadline for request bodies. actix-web bounds the time to send the headers, not the body: a
//! client that sent a form's body a byte a second held a connection (and a worker's attention)
//! for as long as it liked. Here the body must arrive within `--body-deadline-secs` of the
//! headers; past it the request is answered 408 and the connection closed.
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::HttpMessage as _;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use futures_util::{FutureExt as _, Stream, StreamExt as _};

use super::AppState;
use super::error::AppError;

/// The body stream with a timer: once the deadline passes, the next read fails.
struct Deadline {
    body: Payload,
    timer: Pin<Box<tokio::time::Sleep>>,
    expired: Arc<AtomicBool>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired.load(Ordering::Relaxed) {
            return Poll::Ready(None);
        }
        if let Poll::Ready(chunk) = self.body.poll_next_unpin(cx) {
            return Poll::Ready(chunk);
        }
        if self.timer.poll_unpin(cx).is_ready() {
            self.expired.store(true, Ordering::Relaxed);
            let late = std::io::Error::new(std::io::ErrorKind::TimedOut, "request body too slow");
            return Poll::Ready(Some(Err(PayloadError::Io(late))));
        }
        Poll::Pending
    }
}

/// The middleware: gives every request body its deadline, and turns a missed one into 408 with
/// `Connection: close`, whatever the handler made of the cut-off body.
pub async fn enforce(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let secs = req
        .app_data::<Data<AppState>>()
        .expect("AppState is registered on the App")
        .settings
        .body_deadline_secs;
    let expired = Arc::new(AtomicBool::new(false));
    let deadline = Deadline {
        body: req.take_payload(),
        timer: Box::pin(tokio::time::sleep(Duration::from_secs(secs))),
        expired: expired.clone(),
    };
    req.set_payload(Payload::Stream {
        payload: Box::pin(deadline),
    });
    let path = req.path().to_owned();
    let response = next.call(req).await?.map_into_boxed_body();
    if !expired.load(Ordering::Relaxed) {
        return Ok(response);
    }
    let mut late = AppError::RequestTimeout.response_for(&path);
    late.head_mut()
        .set_connection_type(actix_web::http::ConnectionType::Close);
    Ok(response.into_response(late))
}
