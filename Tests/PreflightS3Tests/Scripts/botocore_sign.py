"""Signs requests with botocore's own S3 signer, for comparison with ours.

Reads a JSON list of requests on standard input, each with method, host, bucket, key (or
null for a bucket request), query (pairs), headers (pairs), region, access_key, secret_key,
token (or null) and date (20150830T123600Z). Builds the path-style URL with botocore's own
key encoding, signs with a fixed clock and prints, per request, the path and the
Authorization header as JSON.
"""
import datetime
import json
import sys
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode


def sign(case):
    path = "/" + percent_encode(case["bucket"], safe="~")
    if case["key"] is not None:
        # What botocore's rest-xml serializer does with a {Key+} label.
        path += "/" + percent_encode(case["key"], safe="/~")
    request = AWSRequest(
        method=case["method"],
        url="http://" + case["host"] + path,
        headers=dict(case["headers"]),
        params=[tuple(pair) for pair in case["query"]],
    )
    credentials = Credentials(case["access_key"], case["secret_key"], case["token"])
    when = datetime.datetime.strptime(case["date"], "%Y%m%dT%H%M%SZ")
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=when):
        botocore.auth.S3SigV4Auth(credentials, "s3", case["region"]).add_auth(request)
    return {"path": path, "authorization": request.headers["Authorization"]}


json.dump([sign(case) for case in json.load(sys.stdin)], sys.stdout)
