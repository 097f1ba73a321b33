//! `spawn_app()` and a `TestUser` that drives the app like a browser (cookie jar, CSRF tokens).
use std::sync::LazyLock;

use reqwest::{Client, Response, StatusCode, redirect::Policy};
use serde_json::{Value, json};
use sqlx::AnyPool;
use threadwise::config::Settings;
use threadwise::startup::Application;

pub const PASSWORD: &str = "correct horse battery";

static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var("TEST_LOG").is_ok() {
        tracing_subscriber::fmt().with_env_filter("info").init();
    }
});

pub struct TestApp {
    pub address: String,
    pub database_url: String,
    /// The app's own pool, for calling into the crate.
    pub pool: threadwise::db::Pool,
    /// A second pool on the same database, for the tests' own SQL (either engine).
    pub sql: AnyPool,
    pub state: threadwise::web::AppState,
    _dir: tempfile::TempDir,
}

/// Starts the app on a random port with a fresh database in a temporary directory.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Whether the tests run on PostgreSQL: `THREADWISE_TEST_DATABASE=postgres`, with
/// `THREADWISE_TEST_POSTGRES_URL` naming a database on a cluster where the tests may create
/// databases (`scripts/pg_cluster.sh start` prints one). Anything else is SQLite.
pub fn on_postgres() -> bool {
    std::env::var("THREADWISE_TEST_DATABASE").is_ok_and(|engine| engine == "postgres")
}

/// A fresh, empty database for one test: a file in `dir` on SQLite, a new database on the
/// test cluster on PostgreSQL.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    if !on_postgres() {
        return format!("sqlite://{}", dir.join("test.db").display());
    }
    let admin = std::env::var("THREADWISE_TEST_POSTGRES_URL")
        .expect("THREADWISE_TEST_POSTGRES_URL names the test cluster's database");
    fresh_postgres_database(&admin).await
}

/// A new, empty database on the PostgreSQL cluster of `admin` (a database URL there, for a user
/// who may create databases), whatever engine the tests run on.
pub async fn fresh_postgres_database(admin: &str) -> String {
    use sqlx::Connection as _;
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let name = format!(
        "test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("the test cluster answers");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("a test database");
    let mut url = url::Url::parse(admin).expect("a database URL");
    url.set_path(&name);
    url.to_string()
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = fresh_database_url(dir.path()).await;
    spawn_app_on(dir, url, configure).await
}

/// Starts the app on a fresh SQLite database, whichever engine the other tests run on (for tests
/// of moving a forum off SQLite).
pub async fn spawn_sqlite_app() -> TestApp {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    spawn_app_on(dir, url, |_| {}).await
}

/// Starts the app on the database at `url` (kept in `dir`, on SQLite), as it is.
pub async fn spawn_app_on(
    dir: tempfile::TempDir,
    url: String,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    LazyLock::force(&TRACING);
    let mut settings = Settings::with_database(url.clone());
    configure(&mut settings);
    let app = Application::build(settings).await.expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let pool = state.pool.clone();
    tokio::spawn(app.run_until_stopped());
    sqlx::any::install_default_drivers();
    let sql = AnyPool::connect(&url)
        .await
        .expect("a second pool on the test database");
    TestApp {
        address,
        database_url: url,
        pool,
        sql,
        state,
        _dir: dir,
    }
}

impl TestApp {
    /// A fresh browser: own cookie jar, no redirects followed (tests look at the 303s).
    pub fn browser(&self) -> Browser {
        Browser {
            address: self.address.clone(),
            client: Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                // actix closes a connection idle for 5 s; a request sent on one as it closes fails
                // (IncompleteMessage), so idle connections are dropped well before that.
                .pool_idle_timeout(std::time::Duration::from_secs(2))
                .build()
                .expect("a reqwest client"),
            csrf: String::new(),
        }
    }

    /// Registers a user through the API and returns a signed-in browser.
    pub async fn user(&self, username: &str) -> Browser {
        let mut browser = self.browser();
        let response = browser
            .post_json(
                "/api/v1/auth/register",
                &json!({ "username": username, "email": format!("{username}@example.org"), "password": PASSWORD }),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "registering {username}"
        );
        let body: Value = response.json().await.expect("a JSON body");
        browser.csrf = body["csrf_token"]
            .as_str()
            .expect("a csrf token")
            .to_owned();
        browser
    }

    /// Logs an existing user in through the API: the status, and a signed-in browser on 200.
    pub async fn login(&self, username: &str) -> (StatusCode, Option<Browser>) {
        let mut browser = self.browser();
        let response = browser
            .post_json(
                "/api/v1/auth/login",
                &json!({ "username": username, "password": PASSWORD }),
            )
            .await;
        let status = response.status();
        if status != StatusCode::OK {
            return (status, None);
        }
        let body: Value = response.json().await.expect("a JSON body");
        browser.csrf = body["csrf_token"]
            .as_str()
            .expect("a csrf token")
            .to_owned();
        (status, Some(browser))
    }

    /// Registers a user and makes them a moderator.
    pub async fn moderator(&self, username: &str) -> Browser {
        let browser = self.user(username).await;
        sqlx::query("UPDATE users SET role = 'moderator' WHERE username = $1")
            .bind(username)
            .execute(&self.sql)
            .await
            .expect("promote");
        // Another writer than the app itself: make it look at the session epoch now rather
        // than at its next one-second poll.
        self.state.sessions.refresh(&self.pool).await;
        browser
    }

    pub async fn count(&self, table_sql: &'static str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(table_sql)
            .fetch_one(&self.sql)
            .await
            .expect("count query");
        n
    }

    /// The search index holds exactly the visible posts' current text: FTS5's own check, then
    /// every (term, post, column, position) of the index against an index built afresh from the
    /// posts (a trigger that took a row out with the wrong values leaves terms behind).
    pub async fn assert_search_index_matches(&self) {
        if on_postgres() {
            // One row per visible post, each with the document its post has now.
            let (differing,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM search_source s FULL JOIN search_index i ON i.post_id = s.id
                 WHERE i.post_id IS NULL OR s.id IS NULL OR i.tsv <> search_document(s.title, s.body)",
            )
            .fetch_one(&self.sql)
            .await
            .expect("comparing the search index");
            assert_eq!(
                differing, 0,
                "search index entries differ from the visible posts"
            );
            return;
        }
        let mut conn = self.sql.acquire().await.expect("a connection");
        for sql in [
            "INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)",
            "CREATE VIRTUAL TABLE temp.search_rebuilt
                 USING fts5(title, body, tokenize = 'porter unicode61')",
            "INSERT INTO temp.search_rebuilt (rowid, title, body)
                 SELECT id, title, body FROM search_source",
            "CREATE VIRTUAL TABLE temp.terms_have USING fts5vocab(main, search_index, instance)",
            "CREATE VIRTUAL TABLE temp.terms_want USING fts5vocab(temp, search_rebuilt, instance)",
        ] {
            sqlx::query(sql).execute(&mut *conn).await.expect(sql);
        }
        let (differing,): (i64,) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM (SELECT * FROM terms_have EXCEPT SELECT * FROM terms_want))
                  + (SELECT COUNT(*) FROM (SELECT * FROM terms_want EXCEPT SELECT * FROM terms_have))",
        )
        .fetch_one(&mut *conn)
        .await
        .expect("comparing the search index");
        for table in ["terms_have", "terms_want", "search_rebuilt"] {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE temp.{table}")))
                .execute(&mut *conn)
                .await
                .expect("dropping a temporary table");
        }
        assert_eq!(
            differing, 0,
            "search index entries differ from the visible posts"
        );
    }
}

