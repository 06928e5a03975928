"""`originpull audit`, `global`, `new-cert` and `upload` against a stand-in API, checked from outside.

The stand-in (standin.py, standard library only but for its upload) serves a data set of
zones built to exercise every finding of SPEC section 6 (dataset.py). The expected findings
are computed here, independently, from that data and the SPEC's rules (findings.py), and
compared zone by zone with what `originpull audit --format json` prints. Also checked: four
calls a zone during the audit, `--fail-on` exit statuses, and `global ZONE on` as one PATCH.

`new-cert`, for each --key-type (p256, p384, rsa2048, rsa4096), read with the `cryptography`
package, not with originpull: the four files and their modes (keys 600, certificates 644);
client.pem a leaf (BasicConstraints CA false, KeyUsage digitalSignature, no keyCertSign,
ExtendedKeyUsage clientAuth) whose subject CN and DNS name are --cn, valid --days from now,
its key of the type asked for, signed by ca.pem; ca.pem a self-signed CA. Then its output
through `upload ZONE`: one POST, which the stand-in checks on its own (certificate and key
parse, match, not expired) and accepts, the zone then holding client.pem; the key never
in originpull's output. Also: `--ca-cert/--ca-key` signing with that CA (only the client's
two files written, 30 days, uploaded too); a mismatched certificate and key refused before
any request; new-cert never overwriting a file (refused, every file byte-for-byte as it
was); and the stand-in's own refusals (mismatch, expiry, encryption, not PEM), so that its
acceptance means something. The new-cert checks need `cryptography`
(tests/sdk/requirements.txt); the audit's do not.

`rotate`, against a second stand-in whose zones are its own (rot-01.example..., each with
one active certificate made here with `cryptography`, so that adding them changes none of
the audit's expectations) and whose certificates move with time: an upload turns active
a few seconds after it lands. Checked from the stand-in's side, not from what originpull
says of itself: after `rotate --yes --json` of 20 zones, each zone holds exactly one
active certificate and it is the new one (by the SHA-256 of its PEM against the file's),
the old ones deleted, one POST a zone, the new certificate never deleted, and no DELETE in
the request log before the answer that first showed that zone's new certificate active;
a run killed (SIGKILL) once its uploads are landing, then run again with the same state
dir, finishes every zone without a second upload; a zone whose deployment times out fails
alone (exit 1), its old certificate kept and active; and without a terminal and without
--yes, a refusal before any request. These need `cryptography` too.

`hostnames` (per-hostname AOP), against a third stand-in with zones of its own (hn-*.example),
also from the stand-in's side: what each command sent is read from the request log, each
PUT's body parsed and compared with the documented shape with types included (`true` is not
`1`; a clear carries an explicit `"enabled": null`, checked in the raw text too), and what
it did from the stand-in's state. `set` of three hostnames is one PUT and three associations;
`--disable` keeps the association; `status` asks about the hostnames originpull recorded;
`delete` of a certificate a known hostname uses (enabled or disabled) is refused without
`--force` (no DELETE sent) and goes through with it, and without it once the hostnames are
cleared; `upload` of a CA as the leaf is refused. `status --discover` on a zone of 120 proxied
records over 2 pages (115 names) and non-proxied ones, with associations made behind
originpull's back on both: exactly the proxied names' associations found, no non-proxied
name asked about, and exactly pages + names + 1 requests; run with a 404 and with a 200 of
nulls for a hostname never associated (Cloudflare does not say which it sends), and without
the DNS list's totals, to the same result. The stand-in's own refusals (1412, 1415, the
limits, the body's shape) are checked first, so that its acceptance means something.

Usage: check.py PATH/TO/originpull
"""

import datetime
import glob
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # nothing written into the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dataset  # noqa: E402
import findings  # noqa: E402
from standin import StandIn, UploadedCert  # noqa: E402

TOKEN = "standin-check-token"
results = {"passed": 0, "failed": 0}


def check(name, cond, detail=""):
    if cond:
        results["passed"] += 1
        print(f"ok    {name}")
    else:
        results["failed"] += 1
        print(f"FAIL  {name} {detail}".rstrip())


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def fmt(codes):
    return "{" + ", ".join(f"{c}:{lvl}" for c, lvl in sorted(codes)) + "}"


