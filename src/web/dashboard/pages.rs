//! The dashboard pages. Each handler reads its reports on one connection, draws its charts and
//! renders; the numbers and their order come from `forum::reports`.
use actix_web::{HttpResponse, web};
use askama::Template;

use super::charts::{self, Series};
use super::{Nav, PeriodQuery};
use crate::domain::{self, report::Window};
use crate::forum::reports::{self, SummaryRow};
use crate::web::get_or_head;
use crate::web::render::{self, PageContext};
use crate::web::session::Moderator;
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/mod").route(get_or_head().to(overview)))
        .service(web::resource("/mod/tags").route(get_or_head().to(tags)))
        .service(web::resource("/mod/content").route(get_or_head().to(content)))
        .service(web::resource("/mod/people").route(get_or_head().to(people)))
        .service(web::resource("/mod/reports/{file}").route(get_or_head().to(download)));
}

/// A headline figure as a card: value, previous period and the change.
pub struct Card {
    pub label: &'static str,
    pub value: String,
    pub previous: String,
    pub change: String,
    /// `up`, `down` or empty, for the colour of the change.
    pub trend: &'static str,
}

pub(super) fn card(row: &SummaryRow) -> Card {
    let (label, format): (&'static str, fn(f64) -> String) = match row.metric {
        "signups" => ("Signups", charts::short_number),
        "dau" => ("Daily active users (mean)", |v| format!("{v:.1}")),
        "mau" => ("Monthly active users", charts::short_number),
        "dau_mau" => ("DAU / MAU", charts::percent),
        "topics" => ("New topics", charts::short_number),
        "posts" => ("Posts", charts::short_number),
        "votes" => ("Votes", charts::short_number),
        "flags" => ("Flags", charts::short_number),
        "first_response_median_s" => ("First response, median", charts::duration),
        "first_response_p90_s" => ("First response, p90", charts::duration),
        "no_response_share" => ("Topics without response", charts::percent),
        "accepted_median_s" => ("Accepted answer, median", charts::duration),
        "accepted_p90_s" => ("Accepted answer, p90", charts::duration),
        "no_accepted_share" => ("Topics without accepted answer", charts::percent),
        _ => ("?", charts::short_number),
    };
    let shown = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), format);
    Card {
        label,
        value: shown(row.value),
        previous: shown(row.previous),
        change: row
            .change
            .map_or_else(String::new, |c| format!("{:+.0}%", c * 100.0)),
        trend: match row.change {
            Some(c) if c > 0.0 => "up",
            Some(c) if c < 0.0 => "down",
            _ => "",
        },
    }
}

#[derive(Template)]
#[template(path = "mod/overview.html")]
struct OverviewPage {
    ctx: PageContext,
    nav: Nav,
    window: Window,
    cards: Vec<Card>,
    charts: Vec<String>,
    attention: Vec<reports::AttentionRow>,
    open_flags: i64,
}

/// Picks one daily figure out of an activity row.
type Pick = fn(&reports::ActivityRow) -> i64;

fn values(rows: &[reports::ActivityRow], f: Pick) -> Vec<f64> {
    rows.iter().map(|r| f(r) as f64).collect()
}

fn activity_charts(
    w: Window,
    now: &[reports::ActivityRow],
    before: &[reports::ActivityRow],
) -> Vec<String> {
    let chart = |title, unit, f: Pick, extra: Option<(&'static str, Pick)>| {
        let mut series = vec![Series {
            name: unit,
            values: values(now, f),
        }];
        if let Some((name, g)) = extra {
            series.push(Series {
                name,
                values: values(now, g),
            });
        }
        let previous = Series {
            name: "previous period",
            values: values(before, f),
        };
        charts::daily_lines(title, unit, w.first_day, &series, Some(&previous))
    };
    vec![
        chart(
            "Posts and new topics per day",
            "posts",
            |r| r.posts,
            Some(("topics", |r| r.topics)),
        ),
        chart(
            "Daily active users (posted or voted)",
            "active users",
            |r| r.active_users,
            None,
        ),
        chart("Votes per day", "votes", |r| r.votes, None),
        chart(
            "Signups and flags per day",
            "signups",
            |r| r.signups,
            Some(("flags", |r| r.flags)),
        ),
    ]
}

async fn overview(
    state: web::Data<AppState>,
    moderator: Moderator,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let now = domain::now();
    let w = query.window(now);
    let mut conn = state.pool.acquire().await?;
    let summary = reports::summary(&mut conn, w).await?;
    let daily = reports::activity(&mut conn, w).await?;
    let previous = reports::activity(&mut conn, w.previous()).await?;
    let attention =
        reports::needs_attention(&mut conn, now, state.settings.unresolved_after_days, 10).await?;
    let open_flags = crate::db::flags::count_open(&mut conn).await?;
    drop(conn);
    render::render(&OverviewPage {
        ctx: PageContext::for_viewer(Some(moderator.0)),
        nav: Nav {
            active: "overview",
            period: w.days,
        },
        window: w,
        cards: summary.iter().map(card).collect(),
        charts: activity_charts(w, &daily, &previous),
        attention,
        open_flags,
    })
}

