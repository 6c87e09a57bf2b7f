#!/usr/bin/env python3
"""A hostile peer against the real `tracescope collect`, while good clients go on sending.

    hostile_load.py TRACESCOPE BUDGET_MB

Starts the collector on free loopback ports with --max-memory BUDGET_MB and a 3 s request timeout, then at once:
huge attribute values, one trace of a million spans, gzip bombs, a thousand idle connections, bodies trickled a
byte at a time, garbage datagrams, and over OTLP/gRPC floods of near-limit messages from many concurrent calls.
Meanwhile good OTLP/HTTP and OTLP/gRPC exports and datagrams keep arriving, with the retry on 503 and
RESOURCE_EXHAUSTED that OTLP exporters do. Resident memory is sampled throughout. The last line is

    HOSTILE peak_rss_mb=… base_mb=… budget_mb=… good=…/… good_grpc=…/… trickles_cut=…/… worst_cut_s=… idle_accepted=…

and the exit status is 0 when the peak stayed under base + budget, every good request was served, and every trickle
was cut within the timeout (plus two seconds of slack).
"""
import gzip
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

import grpc
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

BINARY, BUDGET_MB = sys.argv[1], int(sys.argv[2])
REQUEST_TIMEOUT_S = 3


def free_port():
    """A port free for both UDP and TCP (the daemon port takes both)."""
    while True:
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def hex_id(n, width):
    return format(n, f"0{width}x")


def otlp_json(trace, spans, attribute=None):
    """One ExportTraceServiceRequest in OTLP JSON with `spans` spans of one trace."""
    now = time.time_ns()
    items = []
    for i in range(spans):
        attrs = []
        if attribute is not None:
            attrs.append({"key": "payload", "value": {"stringValue": attribute}})
        items.append({
            "traceId": trace, "spanId": hex_id(random.getrandbits(64) | 1, 16), "name": f"op{i % 7}", "kind": 2,
            "startTimeUnixNano": str(now - 5_000_000), "endTimeUnixNano": str(now), "attributes": attrs})
    return json.dumps({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "hostile"}}]},
        "scopeSpans": [{"spans": items}]}]}).encode()


def otlp_protobuf(trace, spans):
    """The same request as `otlp_json`, as protobuf (ids in base64, as protobuf's JSON mapping reads bytes)."""
    import base64
    request = json.loads(otlp_json(trace, spans))
    for span in request["resourceSpans"][0]["scopeSpans"][0]["spans"]:
        for key in ("traceId", "spanId"):
            span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
    return json_format.Parse(json.dumps(request), ExportTraceServiceRequest()).SerializeToString()


EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
RETRYABLE = (grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNAVAILABLE)


def post(port, body, headers=None, timeout=15):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        conn.request("POST", "/v1/traces", body=body, headers=h)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Retry-After")
    except OSError:
        return 0, None
    finally:
        conn.close()


