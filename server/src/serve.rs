//! The accept loop. `axum::serve` offers no header-read timeout, so a client
//! could hold a connection open forever by sending headers one byte at a
//! time; hyper can bound that when it is given a timer, which is done here.
//! hyper's bound starts only once it has sniffed the HTTP version, though: a
//! connection that sends nothing, or half of HTTP/2's preface, would be held
//! for ever. So every connection must also deliver its first request within
//! [`FIRST_REQUEST_TIMEOUT`] ([`FirstRequestDeadline`]), and at most
//! `max_connections` are served at once (more wait in the kernel's backlog).
//! Otherwise this does what `axum::serve` does: one task per connection, the
//! peer address as `ConnectInfo`, and a graceful shutdown that lets requests
//! in flight finish.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

/// All request headers must arrive within this (slow-header attacks).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A new connection's first request must arrive within this, whatever it
/// sends (nothing at all, a partial HTTP/2 preface, headers byte by byte).
pub const FIRST_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How connections are bounded.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub first_request_timeout: Duration,
}

pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let (done_tx, done_rx) = watch::channel(());
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let app = app.clone();
        let mut stop = stop_rx.clone();
        let done = done_rx.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let started = Arc::new(AtomicBool::new(false));
            let io =
                FirstRequestDeadline::new(stream, limits.first_request_timeout, started.clone());
            let service =
                hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                    started.store(true, Ordering::Release);
                    request.extensions_mut().insert(ConnectInfo(peer));
                    app.clone().oneshot(request.map(Body::new))
                });
            let mut builder = Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            builder
                .http2()
                .timer(TokioTimer::new())
                .keep_alive_interval(Some(Duration::from_secs(30)))
                .keep_alive_timeout(Duration::from_secs(10));
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
            let mut connection = std::pin::pin!(connection);
            let mut stopping = false;
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!(error = %e, %peer, "connection ended with an error");
                        }
                        break;
                    }
                    _ = stop.wait_for(|stop| *stop), if !stopping => {
                        stopping = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(done);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(done_rx);
    // Every connection task holds a receiver; `closed` resolves when all are gone.
    done_tx.closed().await;
    Ok(())
}

/// A connection whose reads fail once `timeout` has passed without a first
/// request (`started` is set when one reaches the app). It bounds what
/// hyper's own timers cannot: the bytes before hyper knows the HTTP version.
struct FirstRequestDeadline<S> {
    inner: S,
    deadline: Pin<Box<tokio::time::Sleep>>,
    started: Arc<AtomicBool>,
}

impl<S> FirstRequestDeadline<S> {
    fn new(inner: S, timeout: Duration, started: Arc<AtomicBool>) -> Self {
        FirstRequestDeadline {
            inner,
            deadline: Box::pin(tokio::time::sleep(timeout)),
            started,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for FirstRequestDeadline<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let read = Pin::new(&mut self.inner).poll_read(cx, buf);
        if read.is_pending()
            && !self.started.load(Ordering::Acquire)
            && self.deadline.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "no request within the first-request timeout",
            )));
        }
        read
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for FirstRequestDeadline<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
