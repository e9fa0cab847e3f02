#!/usr/bin/env python3
# Standard Webhooks signature verification, written from the specification
# (https://www.standardwebhooks.com/, "Verifying webhook authenticity") with
# Python's own hmac, hashlib and base64: an implementation independent of the
# module's, for the tests.
#
#   python3 t/lib/standard_webhooks.py SECRET < LOG
#
# reads the receiver's JSON lines (t/lib/webhook_receiver.py) and prints, for each,
# a JSON line {"id", "valid", "why"}. Tolerance of webhook-timestamp: 5 minutes.
import base64
import hashlib
import hmac
import json
import sys
import time

TOLERANCE = 5 * 60


def verify(secret, msg_id, timestamp, signatures, body, now=None):
    """Returns None when one of the signatures is valid, else why not."""
    if not secret.startswith("whsec_"):
        return "the secret does not start with whsec_"
    key = base64.b64decode(secret[len("whsec_"):])
    if not msg_id or not timestamp or not signatures:
        return "a webhook-* header is missing"
    now = time.time() if now is None else now
    try:
        ts = int(timestamp)
    except ValueError:
        return "webhook-timestamp is not a number"
    if abs(now - ts) > TOLERANCE:
        return "webhook-timestamp is too far from now"
    signed = f"{msg_id}.{timestamp}.{body}".encode("utf-8")
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    for sig in signatures.split(" "):
        version, _, value = sig.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return None
    return "no signature matches"


def main():
    secret = sys.argv[1]
    for line in sys.stdin:
        r = json.loads(line)
        why = verify(secret, r["id"], r["timestamp"], r["signature"], r["body"], r["at"])
        print(json.dumps({"id": r["id"], "valid": why is None, "why": why}))


if __name__ == "__main__":
    main()
