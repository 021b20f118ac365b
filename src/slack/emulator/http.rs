//! Just enough HTTP/1.1 for the emulator: keep-alive requests with a Content-Length body,
//! and answers that can be cut short or dropped on purpose.

use std::io::{Read, Write};
use std::net::TcpStream;

/// Larger request bodies are refused: Web API calls are a few form fields.
const MAX_BODY: usize = 1 << 20;

/// One request: method, path without the query, and its form/query parameters.
#[derive(Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub params: Vec<(String, String)>,
    /// Parameters that came in the URL's query string (where a token must never be).
    pub query_keys: Vec<String>,
    pub authorization: Option<String>,
    pub body: Vec<u8>,
    pub close: bool,
}

impl Request {
    /// The same request without the parameter `key`.
    pub fn without_param(&self, key: &str) -> Request {
        let mut copy = self.clone();
        copy.params.retain(|(k, _)| k != key);
        copy
    }
}

/// Reads the next request on a connection; `None` at a clean end of the connection.
pub fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<Option<Request>> {
    let mut chunk = [0u8; 8192];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(buf) {
            Ok(httparse::Status::Complete(header_len)) => {
                let method = req.method.unwrap_or("GET").to_string();
                let target = req.path.unwrap_or("/").to_string();
                let header = |name: &str| {
                    req.headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(name))
                        .map(|h| String::from_utf8_lossy(h.value).to_string())
                };
                let length: usize = header("content-length")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if length > MAX_BODY {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "request body too large",
                    ));
                }
                let authorization = header("authorization");
                let close = header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
                let form = header("content-type")
                    .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
                while buf.len() < header_len + length {
                    let n = stream.read(&mut chunk)?;
                    if n == 0 {
                        return Ok(None);
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = buf[header_len..header_len + length].to_vec();
                buf.drain(..header_len + length);
                let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                let mut params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                    .into_owned()
                    .collect();
                let query_keys = params.iter().map(|(k, _)| k.clone()).collect();
                if form {
                    params.extend(form_urlencoded::parse(&body).into_owned());
                }
                return Ok(Some(Request {
                    method,
                    path: path.to_string(),
                    params,
                    query_keys,
                    authorization,
                    body,
                    close,
                }));
            }
            Ok(httparse::Status::Partial) => {
                let n = stream.read(&mut chunk)?;
                if n == 0 {
                    return Ok(None);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        }
    }
}

/// Writes an answer. With `cut`, the headers promise the whole body but only part of it
/// is sent before the connection closes; with `trickle`, the body goes one byte at a time,
/// this long apart (a stalled server).
pub fn write_response(
    stream: &mut TcpStream,
    status: u16,
    extra_headers: &[(&str, String)],
    body: &[u8],
    cut: bool,
    trickle: Option<std::time::Duration>,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in extra_headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if cut {
        stream.write_all(&body[..body.len() / 2])?;
        stream.flush()?;
        return stream.shutdown(std::net::Shutdown::Both);
    }
    if let Some(pause) = trickle {
        for byte in body {
            stream.write_all(std::slice::from_ref(byte))?;
            stream.flush()?;
            std::thread::sleep(pause);
        }
        return Ok(());
    }
    stream.write_all(body)?;
    stream.flush()
}
