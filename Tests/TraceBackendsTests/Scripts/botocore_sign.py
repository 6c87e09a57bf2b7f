"""Signs requests with botocore's SigV4Auth, the reference signer: one JSON request per input line, one
Authorization header per output line. The timestamp is fixed per request by running add_auth's steps with the
request's own date instead of the clock."""
import base64
import datetime
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

for line in sys.stdin:
    r = json.loads(line)
    request = AWSRequest(method=r["method"], url=r["url"], data=base64.b64decode(r["body"]))
    for name, value in r["headers"]:
        request.headers[name] = value
    auth = SigV4Auth(Credentials(r["key"], r["secret"], r.get("token")), r["service"], r["region"])
    stamp = datetime.datetime.fromtimestamp(r["date"], datetime.timezone.utc)
    request.context["timestamp"] = stamp.strftime("%Y%m%dT%H%M%SZ")
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    auth._inject_signature_to_request(request, signature)
    print(request.headers["Authorization"])
