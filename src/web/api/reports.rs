//! The moderators' API: every dashboard report as JSON or CSV, the flag queue, the log; and the
//! members' flag endpoint. `Moderator` answers 403 (JSON) to members.
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::domain::{self, report::Window};
use crate::forum::{
    flags,
    reports::{self, ReportName},
};
use crate::web::AppState;
use crate::web::dashboard::PeriodQuery;
use crate::web::error::{ApiError, AppError};
use crate::web::get_or_head;
use crate::web::render::iso;
use crate::web::session::{CurrentUser, Moderator};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/mod/reports").route(get_or_head().to(list_reports)))
        .service(web::resource("/mod/reports/{name}").route(get_or_head().to(show_report)))
        .service(web::resource("/mod/flags").route(get_or_head().to(flag_queue)))
        .service(web::resource("/mod/flags/{post_id}/resolve").route(web::post().to(resolve_flags)))
        .service(web::resource("/mod/log").route(get_or_head().to(log)))
        .service(web::resource("/posts/{id}/flags").route(web::post().to(flag_post)));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

#[derive(Debug, Deserialize)]
struct ReportQuery {
    period: Option<i64>,
    format: Option<String>,
}

async fn list_reports(_moderator: Moderator) -> HttpResponse {
    let names: Vec<&str> = ReportName::ALL.iter().map(|r| r.as_str()).collect();
    HttpResponse::Ok()
        .json(serde_json::json!({ "reports": names, "periods": domain::report::PERIODS }))
}

async fn show_report(
    state: web::Data<AppState>,
    _moderator: Moderator,
    path: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let name = ReportName::parse(&path).ok_or(AppError::NotFound)?;
    let format = match query.format.as_deref() {
        None | Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some(other) => {
            return Err(
                AppError::BadRequest(format!("unknown format {other:?} (json or csv)")).into(),
            );
        }
    };
    let window = PeriodQuery {
        period: query.period,
    }
    .window(domain::now());
    Ok(respond(&state, name, window, format).await?)
}

/// Computes a report and encodes it. Shared with `/mod/reports/{name}.csv`.
pub async fn respond(
    state: &AppState,
    name: ReportName,
    w: Window,
    format: Format,
) -> Result<HttpResponse, AppError> {
    let now = domain::now();
    let limit = reports::LIST_LIMIT;
    let mut conn = state.heavy.acquire().await?;
    let c: &mut crate::db::Conn<'_> = &mut conn;
    let out = Encoder {
        name,
        window: w,
        format,
    };
    match name {
        ReportName::Summary => out.encode(&reports::summary(c, w).await?),
        ReportName::Activity => out.encode(&reports::activity(c, w).await?),
        ReportName::ResponseByTag => out.encode(&reports::response_by_tag(c, w, 200).await?),
        ReportName::TrendingTags => out.encode(&reports::trending_tags(c, w, 200).await?),
        ReportName::NewTags => out.encode(&reports::new_tags(c, w, 200).await?),
        ReportName::TagPairs => out.encode(&reports::tag_pairs(c, w, 100).await?),
        ReportName::Hot => out.encode(&reports::hot(c, now, limit as usize).await?),
        ReportName::Rising => out.encode(&reports::rising(c, now, limit as usize).await?),
        ReportName::NeedsAttention => {
            let days = state.settings.unresolved_after_days;
            out.encode(&reports::needs_attention(c, now, days, 100).await?)
        }
        ReportName::TopContributors => out.encode(&reports::top_contributors(c, w, 100).await?),
        ReportName::NewContributors => out.encode(&reports::new_contributors(c, w, 500).await?.0),
    }
}

struct Encoder {
    name: ReportName,
    window: Window,
    format: Format,
}

#[derive(Serialize)]
struct ReportJson<'a, T> {
    report: &'static str,
    period_days: i64,
    from: String,
    to: String,
    previous_from: String,
    rows: &'a [T],
}

