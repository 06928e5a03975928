"""A stand-in for Cloudflare's API, for checks from outside.

It serves the calls `originpull audit` and `originpull global` make, in Cloudflare's
envelope, from a data set of zones (see dataset.py), and records every request (method,
path, query, body) so a check can count what was sent. Bearer-token auth: a wrong token
gets 403 with code 10000. Anything it does not know gets a Cloudflare-style 404.

It also takes the zone-level upload, `POST /zones/{id}/origin_tls_client_auth` with
`{"certificate": PEM, "private_key": PEM}`, and checks it on its own, with the
`cryptography` package rather than anything of originpull's: the certificate parses as
X.509 PEM (the leaf first; a chain after it is allowed), the key as an unencrypted PEM
private key, the key is the certificate's, the certificate has not expired, and the zone
does not already hold it. A refusal is HTTP 400 with a code in the 14xx range; an
acceptance adds the certificate to the zone as `pending_deployment` and answers with it.
The key is checked and dropped: never kept, never echoed (the request log holds the body,
as it holds every body; nothing prints it).

Certificates move with time, as the real API's do, so that a rotation has something to
wait for: an upload is `pending_deployment` for `activation_delay` seconds, then `active`
(or `deployment_timed_out`, in a zone whose `deployment_times_out` flag is set). A DELETE
turns a certificate `pending_deletion`, and `deletion_delay` seconds later it is gone: out
of the list, and a 404 to GET or DELETE. Every status is computed from timestamps when a
request reads it (no background threads), so what a check sees is what a client would
have been told. `GET .../origin_tls_client_auth/{id}` reads one certificate; an unknown
id is a 404 in Cloudflare's failure envelope. Deletion works on any zone-level
certificate, dataset.Cert or an upload, as the stand-in keeps its own record of it.

For the rotation's checks it also keeps, beside the request log, the moment each request
arrived and the index of the first answer that showed each certificate `active`: a client
that deletes the old certificate before it could know the new one was active shows up as
a DELETE earlier in the log than that answer.

Per-hostname AOP, for `originpull hostnames`, checked the same independent way:
- `POST .../hostnames/certificates` takes `{certificate, private_key}` as the zone-level
  upload does, and also refuses a CA certificate as the leaf (1412, as Cloudflare does), the
  zone's 11th certificate (the limit is 10; a certificate pending deletion still counts) and
  one the zone already holds; `GET`/`DELETE .../hostnames/certificates/{id}` as zone-level
  (pending_deletion, then gone). The list shows the same statuses.
- `PUT .../hostnames` is validated strictly, because what it sends is the point of the
  checks: a JSON object with one key, `config`, a non-empty array of objects with only
  `hostname` (a non-empty string), `cert_id` (a string) and `enabled`, which must be present
  and `true`, `false` or `null` (a missing `enabled` is not a removal: that is what the
  explicit `null` is for). `cert_id` is required unless `enabled` is null; any `cert_id`
  given must be a hostname certificate of this zone that is not being deleted, else HTTP
  400 code 1415. The whole batch is checked before anything changes, so a refusal
  applies nothing. The answer is an array with one association object per entry.
- `GET .../hostnames/{hostname}` answers the association; for a hostname that has none,
  what Cloudflare does is undocumented, so `unassociated` chooses: "404" (the default) or
  "nulls", a 200 whose fields but the hostname are null. Association objects echo a
  `private_key` (PRIVATE_KEY_ECHO), as the documented examples do, so that a check can
  see a client never shows or keeps one.
- `GET /zones/{id}/dns_records` filters on `proxied` and pages (`page`, `per_page`, 100 by
  default) in Cloudflare's way, listing A records, then AAAA, and so on, so that a name
  with two proxied records may come back on two pages. `dns_totals = False` leaves
  total_count and total_pages out of result_info, for a client to page without them.
No call lists a zone's associations, as in the real API: the checks place some in
`Zone.associations` behind the client's back and see whether it finds them.

Everything else is standard library only: `cryptography` is imported when an upload
arrives, so the audit's checks run without it.
"""

