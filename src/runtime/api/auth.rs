//! Who is calling: the bearer token of a request, as a [`Caller`]. Kept tiny on purpose: the
//! directory and database tokens plug in behind `Tokens::caller`.

use axum::http::{HeaderMap, StatusCode};

use crate::runtime::auth::{Caller, User};
use crate::runtime::error::ApiError;
use crate::runtime::service::AppState;

pub fn caller(s: &AppState, h: &HeaderMap) -> Result<Caller, ApiError> {
    let header = h
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    s.caller(header)
}

/// A person's token (the admin token manages bundles, it does not act on records).
pub fn user(s: &AppState, h: &HeaderMap) -> Result<User, ApiError> {
    match caller(s, h)? {
        Caller::User(u) => Ok(u),
        Caller::Admin => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not-allowed",
            "the admin token manages bundles; use a user token",
        )),
    }
}

pub fn admin(s: &AppState, h: &HeaderMap, what: &str) -> Result<(), ApiError> {
    if caller(s, h)? != Caller::Admin {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not-allowed",
            format!("only the admin token {what}"),
        ));
    }
    Ok(())
}

/// The user behind a caller; None for the admin, who may read everything.
pub fn reader(s: &AppState, h: &HeaderMap) -> Result<Option<User>, ApiError> {
    Ok(match caller(s, h)? {
        Caller::User(u) => Some(u),
        Caller::Admin => None,
    })
}
