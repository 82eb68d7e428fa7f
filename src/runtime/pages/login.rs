//! Signing in with a one-time link, and out. `GET /login/<token>` only shows the button (link
//! previews and scanners fetch links); `POST` spends the token and sets the session cookie.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::words::Lang;
use super::{blocking, data, view, Pages};
use crate::runtime::session;

/// Mints a sign-in link for `user` that opens `next` after signing in; returns the full URL.
pub fn mint(
    store: &mut crate::runtime::storage::Store,
    public_url: &str,
    user: &str,
    next: &str,
    now: i64,
    ttl: i64,
) -> Result<String, crate::runtime::storage::StoreError> {
    let token = store.create_login_link(user, session::safe_next(next), now, ttl)?;
    Ok(format!(
        "{}/login/{token}",
        public_url.trim_end_matches('/')
    ))
}

pub async fn get(State(p): State<Arc<Pages>>, Path(token): Path<String>) -> Response {
    blocking(move || {
        let now = p.app.clock.secs();
        let link = match p.app.store().login_link(&token, now) {
            Ok(l) => l,
            Err(e) => return p.error(Lang::Zh, &e.into()),
        };
        let Some(link) = link else {
            return invalid(&p);
        };
        let person = data::person(&p.app, &link.user);
        let lang = person
            .as_ref()
            .map(|x| data::lang(x, None))
            .unwrap_or(Lang::Zh);
        let name = person.map(|x| x.name).unwrap_or(link.user);
        let ctx = json!({"name": name, "action": format!("/login/{token}")});
        view::page(&p.env, "login.html.j2", lang, ctx, StatusCode::OK)
    })
    .await
}

fn invalid(p: &Pages) -> Response {
    let lang = Lang::Zh;
    let help = super::words::word(lang, "link_invalid_help");
    let ctx = json!({"heading": super::words::word(lang, "link_invalid"), "text": help});
    view::page(&p.env, "message.html.j2", lang, ctx, StatusCode::GONE)
}

pub async fn post(
    State(p): State<Arc<Pages>>,
    h: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    blocking(move || {
        let now = p.app.clock.secs();
        let spent = p.app.store().spend_login_link(&token, now);
        let (link, new) = match spent {
            Ok(Some(x)) => x,
            Ok(None) => return invalid(&p),
            Err(e) => return p.error(Lang::Zh, &e.into()),
        };
        let secure = session::is_https(&h, &p.public_url);
        (
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, session::cookie(&new.token, secure)),
                (header::LOCATION, session::safe_next(&link.next).to_string()),
            ],
        )
            .into_response()
    })
    .await
}

pub async fn logout(State(p): State<Arc<Pages>>, h: HeaderMap, req: Request) -> Response {
    let form = match p.form(req).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    blocking(move || {
        let s = match p.checked(&h, &form) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let lang = super::lang_of(&s);
        if let Err(e) = p.app.store().end_session(&s.token) {
            return p.error(lang, &e.into());
        }
        let secure = session::is_https(&h, &p.public_url);
        let mut r = p.message(
            lang,
            StatusCode::OK,
            "sign_out",
            super::words::word(lang, "signed_out"),
        );
        if let Ok(v) = session::clear_cookie(secure).parse() {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
        r
    })
    .await
}
