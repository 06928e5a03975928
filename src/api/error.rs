//! The one error type of the API client.

use std::fmt;
use std::time::Duration;

use super::model::ApiMessage;
use crate::text::{excerpt, sanitize};

/// Everything a call to the API can end in besides success. It keeps enough to tell
/// the user what happened (HTTP status, every Cloudflare code and message) and what
/// to do about it ([`ApiError::hint`]), and never a whole response body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Cloudflare answered with its envelope and `success: false`.
    #[error("{}", describe_api(*status, errors))]
    Api {
        status: u16,
        errors: Vec<ApiMessage>,
    },
    /// Cloudflare refused a call (HTTP 403) that needs a permission a token made for the
    /// other AOP calls may lack: the zone settings calls need Zone → Zone Settings, not
    /// SSL and Certificates. `permission` names it, as the dashboard does (see
    /// [`permissions`]); Cloudflare's own codes and messages are kept in `errors`.
    #[error(
        "missing permission {permission}: the API token cannot make this call without it ({})",
        describe_api(*status, errors)
    )]
    MissingPermission {
        permission: &'static str,
        status: u16,
        errors: Vec<ApiMessage>,
    },
    /// An error status whose body is not Cloudflare's envelope, e.g. a proxy's HTML page.
    #[error(
        "HTTP {status} from the API, not a Cloudflare response: {}",
        sanitize(excerpt)
    )]
    Http { status: u16, excerpt: String },
    /// A body that could not be read as the expected JSON.
    #[error(
        "unreadable response (HTTP {status}): {reason}; body starts: {}",
        sanitize(excerpt)
    )]
    Decode {
        status: u16,
        reason: String,
        excerpt: String,
    },
    #[error("response body over {limit_mib} MiB refused")]
    TooLarge { limit_mib: usize },
    #[error("no answer from the API within {}", secs(*after))]
    Timeout { after: Duration },
    #[error("cannot connect to the API: {}", sanitize(reason))]
    Connect { reason: String },
    #[error("network error talking to the API: {}", sanitize(reason))]
    Transport { reason: String },
    #[error("{0}")]
    BadBaseUrl(String),
    #[error("the credentials contain characters that cannot be sent in an HTTP header")]
    BadCredentials,
    #[error("no zone named {:?} is visible to these credentials", sanitize(name))]
    ZoneNotFound { name: String },
    /// A listing the guard stopped: the server kept answering full pages of new items
    /// far past what it said it held.
    #[error(
        "stopped a listing after {requests} requests: the API kept answering full pages of new items {}",
        match claimed_pages {
            Some(pages) => format!("past the {pages} page(s) its result_info claimed"),
            None => "without saying how many pages there are".to_owned(),
        }
    )]
    RunawayListing {
        requests: u64,
        claimed_pages: Option<u64>,
    },
    /// A command's guard stopped it: its calls reached several times what its work needs.
    #[error(
        "stopped after {sent} calls, over {}x the {expected} this command needs: the API kept answering in ways that call for more{}",
        super::client::SPENDING_FACTOR,
        last.as_deref().map(|l| format!(" (its last failure: {})", sanitize(l))).unwrap_or_default()
    )]
    Overspent {
        sent: u64,
        expected: u64,
        last: Option<String>,
    },
}

impl From<super::paging::Runaway> for ApiError {
    fn from(r: super::paging::Runaway) -> Self {
        Self::RunawayListing {
            requests: r.requests,
            claimed_pages: r.claimed_pages,
        }
    }
}

/// Token permissions as the dashboard names them, for [`ApiError::MissingPermission`].
pub mod permissions {
    /// `GET /zones/{id}/settings` and `GET .../settings/tls_client_auth`.
    pub const ZONE_SETTINGS_READ: &str = "Zone → Zone Settings → Read";
    /// `PATCH .../settings/tls_client_auth`.
    pub const ZONE_SETTINGS_EDIT: &str = "Zone → Zone Settings → Edit";
}

/// Where tokens are made and edited.
pub const API_TOKENS_URL: &str = "https://dash.cloudflare.com/profile/api-tokens";

fn secs(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// A message from the server is quoted up to this many characters, and at most
/// [`MAX_ERRORS`] of them: a hostile or broken server must not flood the screen.
const MAX_MESSAGE: usize = 300;
const MAX_ERRORS: usize = 5;

fn describe_api(status: u16, errors: &[ApiMessage]) -> String {
    let mut out = String::new();
    let mut left = MAX_ERRORS;
    write_messages(&mut out, errors, &mut left);
    if errors.is_empty() {
        out.push_str("Cloudflare reported a failure without an error message");
    }
    out.push_str(&format!(" (HTTP {status})"));
    out
}

/// `left` counts down over the whole tree, chains included: nesting must not get round
/// the limit.
fn write_messages(out: &mut String, errors: &[ApiMessage], left: &mut usize) {
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        if *left == 0 {
            out.push_str(&format!("and {} more", errors.len() - i));
            return;
        }
        *left -= 1;
        write_message(out, e, left);
    }
}

