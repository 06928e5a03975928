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

Everything else is standard library only: `cryptography` is imported when an upload
arrives, so the audit's checks run without it.
"""

import datetime
import json
import re
import threading
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


class StandIn:
    """The server, its data and its request log. `with StandIn(token, zones) as s:`."""

    def __init__(self, token, zones):
        self.token = token
        self.zones = zones  # list of dataset.Zone
        self.by_id = {z.id: z for z in zones}
        self.lock = threading.Lock()
        self.log = []  # (method, path, query dict, body str)
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
                    status, payload = standin.answer(method, parsed.path, query, body, self.headers)
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

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
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
            certs = [c.api_object() for c in zone.certs]
            return 200, envelope(certs, {"page": 1, "per_page": max(len(certs), 20), "count": len(certs),
                                         "total_count": len(certs), "total_pages": 1})
        if sub == "/origin_tls_client_auth" and method == "POST":
            return self.upload(zone, body)
        if sub == "/origin_tls_client_auth/settings" and method == "GET":
            return 200, envelope({"enabled": zone.enabled})
        if sub == "/origin_tls_client_auth/hostnames/certificates" and method == "GET":
            chunk, info = page_of([c.api_object() for c in zone.hostname_certs], query, 50, 5, 50)
            if chunk is None:
                return 400, failure(7003, "Invalid paging parameters")
            return 200, envelope(chunk, info)
        return 404, failure(7003, "Could not route to " + rest + ", perhaps your object identifier is invalid?")

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
        # The key is only checked against the certificate; nothing keeps it.
        try:
            status, checked = check_pair(certificate, private_key)
        except ImportError:
            return 500, failure(10001, "The stand-in needs the cryptography package to check uploads")
        if status != 200:
            return status, checked
        leaf = checked
        if any(getattr(c, "certificate", None) == certificate for c in zone.certs):
            return 400, failure(1406, "This certificate already exists for this zone.")
        cert = UploadedCert(leaf, certificate)
        zone.certs.append(cert)
        return 200, envelope(cert.api_object())


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
    """A zone-level certificate the stand-in accepted: the shape of dataset.Cert's API object."""

    def __init__(self, leaf, pem):
        self.id = str(uuid.uuid4())
        self.status = "pending_deployment"
        self.issuer = leaf.issuer.rfc4514_string()
        self.signature = signature_name(leaf)
        self.serial_number = str(leaf.serial_number)
        self.expires_on = leaf.not_valid_after_utc
        self.uploaded_on = datetime.datetime.now(datetime.timezone.utc)
        self.certificate = pem

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
