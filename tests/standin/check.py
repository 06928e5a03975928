"""`originpull audit` and `originpull global` against a stand-in API, checked from outside.

The stand-in (standin.py, standard library only) serves a data set of zones built to
exercise every finding of SPEC section 6 (dataset.py). The expected findings are computed
here, independently, from that data and the SPEC's rules (findings.py), and compared zone
by zone with what `originpull audit --format json` prints. Also checked: four calls a zone
during the audit, `--fail-on` exit statuses, and `global ZONE on` as one PATCH.

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


if __name__ == "__main__":
    main()