fn write_message(out: &mut String, e: &ApiMessage, left: &mut usize) {
    use fmt::Write as _;
    let message = excerpt(&e.message, MAX_MESSAGE);
    match e.code {
        Some(code) => {
            let _ = write!(out, "Cloudflare error {code}: {message}");
        }
        None => out.push_str(&message),
    }
    if !e.error_chain.is_empty() {
        out.push_str(" [");
        write_messages(out, &e.error_chain, left);
        out.push(']');
    }
}

impl ApiError {
    /// The HTTP status, where the server answered at all.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. }
            | Self::MissingPermission { status, .. }
            | Self::Http { status, .. }
            | Self::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A stable name for the kind of failure, for scripts (`--json` errors): it does
    /// not change with the wording of the message.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Api { status, .. } => match status {
                401 => "unauthorized",
                403 => "forbidden",
                404 => "not_found",
                429 => "rate_limited",
                500..=599 => "server_error",
                _ => "api_error",
            },
            Self::MissingPermission { .. } => "missing_permission",
            Self::Http { .. } => "http_error",
            Self::Decode { .. } => "bad_response",
            Self::TooLarge { .. } => "response_too_large",
            Self::Timeout { .. } => "timeout",
            Self::Connect { .. } => "connect_failed",
            Self::Transport { .. } => "network_error",
            Self::BadBaseUrl(_) => "bad_base_url",
            Self::BadCredentials => "bad_credentials",
            Self::ZoneNotFound { .. } => "zone_not_found",
            Self::RunawayListing { .. } => "runaway_listing",
            Self::Overspent { .. } => "overspent",
        }
    }

    /// Every Cloudflare error code, error chains included.
    pub fn codes(&self) -> Vec<i64> {
        fn walk(out: &mut Vec<i64>, msgs: &[ApiMessage]) {
            for m in msgs {
                out.extend(m.code);
                walk(out, &m.error_chain);
            }
        }
        let mut out = Vec::new();
        if let Self::Api { errors, .. } | Self::MissingPermission { errors, .. } = self {
            walk(&mut out, errors);
        }
        out
    }

    pub fn has_code(&self, code: i64) -> bool {
        self.codes().contains(&code)
    }

    /// What the user can do about it, where there is something useful to say.
    pub fn hint(&self) -> Option<&'static str> {
        let status = self.status();
        let hint = match self {
            Self::MissingPermission { permission, .. } => match *permission {
                permissions::ZONE_SETTINGS_READ => {
                    "add Zone → Zone Settings → Read to the API token at https://dash.cloudflare.com/profile/api-tokens"
                }
                permissions::ZONE_SETTINGS_EDIT => {
                    "add Zone → Zone Settings → Edit to the API token at https://dash.cloudflare.com/profile/api-tokens"
                }
                _ => {
                    "add the permission named above to the API token at https://dash.cloudflare.com/profile/api-tokens"
                }
            },
            _ if self.has_code(1412) => {
                "upload the leaf (the certificate issued to you), not the CA that signed it; a chain after the leaf is fine"
            }
            _ if self.has_code(1415) => {
                "the certificate id is not one of this zone's hostname certificates (or it was deleted); list them with `originpull hostnames certs ZONE`"
            }
            _ if self.has_code(1406) => {
                "this certificate is already uploaded to the zone: it is in the zone's certificate list"
            }
            _ if self.has_code(6003) || self.has_code(6111) => {
                "the credentials are malformed; check CLOUDFLARE_API_TOKEN for stray spaces or quotes"
            }
            _ if self.has_code(10000)
                || self.has_code(9109)
                || matches!(status, Some(401 | 403)) =>
            {
                "check the API token, and that it has Zone Read plus SSL and Certificates Read/Edit for this zone"
            }
            _ if self.has_code(7003) => "check the zone and certificate ids",
            _ if status == Some(404) => {
                "it may have been deleted already; list the zone's certificates to see what is there"
            }
            _ if status == Some(429) => {
                "Cloudflare's rate limit (1200 requests per 5 minutes) was hit; wait a few minutes and retry"
            }
            _ if matches!(status, Some(500..=599)) => {
                "Cloudflare or a proxy on the way failed; retry in a moment"
            }
            Self::Timeout { .. } => "check the network, or allow longer with --timeout SECS",
            Self::RunawayListing { .. } | Self::Overspent { .. } => {
                "the API (or a proxy on the way) is misbehaving: originpull stopped rather than spend the account's rate limit; try again later"
            }
            Self::Connect { .. } => {
                "check the network and the base URL (--base-url / CLOUDFLARE_BASE_URL)"
            }
            Self::Decode { .. } | Self::Http { .. } => {
                "the base URL may not point at the Cloudflare API (--base-url / CLOUDFLARE_BASE_URL)"
            }
            Self::BadCredentials => {
                "check the token, key or email for a stray character, such as a pasted line break or quote"
            }
            Self::ZoneNotFound { .. } => {
                "check the spelling (`originpull zones` lists them), or give the zone's 32-hex id"
            }
            _ => return None,
        };
        Some(hint)
    }
}