class Runner:
    def __init__(self, binary, base_url):
        self.binary = binary
        self.base_url = base_url

    def run(self, *args, token=TOKEN):
        """originpull with a clean environment and a fresh HOME (an empty survey cache)."""
        with tempfile.TemporaryDirectory() as home:
            env = {
                "CLOUDFLARE_BASE_URL": self.base_url,
                "CLOUDFLARE_API_TOKEN": token,
                "HOME": home,
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            }
            return subprocess.run([self.binary, *args], env=env, capture_output=True, text=True,
                                  timeout=180, stdin=subprocess.DEVNULL)

    def env_in(self, root):
        """A clean environment whose HOME, state, cache and config dirs are all under `root`:
        two runs given the same `root` share the rotation's journal, as a rerun must."""
        dirs = {"HOME": "home", "XDG_STATE_HOME": "state", "XDG_CACHE_HOME": "cache", "XDG_CONFIG_HOME": "config"}
        env = {"CLOUDFLARE_BASE_URL": self.base_url, "CLOUDFLARE_API_TOKEN": TOKEN,
               "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        for var, sub in dirs.items():
            env[var] = os.path.join(root, sub)
            os.makedirs(env[var], exist_ok=True)
        return env

    def run_in(self, root, *args):
        """originpull with its dirs under `root`, stdin from /dev/null (no terminal)."""
        return subprocess.run([self.binary, *args], env=self.env_in(root), capture_output=True, text=True,
                              timeout=180, stdin=subprocess.DEVNULL)

    def start_in(self, root, *args):
        """originpull started, not waited for: a run to be killed."""
        return subprocess.Popen([self.binary, *args], env=self.env_in(root), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def main():
    binary = sys.argv[1]
    zones = dataset.build(now())
    by_name = {z.name: z for z in zones}
    with StandIn(TOKEN, zones) as standin:
        r = Runner(binary, standin.base_url)
        audit(r, standin, zones)
        fail_on(r, by_name)
        global_switch(r, standin, by_name)
        wrong_token(r)
        new_cert(r, standin, by_name)
    rotation(binary)
    hostnames(binary)
    print(f"{results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)


def audit(r, standin, zones):
    mark = standin.mark()
    before = now()
    out = r.run("audit", "--format", "json")
    after = now()
    requests = standin.requests(mark)

    try:
        records = json.loads(out.stdout)
        parsed = isinstance(records, list)
    except ValueError as e:
        records, parsed = [], False
        check("audit --format json prints a JSON array", False, f"({e}); stdout: {out.stdout[:500]!r}")
    if parsed:
        check("audit --format json prints a JSON array", True)
    if out.returncode not in (0, 3):
        print(f"      audit exited {out.returncode}; stderr: {out.stderr.strip()[:2000]}")

    names = [rec.get("zone") for rec in records if isinstance(rec, dict)]
    missing = sorted(z.name for z in zones if z.name not in names)
    dupes = sorted({n for n in names if names.count(n) > 1})
    check(f"audit: one record for each of the {len(zones)} zones", not missing and not dupes
          and len(names) == len(zones), f"missing {missing}, repeated {dupes}, {len(names)} records")
    record_of = {rec.get("zone"): rec for rec in records if isinstance(rec, dict)}

    fillers_wrong = []
    for z in zones:
        if z.name.startswith("filler-"):
            rec = record_of.get(z.name)
            got = {(f.get("code"), f.get("level")) for f in (rec or {}).get("findings", [])}
            want = findings.expected(z, before)
            if rec is None or got != want:
                fillers_wrong.append(f"{z.name}: expected {fmt(want)}, got {fmt(got) if rec else 'no record'}")
            continue
        want = findings.expected(z, before)
        if findings.expected(z, after) != want:
            check(f"audit: {z.name}: expectation stable over the run", False,
                  "a certificate crossed a boundary while the audit ran; the data set is too close to one")
            continue
        intent = {(c, findings.LEVELS[c]) for c in dataset.EXPECTED_CODES[z.name]}
        check(f"data set: {z.name} built for {fmt(intent)}", want == intent,
              f"the independent rules give {fmt(want)}")
        rec = record_of.get(z.name)
        if rec is None:
            check(f"audit: {z.name} findings {fmt(want)}", False, "no record for the zone")
            continue
        got = {(f.get("code"), f.get("level")) for f in rec.get("findings", [])}
        check(f"audit: {z.name} findings {fmt(want)}", got == want,
              f"got {fmt(got)}; missing {fmt(want - got)}, unexpected {fmt(got - want)}; "
              f"zone id {z.id}")

    check(f"audit: the {dataset.FILLERS} filler zones (clean; enough zones to page the zone list) have no findings",
          not fillers_wrong, "; ".join(fillers_wrong))
    unreadable = [f.get("message", "") for f in record_of.get("unreadable.example", {}).get("findings", [])
                  if f.get("code") == "unreadable"]
    check("audit: the unreadable finding names the missing Zone Settings permission",
          any("Zone Settings" in m for m in unreadable), f"messages {unreadable}")

    # What each record says of the data: the zone-level switch, the global switch, the
    # certificates (ids, levels, statuses).
    wrong = []
    for z in zones:
        rec = record_of.get(z.name)
        if rec is None:
            continue
        levels = rec.get("levels") or {}
        if rec.get("zone_id") != z.id:
            wrong.append(f"{z.name}: zone_id {rec.get('zone_id')!r}")
        if levels.get("zone") != z.enabled:
            wrong.append(f"{z.name}: levels.zone {levels.get('zone')!r}, the data {z.enabled}")
        if not z.settings_forbidden:
            if levels.get("global") != (z.global_value == "on"):
                wrong.append(f"{z.name}: levels.global {levels.get('global')!r}, the data {z.global_value}")
            if rec.get("ssl") != z.ssl:
                wrong.append(f"{z.name}: ssl {rec.get('ssl')!r}, the data {z.ssl}")
        want_certs = {(c.id, "zone", c.status) for c in z.certs}
        want_certs |= {(c.id, "hostname", c.status) for c in z.hostname_certs}
        got_certs = {(c.get("id"), c.get("level"), c.get("status")) for c in rec.get("certificates", [])}
        if got_certs != want_certs:
            wrong.append(f"{z.name}: certificates missing {sorted(want_certs - got_certs)}, "
                         f"unexpected {sorted(got_certs - want_certs)}")
    check("audit: records carry each zone's switches, SSL mode and certificates", not wrong, "; ".join(wrong))

    # Four calls a zone: the settings, the zone-level list, the enablement, the hostname list.
    four = {"/settings", "/origin_tls_client_auth", "/origin_tls_client_auth/settings",
            "/origin_tls_client_auth/hostnames/certificates"}
    bad = []
    for z in zones:
        prefix = f"/client/v4/zones/{z.id}"
        calls = [(m, p[len(prefix):]) for m, p, _, _ in requests if p == prefix or p.startswith(prefix + "/")]
        if len(calls) != 4 or {p for _, p in calls} != four or any(m != "GET" for m, _ in calls):
            bad.append(f"{z.name}: {len(calls)} calls {sorted(calls)}")
    check("audit: exactly 4 calls to /zones/{id}/... per zone (settings, list, enablement, hostname list)",
          not bad, "; ".join(bad))
    others = [(m, p) for m, p, _, _ in requests
              if not re.fullmatch(r"/client/v4/zones/[0-9a-f]{32}/.+", p)]
    check("audit: nothing else but the zone list and the token check",
          all(p in ("/client/v4/zones", "/client/v4/user/tokens/verify") and m == "GET" for m, p in others),
          f"{others}")
    pages = sorted({q.get("page") for m, p, q, _ in requests if p == "/client/v4/zones"})
    want_pages = sorted({str(i + 1) for i in range((len(zones) + 49) // 50)})
    check(f"audit: zone list read across its {len(want_pages)} pages", set(want_pages) <= set(pages),
          f"pages requested {pages}")
    worst = max(findings.worst(findings.expected(z, before)) for z in zones)
    check("audit: default --fail-on warning exits 3", out.returncode == 3 and worst >= 2,
          f"exit {out.returncode}")


def fail_on(r, by_name):
    def status(args, want, what):
        out = r.run("audit", "--format", "json", *args)
        check(f"exit {want}: audit {' '.join(args)} ({what})", out.returncode == want,
              f"got {out.returncode}; stderr: {out.stderr.strip()[:300]}")

    for level in ("error", "warning", "notice"):
        status(["--fail-on", level], 3, "every zone: errors, warnings and notices among them")
    clean = by_name["clean.example"]
    assert not findings.expected(clean, now())
    for level in ("error", "warning", "notice"):
        status(["--fail-on", level, "clean.example"], 0, "a clean zone alone")
    assert findings.expected(by_name["unused.example"], now()) == {("certificate-unused", "notice")}
    status(["--fail-on", "warning", "unused.example"], 0, "a notice only")
    status(["--fail-on", "notice", "unused.example"], 3, "a notice only")
    assert findings.expected(by_name["expiring.example"], now()) == {("expiring", "warning")}
    status(["--fail-on", "error", "expiring.example"], 0, "a warning only")
    status(["--fail-on", "warning", "expiring.example"], 3, "a warning only")
    status(["--fail-on", "notice", "expiring.example"], 3, "a warning only")


def global_switch(r, standin, by_name):
    zone = by_name["clean.example"]
    path = f"/client/v4/zones/{zone.id}/settings/tls_client_auth"
    mark = standin.mark()
    out = r.run("global", zone.name, "on")
    patches = [(p, b) for m, p, _, b in standin.requests(mark) if m == "PATCH"]
    check("global ZONE on exits 0", out.returncode == 0, f"got {out.returncode}; stderr: {out.stderr.strip()[:300]}")
    body_ok = len(patches) == 1 and patches[0][0] == path
    try:
        body_ok = body_ok and json.loads(patches[0][1]) == {"value": "on"}
    except (ValueError, IndexError):
        body_ok = False
    check('global ZONE on sends exactly one PATCH {"value": "on"} to settings/tls_client_auth', body_ok,
          f"sent {patches}")
    check("global ZONE on changed the stand-in's state", zone.global_value == "on", zone.global_value)

    out = r.run("global", zone.name, "--json")
    try:
        doc = json.loads(out.stdout)
    except ValueError:
        doc = None
    check('global ZONE --json then reads "value": "on"',
          out.returncode == 0 and isinstance(doc, dict) and doc.get("value") == "on" and doc.get("zone") == zone.name
          and doc.get("editable") is True, f"exit {out.returncode}, stdout {out.stdout[:300]!r}")

    locked = by_name["ssl-off-nothing-on.example"]
    mark = standin.mark()
    out = r.run("global", locked.name, "on")
    patches = [p for m, p, _, _ in standin.requests(mark) if m == "PATCH"]
    # Refused by the API (400) or locally (editable false): either way exit 1, state unchanged.
    check("global ZONE on where not editable exits 1 and changes nothing",
          out.returncode == 1 and locked.global_value == "off" and len(patches) <= 1,
          f"exit {out.returncode}, value {locked.global_value}, PATCHes {len(patches)}")


def wrong_token(r):
    out = r.run("audit", "--format", "json", token="not-the-token")
    check("audit with a wrong token exits 1", out.returncode == 1, f"got {out.returncode}")


# ---- new-cert, checked with `cryptography`, and its output through upload -------------

KEY_TYPES = ("p256", "p384", "rsa2048", "rsa4096")
UPLOAD_ZONE = "clean.example"


def new_cert(r, standin, by_name):
    try:
        import cryptography  # noqa: F401
    except ImportError:
        check("new-cert: the cryptography package is installed (tests/sdk/requirements.txt)", False)
        return
    zone = by_name[UPLOAD_ZONE]
    standin_refuses(standin, zone)
    for key_type in KEY_TYPES:
        with tempfile.TemporaryDirectory() as tmp:
            new_cert_one(r, standin, zone, key_type, tmp)
    with tempfile.TemporaryDirectory() as tmp:
        new_cert_stray_file(r, tmp)


def load_cert(path):
    from cryptography import x509

    with open(path, "rb") as f:
        return x509.load_pem_x509_certificate(f.read())


def load_key(path):
    from cryptography.hazmat.primitives import serialization

    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def extension(cert, cls):
    from cryptography import x509

    try:
        return cert.extensions.get_extension_for_class(cls).value
    except x509.ExtensionNotFound:
        return None


def spki(public_key):
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_kind(public_key):
    """p256, p384, rsa2048, ...: what --key-type would have asked for."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return {"secp256r1": "p256", "secp384r1": "p384"}.get(public_key.curve.name, public_key.curve.name)
    if isinstance(public_key, rsa.RSAPublicKey):
        return f"rsa{public_key.key_size}"
    return type(public_key).__name__


def issued_by(cert, ca):
    """'' when `ca` signed `cert` (names and signature), else why not."""
    try:
        cert.verify_directly_issued_by(ca)
        return ""
    except Exception as e:  # ValueError (names), InvalidSignature, TypeError (key types)
        return f"{type(e).__name__}: {e}"


def key_lines(path):
    """The base64 lines of a PEM key: text that must never appear in originpull's output."""
    with open(path) as f:
        return [line for line in f.read().splitlines() if line and not line.startswith("-----")]


def leaks_key(out, *key_paths):
    text = out.stdout + out.stderr
    return "PRIVATE KEY" in text or any(line in text for path in key_paths for line in key_lines(path))


def modes(directory, names):
    return {n: oct(os.stat(os.path.join(directory, n)).st_mode & 0o777) for n in names
            if os.path.exists(os.path.join(directory, n))}


def snapshot(directory):
    def read(name):
        with open(os.path.join(directory, name), "rb") as f:
            return f.read()

    return {n: read(n) for n in sorted(os.listdir(directory))}


def check_leaf(label, cert_path, key_path, ca, cn, days, key_type, started, finished):
    """The client certificate, read with `cryptography`: a leaf for clientAuth, signed by `ca`."""
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    try:
        cert = load_cert(cert_path)
        key = load_key(key_path)
    except Exception as e:
        check(f"{label}: client.pem and client.key parse (X.509 PEM, unencrypted PEM key)", False, repr(e))
        return None
    check(f"{label}: client.pem and client.key parse (X.509 PEM, unencrypted PEM key)", True)
    check(f"{label}: client.key is client.pem's key", spki(key.public_key()) == spki(cert.public_key()))
    kinds = (key_kind(cert.public_key()), key_kind(key.public_key()))
    check(f"{label}: the key is {key_type}", kinds == (key_type, key_type), f"certificate {kinds[0]}, key {kinds[1]}")

    basic = extension(cert, x509.BasicConstraints)
    usage = extension(cert, x509.KeyUsage)
    eku = extension(cert, x509.ExtendedKeyUsage)
    check(f"{label}: client.pem is a leaf with clientAuth (BasicConstraints CA false, KeyUsage "
          "digitalSignature without keyCertSign, ExtendedKeyUsage clientAuth)",
          basic is not None and basic.ca is False
          and usage is not None and usage.digital_signature and not usage.key_cert_sign
          and eku is not None and ExtendedKeyUsageOID.CLIENT_AUTH in eku,
          f"BasicConstraints {basic}, KeyUsage {usage}, ExtendedKeyUsage {eku}")

    san = extension(cert, x509.SubjectAlternativeName)
    dns = san.get_values_for_type(x509.DNSName) if san is not None else []
    cns = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    check(f"{label}: subject CN and the DNS subject alternative name are {cn}", cns == [cn] and cn in dns,
          f"CN {cns}, DNS names {dns}")

    # notAfter is `days` after the moment of issue (whole seconds); notBefore may be set back
    # a little for clocks behind, but the certificate is valid from the moment it is made.
    slack = datetime.timedelta(seconds=5)
    after, before = cert.not_valid_after_utc, cert.not_valid_before_utc
    want = datetime.timedelta(days=days)
    check(f"{label}: valid for {days} days from now",
          started - slack + want <= after <= finished + slack + want
          and started - datetime.timedelta(days=1) <= before <= finished + slack,
          f"notBefore {before}, notAfter {after}, made between {started} and {finished}")

    why = issued_by(cert, ca)
    check(f"{label}: client.pem is signed by the CA (verified with its public key)", not why, why)
    return cert


def check_new_ca(label, out_dir):
    from cryptography import x509

    try:
        ca = load_cert(os.path.join(out_dir, "ca.pem"))
        ca_key = load_key(os.path.join(out_dir, "ca.key"))
    except Exception as e:
        check(f"{label}: ca.pem and ca.key parse", False, repr(e))
        return None
    basic = extension(ca, x509.BasicConstraints)
    usage = extension(ca, x509.KeyUsage)
    why = issued_by(ca, ca)
    check(f"{label}: ca.pem is a self-signed CA (BasicConstraints CA true, KeyUsage keyCertSign), "
          "ca.key its key",
          basic is not None and basic.ca is True and usage is not None and usage.key_cert_sign and not why
          and spki(ca_key.public_key()) == spki(ca.public_key()),
          f"BasicConstraints {basic}, KeyUsage {usage}, self-signature {why or 'ok'}")
    return ca


def upload_checks(r, standin, zone, label, cert_path, key_path):
    """`upload ZONE` of new-cert's output: one POST, accepted by the stand-in's own checks."""
    with open(cert_path) as f:
        pem = f.read()
    before = {c.id for c in zone.certs}
    mark = standin.mark()
    out = r.run("upload", zone.name, "--cert", cert_path, "--key", key_path)
    posts = [(p, b) for m, p, _, b in standin.requests(mark) if m == "POST"]
    check(f"{label}: upload {zone.name} exits 0", out.returncode == 0,
          f"got {out.returncode}; stderr: {out.stderr.strip()[:500]}")
    path = f"/client/v4/zones/{zone.id}/origin_tls_client_auth"
    check(f"{label}: upload sends exactly one POST, to the zone's origin_tls_client_auth",
          len(posts) == 1 and posts[0][0] == path, f"sent {[p for p, _ in posts]}")
    added = [c for c in zone.certs if c.id not in before]
    check(f"{label}: the stand-in accepted it: the zone now holds a pending_deployment certificate "
          "whose PEM is client.pem",
          len(added) == 1 and added[0].status == "pending_deployment" and getattr(added[0], "certificate", None) == pem,
          f"{len(added)} added" + (f", status {added[0].status}, PEM equal "
                                   f"{getattr(added[0], 'certificate', None) == pem}" if added else ""))
    if added:
        check(f"{label}: upload prints the new certificate's id", added[0].id in out.stdout, out.stdout[:300])
    check(f"{label}: upload's output does not contain the private key", not leaks_key(out, key_path))


def new_cert_one(r, standin, zone, key_type, tmp):
    label = f"new-cert {key_type}"
    out_dir = os.path.join(tmp, "new-ca")
    cn = f"origin-{key_type}.example"
    files = ("ca.pem", "ca.key", "client.pem", "client.key")
    want_modes = {"ca.pem": "0o644", "ca.key": "0o600", "client.pem": "0o644", "client.key": "0o600"}

    started = now().replace(microsecond=0)
    out = r.run("new-cert", "--cn", cn, "--key-type", key_type, "--out", out_dir)
    finished = now()
    check(f"{label}: exits 0", out.returncode == 0, f"got {out.returncode}; stderr: {out.stderr.strip()[:500]}")
    if out.returncode != 0:
        return
    present = sorted(os.listdir(out_dir))
    check(f"{label}: writes ca.pem, ca.key, client.pem, client.key and nothing else",
          present == sorted(files), f"{present}")
    got_modes = modes(out_dir, files)
    check(f"{label}: keys mode 600, certificates 644", got_modes == want_modes, f"{got_modes}")
    if not all(os.path.exists(os.path.join(out_dir, f)) for f in files):
        return
    check(f"{label}: its output does not contain a private key",
          not leaks_key(out, os.path.join(out_dir, "client.key"), os.path.join(out_dir, "ca.key")))
    ca = check_new_ca(label, out_dir)
    if ca is None:
        return
    check_leaf(label, os.path.join(out_dir, "client.pem"), os.path.join(out_dir, "client.key"), ca, cn, 365,
               key_type, started, finished)
    upload_checks(r, standin, zone, label, os.path.join(out_dir, "client.pem"), os.path.join(out_dir, "client.key"))

    # The same CA again: a p256 client certificate for 30 days, signed by this CA (an RSA CA
    # signing an ECDSA key, for the RSA types), and only the client's two files written.
    label2 = f"new-cert --ca-cert ({key_type} CA)"
    out_dir2 = os.path.join(tmp, "own-ca")
    cn2 = f"origin-{key_type}-again.example"
    started = now().replace(microsecond=0)
    out = r.run("new-cert", "--cn", cn2, "--days", "30", "--ca-cert", os.path.join(out_dir, "ca.pem"),
                "--ca-key", os.path.join(out_dir, "ca.key"), "--out", out_dir2)
    finished = now()
    check(f"{label2}: exits 0", out.returncode == 0, f"got {out.returncode}; stderr: {out.stderr.strip()[:500]}")
    if out.returncode == 0:
        present = sorted(os.listdir(out_dir2))
        check(f"{label2}: writes client.pem and client.key only (no ca.pem, no ca.key)",
              present == ["client.key", "client.pem"], f"{present}")
        got_modes = modes(out_dir2, ("client.pem", "client.key"))
        check(f"{label2}: key mode 600, certificate 644",
              got_modes == {"client.pem": "0o644", "client.key": "0o600"}, f"{got_modes}")
        check(f"{label2}: its output does not contain a private key",
              not leaks_key(out, os.path.join(out_dir2, "client.key"), os.path.join(out_dir, "ca.key")))
        if check_leaf(label2, os.path.join(out_dir2, "client.pem"), os.path.join(out_dir2, "client.key"), ca,
                      cn2, 30, "p256", started, finished) is not None:
            upload_checks(r, standin, zone, label2, os.path.join(out_dir2, "client.pem"),
                          os.path.join(out_dir2, "client.key"))

        # A mismatched pair: this CA's first client certificate with the second one's key.
        mark = standin.mark()
        out = r.run("upload", zone.name, "--cert", os.path.join(out_dir, "client.pem"),
                    "--key", os.path.join(out_dir2, "client.key"))
        sent = standin.requests(mark)
        check(f"{label}: upload with another certificate's key exits 1, refused locally: no POST sent",
              out.returncode == 1 and not any(m == "POST" for m, _, _, _ in sent),
              f"exit {out.returncode}, requests {[(m, p) for m, p, _, _ in sent]}; stderr {out.stderr.strip()[:300]}")
        check(f"{label}: the refusal says the key does not match", "match" in out.stderr.lower(),
              out.stderr.strip()[:300])

    # Never overwrites: the same command again into the same directory.
    before = snapshot(out_dir)
    out = r.run("new-cert", "--cn", cn, "--key-type", key_type, "--out", out_dir)
    named = [f for f in files if os.path.join(out_dir, f) in out.stderr]
    check(f"{label}: again into the same --out exits non-zero and names the existing files",
          out.returncode != 0 and named == list(files),
          f"exit {out.returncode}, named {named}; stderr {out.stderr.strip()[:300]}")
    check(f"{label}: again into the same --out leaves every file byte-for-byte, modes too",
          snapshot(out_dir) == before and modes(out_dir, files) == want_modes)


def new_cert_stray_file(r, tmp):
    """One file already there (client.key): refused, and none of the other three written."""
    stray = os.path.join(tmp, "client.key")
    with open(stray, "w") as f:
        f.write("not mine to overwrite\n")
    out = r.run("new-cert", "--cn", "origin-stray.example", "--out", tmp)
    check("new-cert into a directory holding a client.key exits non-zero and names it",
          out.returncode != 0 and stray in out.stderr, f"exit {out.returncode}; stderr {out.stderr.strip()[:300]}")
    check("new-cert into a directory holding a client.key writes nothing, keeps the file",
          snapshot(tmp) == {"client.key": b"not mine to overwrite\n"},
          f"{sorted(os.listdir(tmp))}")


def standin_refuses(standin, zone):
    """The stand-in's own upload checks, so its acceptance above means something."""
    import urllib.error
    import urllib.request

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def make(days_from, days_to, key=None):
        key = key or ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "standin-self-check.example")])
        t = now()
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(t + datetime.timedelta(days=days_from))
                .not_valid_after(t + datetime.timedelta(days=days_to))
                .sign(key, hashes.SHA256()))
        pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
        return pem, key_pem, key

    def post(cert, key):
        body = json.dumps({"certificate": cert, "private_key": key}).encode()
        req = urllib.request.Request(f"{standin.base_url}/zones/{zone.id}/origin_tls_client_auth", data=body,
                                     method="POST", headers={"Authorization": f"Bearer {TOKEN}",
                                                             "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    good, good_key, key = make(-1, 30)
    _, other_key, _ = make(-1, 30)
    expired, expired_key, _ = make(-60, -1, key)
    encrypted = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"secret")).decode()
    count = len(zone.certs)
    cases = (
        ("a mismatched key", good, other_key),
        ("an expired certificate", expired, expired_key),
        ("an encrypted key", good, encrypted),
        ("a certificate that is not PEM", "hello", good_key),
        ("a key that is not PEM", good, "hello"),
    )
    for what, cert, key_pem in cases:
        status, doc = post(cert, key_pem)
        codes = [e.get("code") for e in doc.get("errors", [])]
        check(f"stand-in itself: refuses {what} (HTTP 400, a 14xx code)",
              status == 400 and doc.get("success") is False and len(codes) == 1 and 1400 <= codes[0] < 1500,
              f"HTTP {status}, {doc}")
    check("stand-in itself: the refusals added nothing to the zone", len(zone.certs) == count)


# ---- rotate, against a stand-in whose certificates move with time -------------------

# An upload turns active this long after it lands: originpull's first look is at 2 s, so
# it sees one pending_deployment before the active; every run takes seconds, not minutes.
ACTIVATION = 3.0
# Long enough never to end a run that works; short enough that one that hangs ends.
WAIT = "60s"
ROTATE_ZONES = 20


def rotation(binary):
    """Every rotation check, on a stand-in of its own: its zones would change the audit's."""
    try:
        import cryptography  # noqa: F401
    except ImportError:
        check("rotate: the cryptography package is installed (tests/sdk/requirements.txt)", False)
        return
    started = time.monotonic()
    ca = make_ca("Stand-in Old Origin CA")
    t = now()

    def zones(prefix, n):
        return [rotation_zone(t, f"{prefix}-{i:02d}.example", ca) for i in range(1, n + 1)]

    batch, resumed, late = zones("rot", ROTATE_ZONES), zones("resume", ROTATE_ZONES), zones("late", 4)
    late[1].deployment_times_out = True
    with StandIn(TOKEN, batch + resumed + late, activation_delay=ACTIVATION) as standin, \
            tempfile.TemporaryDirectory() as tmp:
        r = Runner(binary, standin.base_url)
        made = rotation_cert(r, os.path.join(tmp, "cert-batch"))
        if made:
            rotate_needs_yes(r, standin, batch, made, os.path.join(tmp, "run-no-yes"))
            rotate_all(r, standin, batch, made, os.path.join(tmp, "run-batch"))
        made = rotation_cert(r, os.path.join(tmp, "cert-resumed"))
        if made:
            rotate_killed(r, standin, resumed, made, os.path.join(tmp, "run-killed"))
        made = rotation_cert(r, os.path.join(tmp, "cert-late"))
        if made:
            rotate_timeout(r, standin, late, late[1], made, os.path.join(tmp, "run-late"))
    print(f"      rotation checks took {time.monotonic() - started:.1f} s")


def make_ca(name):
    """A self-signed CA (p256), for the zones' old certificates."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    t = now()
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(t - datetime.timedelta(days=400)).not_valid_after(t + datetime.timedelta(days=400))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


def rotation_zone(t, name, ca):
    """A zone of the rotation's stand-in: one active certificate, a real PEM signed by `ca`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"origin.{name}")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(t - datetime.timedelta(days=300)).not_valid_after(t + datetime.timedelta(days=60))
            .sign(ca_key, hashes.SHA256()))
    pem = leaf.public_bytes(serialization.Encoding.PEM).decode()
    old = UploadedCert(leaf, pem, deploys_in=0, uploaded_ago=datetime.timedelta(days=300))
    return dataset.Zone(t, name, ssl="strict", enabled=True, certs=[old])


def fingerprint(pem):
    """The SHA-256 of a PEM's first certificate (its DER), in hex; None if it does not parse."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        return x509.load_pem_x509_certificates(pem.encode())[0].fingerprint(hashes.SHA256()).hex()
    except Exception:
        return None


def rotation_cert(r, out_dir):
    """The new certificate, by `new-cert`: (client.pem, client.key, its SHA-256), or None."""
    out = r.run("new-cert", "--cn", "rotated.example", "--out", out_dir)
    cert_path, key_path = os.path.join(out_dir, "client.pem"), os.path.join(out_dir, "client.key")
    ok = out.returncode == 0 and os.path.exists(cert_path) and os.path.exists(key_path)
    if not ok:
        check("rotate: new-cert makes the certificate to rotate to", False,
              f"exit {out.returncode}; stderr {out.stderr.strip()[:300]}")
        return None
    with open(cert_path) as f:
        return cert_path, key_path, fingerprint(f.read())


def rotate_args(zones, made):
    cert_path, key_path, _ = made
    return ["rotate", *[z.name for z in zones], "--cert", cert_path, "--key", key_path, "--wait", WAIT]


def rotate_json(out):
    """The --json document, or None."""
    try:
        doc = json.loads(out.stdout)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("zones"), list) else None


def rows_by_zone(doc):
    return {row.get("zone"): row for row in (doc or {}).get("zones", []) if isinstance(row, dict)}


def active_ids(standin, zone):
    return [c.id for c, status in standin.certificates(zone) if status == "active"]


def certificate_by_id(standin, zone, cert_id):
    """A certificate the zone holds, or held before its deletion ended."""
    return next((c for c, _ in standin.certificates(zone) if c.id == cert_id), None) or standin.gone.get(cert_id)


def calls(requests, zone, method, sub):
    """(index, time, certificate id or None) of each `method` to the zone's origin_tls_client_auth`sub`."""
    prefix = f"/client/v4/zones/{zone.id}/origin_tls_client_auth"
    found = []
    for index, t, m, path, _, _ in requests:
        if m != method or not path.startswith(prefix):
            continue
        rest = path[len(prefix):]
        if sub == "" and rest == "":
            found.append((index, t, None))
        elif sub == "/{id}" and re.fullmatch(r"/[^/]+", rest) and rest != "/settings":
            found.append((index, t, rest[1:]))
    return found


def end_state(standin, zone, fp, olds):
    """What is wrong with the zone after a rotation to `fp`: '' when exactly the new one is
    active, it is there once, and each of `olds` is pending_deletion or gone."""
    held = standin.certificates(zone)
    active = [c for c, status in held if status == "active"]
    new = [c for c, _ in held if fingerprint(getattr(c, "certificate", "")) == fp]
    left = [(c.id, status) for c, status in held if c.id in olds and status != "pending_deletion"]
    wrong = []
    if len(active) != 1 or fingerprint(getattr(active[0], "certificate", "")) != fp:
        wrong.append(f"active {[(c.id, fingerprint(getattr(c, 'certificate', ''))) for c in active]}")
    if len(new) != 1:
        wrong.append(f"{len(new)} certificates with the new SHA-256 ({[(c.id, standin.status(c)) for c in new]})")
    if left:
        wrong.append(f"old ones still there: {left}")
    return f"{zone.name}: " + ", ".join(wrong) if wrong else ""


def deletes_wrong(standin, zone, requests, fp, olds):
    """What is wrong with the zone's DELETEs: one not of an old active certificate (the new
    one above all), or one earlier in the log than the first answer showing the new one
    active, or sent before the stand-in's clock made it active. '' when nothing is."""
    new = [c for c, _ in standin.certificates(zone) if fingerprint(getattr(c, "certificate", "")) == fp]
    new_ids = {c.id for c in new}
    shown = min((standin.shown_active.get(i, float("inf")) for i in new_ids), default=float("inf"))
    since = min((c.active_since for c in new if c.active_since is not None), default=float("inf"))
    wrong = []
    for index, t, cert_id in calls(requests, zone, "DELETE", "/{id}"):
        if cert_id in new_ids:
            wrong.append(f"DELETE of the new certificate {cert_id}")
        elif cert_id not in olds:
            wrong.append(f"DELETE of {cert_id}, not a certificate active before")
        if index <= shown or t < since:
            wrong.append(f"DELETE {cert_id} at request #{index}, {t - since:+.2f} s from activation; "
                         f"first shown active at #{shown}")
    return f"{zone.name}: " + "; ".join(wrong) if wrong else ""


def journals(root):
    return glob.glob(os.path.join(root, "state", "**", "rotate-*.jsonl"), recursive=True)


def rotate_needs_yes(r, standin, zones, made, root):
    """No terminal, no --yes: refused, before a single request (the zones need the rotation)."""
    mark = standin.mark()
    out = r.run_in(root, *rotate_args(zones, made), "--json")
    sent = standin.requests(mark)
    check("rotate without a terminal and without --yes exits 1 and says to add --yes",
          out.returncode == 1 and "--yes" in out.stderr, f"exit {out.returncode}; stderr {out.stderr.strip()[:300]}")
    check("rotate without a terminal and without --yes sends no request at all", not sent,
          f"sent {[(m, p) for m, p, _, _ in sent]}")


def rotate_all(r, standin, zones, made, root):
    """Twenty zones in one run: each ends with the new certificate alone active."""
    label = f"rotate {len(zones)} zones --yes --json"
    _, key_path, fp = made
    olds = {z.id: set(active_ids(standin, z)) for z in zones}
    mark = standin.mark()
    out = r.run_in(root, *rotate_args(zones, made), "--yes", "--json")
    requests = standin.timed_requests(mark)
    check(f"{label}: exits 0", out.returncode == 0, f"got {out.returncode}; stderr {out.stderr.strip()[-1500:]}")
    check(f"{label}: its output does not contain the private key", not leaks_key(out, key_path))
    doc = rotate_json(out)
    rows = rows_by_zone(doc)
    wrong = []
    for z in zones:
        row = rows.get(z.name)
        new_ids = [c.id for c, _ in standin.certificates(z) if fingerprint(getattr(c, "certificate", "")) == fp]
        if row is None:
            wrong.append(f"{z.name}: no row")
        elif (row.get("outcome") != "rotated" or row.get("zone_id") != z.id
              or set(row.get("deleted") or []) != olds[z.id] or [row.get("new_id")] != new_ids):
            wrong.append(f"{z.name}: {row}, the stand-in's new id {new_ids}, old {sorted(olds[z.id])}")
    check(f"{label}: JSON rotated {len(zones)}, failed 0; each zone's row rotated, its new_id and deleted "
          "the stand-in's", doc is not None and doc.get("rotated") == len(zones) and doc.get("failed") == 0
          and not wrong, f"stdout {out.stdout[:300]!r}" if doc is None else "; ".join(wrong)[:3000])
    said = str(((doc or {}).get("certificate") or {}).get("sha256", ""))
    check(f"{label}: JSON certificate.sha256 is the file's", re.sub(r"[^0-9a-f]", "", said.lower()) == fp,
          f"{said!r}, the file's {fp}")

    looked_up = {q.get("name") for _, _, m, p, q, _ in requests if m == "GET" and p == "/client/v4/zones"}
    check(f"{label}: each zone name resolved by GET /zones?name=NAME",
          {z.name for z in zones} <= looked_up, f"looked up {sorted(n for n in looked_up if n)}")
    rotation_end_checks(label, standin, zones, requests, fp, olds)
    posts = {z.name: len(calls(requests, z, "POST", "")) for z in zones}
    check(f"{label}: exactly one POST (upload) per zone", all(n == 1 for n in posts.values()),
          f"{ {k: v for k, v in posts.items() if v != 1} }")
    check(f"{label}: the journal is removed once every zone rotated", not journals(root), f"{journals(root)}")


def rotation_end_checks(label, standin, zones, requests, fp, olds):
    """The stand-in's view after zones rotated: the end state, and the DELETEs in order."""
    wrong = [w for w in (end_state(standin, z, fp, olds[z.id]) for z in zones) if w]
    check(f"{label}: every zone holds exactly one active certificate, the new one (SHA-256 of its PEM), "
          "once, and its old one is pending_deletion or gone", not wrong, "; ".join(wrong)[:3000])
    wrong = [w for w in (deletes_wrong(standin, z, requests, fp, olds[z.id]) for z in zones) if w]
    check(f"{label}: only the old certificates deleted, never the new one, and no DELETE before the "
          "stand-in showed the zone's new certificate active", not wrong, "; ".join(wrong)[:3000])


def wait_for_upload(standin, mark, zones, proc, seconds=30):
    """True once the request log shows a POST to one of `zones` since `mark`; False if the
    run ended first or nothing came in time."""
    paths = {f"/client/v4/zones/{z.id}/origin_tls_client_auth" for z in zones}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        if any(m == "POST" and p in paths for m, p, _, _ in standin.requests(mark)):
            return True
        time.sleep(0.005)
    return False


def rotate_killed(r, standin, zones, made, root):
    """Killed (SIGKILL) while its uploads land, then the same command again, same state dir:
    it finishes every zone, and no zone gets the new certificate twice."""
    label = "rotate killed midway, then run again"
    fp = made[2]
    args = [*rotate_args(zones, made), "--yes", "--json"]
    olds = {z.id: set(active_ids(standin, z)) for z in zones}
    mark = standin.mark()
    # Uploads' answers held back a while: the kill, at the first upload seen, then comes
    # with uploads landed whose answers the run never read, and (past the calls it sends
    # at once) zones it had not uploaded to yet. The rerun must tell them apart.
    standin.post_answer_delay = 1.0
    proc = r.start_in(root, *args)
    posted = wait_for_upload(standin, mark, zones, proc)
    running = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=30)
    standin.post_answer_delay = 0
    first = standin.timed_requests(mark)
    check(f"{label}: the first run was killed after an upload reached the stand-in, before it ended",
          posted and running and proc.returncode == -signal.SIGKILL,
          f"upload seen {posted}, still running {running}, exit {proc.returncode}; stderr {err.strip()[:300]}")
    landed = {z.id for z in zones
              if any(fingerprint(getattr(c, "certificate", "")) == fp for c, _ in standin.certificates(z))}
    print(f"      killed with {len(landed)} of {len(zones)} uploads landed, "
          f"{sum(1 for _, _, m, _, _, _ in first if m == 'DELETE')} DELETEs sent")
    check(f"{label}: the killed run left its journal in the state dir", bool(journals(root)),
          f"nothing under {root}/state")

    mark = standin.mark()
    out = r.run_in(root, *args)
    second = standin.timed_requests(mark)
    check(f"{label}: the second run exits 0", out.returncode == 0,
          f"got {out.returncode}; stderr {out.stderr.strip()[-1500:]}")
    doc = rotate_json(out)
    check(f"{label}: its JSON says rotated {len(zones)}, failed 0",
          doc is not None and doc.get("rotated") == len(zones) and doc.get("failed") == 0,
          f"stdout {out.stdout[:500]!r}")
    rotation_end_checks(label, standin, zones, first + second, fp, olds)
    again = sorted(z.name for z in zones if z.id in landed and calls(second, z, "POST", ""))
    check(f"{label}: the second run uploads only where the first run's upload had not landed",
          not again, f"POST again to {again}")
    posts = {z.name: len(calls(first + second, z, "POST", "")) for z in zones}
    check(f"{label}: at most one POST per zone over both runs", all(n <= 1 for n in posts.values()),
          f"{ {k: v for k, v in posts.items() if v > 1} }")