import datetime
import json
import re
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from dataset import rfc3339

PREFIX = "/client/v4"
ZONE_ID = r"([0-9a-f]{32})"


def envelope(result, result_info=None):
    body = {"success": True, "errors": [], "messages": [], "result": result}
    if result_info is not None:
        body["result_info"] = result_info
    return body


def failure(code, message):
    return {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}


def page_of(items, query, default_per_page=20, low=5, high=50):
    """One page of `items` and its result_info, as Cloudflare pages lists."""
    try:
        page = max(1, int(query.get("page", "1")))
        per_page = int(query.get("per_page", str(default_per_page)))
    except ValueError:
        return None, None
    per_page = min(max(per_page, low), high)
    total = len(items)
    chunk = items[(page - 1) * per_page : page * per_page]
    info = {
        "page": page,
        "per_page": per_page,
        "count": len(chunk),
        "total_count": total,
        "total_pages": (total + per_page - 1) // per_page,
    }
    return chunk, info


def name_matches(name, wanted):
    for op, test in (
        ("contains:", lambda n, x: x in n),
        ("starts_with:", lambda n, x: n.startswith(x)),
        ("ends_with:", lambda n, x: n.endswith(x)),
    ):
        if wanted.startswith(op):
            return test(name.lower(), wanted[len(op) :].lower())
    return name.lower() == wanted.lower()


# An upload turns active this long after it lands: a few seconds, as the real API takes a
# few minutes, so that a client has to poll; short enough for the checks. The audit's and
# upload's checks look at an upload the moment it lands, well inside it.
ACTIVATION_DELAY = 3.0
# A deleted certificate stays in the list as pending_deletion this long.
DELETION_DELAY = 1.0

