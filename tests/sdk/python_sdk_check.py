"""The official Cloudflare Python SDK against `originpull sim`.

Proves the simulator speaks the API as Cloudflare's own client expects: zones with
auto-paging, zone-level AOP certificates created, listed, fetched and deleted (a
duplicate refused with 1406), enablement read and set, per-hostname AOP (a hostname
certificate uploaded, listed, fetched, associated, disabled, cleared with an explicit
null, deleted; an unknown certificate id refused with 1415), and every date parsed as a
date.

Usage: python_sdk_check.py PATH/TO/originpull
"""

import datetime
import sys

import cloudflare
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import simulator

ZONES = 120
TOKEN = "sdk-check-token"
results = {"passed": 0, "failed": 0}


def check(name, cond, detail=""):
    if cond:
        results["passed"] += 1
        print(f"ok    {name}")
    else:
        results["failed"] += 1
        print(f"FAIL  {name} {detail}")


def leaf_pair(cn):
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SDK Check CA")])
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return cert_pem, key_pem


def main():
    with simulator.running(sys.argv[1], TOKEN, "--zones", str(ZONES)) as base_url:
        run(cloudflare.Cloudflare(api_token=TOKEN, base_url=base_url, max_retries=0))
    print(f"{results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)


def run(cf):
    zones = list(cf.zones.list())
    check("zones auto-paging lists every zone", len(zones) == ZONES, f"got {len(zones)}")
    check("zone names are unique", len({z.name for z in zones}) == ZONES)
    check(
        "zone dates parse as dates",
        all(isinstance(z.created_on, datetime.datetime) for z in zones),
    )
    zone = next(z for z in zones if z.name.startswith("site-"))

    cert_pem, key_pem = leaf_pair("origin.sdk-check.test")
    created = cf.origin_tls_client_auth.zone_certificates.create(
        zone_id=zone.id, certificate=cert_pem, private_key=key_pem
    )
    check("create returns the certificate", created is not None and created.id)
    check("create status is pending", created.status == "pending_deployment", created.status)
    check("create dates parse", isinstance(created.expires_on, datetime.datetime)
          and isinstance(created.uploaded_on, datetime.datetime))
    check("create never echoes the private key", getattr(created, "private_key", None) is None)

    try:
        cf.origin_tls_client_auth.zone_certificates.create(
            zone_id=zone.id, certificate=cert_pem, private_key=key_pem
        )
        check("duplicate upload refused", False, "it was accepted")
    except cloudflare.BadRequestError as e:
        codes = [err.get("code") for err in (e.body or {}).get("errors", [])] if isinstance(e.body, dict) else []
        check("duplicate upload refused with 1406", 1406 in codes, str(e.body))

    listed = list(cf.origin_tls_client_auth.zone_certificates.list(zone_id=zone.id))
    check("list holds the new certificate", any(c.id == created.id for c in listed))
    check("list dates parse", all(isinstance(c.expires_on, datetime.datetime)
                                  and isinstance(c.uploaded_on, datetime.datetime) for c in listed))

    got = cf.origin_tls_client_auth.zone_certificates.get(created.id, zone_id=zone.id)
    check("get returns it", got is not None and got.id == created.id and got.certificate)
    check("get dates parse", isinstance(got.expires_on, datetime.datetime))

    s = cf.origin_tls_client_auth.settings.get(zone_id=zone.id)
    check("settings get", s is not None and s.enabled is False, repr(s))
    s = cf.origin_tls_client_auth.settings.update(zone_id=zone.id, enabled=True)
    check("settings update", s is not None and s.enabled is True, repr(s))
    s = cf.origin_tls_client_auth.settings.get(zone_id=zone.id)
    check("settings persisted", s is not None and s.enabled is True, repr(s))

    deleted = cf.origin_tls_client_auth.zone_certificates.delete(created.id, zone_id=zone.id)
    check("delete returns pending_deletion", deleted is not None and deleted.status == "pending_deletion",
          repr(deleted))

    per_hostname(cf, zone)

    try:
        cloudflare.Cloudflare(api_token="wrong", base_url=cf.base_url, max_retries=0).zones.list()
        check("wrong token refused", False)
    except cloudflare.PermissionDeniedError as e:
        check("wrong token refused with 10000", "10000" in str(e.body), str(e.body))


def error_codes(e):
    body = e.body if isinstance(e.body, dict) else {}
    return [err.get("code") for err in body.get("errors", [])]


def per_hostname(cf, zone):
    """The SDK's per-hostname calls, each against what the simulator then holds."""
    aop = cf.origin_tls_client_auth
    hostname = f"sdk-check.{zone.name}"
    cert_pem, key_pem = leaf_pair(hostname)
    created = aop.hostname_certificates.create(zone_id=zone.id, certificate=cert_pem, private_key=key_pem)
    check("hostname certificate: create returns it", created is not None and created.id)
    check("hostname certificate: create never echoes the private key",
          getattr(created, "private_key", None) is None)
    listed = list(aop.hostname_certificates.list(zone_id=zone.id))
    check("hostname certificate: list holds it", any(c.id == created.id for c in listed))
    got = aop.hostname_certificates.get(created.id, zone_id=zone.id)
    check("hostname certificate: get returns it", got is not None and got.id == created.id
          and isinstance(got.expires_on, datetime.datetime), repr(got))

    def associate(enabled, cert_id=created.id):
        entry = {"hostname": hostname, "enabled": enabled}
        if cert_id is not None:
            entry["cert_id"] = cert_id
        return list(aop.hostnames.update(zone_id=zone.id, config=[entry]))

    updated = associate(True)
    check("associate: the PUT answers an array with the hostname enabled",
          len(updated) == 1 and updated[0].hostname == hostname and updated[0].enabled is True
          and updated[0].cert_id == created.id, repr(updated))
    one = aop.hostnames.get(hostname, zone_id=zone.id)
    check("associate: get shows it enabled with the certificate",
          one is not None and one.enabled is True and one.cert_id == created.id, repr(one))

    associate(False)
    one = aop.hostnames.get(hostname, zone_id=zone.id)
    check("disable: the association stays, enabled false",
          one is not None and one.enabled is False and one.cert_id == created.id, repr(one))

    cleared = associate(None)
    check("clear: the PUT (enabled null) answers", len(cleared) == 1, repr(cleared))
    try:
        one = aop.hostnames.get(hostname, zone_id=zone.id)
        check("clear: the association is gone", one is None or (one.enabled is None and one.cert_id is None),
              repr(one))
    except cloudflare.NotFoundError:
        check("clear: the association is gone (404)", True)

    try:
        associate(True, cert_id="00000000-0000-4000-8000-000000000000")
        check("associate with an unknown certificate refused", False, "it was accepted")
    except cloudflare.BadRequestError as e:
        check("associate with an unknown certificate refused with 1415", 1415 in error_codes(e), str(e.body))

    deleted = aop.hostname_certificates.delete(created.id, zone_id=zone.id)
    check("hostname certificate: delete returns pending_deletion",
          deleted is not None and deleted.status == "pending_deletion", repr(deleted))


if __name__ == "__main__":
    main()