def rotate_timeout(r, standin, zones, failing, made, root):
    """One zone's deployment times out: it fails alone, its old certificate kept and active."""
    label = f"rotate {len(zones)} zones, {failing.name}'s deployment timing out"
    fp = made[2]
    olds = {z.id: set(active_ids(standin, z)) for z in zones}
    mark = standin.mark()
    out = r.run_in(root, *rotate_args(zones, made), "--yes", "--json")
    requests = standin.timed_requests(mark)
    check(f"{label}: exits 1", out.returncode == 1, f"got {out.returncode}; stderr {out.stderr.strip()[-1500:]}")
    doc = rotate_json(out)
    rows = rows_by_zone(doc)
    row = rows.get(failing.name) or {}
    failure = row.get("failure") or {}
    check(f"{label}: its row is failed, failure.old_kept true, the reason says deployment timed out",
          row.get("outcome") == "failed" and failure.get("old_kept") is True
          and "deployment timed out" in str(failure.get("reason", "")),
          f"row {row}" if doc is not None else f"stdout {out.stdout[:300]!r}")
    held = {c.id: status for c, status in standin.certificates(failing)}
    deleted = [cert_id for _, _, cert_id in calls(requests, failing, "DELETE", "/{id}")]
    check(f"{label}: its old certificate is still there and active, and nothing was deleted in it",
          all(held.get(i) == "active" for i in olds[failing.id]) and not deleted,
          f"held {held}, DELETEs {deleted}")
    others = [z for z in zones if z is not failing]
    wrong = [f"{z.name}: {rows.get(z.name)}" for z in others if (rows.get(z.name) or {}).get("outcome") != "rotated"]
    check(f"{label}: the other {len(others)} zones' rows are rotated; JSON rotated {len(others)}, failed 1",
          doc is not None and not wrong and doc.get("rotated") == len(others) and doc.get("failed") == 1,
          "; ".join(wrong)[:2000] or f"rotated {doc and doc.get('rotated')}, failed {doc and doc.get('failed')}")
    rotation_end_checks(f"{label}: the other zones", standin, others, requests, fp, olds)