# Per-hostname AOP's documented limits.
MAX_HOSTNAME_CERTS = 10
MAX_ASSOCIATIONS = 100
HOSTNAMES = "/origin_tls_client_auth/hostnames"
# What the association objects echo as `private_key`, as the documented examples do: PEM-
# shaped, not a key. A client must never show it nor keep it.
PRIVATE_KEY_ECHO = ("-----BEGIN PRIVATE KEY-----\n"
                    "U3RhbmRJbkVjaG9lZFByaXZhdGVLZXlOZXZlclNob3dOb3JLZWVwSXQ=\n"
                    "-----END PRIVATE KEY-----\n")


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """Quiet about a client killed mid-call (the rotation's check kills one): the request
        took effect, its answer is lost, as it would be with Cloudflare."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class StandIn:
    """The server, its data and its request log. `with StandIn(token, zones) as s:`.

    `activation_delay` (seconds) is how long an upload stays pending_deployment;
    `deletion_delay` how long a deleted certificate stays pending_deletion.
    """

    def __init__(self, token, zones, activation_delay=ACTIVATION_DELAY, deletion_delay=DELETION_DELAY):
        self.token = token
        self.zones = zones  # list of dataset.Zone
        self.by_id = {z.id: z for z in zones}
        self.activation_delay = activation_delay
        self.deletion_delay = deletion_delay
        self.lock = threading.Lock()
        self.log = []  # (method, path, query dict, body str)
        self.times = []  # time.monotonic() of each request of the log, when it arrived
        self.deleting = {}  # certificate id -> time.monotonic() of the DELETE that took it
        self.gone = {}  # certificate id -> the certificate, once its deletion is over
        self.shown_active = {}  # certificate id -> log index of the first answer showing it active
        # Seconds a POST's answer is held back after the POST took effect: a check that kills
        # the client then knows the answers of the uploads in flight are lost.
        self.post_answer_delay = 0
        # How a hostname without an association is answered: "404", or "nulls" (a 200 whose
        # fields are null). Cloudflare does not say which it does; a client must take both.
        self.unassociated = "404"
        # False: DNS record lists leave total_count and total_pages out of result_info.
        self.dns_totals = True
        self.server = None
        self.thread = None

    @property
    def base_url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{PREFIX}"

    def __enter__(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self, method):
                parsed = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                with standin.lock:
                    standin.log.append((method, parsed.path, query, body))
                    standin.times.append(time.monotonic())
                    status, payload = standin.answer(method, parsed.path, query, body, self.headers)
                    held = standin.post_answer_delay if method == "POST" else 0
                if held:
                    time.sleep(held)  # done already; only the answer waits
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self.handle_any("GET")

            def do_PATCH(self):
                self.handle_any("PATCH")

            def do_PUT(self):
                self.handle_any("PUT")

            def do_POST(self):
                self.handle_any("POST")

            def do_DELETE(self):
                self.handle_any("DELETE")

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def requests(self, since=0):
        with self.lock:
            return list(self.log[since:])

    def mark(self):
        with self.lock:
            return len(self.log)

    def timed_requests(self, since=0):
        """(index, arrival time.monotonic(), method, path, query, body) of each request since `since`."""
        with self.lock:
            return [(since + i, t, *req) for i, (t, req) in enumerate(zip(self.times[since:], self.log[since:]))]

    def certificates(self, zone):
        """The zone's certificates as its list would show them now: (certificate, status)."""
        with self.lock:
            self.prune(zone)
            return [(c, self.status(c)) for c in zone.certs]

    # ---- certificates over time ----------------------------------------------------

    def status(self, cert):
        """What the API says of `cert` now: pending_deletion once deleted, else its own status."""
        return "pending_deletion" if cert.id in self.deleting else cert.status

    def shown(self, cert):
        """`cert`'s API object as of now, noting the first answer (this request) that shows it active."""
        obj = cert.api_object()
        obj["status"] = self.status(cert)
        if obj["status"] == "active":
            self.shown_active.setdefault(cert.id, len(self.log) - 1)
        return obj

    def prune(self, zone):
        """Takes out of the zone what was deleted more than `deletion_delay` ago, and with a
        hostname certificate its associations: there is nothing left for them to send."""
        now = time.monotonic()
        for held in (zone.certs, zone.hostname_certs):
            for cert in list(held):
                taken = self.deleting.get(cert.id)
                if taken is not None and now - taken >= self.deletion_delay:
                    held.remove(cert)
                    self.gone[cert.id] = cert
        for hostname, assoc in list(zone.associations.items()):
            if assoc["cert_id"] in self.gone:
                del zone.associations[hostname]

    def hostname_certificates(self, zone):
        """The zone's hostname certificates as its list would show them now: (certificate, status)."""
        with self.lock:
            self.prune(zone)
            return [(c, self.status(c)) for c in zone.hostname_certs]

    def association_state(self, zone):
        """hostname -> (cert_id, enabled), the zone's associations as the API holds them now."""
        with self.lock:
            self.prune(zone)
            return {h: (a["cert_id"], a["enabled"]) for h, a in zone.associations.items()}

    # ---- routing -------------------------------------------------------------------

    def answer(self, method, path, query, body, headers):
        if headers.get("Authorization", "") != f"Bearer {self.token}":
            return 403, failure(10000, "Authentication error")
        if not path.startswith(PREFIX + "/"):
            return 404, failure(7000, "No route for that URI")
        rest = path[len(PREFIX) :].rstrip("/")

        if rest == "/user/tokens/verify" and method == "GET":
            return 200, envelope({"id": "0f6c1c5d3a2b4e8f9a7b6c5d4e3f2a1b", "status": "active",
                                  "not_before": None, "expires_on": None})
        if rest == "/zones" and method == "GET":
            return self.list_zones(query)

        m = re.fullmatch(r"/zones/" + ZONE_ID + r"(/.*)?", rest)
        if not m:
            return 404, failure(7003, "Could not route to " + rest + ", perhaps your object identifier is invalid?")
        zone = self.by_id.get(m.group(1))
        if zone is None:
            return 404, failure(1001, "Invalid zone identifier")
        sub = m.group(2) or ""
        self.prune(zone)

        if sub == "" and method == "GET":
            return 200, envelope(zone.api_object())
        if sub == "/settings" and method == "GET":
            if zone.settings_forbidden:
                return 403, failure(10000, "Authentication error")
            return 200, envelope(zone.settings())
        if sub == "/settings/tls_client_auth":
            if zone.settings_forbidden:
                return 403, failure(10000, "Authentication error")
            if method == "GET":
                return 200, envelope(zone.setting("tls_client_auth"))
            if method == "PATCH":
                return self.patch_global(zone, body)
        if sub == "/origin_tls_client_auth" and method == "GET":
            certs = [self.shown(c) for c in zone.certs]
            return 200, envelope(certs, {"page": 1, "per_page": max(len(certs), 20), "count": len(certs),
                                         "total_count": len(certs), "total_pages": 1})
        if sub == "/origin_tls_client_auth" and method == "POST":
            return self.upload(zone, body)
        if sub == "/origin_tls_client_auth/settings" and method == "GET":
            return 200, envelope({"enabled": zone.enabled})
        if sub == HOSTNAMES or sub.startswith(HOSTNAMES + "/"):
            return self.hostnames(zone, method, sub[len(HOSTNAMES):], query, body)
        if sub == "/dns_records" and method == "GET":
            return self.dns_records(zone, query)
        one = re.fullmatch(r"/origin_tls_client_auth/([^/]+)", sub)
        if one and method in ("GET", "DELETE"):
            return self.one_certificate(zone, method, one.group(1))
        return 404, failure(7003, "Could not route to " + rest + ", perhaps your object identifier is invalid?")

    def one_certificate(self, zone, method, cert_id):
        """GET one zone-level certificate, or DELETE it: pending_deletion now, gone later."""
        cert = next((c for c in zone.certs if c.id == cert_id), None)
        if cert is None:
            # Unknown, or its deletion is over. Cloudflare's code for this is not known.
            return 404, failure(1404, "Certificate not found")
        if method == "DELETE":
            self.deleting.setdefault(cert.id, time.monotonic())
        return 200, envelope(self.shown(cert))

    def list_zones(self, query):
        zones = sorted(self.zones, key=lambda z: z.name)
        if query.get("direction") == "desc":
            zones.reverse()
        if "name" in query:
            zones = [z for z in zones if name_matches(z.name, query["name"])]
        try:
            per_page = int(query.get("per_page", "20"))
        except ValueError:
            per_page = 0
        if not 5 <= per_page <= 50:
            return 400, failure(1001, "per_page must be between 5 and 50")
        chunk, info = page_of([z.api_object() for z in zones], query, 20, 5, 50)
        if chunk is None:
            return 400, failure(1001, "Invalid paging parameters")
        return 200, envelope(chunk, info)

    def patch_global(self, zone, body):
        try:
            value = json.loads(body).get("value")
        except (ValueError, AttributeError):
            return 400, failure(6007, "Malformed JSON in request body")
        if value not in ("on", "off"):
            return 400, failure(1007, "Invalid value for zone setting tls_client_auth")
        if not zone.global_editable:
            return 400, failure(1008, "This setting cannot be modified for this zone")
        zone.global_value = value
        zone.global_modified = zone.now_str()
        return 200, envelope(zone.setting("tls_client_auth"))

    def upload(self, zone, body):
        """The zone-level upload, checked independently (see the module's docstring)."""
        status, checked = read_upload(body)
        if status != 200:
            return status, checked
        certificate, leaf = checked
        if any(getattr(c, "certificate", None) == certificate for c in zone.certs):
            return 400, failure(1406, "This certificate already exists for this zone.")
        outcome = "deployment_timed_out" if zone.deployment_times_out else "active"
        cert = UploadedCert(leaf, certificate, self.activation_delay, outcome)
        zone.certs.append(cert)
        return 200, envelope(self.shown(cert))

    # ---- per-hostname AOP ------------------------------------------------------------

    def hostnames(self, zone, method, rest, query, body):
        """Everything under /zones/{id}/origin_tls_client_auth/hostnames; `rest` is what follows."""
        if rest == "" and method == "PUT":
            return self.put_hostnames(zone, body)
        if rest == "/certificates" and method == "GET":
            chunk, info = page_of([self.shown(c) for c in zone.hostname_certs], query, 50, 5, 50)
            if chunk is None:
                return 400, failure(7003, "Invalid paging parameters")
            return 200, envelope(chunk, info)
        if rest == "/certificates" and method == "POST":
            return self.upload_hostname_certificate(zone, body)
        one = re.fullmatch(r"/certificates/([^/]+)", rest)
        if one and method in ("GET", "DELETE"):
            cert = next((c for c in zone.hostname_certs if c.id == one.group(1)), None)
            if cert is None:
                return 404, failure(1404, "Certificate not found")
            if method == "DELETE":
                self.deleting.setdefault(cert.id, time.monotonic())
            return 200, envelope(self.shown(cert))
        one = re.fullmatch(r"/([^/]+)", rest)
        if one and method == "GET" and one.group(1) != "certificates":
            return self.get_hostname(zone, urllib.parse.unquote(one.group(1)))
        return 404, failure(7003, "Could not route to " + HOSTNAMES + rest
                            + ", perhaps your object identifier is invalid?")

    def upload_hostname_certificate(self, zone, body):
        """The zone-level upload's checks, and a leaf only, and at most 10 a zone."""
        status, checked = read_upload(body)
        if status != 200:
            return status, checked
        certificate, leaf = checked
        if is_ca(leaf):
            return 400, failure(1412, "Only leaf certificate is allowed.")
        if any(getattr(c, "certificate", None) == certificate for c in zone.hostname_certs):
            return 400, failure(1406, "This certificate already exists for this zone.")
        if len(zone.hostname_certs) >= MAX_HOSTNAME_CERTS:
            # Cloudflare's code for this is not documented; this one is the stand-in's.
            return 400, failure(1408, f"A zone holds at most {MAX_HOSTNAME_CERTS} hostname certificates.")
        cert = UploadedCert(leaf, certificate, self.activation_delay)
        zone.hostname_certs.append(cert)
        return 200, envelope(self.shown(cert))

    def live_hostname_certificate(self, zone, cert_id):
        """The zone's hostname certificate `cert_id`, unless it is unknown, zone-level, or being deleted."""
        cert = next((c for c in zone.hostname_certs if c.id == cert_id), None)
        return cert if cert is not None and self.status(cert) != "pending_deletion" else None

    def put_hostnames(self, zone, body):
        """Many hostnames in one call, checked whole before any changes (see the module's docstring)."""
        try:
            doc = json.loads(body)
        except ValueError:
            return 400, failure(6007, "Malformed JSON in request body")
        if not isinstance(doc, dict) or set(doc) != {"config"}:
            return 400, failure(1400, 'The body must be {"config": [...]} and nothing else')
        config = doc["config"]
        if not isinstance(config, list) or not config:
            return 400, failure(1400, "config must be a non-empty array")
        wanted = []
        for entry in config:
            if not isinstance(entry, dict):
                return 400, failure(1400, "Each config entry must be an object")
            extra = set(entry) - {"hostname", "cert_id", "enabled"}
            if extra:
                return 400, failure(1400, f"Unknown config field(s): {sorted(extra)}")
            hostname = entry.get("hostname")
            if not isinstance(hostname, str) or not hostname.strip():
                return 400, failure(1400, "hostname is required: a non-empty string")
            if "enabled" not in entry:
                return 400, failure(1400, "enabled is required: true, false, or null to remove the association")
            enabled = entry["enabled"]
            if not (enabled is None or isinstance(enabled, bool)):
                return 400, failure(1400, "enabled must be true, false or null")
            cert_id = entry.get("cert_id")
            if "cert_id" in entry and not isinstance(cert_id, str):
                return 400, failure(1400, "cert_id must be a string")
            if cert_id is None and enabled is not None:
                return 400, failure(1400, "cert_id is required unless enabled is null")
            if cert_id is not None and self.live_hostname_certificate(zone, cert_id) is None:
                return 400, failure(1415, "Certificate ID in request is either invalid or the certificate "
                                          "has been deleted")
            wanted.append((hostname.strip().rstrip(".").lower(), cert_id, enabled))

        after = {h: dict(a) for h, a in zone.associations.items()}
        at = zone.now_str()
        for hostname, cert_id, enabled in wanted:
            if enabled is None:
                after.pop(hostname, None)
                continue
            old = after.get(hostname)
            created = old["created_at"] if old and old["cert_id"] == cert_id else at
            after[hostname] = {"cert_id": cert_id, "enabled": enabled, "created_at": created, "updated_at": at}
        for cert_id in {c for _, c, e in wanted if e is not None}:
            if sum(1 for a in after.values() if a["cert_id"] == cert_id) > MAX_ASSOCIATIONS:
                # Cloudflare's code for this is not documented; this one is the stand-in's.
                return 400, failure(1413, f"A hostname certificate has at most {MAX_ASSOCIATIONS} associations.")
        zone.associations = after
        return 200, envelope([self.association_object(zone, h, after.get(h), c) for h, c, _ in wanted])

    def get_hostname(self, zone, hostname):
        key = hostname.rstrip(".").lower()
        assoc = zone.associations.get(key)
        if assoc is None and self.unassociated == "404":
            return 404, failure(1404, "No association found for this hostname")
        return 200, envelope(self.association_object(zone, key, assoc))

    def association_object(self, zone, hostname, assoc, cert_id=None):
        """An association as Cloudflare shows it, its certificate's fields included; with
        `assoc` None, the fields of a hostname without one: null (`cert_id` as sent, if any)."""
        fields = ("status", "cert_status", "cert_updated_at", "cert_uploaded_on", "created_at", "updated_at",
                  "certificate", "issuer", "serial_number", "signature", "expires_on")
        if assoc is None:
            return {"hostname": hostname, "cert_id": cert_id, "enabled": None, **{f: None for f in fields}}
        cert = next((c for c in zone.hostname_certs if c.id == assoc["cert_id"]), None)
        shown = self.shown(cert) if cert is not None else {}
        return {
            "hostname": hostname,
            "cert_id": assoc["cert_id"],
            "enabled": assoc["enabled"],
            "status": shown.get("status"),
            "cert_status": shown.get("status"),
            "cert_updated_at": shown.get("uploaded_on"),
            "cert_uploaded_on": shown.get("uploaded_on"),
            "created_at": assoc["created_at"],
            "updated_at": assoc["updated_at"],
            "certificate": shown.get("certificate"),
            "issuer": shown.get("issuer"),
            "serial_number": shown.get("serial_number"),
            "signature": shown.get("signature"),
            "expires_on": shown.get("expires_on"),
            "private_key": PRIVATE_KEY_ECHO,
        }

    def dns_records(self, zone, query):
        """The zone's DNS records, `proxied` filtered, A first, then AAAA, and so on, paged."""
        records = sorted(zone.dns_records, key=lambda r: (r.kind, r.name))
        if "proxied" in query:
            if query["proxied"] not in ("true", "false"):
                return 400, failure(9000, "proxied must be true or false")
            records = [r for r in records if r.proxied == (query["proxied"] == "true")]
        chunk, info = page_of([r.api_object() for r in records], query, 100, 5, 5000000)
        if chunk is None:
            return 400, failure(9000, "Invalid paging parameters")
        if not self.dns_totals:
            info = {k: v for k, v in info.items() if k not in ("total_count", "total_pages")}
        return 200, envelope(chunk, info)


