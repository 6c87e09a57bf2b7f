#!/usr/bin/env python3
"""Writes the seed corpora (Fuzz/corpus/TARGET/) from the real samples, so every harness starts from inputs that
reach deep into its decoder. Re-run after a format change; the seeds are committed.

    .build/python-venv/bin/python Fuzz/make-seeds.py .build/debug/tracescope

The OTLP protobuf seeds are encoded by opentelemetry-proto (the reference implementation, not our encoder); the
baseline seeds are `tracescope summary --format json` of the samples.
"""
import gzip
import hashlib
import json
import os
import subprocess
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzz", "corpus")
SAMPLES = os.path.join(ROOT, "sample-traces")
FIXTURES = os.path.join(ROOT, "Tests", "TraceFormatsTests", "Fixtures")


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def proto_json(otlp_json_line):
    """OTLP/JSON writes trace and span ids in hex; protobuf's JSON mapping (json_format) reads bytes as base64."""
    import base64
    def convert(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("traceId", "spanId", "parentSpanId") and isinstance(value, str) and value:
                    node[key] = base64.b64encode(bytes.fromhex(value)).decode()
                else:
                    convert(value)
        elif isinstance(node, list):
            for item in node:
                convert(item)
        return node
    return json.dumps(convert(json.loads(otlp_json_line)))


def lines(path, n):
    with open(path) as f:
        return [line.rstrip("\n") for _, line in zip(range(n), f)]


def main():
    tracescope = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "debug", "tracescope")
    xray = lines(os.path.join(SAMPLES, "checkout-xray.jsonl"), 40)
    otlp = lines(os.path.join(SAMPLES, "shop-otlp.jsonl"), 12)
    datagrams = []
    folder = os.path.join(FIXTURES, "python-sdk")
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            datagrams.append(f.read())

    # X-Ray documents: the sample's segments, the Python SDK's, and a nested one with every field kind.
    for doc in xray[:12]:
        write("xray-document", doc)
    for d in datagrams[:4]:
        write("xray-document", d.split(b"\n", 1)[-1])
    write("xray-document", json.dumps({
        "name": "api", "id": "0000000000000001", "trace_id": "1-6b003640-269e0d37f2a74de452e6b438",
        "start_time": 1795176000, "end_time": 1795176000.5, "origin": "AWS::EC2::Instance",
        "http": {"request": {"method": "GET", "url": "https://x/y", "client_ip": "10.0.0.1"},
                 "response": {"status": 503, "content_length": 12}},
        "annotations": {"a": 1, "b": "two", "c": True}, "metadata": {"default": {"k": [1, {"x": None}]}},
        "cause": {"working_directory": "/app", "exceptions": [{"id": "e1", "message": "boom", "type": "E",
                  "stack": [{"path": "a.py", "line": 3, "label": "f"}]}]},
        "fault": True,
        "subsegments": [{"name": "DynamoDB", "id": "0000000000000002", "start_time": 1795176000.1,
                         "end_time": 1795176000.2, "namespace": "aws", "aws": {"operation": "GetItem"},
                         "subsegments": [{"name": "inner", "id": "0000000000000003", "start_time": 1795176000.1,
                                          "in_progress": True}]}]}))

    # Daemon datagrams: exactly what the Python SDK sent.
    for d in datagrams:
        write("daemon-datagram", d)

    # Streams: the first byte is the chunk size the harness cuts the rest into.
    write("record-stream", bytes([7]) + "\n".join(xray[:10]).encode() + b"\n")
    write("record-stream", bytes([255]) + "\n".join(otlp[:3]).encode())
    write("record-stream", bytes([0]) + ("\n".join(xray[:3]) + "\n" + otlp[0] + "\nnot json\n").encode())
    with open(os.path.join(FIXTURES, "batch-get-traces.json"), "rb") as f:
        batch = f.read()
    write("record-stream", bytes([31]) + batch)
    with open(os.path.join(FIXTURES, "mixed-bad.jsonl"), "rb") as f:
        write("record-stream", bytes([3]) + f.read())

    # BatchGetTraces output, as `aws xray batch-get-traces` prints it.
    write("batch-get-traces", batch)
    docs = [json.loads(x) for x in xray[:6]]
    write("batch-get-traces", json.dumps({"Traces": [{"Id": docs[0]["trace_id"], "Duration": 0.5, "Segments": [
        {"Id": d["id"], "Document": json.dumps(d)} for d in docs]}], "UnprocessedTraceIds": []}))
    write("batch-get-traces", json.dumps({"Traces": [], "UnprocessedTraceIds": ["1-6b003640-269e0d37f2a74de452e6b438"],
                                          "NextToken": "abc"}))

    # The X-Ray API's answers; the first byte picks the operation (0 graph, 1 summaries, 2 paging, 3 put).
    service_graph = {"StartTime": 1795176000, "EndTime": 1795176600, "Services": [
        {"ReferenceId": 0, "Name": "shop-api/prod", "Root": True, "Type": "AWS::ApiGateway::Stage",
         "Edges": [{"ReferenceId": 1, "SummaryStatistics": {"OkCount": 570, "ErrorStatistics": {
             "ThrottleCount": 10, "OtherCount": 5, "TotalCount": 15}, "FaultStatistics": {"OtherCount": 15,
             "TotalCount": 15}, "TotalCount": 600, "TotalResponseTime": 120.0},
             "ResponseTimeHistogram": [{"Value": 0.1, "Count": 500}, {"Value": 0.9, "Count": 100}]}],
         "SummaryStatistics": {"OkCount": 570, "TotalCount": 600, "TotalResponseTime": 126.0},
         "ResponseTimeHistogram": [{"Value": 0.1, "Count": 500}, {"Value": 1.0, "Count": 100}]},
        {"ReferenceId": 1, "Name": "checkout", "Type": "AWS::Lambda::Function", "Edges": [],
         "SummaryStatistics": {"OkCount": 580, "ErrorStatistics": {"ThrottleCount": 20, "TotalCount": 20},
                               "TotalCount": 600, "TotalResponseTime": 110.0},
         "ResponseTimeHistogram": [{"Value": 0.09, "Count": 600}]},
        {"ReferenceId": 2, "Name": "client", "Type": "client", "Edges": [{"ReferenceId": 0}]}], "NextToken": "n"}
    write("xray-api", bytes([0]) + json.dumps(service_graph).encode())
    write("xray-api", bytes([1]) + json.dumps({"TraceSummaries": [
        {"Id": "1-6b003640-269e0d37f2a74de452e6b438", "StartTime": 1795176000, "Duration": 0.5,
         "ResponseTime": 0.4, "HasFault": True, "HasError": False, "HasThrottle": False, "IsPartial": False}],
        "ApproximateTime": 1795176600, "TracesProcessedCount": 1, "NextToken": "t"}).encode())
    write("xray-api", bytes([2]) + json.dumps({"Traces": [], "UnprocessedTraceIds": ["1-a-b"], "NextToken": "x"}).encode())
    write("xray-api", bytes([3]) + json.dumps({"UnprocessedTraceSegments": [
        {"Id": "0000000000000001", "ErrorCode": "ThrottledException", "Message": "slow down"}]}).encode())

    # OTLP requests: the sample's JSON, and the same encoded as protobuf by opentelemetry-proto.
    for line in otlp[:6]:
        write("otlp-json", line)
    try:
        from google.protobuf import json_format
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
        for line in otlp[:6]:
            request = json_format.Parse(proto_json(line), ExportTraceServiceRequest(), ignore_unknown_fields=True)
            write("otlp-protobuf", request.SerializeToString())
    except ImportError:
        sys.exit("opentelemetry-proto is needed: run the tests once (they make .build/python-venv), then use its python")

    # gzip: files as rotated logs and request bodies arrive (one member, two members, zlib, empty).
    body = ("\n".join(xray[:5]) + "\n").encode()
    write("gzip", gzip.compress(body, mtime=0))
    write("gzip", gzip.compress(body[:200], mtime=0) + gzip.compress(body[200:], mtime=0))
    write("gzip", zlib.compress(body))
    write("gzip", gzip.compress(b"", mtime=0))

    # Filter expressions, as the README and the dashboard's help give them.
    for f in ['service("checkout") AND responsetime > 1', 'edge("shop-api/prod", "checkout") OR fault',
              '!ok AND http.url CONTAINS "/cart" AND annotation.customer = "gold"',
              '(http.status >= 500 OR throttle) AND duration < 3', 'NOT (error || fault) && http.method = "POST"',
              'annotation.n >= 3 AND http.useragent BEGINSWITH "cu"', 'http.clientip ENDSWITH ".1"']:
        write("filter", f)

    # Gates, k6 style, absolute and relative.
    for g in ["p(95) < 800", "checkout: p(99) <= 1200", "error_rate < 0.01", "fault_rate <= 0",
              "shop-api/prod -> checkout: throttle_rate < 0.05", "checkout.init: p(99) < 500",
              "checkout: p(95) <= +10%", "cold_start_rate < 0.2", "requests >= 10", "p(99.9) < 2s",
              "significant_regressions == 0", "significant_regressions <= 2"]:
        write("gate", g)

    # Baselines: summaries as `tracescope summary --format json` writes them.
    for sample in ["checkout-xray.jsonl", "shop-otlp.jsonl"]:
        out = subprocess.run([tracescope, "summary", "--format", "json", os.path.join(SAMPLES, sample)],
                             capture_output=True, check=False).stdout
        if not out.strip():
            sys.exit(f"{tracescope} summary gave nothing for {sample}")
        write("baseline", out)
    write("baseline", json.dumps({"schema": "tracescope.summary/v1", "window": {"start": "2026-11-20T10:00:00Z",
          "end": "2026-11-20T10:10:00Z"}, "traces": {"count": 3, "p50_ms": 1, "p95_ms": 2, "p99_ms": 3},
          "services": [], "edges": [], "functions": []}))

    # Sampling rules, versions 1 and 2.
    write("sampling-rules", json.dumps({"version": 2, "rules": [
        {"description": "health", "host": "*", "http_method": "GET", "url_path": "/health*", "fixed_target": 0,
         "rate": 0},
        {"description": "checkout", "host": "shop.*.com", "http_method": "POST", "url_path": "/checkout/?",
         "fixed_target": 2, "rate": 0.1}], "default": {"fixed_target": 1, "rate": 0.05}}))
    write("sampling-rules", json.dumps({"version": 1, "rules": [
        {"description": "svc", "service_name": "check*", "http_method": "*", "url_path": "*", "fixed_target": 1,
         "rate": 0.5}], "default": {"fixed_target": 1, "rate": 0.05}}))
    write("sampling-rules", json.dumps({"version": 2, "default": {"fixed_target": 0, "rate": 1}}))

    # Trace headers.
    for h in ["Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
              "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?;Lineage=a87bd80c:1|68fd508a:5",
              " root = 1-5759e988-bd862e3fe1be46a994272793 ; Self=1-abc;Sampled=0",
              "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
              "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra"]:
        write("trace-headers", h)

    # HTTP requests, as OTLP exporters and X-Ray SDKs send them; the first byte is the read size.
    json_body = otlp[0].encode()
    proto_body = json_format.Parse(
        proto_json(otlp[0]), ExportTraceServiceRequest(), ignore_unknown_fields=True).SerializeToString()
    def request(path, body, ctype, extra=""):
        return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {ctype}\r\n{extra}"
                f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    write("http-request", bytes([255]) + request("/v1/traces", json_body, "application/json"))
    write("http-request", bytes([16]) + request("/v1/traces", proto_body, "application/x-protobuf"))
    zipped = gzip.compress(proto_body, mtime=0)
    write("http-request", bytes([255]) + request("/v1/traces", zipped, "application/x-protobuf",
                                                 "Content-Encoding: gzip\r\n"))
    chunked = (b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n" + f"{len(json_body):x}\r\n".encode() + json_body + b"\r\n0\r\n\r\n")
    write("http-request", bytes([5]) + chunked)
    write("http-request", bytes([255]) + request("/GetSamplingRules", b"{}", "application/json")
          + request("/SamplingTargets", b'{"SamplingStatisticsDocuments":[]}', "application/json"))
    write("http-request", bytes([255]) + b"GET /v1/traces HTTP/1.1\r\nHost: x\r\n\r\n")


if __name__ == "__main__":
    main()