# ---- hostnames: per-hostname AOP, against a stand-in of its own ----------------------

# The discovery zone: 115 proxied names, five of them with an AAAA record too (120 proxied
# records, 2 pages of 100; the AAAA ones listed after every A, so on the second page, their
# names already seen on the first), and names with non-proxied records only.
PROXIED_NAMES = 115
DOUBLE_NAMES = 5
UNPROXIED_NAMES = 10


def hostnames(binary):
    """`originpull hostnames`, on a stand-in of its own (its zones would change the audit's).

    What the commands send is read from the stand-in's request log (each PUT's body parsed
    and compared with the documented shape, types included: `true` is not `1`, and a clear
    must carry `"enabled": null`, not leave `enabled` out), and what they did from the
    stand-in's state, not from what originpull prints of itself. The runs of one scenario
    share a state dir, as a user's do, so that the hostnames originpull recorded carry over
    to `status` and `delete`.
    """
    try:
        import cryptography  # noqa: F401
    except ImportError:
        check("hostnames: the cryptography package is installed (tests/sdk/requirements.txt)", False)
        return
    started = time.monotonic()
    t = now()
    ca = make_ca("Stand-in Hostname CA")
    # A zone-level certificate in the stand-in's own zone: its id is no hostname certificate's.
    own = dataset.Zone(t, "hn-self.example", ssl="strict",
                       certs=[hostname_certificate(t, "zone-level.hn-self.example", ca)])
    full = dataset.Zone(t, "hn-full.example", ssl="strict",
                        hostname_certs=[hostname_certificate(t, f"h{i}.hn-full.example", ca) for i in range(10)])
    used = dataset.Zone(t, "hn-set.example", ssl="strict")
    found = discovery_zone(t, "hn-discover.example", ca)
    with StandIn(TOKEN, [own, full, used, found], activation_delay=0.5, deletion_delay=0.5) as standin, \
            tempfile.TemporaryDirectory() as tmp:
        r = Runner(binary, standin.base_url)
        hostnames_standin_refuses(standin, own, full, found, ca)
        made = [hostname_files(r, os.path.join(tmp, name)) for name in ("cert-a", "cert-b")]
        if all(made):
            root = os.path.join(tmp, "run-set")
            ids = [hostnames_upload(r, standin, used, files, root) for files in made]
            if all(ids):
                hostnames_certs(r, standin, used, ids, root)
                hostnames_set_clear_delete(r, standin, used, ids, root)
            hostnames_upload_ca(r, standin, used, made[0], root)
        for mode, totals in (("404", True), ("nulls", True), ("404", False)):
            hostnames_discover(r, standin, found, mode, totals, os.path.join(tmp, f"run-discover-{mode}-{totals}"))
        same_discovery(standin)
    print(f"      hostname checks took {time.monotonic() - started:.1f} s")


