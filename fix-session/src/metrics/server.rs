//! The HTTP endpoint (hyper): `GET /metrics` and `GET /health`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use super::registry::Sessions;
use super::{exporter, health};

/// The OpenMetrics text format's content type.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A running endpoint; stopped when dropped.
#[derive(Debug)]
pub(crate) struct HttpServer {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl HttpServer {
    /// The address listened on.
    pub(crate) fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving and waits until the listener and its connections are closed: dropping
    /// the server only asks its task to stop, and the port may accept for a moment after.
    pub(crate) async fn stop(mut self) {
        self.task.abort();
        // An aborted task's future (the listener with it) is dropped before its handle
        // answers, with the cancellation.
        let _ = (&mut self.task).await;
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct State {
    sessions: Sessions,
    registry: Registry,
}

/// Listens on `port` of every interface (0: a free port) and serves the sessions' metrics
/// and health until dropped.
pub(crate) async fn serve(port: u16, sessions: Sessions) -> std::io::Result<HttpServer> {
    let listener = TcpListener::bind(("0.0.0.0", port)).await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(State {
        registry: exporter::registry(sessions.clone()),
        sessions,
    });
    tracing::info!(%addr, "serving /metrics and /health");
    let task = tokio::spawn(async move {
        // Dropped with the accept loop: aborts the connections too.
        let mut connections = JoinSet::new();
        loop {
            while connections.try_join_next().is_some() {}
            let (tcp, peer) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "metrics endpoint: accept failed");
                    continue;
                }
            };
            let state = state.clone();
            connections.spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let state = state.clone();
                    async move { Ok::<_, Infallible>(answer(&req, &state)) }
                });
                if let Err(e) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), service)
                    .await
                {
                    tracing::debug!(%peer, error = %e, "metrics endpoint: connection failed");
                }
            });
        }
    });
    Ok(HttpServer { addr, task })
}

fn response(status: StatusCode, content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

fn answer(req: &Request<Incoming>, state: &State) -> Response<Full<Bytes>> {
    if req.method() != Method::GET {
        return response(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "GET only\n".into(),
        );
    }
    match req.uri().path() {
        "/metrics" => match exporter::render(&state.registry) {
            Ok(text) => response(StatusCode::OK, OPENMETRICS, text),
            Err(_) => response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/plain",
                "metrics could not be encoded\n".into(),
            ),
        },
        "/health" => {
            let (healthy, report) = health::report(&state.sessions, SystemTime::now());
            let status = if healthy {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            response(status, "application/json", format!("{report}\n"))
        }
        _ => response(
            StatusCode::NOT_FOUND,
            "text/plain",
            "not found: try /metrics or /health\n".into(),
        ),
    }
}
