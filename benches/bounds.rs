//! What the request bounds cost (issue 14: at most 10 %). The same small JSON handler is
//! served bare and behind the server's bounds, in one run so the machine's load is the same
//! for both:
//! - through tower in process: bare, and through `bounds::apply` (the JSON body limit, the
//!   JSON envelope for axum's own answers, the request timeout) exactly as the server layers
//!   them;
//! - over loopback HTTP with a keep-alive client: hyper's plain connection loop, and
//!   `listen::serve` with the server's default limits (header read timeout, connection cap)
//!   around the bounded router.
//!
//! The difference is each bound's own cost per request; `benches/http.rs` gives what one
//! action costs in all (a commit to disk), against which it is read.

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use axum::{Json, Router};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};
use sopctl::runtime::api::bounds;
use sopctl::runtime::listen::{self, Limits};
use tower::ServiceExt;

async fn answer() -> Json<Value> {
    Json(json!({"id": 1, "status": "pending", "version": 3}))
}

fn bare() -> Router {
    Router::new().route("/r", get(answer))
}

fn bounded() -> Router {
    bounds::apply(bare(), 1024 * 1024, bounds::REQUEST_TIMEOUT)
}

fn in_process(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let mut g = c.benchmark_group("bounds_in_process");
    for (name, router) in [("bare", bare()), ("bounded", bounded())] {
        g.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    let req = Request::get("/r").body(Body::empty()).unwrap();
                    let r = router.clone().oneshot(req).await.unwrap();
                    assert!(r.status().is_success());
                })
            })
        });
    }
    g.finish();
}

/// Serves `router` on a free loopback port: with `limits` through the server's own loop, else
/// through hyper's plain one. Returns the address.
fn start(rt: &tokio::runtime::Runtime, router: Router, limits: Option<Limits>) -> String {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move {
        match limits {
            Some(l) => listen::serve(listener, router, l, std::future::pending())
                .await
                .unwrap(),
            None => plain(listener, router).await,
        }
    });
    format!("http://{addr}/r")
}

/// hyper's HTTP/1 loop with no timer, no cap and no grace: what the bounds are added to.
async fn plain(listener: tokio::net::TcpListener, router: Router) {
    loop {
        let (sock, _) = listener.accept().await.unwrap();
        let _ = sock.set_nodelay(true);
        let svc = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(sock);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, svc)
                .await;
        });
    }
}

fn over_http(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let plain_url = start(rt, bare(), None);
    let bounded_url = start(rt, bounded(), Some(Limits::default()));
    let mut g = c.benchmark_group("bounds_over_http");
    for (name, url) in [("bare", &plain_url), ("bounded", &bounded_url)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let r = agent.get(url.as_str()).call().unwrap();
                assert_eq!(r.status(), 200);
            })
        });
    }
    g.finish();
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    in_process(c, &rt);
    over_http(c, &rt);
}

criterion_group!(benches, bench);
criterion_main!(benches);
