"""A Web Push service for Ward's tests, on a loopback port: it checks each push's VAPID token
(ES256 over the claims, aud the endpoint's origin, exp at most 24 h ahead) against the key the
token carries, decrypts the aes128gcm body with the subscription's private key (PyPI http-ece),
and logs what it received as JSON lines. /ok/N answers 201, /gone/N 410, /fail/N 500, where N
picks one of the subscriptions whose keys it wrote to --keys."""

import argparse
import base64
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

DEVICES = 3


def b64d(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def check_vapid(header, origin):
    """The token's claims if it verifies against its own key, else None; and the key."""
    if not header.startswith("vapid "):
        return None, None
    params = dict(part.strip().split("=", 1) for part in header[6:].split(","))
    token, key = params.get("t", ""), params.get("k", "")
    try:
        head, claims, signature = token.split(".")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
        raw = b64d(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except (ValueError, InvalidSignature):
        return None, key
    if json.loads(b64d(head)) != {"typ": "JWT", "alg": "ES256"}:
        return None, key
    claims = json.loads(b64d(claims))
    now = time.time()
    if claims.get("aud") != origin or not now < claims.get("exp", 0) <= now + 24 * 3600 + 60:
        return None, key
    return claims, key


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()

    devices = []
    for _ in range(DEVICES):
        private = ec.generate_private_key(ec.SECP256R1())
        public = private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        devices.append((private, public, os.urandom(16)))
    with open(args.keys, "w") as out:
        json.dump([{"p256dh": b64e(pub), "auth": b64e(auth)} for _, pub, auth in devices], out)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            outcome, index = self.path.strip("/").split("/")[:2]
            private, _, auth = devices[int(index)]
            origin = f"http://127.0.0.1:{self.server.server_address[1]}"
            claims, key = check_vapid(self.headers.get("Authorization", ""), origin)
            try:
                payload = http_ece.decrypt(body, private_key=private, auth_secret=auth,
                                           version="aes128gcm").decode()
            except Exception as error:  # what failed goes in the log for the test to show
                payload = None
                claims = claims and dict(claims, decrypt_error=str(error))
            entry = {
                "path": self.path,
                "vapid": claims,
                "key": key,
                "payload": payload,
                "headers": {k.lower(): v for k, v in self.headers.items() if k.lower() != "authorization"},
            }
            with open(args.log, "a") as log:
                log.write(json.dumps(entry) + "\n")
            status = {"ok": 201, "gone": 410, "fail": 500}.get(outcome, 404)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".tmp", "w") as out:
        out.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
