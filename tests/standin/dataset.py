"""The stand-in's zones: each built to exercise findings of SPEC section 6.

Dates are relative to the moment the data set is built; `EXPECTED_CODES` is the intent
each zone was built for, a note for readers: the check computes the expectation itself
from the data (findings.py), and also checks it agrees with this intent.
"""

import datetime
import secrets
import uuid

PEM = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBszCCAVmgAwIBAgIUStandInNotARealCertificateOnlyPEMShapedAAAAwCgYIKoZIzj0EAwIw\n"
    "EjEQMA4GA1UEAwwHc3RhbmRpbjAeFw0yNjAxMDEwMDAwMDBaFw0yNzAxMDEwMDAwMDBaMBIxEDAOBgNV\n"
    "-----END CERTIFICATE-----\n"
)

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def rfc3339(t, fraction=False):
    t = t.astimezone(datetime.timezone.utc)
    if fraction:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 10:05d}Z"
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Cert:
    def __init__(self, now, status, expires_in, uploaded_ago=30 * DAY, issuer="Stand-in Origin CA"):
        self.id = str(uuid.uuid4())
        self.status = status
        # Whole seconds, so the RFC 3339 text is exactly the instant the check reasons about.
        self.expires_on = (now + expires_in).replace(microsecond=0)
        self.uploaded_on = now - uploaded_ago
        self.issuer = issuer

    def api_object(self):
        return {
            "id": self.id,
            "status": self.status,
            "issuer": self.issuer,
            "signature": "ECDSAWithSHA256",
            "serial_number": str(int(self.id.replace("-", "")[:16], 16)),
            "expires_on": rfc3339(self.expires_on),
            "uploaded_on": rfc3339(self.uploaded_on, fraction=True),
            "certificate": PEM,
        }


