#!/usr/bin/env python3
"""Verifies a Switchboard webhook delivery (Standard Webhooks), with Python's standard library only.

Usage: WEBHOOK_SECRET=whsec_... python3 verify.py <webhook-id> <webhook-timestamp> <webhook-signature> < body
Prints "verified <type> <taskId>" and exits 0, or says why not and exits 1. In a web framework, pass the
three headers and the raw request body (the exact bytes received, before any JSON parsing).
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time

TOLERANCE_SECONDS = 5 * 60  # refuse deliveries older (or newer) than this: replays


def verify(secret: str, msg_id: str, timestamp: str, signature_header: str, body: bytes) -> dict:
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        raise ValueError("timestamp too far from now")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # The header may hold several signatures ("v1,<sig> v1,<sig>") while a secret is being rotated.
    for candidate in signature_header.split(" "):
        version, _, sig = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(sig, expected):
            return json.loads(body)
    raise ValueError("no signature matches")


if __name__ == "__main__":
    msg_id, timestamp, signature = sys.argv[1:4]
    try:
        payload = verify(os.environ["WEBHOOK_SECRET"], msg_id, timestamp, signature, sys.stdin.buffer.read())
    except ValueError as e:
        print(f"refused: {e}")
        sys.exit(1)
    print(f"verified {payload['type']} {payload['data']['taskId']}")
