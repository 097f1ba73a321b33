//! Security headers on every response, errors and 404s included.
//!
//! The CSP allows scripts and styles only from this origin (`/static/app.js`, `/static/style.css`):
//! the templates have no inline script, no `style` attribute and no `on…` handler, and the
//! dashboards' charts are SVG with presentation attributes (`fill`, `stroke`), which CSP does not
//! count as inline style. Images may come from `https:` so Markdown images in posts still show.
use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data: https:; object-src 'none'; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'self'";

/// The middleware: adds each header unless the handler set its own.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}
