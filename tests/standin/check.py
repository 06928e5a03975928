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

Usage: check.py PATH/TO/originpull
"""

import datetime
import json
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # nothing written into the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dataset  # noqa: E402
import findings  # noqa: E402
from standin import StandIn  # noqa: E402

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


if __name__ == "__main__":
    main()