#[derive(Template)]
#[template(path = "mod/tags.html")]
struct TagsPage {
    ctx: PageContext,
    nav: Nav,
    window: Window,
    chart: String,
    trending: Vec<reports::TrendingTagRow>,
    new_tags: Vec<reports::NewTagRow>,
    pairs: Vec<reports::TagPairRow>,
}

impl TagsPage {
    fn growth(&self, g: &Option<f64>) -> String {
        g.map_or_else(|| "new".into(), |g| format!("{:+.0}%", g * 100.0))
    }
}

async fn tags(
    state: web::Data<AppState>,
    moderator: Moderator,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let w = query.window(domain::now());
    let mut conn = state.pool.acquire().await?;
    let (trending, pairs) = reports::trending_and_pairs(&mut conn, w, 20).await?;
    let new_tags = reports::new_tags(&mut conn, w, 20).await?;
    drop(conn);
    let growth: Vec<(String, f64)> = trending
        .iter()
        .take(15)
        .map(|t| (t.tag.clone(), t.topics as f64))
        .collect();
    render::render(&TagsPage {
        ctx: PageContext::for_viewer(Some(moderator.0)),
        nav: Nav {
            active: "tags",
            period: w.days,
        },
        window: w,
        chart: charts::bars(
            "Trending tags: topics this period",
            "topics",
            &growth,
            charts::short_number,
        ),
        trending,
        new_tags,
        pairs,
    })
}

#[derive(Template)]
#[template(path = "mod/content.html")]
struct ContentPage {
    ctx: PageContext,
    nav: Nav,
    window: Window,
    attention: Vec<reports::AttentionRow>,
    hot: Vec<reports::HotRow>,
    rising: Vec<reports::RisingRow>,
}

async fn content(
    state: web::Data<AppState>,
    moderator: Moderator,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let now = domain::now();
    let w = query.window(now);
    let limit = reports::LIST_LIMIT as usize;
    let mut conn = state.pool.acquire().await?;
    let attention =
        reports::needs_attention(&mut conn, now, state.settings.unresolved_after_days, limit)
            .await?;
    let hot = reports::hot(&mut conn, now, limit).await?;
    let rising = reports::rising(&mut conn, now, limit).await?;
    drop(conn);
    render::render(&ContentPage {
        ctx: PageContext::for_viewer(Some(moderator.0)),
        nav: Nav {
            active: "content",
            period: w.days,
        },
        window: w,
        attention,
        hot,
        rising,
    })
}

#[derive(Template)]
#[template(path = "mod/people.html")]
struct PeoplePage {
    ctx: PageContext,
    nav: Nav,
    window: Window,
    chart: String,
    new_card: Card,
    top: Vec<reports::TopContributorRow>,
    newcomers: Vec<reports::NewContributorRow>,
}

async fn people(
    state: web::Data<AppState>,
    moderator: Moderator,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let w = query.window(domain::now());
    let mut conn = state.pool.acquire().await?;
    let top = reports::top_contributors(&mut conn, w, reports::LIST_LIMIT).await?;
    let (newcomers, count, previous) =
        reports::new_contributors(&mut conn, w, reports::LIST_LIMIT).await?;
    drop(conn);
    let bars: Vec<(String, f64)> = top
        .iter()
        .take(15)
        .map(|c| (c.username.clone(), c.posts as f64))
        .collect();
    let mut new_card = card(&SummaryRow::new(
        "signups",
        domain::report::Metric::counts(count, previous),
    ));
    new_card.label = "New contributors (first post)";
    render::render(&PeoplePage {
        ctx: PageContext::for_viewer(Some(moderator.0)),
        nav: Nav {
            active: "people",
            period: w.days,
        },
        window: w,
        chart: charts::bars(
            "Top contributors: posts this period",
            "posts",
            &bars,
            charts::short_number,
        ),
        new_card,
        top,
        newcomers,
    })
}

/// `/mod/reports/{name}.csv` (or `.json`): a report as a file, for spreadsheets.
async fn download(
    state: web::Data<AppState>,
    _moderator: Moderator,
    path: web::Path<String>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let file = path.into_inner();
    let (name, format) = match file.rsplit_once('.') {
        Some((name, "csv")) => (name.to_owned(), crate::web::api::reports::Format::Csv),
        Some((name, "json")) => (name.to_owned(), crate::web::api::reports::Format::Json),
        _ => return Err(AppError::NotFound),
    };
    let name = reports::ReportName::parse(&name).ok_or(AppError::NotFound)?;
    crate::web::api::reports::respond(&state, name, query.window(domain::now()), format).await
}
