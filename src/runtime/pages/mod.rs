//! The pages for the people in the process (SPEC 12 "The web pages"): server-rendered HTML
//! that works with JavaScript off and on a 360 px phone, with no asset from outside the
//! server. Every form posts to a page route that calls the same service functions as the API,
//! so a refusal is the engine's, shown next to the field at fault. No `GET` changes anything.

pub mod approval;
pub mod board;
pub mod charts;
pub mod data;
pub mod due_words;
pub mod form;
pub mod links;
pub mod login;
pub mod new_record;
pub mod record;
pub mod refusal;
pub mod task;
pub mod view;
pub mod words;
pub mod work;

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::bundle::{Bundle, Process};
use crate::runtime::error::ApiError;
use crate::runtime::service::AppState;
use crate::runtime::storage::{SessionRow, StoredRecord};
use data::Person;
use words::Lang;

/// What the pages need beyond the runtime.
pub struct Pages {
    pub app: Arc<AppState>,
    pub env: minijinja::Environment<'static>,
    /// The address people reach the server at (`--public-url`), for links in messages.
    pub public_url: String,
    /// Where uploads are stored (a folder beside the database).
    pub files_dir: PathBuf,
    /// The largest upload accepted, in bytes.
    pub max_upload: usize,
}

/// The largest upload by default (SPEC 12: 20 MiB).
pub const MAX_UPLOAD: usize = 20 << 20;

/// Every page route, for the router and for the test that no `GET` changes state.
pub const GET_ROUTES: &[&str] = &[
    "/",
    "/app.css",
    "/app.js",
    "/login/{token}",
    "/t/{record}/{task}",
    "/a/{record}",
    "/r/{record}",
    "/new",
    "/new/{process}",
    "/board",
    "/board/{process}",
    "/files/{record}/{file}",
];

pub fn router(p: Arc<Pages>) -> Router {
    let max = p.max_upload + (1 << 20);
    Router::new()
        .route("/", get(work::get))
        .route("/app.css", get(css))
        .route("/app.js", get(js))
        .route("/login/{token}", get(login::get).post(login::post))
        .route("/logout", post(login::logout))
        .route("/t/{record}/{task}", get(task::get).post(task::post))
        .route("/a/{record}", get(approval::get).post(approval::post))
        .route("/r/{record}", get(record::get))
        .route("/r/{record}/move/{to}", post(record::post_move))
        .route("/new", get(new_record::list))
        .route(
            "/new/{process}",
            get(new_record::get).post(new_record::post),
        )
        .route("/board", get(board::list))
        .route("/board/{process}", get(board::get))
        .route("/files/{record}/{file}", get(record::file))
        .layer(axum::extract::DefaultBodyLimit::max(max))
        .layer(axum::middleware::from_fn_with_state(p.clone(), timeout))
        .with_state(p)
}

/// Ends a page request that runs past the server's request timeout (a form or an upload sent
/// too slowly) with a page that says so, as the API does with JSON (`api::bounds::timeout`),
/// so a slow sender cannot hold its connection open for ever.
async fn timeout(
    State(p): State<Arc<Pages>>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    let limit = p.app.request_timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            // Who asked is not known yet: the seeds' language.
            let lang = Lang::Zh;
            let help =
                words::word(lang, "too_slow_help").replace("{secs}", &limit.as_secs().to_string());
            p.message(lang, StatusCode::REQUEST_TIMEOUT, "too_slow", &help)
        }
    }
}

async fn css(State(p): State<Arc<Pages>>) -> Response {
    view::asset(&p.env, "app.css", "text/css; charset=utf-8")
}

async fn js(State(p): State<Arc<Pages>>) -> Response {
    view::asset(&p.env, "app.js", "text/javascript; charset=utf-8")
}

/// The person behind a request's session cookie, with the session's CSRF token.
pub struct Signed {
    pub token: String,
    pub session: SessionRow,
    pub person: Person,
}

/// Runs page work on the blocking pool (the store is blocking).
pub async fn blocking(f: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| plain_error(&format!("the request failed: {e}")))
}

fn plain_error(msg: &str) -> Response {
    use axum::response::IntoResponse;
    (StatusCode::INTERNAL_SERVER_ERROR, msg.to_string()).into_response()
}

