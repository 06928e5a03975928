//! Cloudflare's shared origin-pull CA: the one certificate behind global AOP. Public
//! (Cloudflare publishes it as `authenticated_origin_pull_ca.pem`); shipped so that
//! `origin-config --shared` works offline, and checked by its fingerprint in the tests.

use crate::certinfo::CertDetails;

/// The CA as Cloudflare publishes it, valid 2019-10-10 to 2029-11-01.
pub const PEM: &str = include_str!("../../assets/cloudflare-origin-pull-ca.pem");

/// Its SHA-256 fingerprint, as `cloudflare-api.md` gives it.
pub const SHA256: &str = "9A:1A:C2:B4:BE:15:F9:F2:7E:EE:20:A7:34:CB:A4:E9:89:8F:61:00:1B:3B:D7:C8:4B:69:B5:6A:3E:25:A2:B9";

/// The subject's common name: what an origin names when it asks for this CA's certificates.
pub const COMMON_NAME: &str = "origin-pull.cloudflare.net";

/// Where `origin-config --shared` points a server when not told where the CA is.
pub const DEFAULT_PATH: &str = "/etc/ssl/cloudflare/origin-pull-ca.pem";

/// What trusting it proves, for a report or a configuration comment.
pub const WHAT_IT_PROVES: &str = "Cloudflare's shared CA proves only that a request came \
    through Cloudflare, from any Cloudflare account: anyone can point a zone of their own at \
    this origin and pass. A certificate of your own (originpull new-cert, then upload) ties \
    the origin to your account.";

pub fn is_shared(details: &CertDetails) -> bool {
    details.sha256 == SHA256
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certinfo::parse_certificate;

    #[test]
    fn the_shipped_ca_is_cloudflares() {
        let details = parse_certificate(PEM).unwrap();
        assert_eq!(details.sha256, SHA256);
        assert!(details.is_ca);
        assert!(details.subject.contains(COMMON_NAME), "{}", details.subject);
        assert_eq!(details.serial, "57:91:BA:95:56:C2:2E:61");
        assert_eq!(
            details.not_after.to_rfc3339(),
            "2029-11-01T17:00:00+00:00",
            "not the 2019 CA"
        );
        assert!(is_shared(&details));
    }
}