def read_upload(body):
    """(200, (the certificate PEM, its leaf)) for an upload's body that passes check_pair,
    or (400 or 500, a failure envelope). The key is only checked; nothing keeps it."""
    try:
        doc = json.loads(body)
    except ValueError:
        return 400, failure(6007, "Malformed JSON in request body")
    certificate = doc.get("certificate") if isinstance(doc, dict) else None
    private_key = doc.get("private_key") if isinstance(doc, dict) else None
    if not isinstance(certificate, str) or not certificate.strip():
        return 400, failure(1400, "certificate is required: a PEM certificate")
    if not isinstance(private_key, str) or not private_key.strip():
        return 400, failure(1400, "private_key is required: a PEM private key")
    try:
        status, checked = check_pair(certificate, private_key)
    except ImportError:
        return 500, failure(10001, "The stand-in needs the cryptography package to check uploads")
    if status != 200:
        return status, checked
    return 200, (certificate, checked)


def is_ca(leaf):
    """Whether the certificate says it is a CA (BasicConstraints CA true): not a leaf."""
    from cryptography import x509

    try:
        return leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def check_pair(certificate, private_key):
    """(200, the leaf as a cryptography Certificate), or (400, a failure envelope)."""
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    try:
        chain = x509.load_pem_x509_certificates(certificate.encode())
    except (ValueError, UnsupportedAlgorithm):
        return 400, failure(1401, "The certificate is not a valid PEM X.509 certificate")
    leaf = chain[0]
    try:
        key = serialization.load_pem_private_key(private_key.encode(), password=None)
    except TypeError:
        return 400, failure(1407, "The private key is encrypted; upload it unencrypted")
    except (ValueError, UnsupportedAlgorithm):
        return 400, failure(1403, "The private key is not a valid unencrypted PEM private key")
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*spki) != leaf.public_key().public_bytes(*spki):
        return 400, failure(1402, "The certificate and private key do not match")
    if leaf.not_valid_after_utc <= datetime.datetime.now(datetime.timezone.utc):
        return 400, failure(1405, "The certificate has expired")
    return 200, leaf


