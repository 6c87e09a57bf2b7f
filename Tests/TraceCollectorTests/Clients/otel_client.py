"""Drives the collector with the real OpenTelemetry SDK for Python and its OTLP exporter: OTLP/HTTP (protobuf) by
default, or `grpc [gzip|none]` for the OTLP/gRPC exporter at OTEL_GRPC_ENDPOINT.

Four checkout requests across three services: frontend (SERVER) -> cart (CLIENT/SERVER pair), cart -> postgres
(a database peer), cart PRODUCER -> fulfillment CONSUMER on Kafka; the fourth request fails with 500 in cart.
"""
import os
import sys

from opentelemetry import propagate
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

transport = sys.argv[1] if len(sys.argv) > 1 else "http"


def exporter():
    if transport == "grpc":
        import grpc
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GRPCSpanExporter

        compression = grpc.Compression.Gzip if len(sys.argv) > 2 and sys.argv[2] == "gzip" else grpc.Compression.NoCompression
        return GRPCSpanExporter(endpoint=os.environ["OTEL_GRPC_ENDPOINT"], insecure=True, compression=compression)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"].rstrip("/") + "/v1/traces")


def provider(name):
    p = TracerProvider(resource=Resource.create({"service.name": name}))
    p.add_span_processor(SimpleSpanProcessor(exporter()))
    return p


providers = [provider("frontend"), provider("cart"), provider("fulfillment")]
frontend, cart, fulfillment = (p.get_tracer("shop") for p in providers)

for i in range(4):
    failing = i == 3
    status = 500 if failing else 200
    with frontend.start_as_current_span("GET /checkout", kind=SpanKind.SERVER,
                                        attributes={"http.request.method": "GET", "http.response.status_code": status}):
        with frontend.start_as_current_span("POST", kind=SpanKind.CLIENT,
                                            attributes={"peer.service": "cart", "http.response.status_code": status}):
            carrier = {}
            propagate.inject(carrier)
            with cart.start_as_current_span("POST /cart", context=propagate.extract(carrier), kind=SpanKind.SERVER,
                                            attributes={"http.response.status_code": status}) as server:
                with cart.start_as_current_span("SELECT carts", kind=SpanKind.CLIENT,
                                                attributes={"db.system": "postgresql", "db.name": "carts"}):
                    pass
                if failing:
                    server.record_exception(ValueError("cart 42 is locked"))
                    server.set_status(Status(StatusCode.ERROR, "cart locked"))
                else:
                    with cart.start_as_current_span("orders publish", kind=SpanKind.PRODUCER,
                                                    attributes={"messaging.system": "kafka",
                                                                "messaging.destination.name": "orders"}):
                        message = {}
                        propagate.inject(message)
                        with fulfillment.start_as_current_span("orders process", context=propagate.extract(message),
                                                               kind=SpanKind.CONSUMER,
                                                               attributes={"messaging.system": "kafka"}):
                            pass

for p in providers:
    p.force_flush()
    p.shutdown()
print("sent")