def hostname_certificate(t, cn, ca):
    """A hostname certificate held from the start: active, a real PEM signed by `ca`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(t - datetime.timedelta(days=30)).not_valid_after(t + datetime.timedelta(days=300))
            .sign(ca_key, hashes.SHA256()))
    pem = leaf.public_bytes(serialization.Encoding.PEM).decode()
    return UploadedCert(leaf, pem, deploys_in=0, uploaded_ago=datetime.timedelta(days=30))


def discovery_zone(t, name, ca):
    """The zone `status --discover` reads: proxied and non-proxied records, and associations
    made behind originpull's back, on proxied names and on non-proxied ones alike (were it
    to ask about a non-proxied name, it would find one)."""
    zone = dataset.Zone(t, name, ssl="strict")
    x, y = hostname_certificate(t, f"x.{name}", ca), hostname_certificate(t, f"y.{name}", ca)
    zone.hostname_certs = [x, y]
    proxied = [name] + [f"p{i:03d}.{name}" for i in range(1, PROXIED_NAMES)]
    for i, host in enumerate(proxied):
        zone.dns_records.append(dataset.DnsRecord(zone, host, "A", f"192.0.2.{i % 250 + 1}", True))
    for host in proxied[:DOUBLE_NAMES]:
        zone.dns_records.append(dataset.DnsRecord(zone, host, "AAAA", "2001:db8::1", True))
    # Records that are not proxied, on proxied names (they stay proxied names) and on names
    # of their own (never to be asked about).
    zone.dns_records.append(dataset.DnsRecord(zone, name, "TXT", "v=spf1 -all", False))
    zone.dns_records.append(dataset.DnsRecord(zone, name, "MX", f"mail.{name}", False))
    direct = [f"direct{i:02d}.{name}" for i in range(UNPROXIED_NAMES - 1)] + [f"mail.{name}"]
    for i, host in enumerate(direct):
        zone.dns_records.append(dataset.DnsRecord(zone, host, "A", f"198.51.100.{i + 1}", False))
    at = zone.now_str()

    def associate(host, cert, enabled):
        zone.associations[host] = {"cert_id": cert.id, "enabled": enabled, "created_at": at, "updated_at": at}

    for host in proxied[3:9]:
        associate(host, x, True)
    for host in proxied[60:64]:
        associate(host, y, False)
    for host in proxied[110:112]:
        associate(host, y, True)
    for host, enabled in zip(direct[:3], (True, False, True)):
        associate(host, x, enabled)
    zone.proxied_names, zone.unproxied_names = proxied, direct
    return zone


def same_json(a, b):
    """Equal as JSON values, types included: Python's 1 == True must not pass for a `true`."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return a == b