def signature_name(leaf):
    """Cloudflare's spelling of the signature algorithm: ECDSAWithSHA256, SHA256WithRSA."""
    from cryptography.x509.oid import SignatureAlgorithmOID as Sig

    names = {
        Sig.ECDSA_WITH_SHA256: "ECDSAWithSHA256",
        Sig.ECDSA_WITH_SHA384: "ECDSAWithSHA384",
        Sig.ECDSA_WITH_SHA512: "ECDSAWithSHA512",
        Sig.RSA_WITH_SHA256: "SHA256WithRSA",
        Sig.RSA_WITH_SHA384: "SHA384WithRSA",
        Sig.RSA_WITH_SHA512: "SHA512WithRSA",
        Sig.ED25519: "Ed25519",
    }
    return names.get(leaf.signature_algorithm_oid, leaf.signature_algorithm_oid.dotted_string)


class UploadedCert:
    """A zone-level certificate with a real PEM: the shape of dataset.Cert's API object.

    The stand-in makes one for each upload it accepts; a check makes some for a zone's
    old certificates (`deploys_in=0`, active from the start). `pending_deployment` for
    `deploys_in` seconds (forever when None), then `outcome`: its status is read off
    the clock each time it is asked for.
    """

    def __init__(self, leaf, pem, deploys_in=None, outcome="active", uploaded_ago=datetime.timedelta(0)):
        self.id = str(uuid.uuid4())
        self.issuer = leaf.issuer.rfc4514_string()
        self.signature = signature_name(leaf)
        self.serial_number = str(leaf.serial_number)
        self.expires_on = leaf.not_valid_after_utc
        self.uploaded_on = datetime.datetime.now(datetime.timezone.utc) - uploaded_ago
        self.certificate = pem
        self.outcome = outcome
        # time.monotonic() of the moment deployment ends, None for never.
        self.deploys_at = None if deploys_in is None else time.monotonic() + deploys_in

    @property
    def status(self):
        if self.deploys_at is None or time.monotonic() < self.deploys_at:
            return "pending_deployment"
        return self.outcome

    @property
    def active_since(self):
        """time.monotonic() of the moment it turned (or turns) active; None if it never does."""
        return self.deploys_at if self.outcome == "active" else None

    def api_object(self):
        return {
            "id": self.id,
            "status": self.status,
            "issuer": self.issuer,
            "signature": self.signature,
            "serial_number": self.serial_number,
            "expires_on": rfc3339(self.expires_on),
            "uploaded_on": rfc3339(self.uploaded_on, fraction=True),
            "certificate": self.certificate,
        }
