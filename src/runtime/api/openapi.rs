//! The OpenAPI document: the info, the bearer scheme and the tags written here; every path,
//! body and error derived from the handlers and the view types. `schemas/openapi.json` is this
//! document as `sopctl` writes it (`tests/api_contract.rs` checks the two are equal).

use std::sync::{Arc, OnceLock};

use axum::extract::State;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoResponses, Modify, OpenApi};

use super::views::ErrorBody;
use super::{json_text, ApiResult};
use crate::runtime::service::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "sopctl runtime API",
        description = "The HTTP API of `sopctl serve`: records of the active bundle's processes, \
            their actions, people's work, files and the bundle itself. Every endpoint but this \
            document needs `Authorization: Bearer TOKEN`. Times are RFC 3339 strings in the \
            server's UTC offset. Every error is `{\"error\":{\"code\",\"message\",…}}`.",
        license(name = "MIT")
    ),
    modifiers(&Bearer),
    security(("bearer" = [])),
    components(schemas(ErrorBody)),
    tags(
        (name = "records", description = "Records: list, create, read, act, history"),
        (name = "me", description = "The caller's work, tasks and inbox"),
        (name = "files", description = "Uploaded files held by file fields"),
        (name = "bundle", description = "The bundle the runtime runs (admin token to upload)"),
        (name = "admin", description = "What only the admin token reads"),
        (name = "meta", description = "This document")
    )
)]
struct Base;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn base() -> utoipa::openapi::OpenApi {
    Base::openapi()
}

/// The whole document as pretty JSON with a final newline: what `schemas/openapi.json` holds.
pub fn json() -> String {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let doc = super::api(crate::runtime::files::DEFAULT_MAX_UPLOAD).into_openapi();
        let mut s = doc
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
        s.push('\n');
        s
    })
    .clone()
}

/// The OpenAPI document of this API.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "getOpenApi",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object, content_type = "application/json"))
)]
pub async fn document(State(_): State<Arc<AppState>>) -> ApiResult {
    Ok(json_text(json()))
}

/// The error answers of an operation, each with the [`ErrorBody`] envelope.
fn errors(list: &[(u16, &str)]) -> std::collections::BTreeMap<String, RefOr<Response>> {
    list.iter()
        .map(|(status, what)| {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build();
            let r = ResponseBuilder::new()
                .description(*what)
                .content("application/json", content)
                .build();
            (status.to_string(), RefOr::T(r))
        })
        .collect()
}

const BAD: (u16, &str) = (400, "bad-request: the path, query or body is malformed");
const UNAUTHORIZED: (u16, &str) = (401, "unauthorized: no valid bearer token");
const FORBIDDEN: (u16, &str) = (403, "not-allowed: the SOP or the token does not allow it");
const NOT_FOUND: (u16, &str) = (
    404,
    "not found (no-such-record, no-such-process, no-bundle, …)",
);
const TIMEOUT: (u16, &str) = (408, "timeout: the request took too long");
const CONFLICT: (u16, &str) = (
    409,
    "conflict, no-such-transition, no-such-task, would-strand, no-bundle",
);
const TOO_LARGE: (u16, &str) = (
    413,
    "payload-too-large: the body is over this endpoint's limit",
);
const UNPROCESSABLE: (u16, &str) = (422, "missing-fields, invalid-value, invalid-bundle, …");

/// Errors of a read.
pub struct ReadErrors;
/// Errors of a change.
pub struct WriteErrors;

impl IntoResponses for ReadErrors {
    fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
        errors(&[BAD, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, TIMEOUT])
    }
}

impl IntoResponses for WriteErrors {
    fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
        errors(&[
            BAD,
            UNAUTHORIZED,
            FORBIDDEN,
            NOT_FOUND,
            TIMEOUT,
            CONFLICT,
            TOO_LARGE,
            UNPROCESSABLE,
        ])
    }
}