impl ApiError {
    /// For a call that needs `permission`: Cloudflare's 403 becomes
    /// [`ApiError::MissingPermission`] naming it. A 403 that says the token itself is
    /// bad (9109, or malformed credentials) stays as it is, and so does every other error.
    pub(crate) fn needing(self, permission: &'static str) -> Self {
        match self {
            Self::Api {
                status: 403,
                errors,
            } if ![9109, 6003, 6111]
                .iter()
                .any(|code| has_code(&errors, *code)) =>
            {
                Self::MissingPermission {
                    permission,
                    status: 403,
                    errors,
                }
            }
            other => other,
        }
    }
}

fn has_code(errors: &[ApiMessage], code: i64) -> bool {
    errors
        .iter()
        .any(|e| e.code == Some(code) || has_code(&e.error_chain, code))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(code: i64, message: &str) -> ApiMessage {
        ApiMessage {
            code: Some(code),
            message: message.into(),
            ..Default::default()
        }
    }

    #[test]
    fn api_error_names_every_code_and_the_status() {
        let mut outer = msg(6003, "Invalid request headers");
        outer.error_chain = vec![msg(6111, "Invalid format for Authorization header")];
        let e = ApiError::Api {
            status: 400,
            errors: vec![outer],
        };
        assert_eq!(
            e.to_string(),
            "Cloudflare error 6003: Invalid request headers [Cloudflare error 6111: Invalid format for Authorization header] (HTTP 400)"
        );
        assert_eq!(e.codes(), vec![6003, 6111]);
        assert!(e.hint().unwrap().contains("malformed"));
    }

    #[test]
    fn a_403_on_a_call_needing_a_permission_names_it() {
        let refused = ApiError::Api {
            status: 403,
            errors: vec![msg(10000, "Authentication error")],
        };
        let e = refused.clone().needing(permissions::ZONE_SETTINGS_READ);
        assert_eq!(
            e.to_string(),
            "missing permission Zone → Zone Settings → Read: the API token cannot make this call without it (Cloudflare error 10000: Authentication error (HTTP 403))"
        );
        assert_eq!((e.status(), e.codes()), (Some(403), vec![10000]));
        let hint = e.hint().unwrap();
        assert!(
            hint.contains("Zone Settings → Read") && hint.contains(API_TOKENS_URL),
            "{hint}"
        );
        let edit = refused.needing(permissions::ZONE_SETTINGS_EDIT);
        assert!(edit.hint().unwrap().contains("Zone Settings → Edit"));

        // A bad token, or any other failure, is not a missing permission.
        let bad_token = ApiError::Api {
            status: 403,
            errors: vec![msg(9109, "Invalid access token")],
        };
        assert_eq!(
            bad_token.clone().needing(permissions::ZONE_SETTINGS_READ),
            bad_token
        );
        let not_found = ApiError::Api {
            status: 404,
            errors: vec![msg(1404, "gone")],
        };
        assert_eq!(
            not_found.clone().needing(permissions::ZONE_SETTINGS_READ),
            not_found
        );
    }

    #[test]
    fn nested_chains_count_against_one_limit() {
        let long = "x".repeat(1000);
        let mut deepest = msg(1, &long);
        for code in 2..40 {
            let mut outer = msg(code, &long);
            outer.error_chain = vec![deepest, msg(100 + code, &long)];
            deepest = outer;
        }
        let text = ApiError::Api {
            status: 400,
            errors: vec![deepest],
        }
        .to_string();
        assert_eq!(text.matches("Cloudflare error").count(), MAX_ERRORS);
        assert!(text.contains("more"), "{text}");
        assert!(text.chars().count() < MAX_ERRORS * (MAX_MESSAGE + 40) + 100);
    }

    #[test]
    fn messages_from_the_server_are_sanitized() {
        let e = ApiError::Api {
            status: 400,
            errors: vec![msg(1000, "bad\u{1b}[2Jthing")],
        };
        assert!(!e.to_string().contains('\u{1b}'));
    }
}
