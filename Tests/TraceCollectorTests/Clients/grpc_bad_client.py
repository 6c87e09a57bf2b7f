"""Tries the OTLP/gRPC receiver as a hostile or broken peer would, and checks it still serves a good export after
each: prints one JSON object of what each case got back.

truncated: a message that is not a whole ExportTraceServiceRequest; oversized: a message over the limit (argv[2]
bytes); garbage: bytes that are not HTTP/2 at all; wrongtype: an HTTP/2 request with content-type application/json;
silent: a stream opened with its headers and never sent a message (held open while a good export goes through).
"""
import json
import socket
import sys
import time

import grpc
import h2.config
import h2.connection
import h2.events

address = sys.argv[1]
host, port = address.rsplit(":", 1)
limit = int(sys.argv[2])
method = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
results = {}


def call(payload):
    with grpc.insecure_channel(address) as channel:
        export = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
        try:
            export(payload, timeout=10)
            return "OK"
        except grpc.RpcError as error:
            return error.code().name


def good():
    return call(b"")


def h2_request(content_type, send_body):
    sock = socket.create_connection((host, int(port)), timeout=5)
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    headers = [(":method", "POST"), (":scheme", "http"), (":authority", address), (":path", method),
               ("content-type", content_type), ("te", "trailers")]
    conn.send_headers(1, headers, end_stream=not send_body)
    if send_body:
        conn.send_data(1, b"\x00\x00\x00\x00\x00", end_stream=True)
    sock.sendall(conn.data_to_send())
    return sock, conn


def response_status(sock, conn):
    deadline = time.time() + 5
    while time.time() < deadline:
        data = sock.recv(65536)
        if not data:
            return "closed"
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived):
                return dict((k.decode() if isinstance(k, bytes) else k, v.decode() if isinstance(v, bytes) else v)
                            for k, v in event.headers)
    return "timeout"


results["truncated"] = call(b"\x0a\xff\x7fabc")
results["after_truncated"] = good()
results["oversized"] = call(b"\x0a" + b"\x00" * (limit + 1024))
results["after_oversized"] = good()

raw = socket.create_connection((host, int(port)), timeout=5)
raw.sendall(bytes(range(256)) * 64)
raw.close()
results["after_garbage"] = good()

sock, conn = h2_request("application/json", send_body=True)
headers = response_status(sock, conn)
results["wrongtype"] = headers if isinstance(headers, str) else headers.get(":status", "") + "/" + headers.get("grpc-status", "")
sock.close()
results["after_wrongtype"] = good()

silent, _ = h2_request("application/grpc", send_body=False)
results["during_silent"] = good()
silent.close()

print(json.dumps(results))
