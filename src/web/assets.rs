//! The stylesheet, script, favicon and robots.txt, compiled into the binary so `threadwise` runs from any directory.
use crate::web::get_or_head;
use actix_web::http::header;
use actix_web::{HttpResponse, web};

const STYLE_CSS: &str = include_str!("../../static/style.css");
const APP_JS: &str = include_str!("../../static/app.js");
const FAVICON_SVG: &str = include_str!("../../static/favicon.svg");
const ROBOTS_TXT: &str = include_str!("../../static/robots.txt");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/static/style.css").route(get_or_head().to(style)))
        .service(web::resource("/static/app.js").route(get_or_head().to(script)))
        // Browsers ask for /favicon.ico whatever the page links; an SVG answers both.
        .service(web::resource(["/favicon.svg", "/favicon.ico"]).route(get_or_head().to(favicon)))
        .service(web::resource("/robots.txt").route(get_or_head().to(robots)));
}

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

async fn style() -> HttpResponse {
    asset("text/css; charset=utf-8", STYLE_CSS)
}

async fn script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", APP_JS)
}

async fn favicon() -> HttpResponse {
    asset("image/svg+xml", FAVICON_SVG)
}

async fn robots() -> HttpResponse {
    asset("text/plain; charset=utf-8", ROBOTS_TXT)
}
