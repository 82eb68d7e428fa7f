//! `POST /v1/files` (a raw body with `Content-Type` and `X-Filename`, or a multipart form with
//! one file) and `GET /v1/files/{id}` for those who may read a record holding the file.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{reader, user};
use super::openapi::{ReadErrors, WriteErrors};
use super::{blocking, ApiResult};
use crate::runtime::error::ApiError;
use crate::runtime::service::AppState;
use crate::runtime::storage_api::FileRow;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FileInfo {
    /// `sha256:<hex>`: what a `file`/`files` field holds.
    pub id: String,
    pub name: String,
    pub size: i64,
    /// The media type given at upload.
    #[serde(rename = "type")]
    pub ty: String,
}

fn too_large(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        format!(
            "the file is larger than this server's upload limit of {} bytes ({} MiB, `--max-upload`)",
            max,
            max / (1024 * 1024)
        ),
    )
}

/// `%XX` escapes decoded (a header carries a UTF-8 file name that way); the rest as sent.
fn file_name(h: &HeaderMap) -> String {
    let raw = h
        .get("x-filename")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|x| std::str::from_utf8(x).ok());
        match (b[i], hex.and_then(|x| u8::from_str_radix(x, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    let name = String::from_utf8_lossy(&out).replace(['/', '\\', '\0'], "_");
    if name.trim().is_empty() {
        "file".into()
    } else {
        name.chars().take(255).collect()
    }
}

/// The bytes, name and type of the upload, from either form.
async fn read_upload(req: Request, max: usize) -> Result<(Bytes, String, String), ApiError> {
    let h = req.headers().clone();
    let declared = h
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let ty = h
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    if ty.starts_with("multipart/form-data") {
        let mut form = Multipart::from_request(req, &())
            .await
            .map_err(|e| ApiError::bad(&format!("the form is not multipart: {e}")))?;
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|e| upload_error(&e.body_text(), max))?
        {
            let Some(name) = field.file_name().map(str::to_string) else {
                continue;
            };
            let ty = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| upload_error(&e.body_text(), max))?;
            return Ok((bytes, name, ty));
        }
        return Err(ApiError::bad("the form holds no file"));
    }
    if declared.is_some_and(|n| n > max) {
        return Err(too_large(max));
    }
    let bytes = Bytes::from_request(req, &())
        .await
        .map_err(|e| upload_error(&e.body_text(), max))?;
    Ok((bytes, file_name(&h), ty))
}

fn upload_error(text: &str, max: usize) -> ApiError {
    if text.contains("limit") {
        too_large(max)
    } else {
        ApiError::bad(&format!("the upload could not be read: {text}"))
    }
}

/// Upload a file; a `file`/`files` field then takes its id.
#[utoipa::path(
    post,
    path = "/v1/files",
    operation_id = "uploadFile",
    tag = "files",
    params(("X-Filename" = Option<String>, Header, description = "The file's name (UTF-8, %-escaped) for a raw body")),
    request_body(content = Vec<u8>, description = "The file's bytes with its Content-Type, or multipart/form-data with one file", content_type = "application/octet-stream"),
    responses((status = 201, description = "Stored", body = FileInfo), WriteErrors)
)]
pub async fn upload(State(s): State<Arc<AppState>>, req: Request) -> ApiResult {
    let u = user(&s, req.headers())?;
    let max = s.files.max_upload;
    let (bytes, name, ty) = read_upload(req, max).await?;
    if bytes.len() > max {
        return Err(too_large(max));
    }
    let row = blocking(move || {
        let id = s
            .files
            .put(&bytes)
            .map_err(|e| ApiError::internal(format!("the file could not be stored: {e}")))?;
        let row = FileRow {
            id,
            name,
            size: bytes.len() as i64,
            ty,
            created: s.clock.secs(),
            uploader: u.id.clone(),
        };
        Ok(s.store().put_file(&row)?)
    })
    .await?;
    let info = FileInfo {
        id: row.id,
        name: row.name,
        size: row.size,
        ty: row.ty,
    };
    Ok((StatusCode::CREATED, Json(info)).into_response())
}

/// Download a file: its uploader, and whoever may read a record that holds it.
#[utoipa::path(
    get,
    path = "/v1/files/{id}",
    operation_id = "downloadFile",
    tag = "files",
    params(("id" = String, Path, description = "`sha256:<hex>`")),
    responses((status = 200, description = "The bytes", body = Vec<u8>, content_type = "application/octet-stream"), ReadErrors)
)]
pub async fn download(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let u = reader(&s, &h)?;
    let s2 = s.clone();
    let row = blocking(move || {
        let missing = || {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "no-such-file",
                "no file with that id that you may read",
            )
        };
        let row = s2.store().file(&id)?.ok_or_else(missing)?;
        let Some(u) = u else { return Ok(row) };
        if row.uploader == u.id {
            return Ok(row);
        }
        let holders = s2.store().records_with_file(&row.id)?;
        if holders.iter().any(|r| s2.read_record(Some(&u), *r).is_ok()) {
            return Ok(row);
        }
        Err(missing())
    })
    .await?;
    let path = s
        .files
        .path(&row.id)
        .ok_or_else(|| ApiError::internal("a stored file id is malformed"))?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| ApiError::internal(format!("the stored file could not be read: {e}")))?;
    let mut r = bytes.into_response();
    let hv = |v: &str| {
        HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("application/octet-stream"))
    };
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, hv(&row.ty));
    let inline = row.ty.starts_with("image/") || row.ty.starts_with("video/");
    let name: String = row
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "{}; filename=\"{name}\"",
        if inline { "inline" } else { "attachment" }
    );
    h.insert(CONTENT_DISPOSITION, hv(&disposition));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("sandbox"),
    );
    Ok(r)
}
