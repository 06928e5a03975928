//! When a failed call is tried again: bounded, and only where trying again cannot do
//! harm the user did not ask for.

use std::time::Duration;

use rand::Rng;
use reqwest::Method;
use reqwest::header::HeaderMap;

use super::error::ApiError;

/// Tries per call, the first included.
pub const MAX_TRIES: u32 = 3;
/// No retry starts later than this after the call began: a call that timed out at
/// the default 30 s is not tried again (with a shorter `--timeout` it is).
pub const BUDGET: Duration = Duration::from_secs(30);
const FIRST_BACKOFF: Duration = Duration::from_millis(400);

/// How safe a request is to send twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// GET, and PUT or PATCH of a setting: the same result however often it lands.
    Idempotent,
    /// POST: a second upload of a processed first would be refused as a duplicate
    /// (1406) and hide the success, so it is retried only when provably not processed.
    Create,
    /// DELETE: safe to repeat, but a repeat after a lost reply may find it gone.
    Delete,
}

impl Kind {
    pub fn of(method: &Method) -> Self {
        match *method {
            Method::POST => Self::Create,
            Method::DELETE => Self::Delete,
            // Every PUT and PATCH originpull sends sets a value (enablement, the global
            // switch): sending it twice leaves the same state.
            _ => Self::Idempotent,
        }
    }
}

/// Told to an observer before each wait, so the screen can say a call is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryNotice {
    /// The try about to be made, from 2.
    pub attempt: u32,
    pub of: u32,
    pub wait: Duration,
    pub reason: String,
}

impl std::fmt::Display for RetryNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "retry {}/{} in {:.1} s: {}",
            self.attempt,
            self.of,
            self.wait.as_secs_f64(),
            self.reason
        )
    }
}

/// Whether this failure is worth another try for this kind of request.
pub fn retryable(kind: Kind, error: &ApiError) -> bool {
    match error {
        // Nothing reached the server.
        ApiError::Connect { .. } => true,
        _ if error.status() == Some(429) => true,
        _ if kind == Kind::Create => false,
        ApiError::Timeout { .. } | ApiError::Transport { .. } => true,
        _ => matches!(error.status(), Some(408 | 500..=599)),
    }
}

/// Whether the server may have acted on the request although the reply was lost or
/// failed: a DELETE retried after this and answered 404 has done its job.
pub fn maybe_processed(error: &ApiError) -> bool {
    match error {
        ApiError::Timeout { .. } | ApiError::Transport { .. } => true,
        _ => matches!(error.status(), Some(500..=599)),
    }
}

/// A short reason for the status line.
pub fn reason(error: &ApiError) -> String {
    match error {
        ApiError::Timeout { .. } => "no answer".to_owned(),
        ApiError::Connect { .. } => "cannot connect".to_owned(),
        ApiError::Transport { .. } => "connection lost".to_owned(),
        _ if error.status() == Some(429) => "rate limited (HTTP 429)".to_owned(),
        _ => error
            .status()
            .map_or_else(|| "failed".to_owned(), |s| format!("HTTP {s}")),
    }
}

/// Exponential backoff with jitter: 0.4 s, 0.8 s, … each scaled by 50–100 % so that
/// many clients failing together do not come back together.
pub fn backoff(attempt: u32) -> Duration {
    let base = FIRST_BACKOFF * 2u32.saturating_pow(attempt.saturating_sub(1));
    base.mul_f64(rand::rng().random_range(0.5..=1.0))
}

/// The server's own word on when to come back: `Retry-After` in seconds, or the
/// IETF draft `RateLimit` header's reset (`reset=N` in older drafts, `t=N` in newer),
/// or `RateLimit-Reset`.
pub fn server_wait(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    let secs = |v: &str| {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
    };
    if let Some(s) = text("retry-after").and_then(secs) {
        return Some(Duration::from_secs_f64(s.min(BUDGET.as_secs_f64())));
    }
    if let Some(s) = text("ratelimit-reset").and_then(secs) {
        return Some(Duration::from_secs_f64(s.min(BUDGET.as_secs_f64())));
    }
    let draft = text("ratelimit")?;
    draft
        .split([',', ';'])
        .filter_map(|part| part.trim().split_once('='))
        .find(|(k, _)| matches!(k.trim(), "reset" | "t"))
        .and_then(|(_, v)| secs(v))
        .map(|s| Duration::from_secs_f64(s.min(BUDGET.as_secs_f64())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiMessage;

    fn status(code: u16) -> ApiError {
        ApiError::Api {
            status: code,
            errors: vec![ApiMessage::default()],
        }
    }

    #[test]
    fn what_is_retried_depends_on_the_method() {
        let refused = ApiError::Connect {
            reason: "refused".into(),
        };
        let timeout = ApiError::Timeout {
            after: Duration::from_secs(1),
        };
        for kind in [Kind::Idempotent, Kind::Create, Kind::Delete] {
            assert!(retryable(kind, &refused));
            assert!(retryable(kind, &status(429)));
            assert!(!retryable(kind, &status(400)));
            assert!(!retryable(kind, &status(404)));
        }
        for kind in [Kind::Idempotent, Kind::Delete] {
            assert!(retryable(kind, &status(500)));
            assert!(retryable(kind, &status(408)));
            assert!(retryable(kind, &timeout));
        }
        assert!(!retryable(Kind::Create, &status(500)));
        assert!(!retryable(Kind::Create, &timeout));
        let malformed = ApiError::Decode {
            status: 200,
            reason: String::new(),
            excerpt: String::new(),
        };
        assert!(!retryable(Kind::Idempotent, &malformed));
        assert!(!retryable(Kind::Idempotent, &status(200)), "success:false");
    }

    #[test]
    fn backoff_grows_with_jitter() {
        for attempt in 1..=3 {
            let full = FIRST_BACKOFF * 2u32.pow(attempt - 1);
            let d = backoff(attempt);
            assert!(d >= full / 2 && d <= full, "{d:?}");
        }
    }

    #[test]
    fn the_server_says_when() {
        let mut h = HeaderMap::new();
        assert_eq!(server_wait(&h), None);
        h.insert(
            "ratelimit",
            "limit=1200, remaining=0, reset=7".parse().unwrap(),
        );
        assert_eq!(server_wait(&h), Some(Duration::from_secs(7)));
        h.insert("ratelimit", "\"default\";r=0;t=4".parse().unwrap());
        assert_eq!(server_wait(&h), Some(Duration::from_secs(4)));
        h.insert("retry-after", "1".parse().unwrap());
        assert_eq!(server_wait(&h), Some(Duration::from_secs(1)));
        h.insert("retry-after", "86400".parse().unwrap());
        assert_eq!(
            server_wait(&h),
            Some(BUDGET),
            "capped to what a call may spend"
        );
    }
}