def main():
    port = free_port()
    otlp = free_port()
    grpc_port = free_port()
    collector = subprocess.Popen(
        [BINARY, "collect", "--udp", f"127.0.0.1:{port}", "--otlp", f"127.0.0.1:{otlp}",
         "--grpc", f"127.0.0.1:{grpc_port}",
         "--max-memory", str(BUDGET_MB), "--duration", "300", "--status-interval", "5",
         "--request-timeout", f"{REQUEST_TIMEOUT_S}s"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log = []
    ready = threading.Event()

    def read_log():
        for line in collector.stderr:
            log.append(line.rstrip())
            if "Ctrl-C to stop" in line:
                ready.set()

    threading.Thread(target=read_log, daemon=True).start()
    if not ready.wait(30):
        collector.kill()
        sys.exit("the collector did not start: " + "\n".join(log))
    time.sleep(1)
    base = rss_mb(collector.pid)
    peak = [base]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            try:
                peak[0] = max(peak[0], rss_mb(collector.pid))
            except OSError:
                return
            time.sleep(0.05)

    good = {"sent": 0, "served": 0}
    good_grpc = {"sent": 0, "served": 0}
    trickles = []
    idle = []
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def good_traffic():
        while not stop.is_set():
            trace = hex_id(random.getrandbits(128), 32)
            body = otlp_json(trace, 3)
            good["sent"] += 1
            deadline = time.time() + 20
            while time.time() < deadline:
                status, retry = post(otlp, body)
                if status == 200:
                    good["served"] += 1
                    break
                time.sleep(float(retry or 0.5))
            segment = {"name": "good", "id": hex_id(random.getrandbits(64), 16),
                       "trace_id": f"1-{int(time.time()):08x}-{hex_id(random.getrandbits(96), 24)}",
                       "start_time": time.time() - 0.01, "end_time": time.time()}
            udp.sendto(b'{"format":"json","version":1}\n' + json.dumps(segment).encode(), ("127.0.0.1", port))
            time.sleep(0.1)

    def good_grpc_traffic():
        channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
        export = channel.unary_unary(EXPORT, request_serializer=None, response_deserializer=None)
        while not stop.is_set():
            body = otlp_protobuf(hex_id(random.getrandbits(128), 32), 3)
            good_grpc["sent"] += 1
            deadline = time.time() + 20
            while time.time() < deadline:
                try:
                    export(body, timeout=10)
                    good_grpc["served"] += 1
                    break
                except grpc.RpcError as error:
                    if error.code() not in RETRYABLE:
                        break
                    time.sleep(0.5)
            time.sleep(0.1)
        channel.close()

    def grpc_flood():
        # Near the 4 MiB limit, from 32 calls at once on one connection, three rounds.
        big = otlp_protobuf(hex_id(random.getrandbits(128), 32), 20_000)
        channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}",
                                        options=[("grpc.max_send_message_length", 16 << 20)])
        export = channel.unary_unary(EXPORT, request_serializer=None, response_deserializer=None)
        for _ in range(3):
            futures = [export.future(big, timeout=30) for _ in range(32)]
            for f in futures:
                try:
                    f.result()
                except grpc.RpcError:
                    pass
        channel.close()

    def huge_attributes():
        value = "x" * (1_500_000)
        for _ in range(40):
            post(otlp, otlp_json(hex_id(random.getrandbits(128), 32), 1, value))
        post(otlp, otlp_json(hex_id(random.getrandbits(128), 32), 1, "y" * 3_000_000))

    def million_span_trace():
        trace = hex_id(random.getrandbits(128), 32)
        for _ in range(100):
            post(otlp, otlp_json(trace, 10_000))

    def gzip_bombs():
        bomb = gzip.compress(bytes(256 << 20), 9)
        for _ in range(12):
            post(otlp, bomb, {"Content-Encoding": "gzip"})

    def idle_connections():
        for _ in range(1000):
            s = socket.socket()
            s.settimeout(5)
            try:
                s.connect(("127.0.0.1", otlp))
                idle.append(s)
            except OSError:
                s.close()

    def trickle(n):
        s = socket.socket()
        s.settimeout(1)
        started = time.time()
        cut = None
        try:
            s.connect(("127.0.0.1", otlp))
            s.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100000\r\n\r\n")
        except OSError:
            # Closed at once (the listener at its connection limit): cut too.
            s.close()
            trickles.append(time.time() - started)
            return
        while time.time() - started < REQUEST_TIMEOUT_S + 10:
            try:
                s.sendall(b"{")
                if s.recv(1) == b"":
                    cut = time.time() - started
                    break
            except socket.timeout:
                continue
            except OSError:
                cut = time.time() - started
                break
            time.sleep(0.2)
        s.close()
        trickles.append(cut)

    def garbage_datagrams():
        for i in range(2000):
            udp.sendto(os.urandom(random.randint(1, 60_000)), ("127.0.0.1", port))
            if i % 100 == 0:
                time.sleep(0.01)

    threading.Thread(target=sample, daemon=True).start()
    goods = [threading.Thread(target=good_traffic, daemon=True) for _ in range(2)]
    goods.append(threading.Thread(target=good_grpc_traffic, daemon=True))
    for g in goods:
        g.start()
    hostile = [threading.Thread(target=f) for f in
               (huge_attributes, million_span_trace, gzip_bombs, idle_connections, garbage_datagrams, grpc_flood)]
    hostile += [threading.Thread(target=trickle, args=(n,)) for n in range(20)]
    for h in hostile:
        h.start()
    for h in hostile:
        h.join()
    time.sleep(2)
    stop.set()
    for g in goods:
        g.join(30)
    for s in idle:
        s.close()
    collector.send_signal(signal.SIGINT)
    try:
        collector.wait(30)
    except subprocess.TimeoutExpired:
        collector.kill()
        collector.wait()
    time.sleep(0.2)
    cut = [t for t in trickles if t is not None]
    worst = max(cut) if cut else float("inf")
    ok = (peak[0] <= base + BUDGET_MB and good["served"] == good["sent"] and good["sent"] > 0
          and good_grpc["served"] == good_grpc["sent"] and good_grpc["sent"] > 0
          and len(cut) == len(trickles) and worst <= REQUEST_TIMEOUT_S + 2)
    for line in log[-6:]:
        print(line)
    print(f"HOSTILE peak_rss_mb={peak[0]:.1f} base_mb={base:.1f} budget_mb={BUDGET_MB} "
          f"good={good['served']}/{good['sent']} good_grpc={good_grpc['served']}/{good_grpc['sent']} trickles_cut={len(cut)}/{len(trickles)} worst_cut_s={worst:.1f} "
          f"idle_accepted={len(idle)}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
