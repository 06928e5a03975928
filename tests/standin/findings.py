"""The audit's findings, computed independently from SPEC section 6 and README's "The audit".

Written from the SPEC's table and the README's documented interpretations, not from
originpull's code. Input: what the stand-in serves for a zone (its API objects), and the
moment of the survey.

  expired                      error   a certificate, zone-level or hostname, whose expires_on
                                       is at or before now ("from that second on")
  enabled-without-certificate  error   zone-level enabled, no `active` zone-level certificate
  deployment-failed            error   a certificate of either level in deployment_timed_out or
                                       deletion_timed_out
  expiring                     warning not yet expired, expires_on within DAYS (default 30; exactly
                                       30 days counts)
  multiple-active              warning more than one `active` zone-level certificate
  stuck-pending                warning pending_deployment or initializing, more than 24 h after
                                       uploaded_on (either level); pending_deletion needs an earlier
                                       survey's sighting, so a single run from an empty cache
                                       never reports it
  shared-certificate-only      warning global on, zone-level not presenting (disabled, or no
                                       active zone-level certificate) and no active hostname
                                       certificate (an active one counts as in use)
  ssl-mode-voids-aop           warning a level on (global on, zone-level enabled, or an active
                                       hostname certificate) and SSL mode off or flexible
  certificate-unused           notice  an active zone-level certificate, zone-level disabled
  unreadable                   error   a call for the zone failed; what was read still counts
                                       (with the settings unread, global and SSL mode are unknown,
                                       so the findings that need them are not claimed)
"""

import datetime

LEVELS = {
    "expired": "error",
    "enabled-without-certificate": "error",
    "deployment-failed": "error",
    "expiring": "warning",
    "multiple-active": "warning",
    "stuck-pending": "warning",
    "shared-certificate-only": "warning",
    "ssl-mode-voids-aop": "warning",
    "certificate-unused": "notice",
    "unreadable": "error",
}
RANK = {"notice": 1, "warning": 2, "error": 3}


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def expected(zone, now, expiring_within_days=30):
    """The set of (code, level) the zone's data implies at `now`."""
    codes = set()
    settings = None if zone.settings_forbidden else {s["id"]: s["value"] for s in zone.settings()}
    if settings is None:
        codes.add("unreadable")
    zone_certs = [c.api_object() for c in zone.certs]
    host_certs = [c.api_object() for c in zone.hostname_certs]
    enabled = zone.enabled
    horizon = now + datetime.timedelta(days=expiring_within_days)

    for cert in zone_certs + host_certs:
        expires = parse_time(cert["expires_on"])
        if expires <= now:
            codes.add("expired")
        elif expires <= horizon:
            codes.add("expiring")
        if cert["status"] in ("deployment_timed_out", "deletion_timed_out"):
            codes.add("deployment-failed")
        if cert["status"] in ("pending_deployment", "initializing"):
            if now - parse_time(cert["uploaded_on"]) > datetime.timedelta(hours=24):
                codes.add("stuck-pending")

    active_zone = [c for c in zone_certs if c["status"] == "active"]
    active_host = [c for c in host_certs if c["status"] == "active"]
    if enabled and not active_zone:
        codes.add("enabled-without-certificate")
    if len(active_zone) > 1:
        codes.add("multiple-active")
    if active_zone and not enabled:
        codes.add("certificate-unused")

    if settings is not None:
        global_on = settings["tls_client_auth"] == "on"
        zone_presents = enabled and bool(active_zone)
        if global_on and not zone_presents and not active_host:
            codes.add("shared-certificate-only")
        if settings["ssl"] in ("off", "flexible") and (global_on or enabled or active_host):
            codes.add("ssl-mode-voids-aop")

    return {(code, LEVELS[code]) for code in codes}


def worst(findings):
    return max((RANK[level] for _, level in findings), default=0)