class Zone:
    def __init__(self, now, name, ssl="full", global_value="off", global_editable=True, enabled=False,
                 certs=(), hostname_certs=(), settings_forbidden=False):
        self.now = now
        self.id = secrets.token_hex(16)
        self.name = name
        self.ssl = ssl
        self.global_value = global_value
        self.global_editable = global_editable
        self.global_modified = rfc3339(now - 90 * DAY, fraction=True)
        self.enabled = enabled
        self.certs = list(certs)
        self.hostname_certs = list(hostname_certs)
        self.settings_forbidden = settings_forbidden
        # Uploads to this zone end in deployment_timed_out instead of active (the stand-in
        # reads it when an upload lands): set by a check that needs a zone to fail.
        self.deployment_times_out = False
        # Per-hostname AOP: hostname -> {"cert_id", "enabled" (True or False), "created_at",
        # "updated_at"}. No call lists these (see cloudflare-api.md): a client finds them
        # only by asking about hostnames one by one, so a check can put some here behind
        # the client's back and see whether it finds them.
        self.associations = {}
        # The zone's DNS records (DnsRecord), for discovery through the proxied ones.
        self.dns_records = []

    def now_str(self):
        return rfc3339(datetime.datetime.now(datetime.timezone.utc), fraction=True)

    def api_object(self):
        created = rfc3339(self.now - 400 * DAY, fraction=True)
        return {
            "id": self.id,
            "name": self.name,
            "status": "active",
            "paused": False,
            "type": "full",
            "development_mode": 0,
            "name_servers": ["bob.ns.cloudflare.com", "lola.ns.cloudflare.com"],
            "original_name_servers": None,
            "original_registrar": None,
            "original_dnshost": None,
            "created_on": created,
            "modified_on": created,
            "activated_on": created,
            "meta": {"step": 2, "custom_certificate_quota": 0, "page_rule_quota": 3, "phishing_detected": False},
            "owner": {"id": None, "type": "user", "email": None},
            "account": {"id": "9a7806061c88ada191ed06f989cc3dac", "name": "Stand-in Account"},
            "permissions": ["#zone:read", "#ssl:read", "#ssl:edit", "#zone_settings:read", "#zone_settings:edit"],
            "plan": {"id": "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "name": "Free Website", "is_subscribed": False},
        }

    def setting(self, which):
        long_ago = rfc3339(self.now - 200 * DAY, fraction=True)
        if which == "tls_client_auth":
            return {"id": "tls_client_auth", "value": self.global_value, "editable": self.global_editable,
                    "modified_on": self.global_modified}
        if which == "ssl":
            return {"id": "ssl", "value": self.ssl, "editable": True, "modified_on": long_ago}
        if which == "always_use_https":
            return {"id": "always_use_https", "value": "on", "editable": True, "modified_on": long_ago}
        if which == "min_tls_version":
            return {"id": "min_tls_version", "value": "1.2", "editable": True, "modified_on": None}
        raise KeyError(which)

    def settings(self):
        return [self.setting(s) for s in ("always_use_https", "min_tls_version", "ssl", "tls_client_auth")]


class DnsRecord:
    """A DNS record as `GET /zones/{id}/dns_records` lists it. Discovery reads only `name`,
    `type` and `proxied`; the rest is there so the object looks like Cloudflare's."""

    def __init__(self, zone, name, kind, content, proxied):
        self.id = secrets.token_hex(16)
        self.zone = zone
        self.name = name
        self.kind = kind
        self.content = content
        self.proxied = proxied

    def api_object(self):
        created = rfc3339(self.zone.now - 100 * DAY, fraction=True)
        return {
            "id": self.id,
            "zone_id": self.zone.id,
            "zone_name": self.zone.name,
            "name": self.name,
            "type": self.kind,
            "content": self.content,
            "proxiable": self.kind in ("A", "AAAA", "CNAME"),
            "proxied": self.proxied,
            "ttl": 1 if self.proxied else 3600,
            "settings": {},
            "meta": {},
            "comment": None,
            "tags": [],
            "created_on": created,
            "modified_on": created,
        }


# What each zone was built to show (codes). The check computes the expectation from the
# data and the SPEC's rules independently, and says so when the two part.
EXPECTED_CODES = {}


def build(now):
    zones = []

    def zone(expect, *args, **kw):
        z = Zone(now, *args, **kw)
        zones.append(z)
        EXPECTED_CODES[z.name] = set(expect)
        return z

    def c(status, expires_in, uploaded_ago=30 * DAY):
        return Cert(now, status, expires_in, uploaded_ago)

    far = 300 * DAY
    zone([], "clean.example", ssl="strict", enabled=True,
         certs=[c("active", 200 * DAY)], hostname_certs=[c("active", far)])
    zone(["expired"], "expired-zone.example", ssl="full", enabled=True,
         certs=[c("active", -12 * DAY, uploaded_ago=400 * DAY)])
    zone(["expired"], "expired-hostname.example", ssl="strict",
         hostname_certs=[c("active", -3 * DAY, uploaded_ago=400 * DAY), c("active", far)])
    zone(["enabled-without-certificate"], "enabled-nocert.example", enabled=True,
         certs=[c("pending_deployment", far, uploaded_ago=1 * HOUR)])
    zone(["deployment-failed"], "deploy-timeout.example", enabled=True,
         certs=[c("active", far), c("deployment_timed_out", far, uploaded_ago=3 * DAY)])
    zone(["deployment-failed"], "delete-timeout.example", enabled=True,
         certs=[c("active", far)], hostname_certs=[c("deletion_timed_out", far)])
    zone(["expiring"], "expiring.example", enabled=True,
         certs=[c("active", datetime.timedelta(days=29.9))], hostname_certs=[c("active", 31 * DAY)])
    zone([], "not-expiring.example", ssl="strict", enabled=True, certs=[c("active", 31 * DAY)])
    zone(["multiple-active"], "multiple-active.example", enabled=True,
         certs=[c("active", far, uploaded_ago=40 * DAY), c("active", far + 90 * DAY, uploaded_ago=2 * DAY)])
    zone(["stuck-pending"], "stuck.example", enabled=True,
         certs=[c("active", far, uploaded_ago=40 * DAY), c("pending_deployment", far, uploaded_ago=25 * HOUR),
                c("pending_deletion", 100 * DAY, uploaded_ago=400 * DAY)])
    zone([], "pending-delete.example", enabled=True,
         certs=[c("active", far), c("pending_deletion", 100 * DAY, uploaded_ago=400 * DAY)],
         hostname_certs=[c("pending_deletion", 100 * DAY, uploaded_ago=400 * DAY)])
    zone(["stuck-pending"], "initializing-stuck.example", enabled=True,
         certs=[c("active", far), c("initializing", far, uploaded_ago=26 * HOUR)])
    zone(["stuck-pending"], "hostname-stuck.example", enabled=True,
         certs=[c("active", far)], hostname_certs=[c("pending_deployment", far, uploaded_ago=30 * HOUR)])
    zone(["shared-certificate-only"], "shared-only.example", ssl="strict", global_value="on")
    zone(["shared-certificate-only", "enabled-without-certificate"], "shared-enabled-nocert.example",
         global_value="on", enabled=True)
    zone([], "hostname-in-use.example", global_value="on",
         hostname_certs=[c("active", far)])
    zone(["ssl-mode-voids-aop"], "ssl-flexible.example", ssl="flexible", enabled=True,
         certs=[c("active", far)])
    zone(["ssl-mode-voids-aop"], "ssl-off.example", ssl="off",
         hostname_certs=[c("active", far)])
    zone([], "ssl-off-nothing-on.example", ssl="off", global_editable=False)
    zone(["certificate-unused"], "unused.example", certs=[c("active", far)])
    zone(["expired", "expiring", "multiple-active", "deployment-failed", "stuck-pending",
          "certificate-unused", "shared-certificate-only", "ssl-mode-voids-aop"],
         "combo.example", ssl="flexible", global_value="on",
         certs=[c("active", -5 * DAY, uploaded_ago=400 * DAY), c("active", 10 * DAY, uploaded_ago=20 * DAY),
                c("deployment_timed_out", far, uploaded_ago=2 * DAY),
                c("pending_deployment", far, uploaded_ago=48 * HOUR)],
         hostname_certs=[c("pending_deployment", far, uploaded_ago=2 * HOUR)])
    zone(["unreadable", "expired"], "unreadable.example", enabled=True, settings_forbidden=True,
         certs=[c("active", far)], hostname_certs=[c("active", -2 * DAY, uploaded_ago=400 * DAY)])
    # Clean zones enough to page the zone list (50 a page at most): the survey must reach
    # every page, four calls a zone on each.
    for i in range(FILLERS):
        zone([], f"filler-{i:02d}.example", ssl=("full", "strict")[i % 2], enabled=bool(i % 3),
             certs=[c("active", (60 + i) * DAY)] if i % 3 else [],
             hostname_certs=[c("active", (90 + i) * DAY)] if i % 4 == 0 else [])
    return zones


FILLERS = 40
