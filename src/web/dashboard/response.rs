//! The Responsiveness page: time to first response and to accepted answer, per tag, and how
//! routed questions fare against comparable unrouted ones.
use actix_web::{HttpResponse, web};
use askama::Template;

use super::charts;
use super::pages::{Card, card};
use super::{Nav, PeriodQuery};
use crate::domain::{self, report::Metric, report::Window};
use crate::forum::reports::{self, SummaryRow};
use crate::web::get_or_head;
use crate::web::render::{self, PageContext};
use crate::web::session::Moderator;
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/mod/response").route(get_or_head().to(response)));
}

#[derive(Template)]
#[template(path = "mod/response.html")]
struct ResponsePage {
    ctx: PageContext,
    nav: Nav,
    window: Window,
    cards: Vec<Card>,
    charts: Vec<String>,
    by_tag: Vec<reports::TagResponseRow>,
    routing: reports::RoutingRow,
    route_after_hours: i64,
}

impl ResponsePage {
    fn wait(&self, s: &Option<f64>) -> String {
        s.map_or_else(|| "–".into(), charts::duration)
    }

    fn share(&self, s: &Option<f64>) -> String {
        s.map_or_else(|| "–".into(), charts::percent)
    }
}

async fn response(
    state: web::Data<AppState>,
    moderator: Moderator,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let w = query.window(domain::now());
    let after_hours = state.settings.route_after_hours;
    let mut conn = state.pool.acquire().await?;
    let (now, before) = reports::response_overall(&mut conn, w).await?;
    let (accepted, accepted_before) =
        reports::accepted_overall(&mut conn, w, now.topics, before.topics).await?;
    let by_tag = reports::response_by_tag(&mut conn, w, 40).await?;
    let routing = reports::routing(&mut conn, w, after_hours).await?;
    drop(conn);
    let rows = [
        ("first_response_median_s", now.median_s, before.median_s),
        ("first_response_p90_s", now.p90_s, before.p90_s),
        (
            "no_response_share",
            now.no_response_share,
            before.no_response_share,
        ),
        (
            "accepted_median_s",
            accepted.median_s,
            accepted_before.median_s,
        ),
        ("accepted_p90_s", accepted.p90_s, accepted_before.p90_s),
        (
            "no_accepted_share",
            accepted.no_response_share,
            accepted_before.no_response_share,
        ),
    ]
    .map(|(metric, value, previous)| SummaryRow::new(metric, Metric::new(value, previous)));
    let busiest: Vec<&reports::TagResponseRow> = by_tag.iter().take(15).collect();
    let median: Vec<(String, f64)> = busiest
        .iter()
        .filter_map(|r| r.median_s.map(|m| (r.tag.clone(), m / 3600.0)))
        .collect();
    let unanswered: Vec<(String, f64)> = busiest
        .iter()
        .filter_map(|r| r.no_response_share.map(|s| (r.tag.clone(), s * 100.0)))
        .collect();
    render::render(&ResponsePage {
        ctx: PageContext::for_viewer(Some(moderator.0)),
        nav: Nav {
            active: "response",
            period: w.days,
        },
        window: w,
        cards: rows.iter().map(card).collect(),
        charts: vec![
            charts::bars(
                "Median time to first response, busiest tags",
                "hours",
                &median,
                charts::short_number,
            ),
            charts::bars(
                "Topics without a response, busiest tags",
                "% of topics",
                &unanswered,
                charts::short_number,
            ),
        ],
        by_tag,
        routing,
        route_after_hours: after_hours,
    })
}
