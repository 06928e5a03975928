//! After the handshake: ask for `/` and read how the origin answers. A TLS 1.3 origin
//! that refuses a client certificate says so only now (its alert follows the handshake),
//! and nginx says so in an HTTP 400 page rather than an alert.

use std::io;
use std::time::Duration;

use rustls::AlertDescription;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

/// More than any error page; a longer answer is cut here, its head already read.
const MAX_ANSWER: usize = 64 * 1024;

/// How an attempt ended once the handshake was under way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The origin answered over HTTP (`None`: it answered, but not in HTTP).
    Answered {
        status: Option<u16>,
        refusal: Option<PageRefusal>,
    },
    /// A TLS alert.
    Alert(AlertDescription),
    /// The connection closed or was reset without a word.
    Closed,
    /// No answer in time: nothing refused the connection.
    Silent,
}

/// nginx's 400 pages for `ssl_verify_client`: its way of refusing after the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRefusal {
    /// "No required SSL certificate was sent"
    NoCertificate,
    /// "The SSL certificate error"
    BadCertificate,
}

impl PageRefusal {
    pub fn message(self) -> &'static str {
        match self {
            Self::NoCertificate => "No required SSL certificate was sent",
            Self::BadCertificate => "The SSL certificate error",
        }
    }

    fn find(body: &[u8]) -> Option<Self> {
        let body = String::from_utf8_lossy(body);
        [Self::NoCertificate, Self::BadCertificate]
            .into_iter()
            .find(|r| body.contains(r.message()))
    }
}

/// Sends `GET /` for `host` and reads the answer, for at most `timeout`.
pub async fn exchange<S>(stream: &mut S, host: &str, timeout: Duration) -> Ending
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: originpull/{} verify-origin\r\n\
         Accept: */*\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    let deadline = Instant::now() + timeout;
    let sent = async {
        stream.write_all(request.as_bytes()).await?;
        stream.flush().await
    };
    match tokio::time::timeout_at(deadline, sent).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return from_error(&e),
        Err(_) => return Ending::Silent,
    }
    let mut answer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => {
                answer.extend_from_slice(&chunk[..n]);
                if answer.len() >= MAX_ANSWER || complete(&answer) {
                    break;
                }
            }
            // An error after some of the answer (a reset after nginx's page, say) leaves
            // what was read to judge by.
            Ok(Err(e)) if answer.is_empty() => return from_error(&e),
            Ok(Err(_)) => break,
            Err(_) if answer.is_empty() => return Ending::Silent,
            Err(_) => break,
        }
    }
    if answer.is_empty() {
        return Ending::Closed;
    }
    judge(&answer)
}

/// What an error while reading or writing says about the origin's answer.
pub fn from_error(e: &io::Error) -> Ending {
    match tls_error(e) {
        Some(rustls::Error::AlertReceived(alert)) => Ending::Alert(*alert),
        _ => Ending::Closed,
    }
}

pub fn tls_error(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref()?.downcast_ref::<rustls::Error>()
}

/// Enough has been read: the head, and for a 400 the body that says why.
fn complete(answer: &[u8]) -> bool {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let Ok(httparse::Status::Complete(head)) = response.parse(answer) else {
        return false;
    };
    if response.code != Some(400) {
        return true;
    }
    let length = response
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .and_then(|h| {
            std::str::from_utf8(h.value)
                .ok()?
                .trim()
                .parse::<usize>()
                .ok()
        });
    length.is_some_and(|n| answer.len() >= head + n)
}

fn judge(answer: &[u8]) -> Ending {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(answer) {
        Ok(httparse::Status::Complete(head)) => {
            let status = response.code;
            let refusal = match status {
                Some(400) => answer.get(head..).and_then(PageRefusal::find),
                _ => None,
            };
            Ending::Answered { status, refusal }
        }
        // A head cut short still shows its status line.
        Ok(httparse::Status::Partial) => Ending::Answered {
            status: response.code,
            refusal: None,
        },
        Err(_) => Ending::Answered {
            status: None,
            refusal: None,
        },
    }
}

/// The alert's name as the TLS RFCs spell it: `certificate_required`, `unknown_ca`.
pub fn alert_name(alert: AlertDescription) -> String {
    if let AlertDescription::Unknown(code) = alert {
        return format!("alert {code}");
    }
    let debug = format!("{alert:?}");
    let chars: Vec<char> = debug.chars().collect();
    let mut name = String::new();
    for (i, c) in chars.iter().enumerate() {
        let after_lower = i > 0 && chars[i - 1].is_lowercase();
        let starts_word = i > 0
            && chars[i - 1].is_uppercase()
            && chars.get(i + 1).is_some_and(|n| n.is_lowercase());
        if c.is_uppercase() && (after_lower || starts_word) {
            name.push('_');
        }
        name.extend(c.to_lowercase());
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_are_named_as_the_rfcs_name_them() {
        for (alert, name) in [
            (
                AlertDescription::CertificateRequired,
                "certificate_required",
            ),
            (AlertDescription::UnknownCA, "unknown_ca"),
            (AlertDescription::BadCertificate, "bad_certificate"),
            (AlertDescription::HandshakeFailure, "handshake_failure"),
            (AlertDescription::UnknownPSKIdentity, "unknown_psk_identity"),
            (AlertDescription::Unknown(200), "alert 200"),
        ] {
            assert_eq!(alert_name(alert), name);
        }
    }

    #[test]
    fn nginx_refusal_pages_are_recognised() {
        let page = |title: &str| {
            let body = format!(
                "<html>\r\n<head><title>400 {title}</title></head>\r\n<body>\r\n<center><h1>400 \
                 Bad Request</h1></center>\r\n<center>{title}</center>\r\n</body>\r\n</html>\r\n"
            );
            format!(
                "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            )
        };
        let no_cert = page("No required SSL certificate was sent");
        assert!(complete(no_cert.as_bytes()));
        assert!(!complete(&no_cert.as_bytes()[..no_cert.len() - 10]));
        assert_eq!(
            judge(no_cert.as_bytes()),
            Ending::Answered {
                status: Some(400),
                refusal: Some(PageRefusal::NoCertificate)
            }
        );
        assert_eq!(
            judge(page("The SSL certificate error").as_bytes()),
            Ending::Answered {
                status: Some(400),
                refusal: Some(PageRefusal::BadCertificate)
            }
        );
        // Any other 400 is the application's business, not a refusal of the certificate.
        assert_eq!(
            judge(page("Bad Request").as_bytes()),
            Ending::Answered {
                status: Some(400),
                refusal: None
            }
        );
    }

    #[test]
    fn a_success_is_complete_at_its_head() {
        let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert!(complete(head));
        assert_eq!(
            judge(head),
            Ending::Answered {
                status: Some(200),
                refusal: None
            }
        );
        assert_eq!(
            judge(b"SSH-2.0-OpenSSH_9.2\r\n"),
            Ending::Answered {
                status: None,
                refusal: None
            }
        );
    }
}