impl Pages {
    /// The signed-in person, or the page that asks them to sign in.
    pub fn signed_in(&self, h: &HeaderMap) -> Result<Signed, Response> {
        let lang = Lang::Zh;
        let Some(token) = crate::runtime::session::from_cookies(h) else {
            return Err(self.need_sign_in(lang));
        };
        let now = self.app.clock.secs();
        let row = match self.app.store().session(&token, now) {
            Ok(Some(r)) => r,
            Ok(None) => return Err(self.need_sign_in(lang)),
            Err(e) => return Err(self.error(lang, &e.into())),
        };
        let Some(person) = data::person(&self.app, &row.user) else {
            return Err(self.message(
                lang,
                StatusCode::FORBIDDEN,
                "not_allowed",
                words::word(lang, "unknown_user"),
            ));
        };
        Ok(Signed {
            token,
            session: row,
            person,
        })
    }

    /// For a form: the signed-in person whose form carries their session's CSRF token. The
    /// session's idle time starts again.
    pub fn checked(&self, h: &HeaderMap, form: &form::FormData) -> Result<Signed, Response> {
        let s = self.signed_in(h)?;
        let sent = form.get("csrf").unwrap_or("");
        if !crate::runtime::session::same(sent, &s.session.csrf) {
            let lang = data::lang(&s.person, None);
            let msg = words::word(lang, "form_expired").to_string();
            return Err(self.message(lang, StatusCode::FORBIDDEN, "not_allowed", &msg));
        }
        let now = self.app.clock.secs();
        if let Err(e) = self.app.store().touch_session(&s.token, now) {
            return Err(self.error(lang_of(&s), &e.into()));
        }
        Ok(s)
    }

    fn need_sign_in(&self, lang: Lang) -> Response {
        let help = words::word(lang, "need_sign_in_help").to_string();
        self.message(lang, StatusCode::UNAUTHORIZED, "need_sign_in", &help)
    }

    /// A page with a heading (a word key) and a text.
    pub fn message(&self, lang: Lang, status: StatusCode, heading: &str, text: &str) -> Response {
        let ctx = json!({"heading": words::word(lang, heading), "text": text});
        view::page(&self.env, "message.html.j2", lang, ctx, status)
    }

    /// An error from the runtime as a page (its status kept; never a debug dump).
    pub fn error(&self, lang: Lang, e: &ApiError) -> Response {
        let heading = match e.status {
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::FORBIDDEN => "not_allowed",
            _ => "error",
        };
        let text = refusal::in_words(&[], e, lang).message;
        self.message(lang, e.status, heading, &text)
    }

    /// `f` on the record `id` as this person may read it, its bundle and its process; else
    /// the error page.
    pub fn with_record(
        &self,
        s: &Signed,
        id: crate::engine::RecordId,
        f: impl FnOnce(&StoredRecord, &Bundle, &Process) -> Response,
    ) -> Response {
        let (sr, b) = match data::record(&self.app, &s.person, id) {
            Ok(x) => x,
            Err(e) => return self.error(lang_of(s), &e),
        };
        match b.process(&sr.record.process) {
            Some(proc_) => f(&sr, &b, proc_),
            None => self.error(lang_of(s), &ApiError::bad("the record's process is gone")),
        }
    }

    /// The common context of a signed-in page.
    pub fn base(&self, s: &Signed) -> serde_json::Value {
        json!({"me": {"id": s.person.id, "name": s.person.name}, "csrf": s.session.csrf})
    }

    /// Reads a posted form, or answers with the reason it could not be read.
    pub async fn form(&self, req: Request) -> Result<form::FormData, Response> {
        form::read(req, &self.app, self.max_upload)
            .await
            .map_err(|m| self.message(Lang::Zh, StatusCode::BAD_REQUEST, "refused", &m))
    }
}

/// A form post: the form is read, then, on the blocking pool, `f` runs for the signed-in
/// person whose form carries their session's CSRF token (else the page saying why not).
pub async fn posted(
    p: Arc<Pages>,
    h: HeaderMap,
    req: Request,
    f: impl FnOnce(&Pages, Signed, form::FormData) -> Response + Send + 'static,
) -> Response {
    let form = match p.form(req).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    blocking(move || match p.checked(&h, &form) {
        Ok(s) => f(&p, s, form),
        Err(r) => r,
    })
    .await
}

/// The language of a person's pages where no process decides it.
pub fn lang_of(s: &Signed) -> Lang {
    data::lang(&s.person, None)
}

/// `Path` parameters that must be a record id; anything else is a 404 page.
pub type RecordPath = Path<u64>;
