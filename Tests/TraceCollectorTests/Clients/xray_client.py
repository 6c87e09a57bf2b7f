"""Drives the collector with the real AWS X-Ray SDK for Python (aws-xray-sdk), over the daemon UDP protocol.

service: three requests to "orders-api" — one OK with a throttled remote call, a DynamoDB call that raised and
         three local subsegments streamed on their own (streaming threshold 2); one 503; one 429.
lambda:  Lambda mode (as inside AWS Lambda): subsegments under a facade segment that the SDK never sends.
"""
import os
import sys

mode = sys.argv[1]
if mode == "lambda":
    os.environ["LAMBDA_TASK_ROOT"] = "/var/task"
    os.environ["AWS_LAMBDA_FUNCTION_NAME"] = "thumbnailer"
    os.environ["_X_AMZN_TRACE_ID"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

from aws_xray_sdk.core import xray_recorder  # noqa: E402
from aws_xray_sdk.core.models.http import METHOD, STATUS, URL  # noqa: E402

# Streaming threshold 2 outside Lambda (so some subsegments travel alone); in Lambda mode 0, as the SDK streams every
# closed subsegment there (the facade segment itself is never sent).
xray_recorder.configure(service="orders-api", sampling=False, context_missing="LOG_ERROR",
                        streaming_threshold=0 if mode == "lambda" else 2)

if mode == "service":
    segment = xray_recorder.begin_segment("orders-api")
    segment.put_http_meta(URL, "http://orders.example.com/orders/1")
    segment.put_http_meta(METHOD, "GET")
    call = xray_recorder.begin_subsegment("inventory.internal", "remote")
    call.put_http_meta(STATUS, 429)
    call.add_throttle_flag()
    call.add_error_flag()
    xray_recorder.end_subsegment()
    call = xray_recorder.begin_subsegment("DynamoDB", "aws")
    call.set_aws({"operation": "GetItem", "table_name": "orders"})
    try:
        raise KeyError("order 1")
    except KeyError as error:
        call.add_exception(error, [])
    xray_recorder.end_subsegment()
    for i in range(3):
        xray_recorder.begin_subsegment("step-%d" % i)
        xray_recorder.end_subsegment()
    segment.put_http_meta(STATUS, 200)
    xray_recorder.end_segment()

    segment = xray_recorder.begin_segment("orders-api")
    segment.put_http_meta(STATUS, 503)
    segment.add_fault_flag()
    xray_recorder.end_segment()

    segment = xray_recorder.begin_segment("orders-api")
    segment.put_http_meta(STATUS, 429)
    segment.add_throttle_flag()
    segment.add_error_flag()
    xray_recorder.end_segment()
elif mode == "lambda":
    call = xray_recorder.begin_subsegment("S3", "aws")
    call.set_aws({"operation": "PutObject", "bucket_name": "thumbnails"})
    xray_recorder.end_subsegment()
    xray_recorder.begin_subsegment("resize")
    xray_recorder.end_subsegment()
print("sent")
