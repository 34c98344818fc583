//! A mock HTTP server on 127.0.0.1:0 (tiny_http), run by a background thread that stops
//! when the server is dropped. Every request is recorded (path, parsed JSON body,
//! `Authorization` header) before the handler answers it, so that a test can count what
//! reached the "provider", including a request whose answer never arrives.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

/// One request as the mock received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    /// The body as JSON (`Value::Null` when empty or not JSON).
    pub body: Value,
    pub authorization: Option<String>,
}

/// What the handler answers.
pub enum Reply {
    /// A JSON body with this HTTP status.
    Json(u16, Value),
    /// Any text with this HTTP status (for answers that are not JSON).
    Text(u16, String),
    /// Hold the request for this long (past the client's timeout), then close it.
    Hang(Duration),
}

/// A running mock server.
pub struct MockServer {
    url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Serves every request with `handler`, in order, on one thread.
    pub fn start(mut handler: impl FnMut(&Recorded) -> Reply + Send + 'static) -> MockServer {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0"));
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (srv, log) = (server.clone(), requests.clone());
        let thread = std::thread::spawn(move || {
            // `unblock` (on drop) ends this loop.
            for mut request in srv.incoming_requests() {
                let mut text = String::new();
                let _ = request.as_reader().read_to_string(&mut text);
                let recorded = Recorded {
                    path: request.url().to_owned(),
                    body: serde_json::from_str(&text).unwrap_or(Value::Null),
                    authorization: request
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("Authorization"))
                        .map(|h| h.value.as_str().to_owned()),
                };
                log.lock().unwrap().push(recorded.clone());
                let (status, body) = match handler(&recorded) {
                    Reply::Json(status, value) => (status, value.to_string()),
                    Reply::Text(status, text) => (status, text),
                    Reply::Hang(pause) => {
                        // Held on its own thread: the mock goes on serving other requests.
                        std::thread::spawn(move || {
                            std::thread::sleep(pause);
                            drop(request);
                        });
                        continue;
                    }
                };
                let header = tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap();
                let response = tiny_http::Response::from_string(body)
                    .with_status_code(status)
                    .with_header(header);
                let _ = request.respond(response);
            }
        });
        MockServer {
            url: format!("http://127.0.0.1:{port}"),
            requests,
            server,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// How many requests reached `path`.
    pub fn count(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }

    /// How many requests reached a path that starts with `prefix`.
    pub fn count_prefix(&self, prefix: &str) -> usize {
        self.requests().iter().filter(|r| r.path.starts_with(prefix)).count()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