pub struct Browser {
    pub address: String,
    pub client: Client,
    /// The session's CSRF token (from the API login/register answer).
    pub csrf: String,
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.expect("a body"))
    }

    /// POSTs a form as a browser would (add `csrf_token` yourself when testing it).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("POST form")
    }

    /// POSTs a form with this session's CSRF token added.
    pub async fn submit(&self, path: &str, form: &[(&str, &str)]) -> Response {
        let mut fields = form.to_vec();
        fields.push(("csrf_token", &self.csrf));
        self.post_form(path, &fields).await
    }

    /// POSTs JSON with the `X-CSRF-Token` header when signed in.
    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .header("X-CSRF-Token", &self.csrf)
            .json(body)
            .send()
            .await
            .expect("POST json")
    }

    /// Replies to a topic through the API and returns the reply's id.
    pub async fn reply(&self, topic: i64, body: &str) -> i64 {
        let response = self
            .post_json(
                &format!("/api/v1/topics/{topic}/replies"),
                &json!({ "body": body }),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "replying to {topic}"
        );
        let body: Value = response.json().await.expect("a JSON body");
        body["id"].as_i64().expect("a post id")
    }

    /// Bans `username` for `days` through the moderators' API (this browser is a moderator's).
    pub async fn ban(&self, username: &str, days: i64) {
        let response = self
            .post_json(
                &format!("/api/v1/users/{username}/ban"),
                &json!({ "days": days }),
            )
            .await;
        assert!(response.status().is_success(), "ban: {}", response.status());
    }

    /// Checks that this browser's session can no longer post: a topic is refused as unsigned.
    pub async fn assert_cannot_post(&self) {
        let response = self
            .post_json(
                "/api/v1/topics",
                &json!({ "title": "Still here", "body": "body", "tags": ["test"] }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    /// Creates a topic through the API and returns its id.
    pub async fn create_topic(&self, title: &str, body: &str, tags: &[&str]) -> i64 {
        let response = self
            .post_json(
                "/api/v1/topics",
                &json!({ "title": title, "body": body, "tags": tags }),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "creating topic {title:?}"
        );
        let body: Value = response.json().await.expect("a JSON body");
        body["id"].as_i64().expect("a topic id")
    }

    /// The CSRF token in the first form of a page (for the anonymous forms).
    pub async fn form_token(&self, path: &str) -> String {
        let (_, html) = self.get_text(path).await;
        let document = scraper::Html::parse_document(&html);
        let selector = scraper::Selector::parse(r#"input[name="csrf_token"]"#).expect("a selector");
        document
            .select(&selector)
            .next()
            .and_then(|input| input.value().attr("value"))
            .expect("a csrf_token field")
            .to_owned()
    }
}