impl Encoder {
    fn encode<T: Serialize>(&self, rows: &[T]) -> Result<HttpResponse, AppError> {
        match self.format {
            Format::Json => Ok(HttpResponse::Ok().json(ReportJson {
                report: self.name.as_str(),
                period_days: self.window.days,
                from: iso(self.window.from()),
                to: iso(self.window.to()),
                previous_from: iso(self.window.previous().from()),
                rows,
            })),
            Format::Csv => {
                let body = csv_file(rows).map_err(AppError::Internal)?;
                let file = format!(
                    "attachment; filename=\"{}-{}d.csv\"",
                    self.name.as_str(),
                    self.window.days
                );
                Ok(HttpResponse::Ok()
                    .content_type("text/csv; charset=utf-8")
                    .insert_header((header::CONTENT_DISPOSITION, file))
                    .body(body))
            }
        }
    }
}

/// Rows as a CSV file whose cells a spreadsheet cannot run (OWASP's CSV injection advice): a
/// cell that would start a formula — `=`, `+`, `-`, `@`, tab or CR first — gets a `'` before it,
/// unless it is a plain number such as `-3`.
fn csv_file<T: Serialize>(rows: &[T]) -> anyhow::Result<Vec<u8>> {
    let mut plain = csv::Writer::from_writer(Vec::new());
    for row in rows {
        plain.serialize(row)?;
    }
    let plain = plain.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(plain.as_slice());
    let mut safe = csv::Writer::from_writer(Vec::new());
    for record in reader.records() {
        let record = record?;
        safe.write_record(record.iter().map(|cell| inert_cell(cell).into_owned()))?;
    }
    safe.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

fn inert_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let starts_formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if starts_formula && cell.parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

async fn flag_queue(
    state: web::Data<AppState>,
    _moderator: Moderator,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let queue = db::flags::list_open(&mut conn, 200).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "flags": queue })))
}

#[derive(Debug, Deserialize)]
struct ResolveBody {
    action: String,
}

async fn resolve_flags(
    state: web::Data<AppState>,
    moderator: Moderator,
    path: web::Path<i64>,
    body: web::Json<ResolveBody>,
) -> Result<HttpResponse, ApiError> {
    let resolution = flags::parse_resolution(&body.action)?;
    let actor = (&moderator.0).into();
    let topic_id = flags::resolve(&state.pool, actor, path.into_inner(), resolution).await?;
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "resolved": resolution.as_str(), "topic_id": topic_id })))
}

#[derive(Debug, Deserialize)]
struct LogQuery {
    before: Option<i64>,
}

async fn log(
    state: web::Data<AppState>,
    _moderator: Moderator,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let entries = db::modlog::recent(&mut conn, query.before, 100).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "entries": entries })))
}

#[derive(Debug, Deserialize)]
struct FlagBody {
    reason: String,
    #[serde(default)]
    note: String,
}

async fn flag_post(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: web::Json<FlagBody>,
) -> Result<HttpResponse, ApiError> {
    let actor = (&user.0).into();
    flags::flag_post(
        &state.pool,
        actor,
        path.into_inner(),
        &body.reason,
        &body.note,
    )
    .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "flagged": true })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_made_inert_and_numbers_are_left_alone() {
        #[derive(Serialize)]
        struct Row {
            title: &'static str,
            score: i64,
        }
        let rows = [
            Row {
                title: "=HYPERLINK(\"http://evil.example\",\"x\")",
                score: -3,
            },
            Row {
                title: "@SUM(A1)",
                score: 2,
            },
            Row {
                title: "+1-2",
                score: 0,
            },
            Row {
                title: "\tcmd",
                score: 0,
            },
            Row {
                title: "plain",
                score: 1,
            },
        ];
        let text = String::from_utf8(csv_file(&rows).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "title,score");
        assert_eq!(
            lines[1],
            r#""'=HYPERLINK(""http://evil.example"",""x"")",-3"#
        );
        assert_eq!(lines[2], "'@SUM(A1),2");
        assert_eq!(lines[3], "'+1-2,0");
        assert_eq!(lines[4], "'\tcmd,0");
        assert_eq!(lines[5], "plain,1");
    }
}
