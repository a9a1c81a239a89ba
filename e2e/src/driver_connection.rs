//! How the journeys talk to chromedriver and geckodriver: a new TCP
//! connection for every WebDriver command.
//!
//! fantoccini's HTTP client keeps idle connections for reuse. When the
//! driver closes one just as the client picks it for the next command, the
//! command fails with hyper's `IncompleteMessage` ("connection closed before
//! message completed"), and a journey fails on a click that may or may not
//! have reached the browser; retrying it could click twice. A connection
//! that is never reused cannot be closed under us. On loopback a new
//! connection costs a fraction of a millisecond per command.

use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::net::TcpStream;

/// Connects like hyper's [`HttpConnector`], but marks every connection as
/// not to be reused.
#[derive(Clone)]
pub struct OneConnectionPerCommand(HttpConnector);

impl OneConnectionPerCommand {
    pub fn new() -> Self {
        Self(HttpConnector::new())
    }
}

/// A connection the client's pool will not hand out again.
pub struct SingleUse(TokioIo<TcpStream>);

impl Connection for SingleUse {
    fn connected(&self) -> Connected {
        let connected = self.0.connected();
        connected.poison();
        connected
    }
}

impl tower_service::Service<hyper::Uri> for OneConnectionPerCommand {
    type Response = SingleUse;
    type Error = <HttpConnector as tower_service::Service<hyper::Uri>>::Error;
    type Future = Pin<Box<dyn Future<Output = Result<SingleUse, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, uri: hyper::Uri) -> Self::Future {
        let connecting = self.0.call(uri);
        Box::pin(async move { connecting.await.map(SingleUse) })
    }
}

impl hyper::rt::Read for SingleUse {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for SingleUse {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}