def api(standin, method, path, doc=None, raw=None):
    """(HTTP status, the answer's JSON) of one call straight to the stand-in."""
    import urllib.error
    import urllib.request

    data = raw.encode() if raw is not None else (json.dumps(doc).encode() if doc is not None else None)
    req = urllib.request.Request(standin.base_url + path, data=data, method=method,
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def codes_of(doc):
    return [e.get("code") for e in (doc or {}).get("errors", []) if isinstance(e, dict)]


def leaf_and_key(t, cn, ca, as_ca=False):
    """(certificate PEM, key PEM) signed by `ca`; with `as_ca`, a CA certificate (not a leaf)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
               .issuer_name(ca_cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(t - datetime.timedelta(days=1)).not_valid_after(t + datetime.timedelta(days=90)))
    if as_ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    cert = builder.sign(ca_key, hashes.SHA256())
    return (cert.public_bytes(serialization.Encoding.PEM).decode(),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()).decode())


def hostnames_standin_refuses(standin, own, full, found, ca):
    """The stand-in's own per-hostname checks, so that what it accepts below means something."""
    t = now()
    certs = f"/zones/{own.id}/origin_tls_client_auth/hostnames/certificates"

    def refused(what, status, doc, code=None):
        codes = codes_of(doc)
        check(f"stand-in itself: refuses {what} (HTTP 400{f', code {code}' if code else ''})",
              status == 400 and doc.get("success") is False and len(codes) == 1
              and (codes[0] == code if code else 1400 <= codes[0] < 1500 or codes[0] == 6007),
              f"HTTP {status}, {doc}")

    pem, key = leaf_and_key(t, "ca-as-leaf.hn-self.example", ca, as_ca=True)
    status, doc = api(standin, "POST", certs, {"certificate": pem, "private_key": key})
    refused("a CA certificate uploaded as a hostname certificate's leaf", status, doc, 1412)
    pem, key = leaf_and_key(t, "leaf.hn-self.example", ca)
    status, doc = api(standin, "POST", certs, {"certificate": pem, "private_key": key})
    live = (doc.get("result") or {}).get("id")
    check("stand-in itself: takes a leaf as a hostname certificate (pending_deployment)",
          status == 200 and (doc.get("result") or {}).get("status") == "pending_deployment",
          f"HTTP {status}, {doc}")
    status, doc = api(standin, "POST", certs, {"certificate": pem, "private_key": key})
    refused("the same hostname certificate twice", status, doc)
    eleventh, eleventh_key = leaf_and_key(t, "eleventh.hn-full.example", ca)
    status, doc = api(standin, "POST", f"/zones/{full.id}/origin_tls_client_auth/hostnames/certificates",
                      {"certificate": eleventh, "private_key": eleventh_key})
    refused("a zone's 11th hostname certificate", status, doc)
    check("stand-in itself: its refusals added no hostname certificate",
          len(own.hostname_certs) == 1 and len(full.hostname_certs) == 10,
          f"{len(own.hostname_certs)} and {len(full.hostname_certs)}")

    put = f"/zones/{own.id}/origin_tls_client_auth/hostnames"
    host = "a.hn-self.example"
    zone_level = own.certs[0].id
    bad = (
        ("a body that is not JSON", None, "{config: ["),
        ("a body without config", {"hostnames": [{"hostname": host, "cert_id": live, "enabled": True}]}, None),
        ("config not an array", {"config": {"hostname": host, "cert_id": live, "enabled": True}}, None),
        ("a config entry without hostname", {"config": [{"cert_id": live, "enabled": True}]}, None),
        ("a config entry without enabled", {"config": [{"hostname": host, "cert_id": live}]}, None),
        ('"enabled": "true" (a string)', {"config": [{"hostname": host, "cert_id": live, "enabled": "true"}]}, None),
        ('"enabled": 1 (a number)', {"config": [{"hostname": host, "cert_id": live, "enabled": 1}]}, None),
        ("enabled true without cert_id", {"config": [{"hostname": host, "enabled": True}]}, None),
    )
    for what, doc_in, raw in bad:
        status, doc = api(standin, "PUT", put, doc_in, raw)
        refused(f"PUT .../hostnames with {what}", status, doc)
    unknown = "00000000-0000-4000-8000-000000000000"
    for what, cert_id in (("an unknown cert_id", unknown), ("a zone-level certificate's id", zone_level)):
        status, doc = api(standin, "PUT", put, {"config": [{"hostname": host, "cert_id": live, "enabled": True},
                                                           {"hostname": "b.hn-self.example", "cert_id": cert_id,
                                                            "enabled": True}]})
        refused(f"PUT .../hostnames naming {what} beside a good entry", status, doc, 1415)
    many = [{"hostname": f"n{i}.hn-self.example", "cert_id": live, "enabled": True} for i in range(101)]
    status, doc = api(standin, "PUT", put, {"config": many})
    refused("101 hostnames on one certificate", status, doc)
    check("stand-in itself: its PUT refusals applied nothing", not standin.association_state(own),
          f"{standin.association_state(own)}")

    status, doc = api(standin, "PUT", put, {"config": [{"hostname": host, "cert_id": live, "enabled": True}]})
    result = doc.get("result")
    check("stand-in itself: PUT .../hostnames answers an array of associations and holds the one asked",
          status == 200 and isinstance(result, list) and len(result) == 1 and result[0].get("cert_id") == live
          and result[0].get("enabled") is True and standin.association_state(own) == {host: (live, True)},
          f"HTTP {status}, {doc}")
    status, doc = api(standin, "GET", f"{put}/{host}")
    check("stand-in itself: GET .../hostnames/{hostname} reads it",
          status == 200 and (doc.get("result") or {}).get("enabled") is True, f"HTTP {status}, {doc}")
    status, doc = api(standin, "PUT", put, {"config": [{"hostname": host, "enabled": None}]})
    check('stand-in itself: "enabled": null removes it', status == 200 and not standin.association_state(own),
          f"HTTP {status}, {doc}, {standin.association_state(own)}")
    status, doc = api(standin, "GET", f"{put}/{host}")
    check("stand-in itself: a hostname without an association is a 404 by default",
          status == 404 and doc.get("success") is False, f"HTTP {status}, {doc}")
    standin.unassociated = "nulls"
    status, doc = api(standin, "GET", f"{put}/{host}")
    result = doc.get("result") or {}
    check("stand-in itself: ... and a 200 whose fields are null when switched",
          status == 200 and result.get("cert_id") is None and "enabled" in result and result["enabled"] is None,
          f"HTTP {status}, {doc}")
    standin.unassociated = "404"

    status, doc = api(standin, "DELETE", f"{certs}/{live}")
    check("stand-in itself: DELETE of a hostname certificate makes it pending_deletion",
          status == 200 and (doc.get("result") or {}).get("status") == "pending_deletion", f"HTTP {status}, {doc}")
    status, doc = api(standin, "PUT", put, {"config": [{"hostname": host, "cert_id": live, "enabled": True}]})
    refused("PUT .../hostnames naming a certificate being deleted", status, doc, 1415)

    dns = f"/zones/{found.id}/dns_records?proxied=true&per_page=100&page="
    pages = [api(standin, "GET", dns + str(page)) for page in (1, 2, 3)]
    counts = [len(doc.get("result") or []) for _, doc in pages]
    info = pages[0][1].get("result_info") or {}
    proxied_records = sum(1 for rec in found.dns_records if rec.proxied)
    check(f"stand-in itself: proxied DNS records page {proxied_records} as 100 + {proxied_records - 100} + 0, "
          "each proxied, result_info with the totals",
          counts == [100, proxied_records - 100, 0] and info.get("total_pages") == 2
          and info.get("total_count") == proxied_records
          and all(rec.get("proxied") is True for _, doc in pages for rec in doc.get("result") or []),
          f"{counts}, {info}")


def hostname_files(r, out_dir):
    """A certificate and key to upload, made by `new-cert`: (client.pem, client.key, ca.pem, ca.key), or None."""
    out = r.run("new-cert", "--cn", "hostnames.hn-set.example", "--out", out_dir)
    names = ("client.pem", "client.key", "ca.pem", "ca.key")
    paths = tuple(os.path.join(out_dir, n) for n in names)
    if out.returncode != 0 or not all(os.path.exists(p) for p in paths):
        check("hostnames: new-cert makes a certificate to upload", False,
              f"exit {out.returncode}; stderr {out.stderr.strip()[:300]}")
        return None
    return paths


def hostname_path(zone, rest=""):
    return f"/client/v4/zones/{zone.id}/origin_tls_client_auth/hostnames{rest}"


def known_files(root):
    return glob.glob(os.path.join(root, "state", "**", "hostnames-*.json"), recursive=True)


def echoed(text):
    """Whether `text` holds the private key the stand-in's association objects echo, or the field."""
    from standin import PRIVATE_KEY_ECHO

    return PRIVATE_KEY_ECHO.splitlines()[1] in text or "private_key" in text


def echoes_key(out, root):
    """Whether originpull showed the echoed private key, or kept it in `root`'s known hostnames."""
    kept = ""
    for path in known_files(root):
        with open(path) as f:
            kept += f.read()
    return echoed(out.stdout + out.stderr + kept)


def hostnames_upload(r, standin, zone, files, root):
    """`hostnames upload ZONE --cert --key --json`: one POST, accepted by the stand-in; its id, or None."""
    cert_path, key_path = files[:2]
    with open(cert_path) as f:
        pem = f.read()
    label = f"hostnames upload {zone.name} {os.path.basename(os.path.dirname(cert_path))}"
    before = {c.id for c, _ in standin.hostname_certificates(zone)}
    mark = standin.mark()
    out = r.run_in(root, "hostnames", "upload", zone.name, "--cert", cert_path, "--key", key_path, "--json")
    sent = standin.requests(mark)
    posts = [p for m, p, _, _ in sent if m == "POST"]
    check(f"{label}: exits 0", out.returncode == 0, f"got {out.returncode}; stderr {out.stderr.strip()[:500]}")
    check(f"{label}: exactly one POST, to .../hostnames/certificates",
          posts == [hostname_path(zone, "/certificates")], f"sent {[(m, p) for m, p, _, _ in sent]}")
    added = [c for c, _ in standin.hostname_certificates(zone) if c.id not in before]
    try:
        said = json.loads(out.stdout).get("id")
    except (ValueError, AttributeError):
        said = None
    check(f"{label}: the stand-in holds it (its PEM the file's), and the JSON's id is the stand-in's",
          len(added) == 1 and getattr(added[0], "certificate", None) == pem and said == added[0].id,
          f"{len(added)} added, JSON id {said!r}; stdout {out.stdout[:300]!r}")
    check(f"{label}: its output does not contain the private key", not leaks_key(out, key_path))
    return added[0].id if len(added) == 1 else None


def hostnames_certs(r, standin, zone, ids, root):
    out = r.run_in(root, "hostnames", "certs", zone.name, "--json")
    try:
        listed = [c.get("id") for c in json.loads(out.stdout)]
    except (ValueError, AttributeError, TypeError):
        listed = None
    check(f"hostnames certs {zone.name} --json lists exactly the stand-in's hostname certificates",
          out.returncode == 0 and listed is not None and sorted(listed) == sorted(ids),
          f"exit {out.returncode}, listed {listed}, the stand-in's {ids}")


def one_put(label, standin, zone, mark):
    """The body of the one PUT to .../hostnames since `mark` (parsed, raw), after checking it
    was the only request that changed anything; (None, None) when it was not."""
    sent = standin.requests(mark)
    changes = [(m, p) for m, p, _, _ in sent if m != "GET"]
    puts = [b for m, p, _, b in sent if m == "PUT" and p == hostname_path(zone)]
    check(f"{label}: exactly one PUT, to .../hostnames, and nothing else but GETs",
          len(puts) == 1 and len(changes) == 1, f"sent {changes}")
    if len(puts) != 1:
        return None, None
    try:
        return json.loads(puts[0]), puts[0]
    except ValueError:
        check(f"{label}: the PUT's body is JSON", False, puts[0][:300])
        return None, puts[0]


def hostnames_set_clear_delete(r, standin, zone, ids, root):
    """Checks a, b and c: set, --disable, status of the known hostnames, delete refused and
    forced, clear, then delete without --force. One state dir throughout."""
    a, b = ids
    named = ["WWW.hn-set.example.", "api.hn-set.example", "Shop.HN-set.example"]
    hosts = ["www.hn-set.example", "api.hn-set.example", "shop.hn-set.example"]

    # a. Three hostnames enabled in one PUT of exactly the documented shape.
    label = f"hostnames set {zone.name} (3 hostnames) --cert A --enable"
    mark = standin.mark()
    out = r.run_in(root, "hostnames", "set", zone.name, *named, "--cert", a, "--enable", "--json")
    check(f"{label}: exits 0", out.returncode == 0, f"got {out.returncode}; stderr {out.stderr.strip()[:500]}")
    body, _ = one_put(label, standin, zone, mark)
    want = {"config": [{"hostname": h, "cert_id": a, "enabled": True} for h in hosts]}
    check(f'{label}: the body is exactly {{"config": [{{"hostname", "cert_id", "enabled": true}} x3]}}, '
          "hostnames lower-cased without the trailing dot, in the order given",
          same_json(body, want), f"sent {body}")
    state = standin.association_state(zone)
    check(f"{label}: the stand-in then holds the 3 associations, enabled, with A",
          state == {h: (a, True) for h in hosts}, f"{state}")
    check(f"{label}: its output does not show the private_key the stand-in echoes", not echoes_key(out, root))

    # b. --disable sends false, and the association stays.
    label = f"hostnames set {zone.name} shop --cert A --disable"
    mark = standin.mark()
    out = r.run_in(root, "hostnames", "set", zone.name, hosts[2], "--cert", a, "--disable")
    check(f"{label}: exits 0", out.returncode == 0, f"got {out.returncode}; stderr {out.stderr.strip()[:500]}")
    body, _ = one_put(label, standin, zone, mark)
    check(f'{label}: the body is exactly {{"config": [{{"hostname", "cert_id", "enabled": false}}]}}',
          same_json(body, {"config": [{"hostname": hosts[2], "cert_id": a, "enabled": False}]}), f"sent {body}")
    state = standin.association_state(zone)
    check(f"{label}: the association stays, with A, disabled; the others untouched",
          state == {hosts[0]: (a, True), hosts[1]: (a, True), hosts[2]: (a, False)}, f"{state}")

    # The known hostnames carry over: status without names asks about those three.
    label = f"hostnames status {zone.name} --json (no names, no --discover)"
    mark = standin.mark()
    out = r.run_in(root, "hostnames", "status", zone.name, "--json")
    asked = sorted(p for m, p, _, _ in standin.requests(mark) if m == "GET" and p.startswith(hostname_path(zone, "/")))
    try:
        rows = {row["hostname"]: (row.get("source"), (row.get("association") or {}).get("cert_id"),
                                  (row.get("association") or {}).get("enabled")) for row in json.loads(out.stdout)}
    except (ValueError, TypeError, KeyError, AttributeError):
        rows = None
    want = {hosts[0]: ("associated", a, True), hosts[1]: ("associated", a, True), hosts[2]: ("associated", a, False)}
    check(f"{label}: exits 0 and reports the 3 hostnames set before, source associated, as the stand-in holds them",
          out.returncode == 0 and rows == want,
          f"exit {out.returncode}, rows {rows}; stderr {out.stderr.strip()[:300]}")
    check(f"{label}: one GET .../hostnames/{{hostname}} for each of them, nothing else under .../hostnames",
          asked == sorted(hostname_path(zone, "/" + h) for h in hosts), f"asked {asked}")

    # c. delete refused while a known hostname uses the certificate.
    label = f"hostnames delete {zone.name} A"
    mark = standin.mark()
    out = r.run_in(root, "hostnames", "delete", zone.name, a)
    deletes = [p for m, p, _, _ in standin.requests(mark) if m == "DELETE"]
    check(f"{label} without a terminal and without --yes exits 1, says --yes, sends no DELETE",
          out.returncode == 1 and "--yes" in out.stderr and not deletes,
          f"exit {out.returncode}, DELETEs {deletes}; stderr {out.stderr.strip()[:300]}")
    mark = standin.mark()
    out = r.run_in(root, "hostnames", "delete", zone.name, a, "--yes")
    sent = standin.requests(mark)
    deletes = [p for m, p, _, _ in sent if m == "DELETE"]
    check(f"{label} --yes, while www and api (enabled) and shop (disabled) use it: exits 1, stderr says they "
          "still use it and names --force, no DELETE sent",
          out.returncode == 1 and "still use it" in out.stderr and "--force" in out.stderr and not deletes,
          f"exit {out.returncode}, DELETEs {deletes}; stderr {out.stderr.strip()[:400]}")
    asked = {p for m, p, _, _ in sent if m == "GET"}
    check(f"{label} --yes: read the certificate and asked about each known hostname first",
          {hostname_path(zone, f"/certificates/{a}")} | {hostname_path(zone, "/" + h) for h in hosts} <= asked,
          f"asked {sorted(asked)}")
    held = dict((c.id, s) for c, s in standin.hostname_certificates(zone))
    check(f"{label} --yes refused: A is still there, not being deleted", held.get(a) not in (None, "pending_deletion"),
          f"{held}")

    # ... and goes through with --force.
    extra = "extra.hn-set.example"
    out = r.run_in(root, "hostnames", "set", zone.name, extra, "--cert", b, "--enable")
    check(f"hostnames set {zone.name} {extra} --cert B --enable exits 0, the stand-in holds it",
          out.returncode == 0 and standin.association_state(zone).get(extra) == (b, True),
          f"exit {out.returncode}; stderr {out.stderr.strip()[:300]}")
    label = f"hostnames delete {zone.name} B --yes"
    mark = standin.mark()
    out = r.run_in(root, "hostnames", "delete", zone.name, b, "--yes")
    deletes = [p for m, p, _, _ in standin.requests(mark) if m == "DELETE"]
    check(f"{label}, {extra} using it: exits 1, no DELETE sent",
          out.returncode == 1 and "still use it" in out.stderr and not deletes,
          f"exit {out.returncode}, DELETEs {deletes}; stderr {out.stderr.strip()[:300]}")
    mark = standin.mark()
    out = r.run_in(root, "hostnames", "delete", zone.name, b, "--yes", "--force")
    deletes = [p for m, p, _, _ in standin.requests(mark) if m == "DELETE"]
    held = dict((c.id, s) for c, s in standin.hostname_certificates(zone))
    check(f"{label} --force: exits 0, exactly one DELETE, of B; the stand-in has B pending_deletion or gone",
          out.returncode == 0 and deletes == [hostname_path(zone, f"/certificates/{b}")]
          and held.get(b) in (None, "pending_deletion"),
          f"exit {out.returncode}, DELETEs {deletes}, held {held}; stderr {out.stderr.strip()[:300]}")

    # b. clear: one PUT, "enabled": null present, the associations gone.
    label = f"hostnames clear {zone.name} (the 3 hostnames)"
    mark = standin.mark()
    out = r.run_in(root, "hostnames", "clear", zone.name, *named)
    check(f"{label}: exits 0", out.returncode == 0, f"got {out.returncode}; stderr {out.stderr.strip()[:500]}")
    body, raw = one_put(label, standin, zone, mark)
    want = {"config": [{"hostname": h, "cert_id": a, "enabled": None} for h in hosts]}
    check(f'{label}: the body is exactly {{"config": [{{"hostname", "cert_id" (the one recorded), '
          f'"enabled": null}} x3]}}', same_json(body, want), f"sent {body}")
    nulls = len(re.findall(r'"enabled"\s*:\s*null', raw or ""))
    check(f'{label}: the raw body carries "enabled": null, key present, value null, once per hostname',
          nulls == 3 and '"enabled":false' not in (raw or "").replace(" ", ""), f"raw {raw!r}")
    state = standin.association_state(zone)
    check(f"{label}: the associations are gone from the stand-in", not set(hosts) & set(state), f"{state}")

    label = f"hostnames clear {zone.name} a hostname originpull never recorded"
    mark = standin.mark()
    out = r.run_in(root, "hostnames", "clear", zone.name, "never.hn-set.example")
    body, raw = one_put(label, standin, zone, mark)
    check(f'{label}: exits 0; the body is exactly {{"config": [{{"hostname", "enabled": null}}]}}, no cert_id',
          out.returncode == 0 and same_json(body, {"config": [{"hostname": "never.hn-set.example", "enabled": None}]}),
          f"exit {out.returncode}, sent {raw!r}; stderr {out.stderr.strip()[:300]}")

    # c. After the clear, delete goes through without --force.
    label = f"hostnames delete {zone.name} A --yes, after the clear"
    mark = standin.mark()
    out = r.run_in(root, "hostnames", "delete", zone.name, a, "--yes")
    deletes = [p for m, p, _, _ in standin.requests(mark) if m == "DELETE"]
    held = dict((c.id, s) for c, s in standin.hostname_certificates(zone))
    check(f"{label}: exits 0, exactly one DELETE, of A; the stand-in has A pending_deletion or gone",
          out.returncode == 0 and deletes == [hostname_path(zone, f"/certificates/{a}")]
          and held.get(a) in (None, "pending_deletion"),
          f"exit {out.returncode}, DELETEs {deletes}, held {held}; stderr {out.stderr.strip()[:300]}")
    files = known_files(root)
    check(f"hostnames {zone.name}: the known hostnames are kept in $XDG_STATE_HOME/originpull/hostnames-*.json, "
          "without the private key the stand-in echoes",
          len(files) == 1 and os.path.dirname(files[0]) == os.path.join(root, "state", "originpull")
          and not echoes_key(subprocess.CompletedProcess([], 0, "", ""), root), f"{files}")


def hostnames_upload_ca(r, standin, zone, files, root):
    """e. new-cert's CA as the leaf: refused, with an error about the leaf."""
    ca_path, ca_key = files[2:]
    label = f"hostnames upload {zone.name} of a CA certificate as the leaf"
    before = len(standin.hostname_certificates(zone))
    mark = standin.mark()
    out = r.run_in(root, "hostnames", "upload", zone.name, "--cert", ca_path, "--key", ca_key)
    posts = [(p, b) for m, p, _, b in standin.requests(mark) if m == "POST"]
    where = "locally, before any POST" if not posts else f"by the stand-in ({len(posts)} POST, 1412)"
    print(f"      the CA as a leaf was refused {where}")
    check(f"{label}: exits 1, the error mentions the leaf, nothing added",
          out.returncode == 1 and "leaf" in out.stderr.lower() and len(standin.hostname_certificates(zone)) == before,
          f"exit {out.returncode}; stderr {out.stderr.strip()[:400]}")
    check(f"{label}: its output does not contain the private key", not leaks_key(out, ca_key))


DISCOVERED = {}  # (mode, totals) -> hostname -> (cert_id, enabled) or None, as status --discover reported


def hostnames_discover(r, standin, zone, mode, totals, root):
    """d. `status --discover --json`: the associations of the proxied hostnames, found by
    asking about each once, and no other request but the DNS pages and the zone lookup."""
    answer = "404" if mode == "404" else "200 with nulls"
    label = (f"hostnames status {zone.name} --discover --json (never-associated answered {answer}, "
             f"DNS result_info {'with' if totals else 'without'} totals)")
    standin.unassociated, standin.dns_totals = mode, totals
    proxied, direct = zone.proxied_names, zone.unproxied_names
    held = standin.association_state(zone)
    mark = standin.mark()
    try:
        out = r.run_in(root, "hostnames", "status", zone.name, "--discover", "--json")
    finally:
        standin.unassociated, standin.dns_totals = "404", True
    sent = standin.requests(mark)
    check(f"{label}: exits 0", out.returncode == 0, f"got {out.returncode}; stderr {out.stderr.strip()[:500]}")
    try:
        rows = json.loads(out.stdout)
        assert isinstance(rows, list) and all(isinstance(row, dict) for row in rows)
    except (ValueError, AssertionError):
        check(f"{label}: prints a JSON array of objects", False, f"stdout {out.stdout[:300]!r}")
        return
    names = [row.get("hostname") for row in rows]
    check(f"{label}: one row for each of the {len(proxied)} proxied hostnames, each once, no other",
          sorted(names) == sorted(proxied), f"{len(names)} rows; missing {sorted(set(proxied) - set(names))[:10]}, "
          f"unexpected {sorted(set(names) - set(proxied))[:10]}, repeated {len(names) - len(set(names))}")
    bad = [row for row in rows if row.get("source") != "discovered" or "error" in row]
    check(f"{label}: every row's source is discovered, none with an error", not bad, f"{bad[:3]}")
    got = {}
    for row in rows:
        assoc = row.get("association")
        got[row.get("hostname")] = None if assoc is None else (assoc.get("cert_id"), assoc.get("enabled"))
    want = {h: held.get(h) for h in proxied}
    wrong = [f"{h}: got {got.get(h)}, the stand-in {want[h]}" for h in proxied
             if got.get(h) != want[h] or (want[h] and type(got[h][1]) is not bool)]
    found = sum(1 for h in proxied if want[h])
    check(f"{label}: the {found} associations of proxied hostnames found (cert_id, enabled true/false), "
          f"association null for the other {len(proxied) - found}", not wrong, "; ".join(wrong[:10]))
    check(f"{label}: its output does not show the private_key the stand-in echoes", not echoes_key(out, root))
    DISCOVERED[(mode, totals)] = got

    dns = [q for m, p, q, _ in sent if m == "GET" and p == f"/client/v4/zones/{zone.id}/dns_records"]
    check(f"{label}: read the DNS records in 2 pages, proxied=true, per_page=100",
          sorted(q.get("page") for q in dns) == ["1", "2"]
          and all(q.get("proxied") == "true" and q.get("per_page") == "100" for q in dns), f"DNS queries {dns}")
    asked = [p[len(hostname_path(zone, "/")):] for m, p, _, _ in sent
             if m == "GET" and p.startswith(hostname_path(zone, "/"))]
    check(f"{label}: asked about each proxied hostname exactly once",
          sorted(asked) == sorted(proxied), f"{len(asked)} asked, {len(set(asked))} distinct")
    check(f"{label}: asked about no hostname without a proxied record",
          not set(asked) & set(direct), f"{sorted(set(asked) & set(direct))}")
    zones = [q for m, p, q, _ in sent if p == "/client/v4/zones"]
    others = [(m, p, q) for m, p, q, _ in sent
              if "/dns_records" not in p and not p.startswith(hostname_path(zone, "/"))]
    want_total = 2 + len(proxied) + 1
    check(f"{label}: exactly {want_total} requests: 2 DNS pages, one per proxied hostname, one zone lookup "
          "(GET /zones?name=...)", len(sent) == want_total and len(zones) == 1
          and zones[0].get("name") == zone.name,
          f"{len(sent)} requests; besides DNS pages and hostnames: {others}")


def same_discovery(standin):
    """d. The same result whichever way Cloudflare answers for a hostname never associated."""
    runs = list(DISCOVERED.items())
    differ = [f"{key} vs {runs[0][0]}" for key, got in runs[1:] if got != runs[0][1]]
    check("hostnames status --discover: the same associations with the 404 answer and with the 200-with-nulls "
          "answer (and without DNS totals)", len(runs) == 3 and not differ, f"{len(runs)} runs; differ {differ}")


if __name__ == "__main__":
    main()
