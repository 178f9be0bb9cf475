//! A real HTTP server on 127.0.0.1 that receives webhook deliveries for
//! tests: it records every request, checks its `X-Debrief-Signature` with
//! the secret on its own (HMAC-SHA256 over `"{timestamp}.{body}"`, written
//! here independently of debrief's signing code), and answers with the
//! statuses a test scripts, optionally after a delay.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: BTreeMap<String, String>,
    pub body: String,
    /// Whether the signature matched the receiver's secret and the
    /// request's own timestamp header.
    pub signature_valid: bool,
    /// The status the receiver answered with.
    pub answered: u16,
}

impl ReceivedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_lowercase()).map(String::as_str)
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<u16>,
    delay: Duration,
    requests: Vec<ReceivedRequest>,
}

/// The receiver; it stops when the test's runtime does.
#[derive(Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:PORT`; append any path.
    pub base: String,
    secret: String,
    state: Arc<Mutex<State>>,
}

impl Receiver {
    /// Listens on a free port; answers 200 until told otherwise.
    pub async fn start(secret: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port on 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let receiver = Self {
            base,
            secret: secret.to_owned(),
            state: Arc::new(Mutex::new(State::default())),
        };
        let r = receiver.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let r = r.clone();
                tokio::spawn(async move { r.serve(stream).await });
            }
        });
        receiver
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The next requests get these statuses, in order; then 200 again.
    pub fn answer(&self, statuses: &[u16]) {
        self.lock().script.extend(statuses.iter().copied());
    }

    /// Wait this long before answering (a slow receiver).
    pub fn delay(&self, delay: Duration) {
        self.lock().delay = delay;
    }

    /// Every request so far, in order of arrival.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.lock().requests.clone()
    }

    /// Waits up to `timeout` for at least `n` requests.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedRequest> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let seen = self.requests();
            if seen.len() >= n || tokio::time::Instant::now() >= deadline {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn serve(&self, mut stream: TcpStream) {
        let Some((method, path, headers, body)) = read_request(&mut stream).await else {
            return;
        };
        let signature_valid = match (
            headers.get("x-debrief-timestamp"),
            headers.get("x-debrief-signature"),
        ) {
            (Some(ts), Some(sig)) => expected_signature(&self.secret, ts, &body) == *sig,
            _ => false,
        };
        let delay = self.lock().delay;
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let answered = {
            let mut state = self.lock();
            let status = state.script.pop_front().unwrap_or(200);
            state.requests.push(ReceivedRequest {
                method,
                path,
                headers,
                body,
                signature_valid,
                answered: status,
            });
            status
        };
        let reply = format!(
            "HTTP/1.1 {answered} Scripted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        );
        let _ = stream.write_all(reply.as_bytes()).await;
        let _ = stream.shutdown().await;
    }
}

/// `sha256=` + hex HMAC-SHA256(secret, "{timestamp}.{body}").
fn expected_signature(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

type Request = (String, String, BTreeMap<String, String>, String);

async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let path = request_line.next()?.to_owned();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((
        method,
        path,
        headers,
        String::from_utf8_lossy(&body).to_string(),
    ))
}
