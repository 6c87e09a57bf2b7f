#!/usr/bin/env python3
"""Writes Tracescope's sample traces, deterministically.

    python3 sample-traces/generate.py checkout   > sample-traces/checkout-xray.jsonl
    python3 sample-traces/generate.py checkout --seed 8 --payments-slowdown 0.1 > sample-traces/checkout-xray-after.jsonl
    python3 sample-traces/generate.py otlp       > sample-traces/shop-otlp.jsonl
    python3 sample-traces/generate.py stress --segments 1000000 --out sample-traces/stress-1m.jsonl

`checkout`: a serverless checkout flow as the AWS services themselves report it to X-Ray: API Gateway -> the
checkout function (AWS::Lambda + AWS::Lambda::Function with Initialization/Invocation/Overhead) -> DynamoDB, SQS
and an external payments API, plus an async invoke of an email sender whose AWS::Lambda segment carries a
`Dwell time` subsegment. Cold starts, 4xx, 429 throttles and 5xx faults are planted at known rates (see README).

`otlp`: the same kind of shop as OpenTelemetry would export it, one ExportTraceServiceRequest per line per service:
frontend -> cart -> postgres, cart -> kafka (producer) -> fulfillment (consumer), frontend -> payments (uninstrumented,
peer.service only).

`stress`: N segments of checkout-shaped traffic (3 segments a trace), written fast, for benchmarks.
"""
import argparse
import calendar
import json
import random
import sys

BASE = calendar.timegm((2026, 11, 20, 12, 0, 0)) * 1.0
REGION = "us-east-1"
ACCOUNT = "123456789012"


class Ids:
    def __init__(self, rng):
        self.rng = rng

    def span(self):
        return "%016x" % self.rng.getrandbits(64)

    def trace(self, t):
        return "1-%08x-%024x" % (int(t), self.rng.getrandbits(96))


def ts(t):
    return round(t, 6)


def checkout(seed=7, traces=240, out=sys.stdout, payments_slowdown=0.0):
    """~240 checkout requests over four minutes, with planted faults, throttles, errors and cold starts.

    `payments_slowdown` (seconds) is added to every call to the payments API: the "after a bad deploy" run.
    """
    rng = random.Random(seed)
    ids = Ids(rng)
    docs = []
    warm_until = {"checkout": -1.0, "email-sender": -1.0}
    t = BASE
    for n in range(traces):
        # Arrivals: mostly ~1/s, with an idle gap every 80 requests (so the next invoke is a cold start again).
        t += rng.expovariate(1.0) if n % 80 else (0 if n == 0 else 400.0)
        trace_id = ids.trace(t)
        roll = rng.random()
        if n % 50 == 17:
            outcome = "gateway-throttle"     # API Gateway rejects the burst itself: 429, Lambda never runs
        elif roll < 0.05:
            outcome = "payments-fault"       # the payments API answers 503: a 502 all the way up
        elif roll < 0.09:
            outcome = "dynamo-throttle"      # DynamoDB throttles the write: the function answers 429
        elif roll < 0.15:
            outcome = "bad-request"          # validation fails: 400 before any downstream call
        else:
            outcome = "ok"

        gw_id, gw_call = ids.span(), ids.span()
        gw_start = t
        gw = {
            "name": "shop-api/prod", "id": gw_id, "trace_id": trace_id, "start_time": ts(gw_start),
            "origin": "AWS::ApiGateway::Stage",
            "resource_arn": "arn:aws:apigateway:%s::/restapis/a1b2c3/stages/prod" % REGION,
            "http": {"request": {"method": "POST", "url": "https://a1b2c3.execute-api.%s.amazonaws.com/prod/checkout" % REGION,
                                 "client_ip": "198.51.100.%d" % rng.randint(2, 250), "user_agent": "shop-web/3.2"}},
            "annotations": {"stage": "prod"},
            "aws": {"api_id": "a1b2c3", "resource_path": "/checkout", "stage": "prod", "account_id": ACCOUNT},
        }
        if outcome == "gateway-throttle":
            end = gw_start + rng.uniform(0.002, 0.006)
            gw.update(end_time=ts(end), error=True, throttle=True)
            gw["http"]["response"] = {"status": 429, "content_length": 29}
            docs.append(gw)
            continue

        # The Lambda service segment (sync invoke) and the function segment.
        lam_start = gw_start + rng.uniform(0.003, 0.008)
        fn_id, lam_id = ids.span(), ids.span()
        # Cold: after an idle period, or on scale-out when a burst needs a new execution environment.
        cold = lam_start > warm_until["checkout"] or rng.random() < 0.05
        init = rng.uniform(0.35, 0.9) if cold else 0.0
        fn_start = lam_start + rng.uniform(0.001, 0.004)
        cursor = fn_start
        fn_subs = []
        if cold:
            fn_subs.append({"name": "Initialization", "id": ids.span(), "start_time": ts(cursor),
                            "end_time": ts(cursor + init), "aws": {"function_arn": fn_arn("checkout")}})
            cursor += init
        inv_start = cursor
        inv_subs = []
        status = 200
        fault = error = throttle = False
        cursor += rng.uniform(0.002, 0.01)
        if outcome == "bad-request":
            status, error = 400, True
        else:
            # DynamoDB: write the order.
            d = rng.lognormvariate(-4.2, 0.35)
            ddb = {"name": "DynamoDB", "id": ids.span(), "start_time": ts(cursor), "end_time": ts(cursor + d),
                   "namespace": "aws", "aws": {"operation": "PutItem", "table_name": "orders", "region": REGION,
                                                "request_id": "R%010d" % rng.getrandbits(32), "retries": 0},
                   "http": {"response": {"status": 200, "content_length": 2}}}
            cursor += d
            if outcome == "dynamo-throttle":
                ddb.update(error=True, throttle=True)
                ddb["http"]["response"]["status"] = 400
                ddb["aws"]["retries"] = 3
                ddb["cause"] = {"working_directory": "/var/task", "exceptions": [{
                    "id": ids.span(), "type": "ProvisionedThroughputExceededException", "remote": True,
                    "message": "The level of configured provisioned throughput for the table was exceeded."}]}
                inv_subs.append(ddb)
                status, throttle, error = 429, True, True
            else:
                inv_subs.append(ddb)
                # The payments API (a remote, uninstrumented service).
                p = rng.lognormvariate(-2.3, 0.5) * (4 if rng.random() < 0.03 else 1) + payments_slowdown  # a long tail
                pay = {"name": "api.payments.example.com", "id": ids.span(), "start_time": ts(cursor),
                       "end_time": ts(cursor + p), "namespace": "remote",
                       "http": {"request": {"method": "POST", "url": "https://api.payments.example.com/v1/charges",
                                            "traced": False},
                                "response": {"status": 200, "content_length": 412}}}
                cursor += p
                if outcome == "payments-fault":
                    pay["fault"] = True
                    pay["http"]["response"] = {"status": 503, "content_length": 19}
                    pay["cause"] = {"working_directory": "/var/task", "exceptions": [{
                        "id": ids.span(), "type": "PaymentsUnavailable", "message": "upstream answered 503",
                        "stack": [{"path": "/var/task/checkout/payments.py", "line": 88, "label": "charge"},
                                  {"path": "/var/task/checkout/handler.py", "line": 41, "label": "handle"}]}]}
                    inv_subs.append(pay)
                    status, fault = 502, True
                else:
                    inv_subs.append(pay)
                    # SQS: enqueue the fulfilment message.
                    q = rng.lognormvariate(-4.6, 0.3)
                    inv_subs.append({"name": "SQS", "id": ids.span(), "start_time": ts(cursor), "end_time": ts(cursor + q),
                                     "namespace": "aws", "aws": {"operation": "SendMessage", "region": REGION,
                                     "queue_url": "https://sqs.%s.amazonaws.com/%s/fulfilment" % (REGION, ACCOUNT)},
                                     "http": {"response": {"status": 200}}})
                    cursor += q
                    # Async invoke of the email sender (Event invocation type).
                    a = rng.uniform(0.008, 0.02)
                    email_call = ids.span()
                    inv_subs.append({"name": "Lambda", "id": email_call, "start_time": ts(cursor), "end_time": ts(cursor + a),
                                     "namespace": "aws", "aws": {"operation": "Invoke", "function_name": "email-sender",
                                                                 "invocation_type": "Event", "region": REGION},
                                     "http": {"response": {"status": 202}}})
                    docs.extend(email_sender(rng, ids, trace_id, email_call, cursor + a, warm_until))
                    cursor += a
        cursor += rng.uniform(0.001, 0.005)
        inv_end = cursor
        fn_subs.append({"name": "Invocation", "id": ids.span(), "start_time": ts(inv_start), "end_time": ts(inv_end),
                        "aws": {"function_arn": fn_arn("checkout")}, "subsegments": inv_subs,
                        **({"fault": True} if fault else {}),
                        **({"error": True} if error and not fault else {})})
        overhead = rng.uniform(0.0005, 0.003)
        fn_subs.append({"name": "Overhead", "id": ids.span(), "start_time": ts(inv_end),
                        "end_time": ts(inv_end + overhead), "aws": {"function_arn": fn_arn("checkout")}})
        fn_end = inv_end + overhead
        warm_until["checkout"] = fn_end + 300
        fn = {"name": "checkout", "id": fn_id, "trace_id": trace_id, "parent_id": lam_id, "start_time": ts(fn_start),
              "end_time": ts(fn_end), "origin": "AWS::Lambda::Function",
              "aws": {"account_id": ACCOUNT, "function_arn": fn_arn("checkout"), "resource_names": ["checkout"]},
              "annotations": {"cold_start": cold, "order_total": round(rng.uniform(5, 250), 2)},
              "metadata": {"build": {"commit": "9f3c2ab", "runtime": "python3.12"}},
              "subsegments": fn_subs}
        if fault:
            fn["fault"] = True
        lam_end = fn_end + rng.uniform(0.0005, 0.002)
        lam = {"name": "checkout", "id": lam_id, "trace_id": trace_id, "parent_id": gw_call, "start_time": ts(lam_start),
               "end_time": ts(lam_end), "origin": "AWS::Lambda",
               "http": {"response": {"status": 200}},
               "aws": {"account_id": ACCOUNT, "function_arn": fn_arn("checkout"), "resource_names": ["checkout"],
                       "request_id": "%08x-0000-4000-8000-%012x" % (rng.getrandbits(32), rng.getrandbits(48))}}
        gw_end = lam_end + rng.uniform(0.001, 0.004)
        gw["subsegments"] = [{"name": "Lambda", "id": gw_call, "start_time": ts(lam_start - 0.001), "end_time": ts(gw_end - 0.0005),
                              "namespace": "aws", "aws": {"operation": "Invoke", "function_name": "checkout", "region": REGION},
                              "http": {"response": {"status": status}},
                              **({"fault": True} if fault else {}),
                              **({"error": True} if error else {}),
                              **({"throttle": True} if throttle else {})}]
        gw["end_time"] = ts(gw_end)
        gw["http"]["response"] = {"status": status, "content_length": 64}
        if fault:
            gw["fault"] = True
        elif error:
            gw["error"] = True
            if throttle:
                gw["throttle"] = True
        docs.append(gw)
        docs.append(lam)
        docs.append(fn)
    # Documents arrive at the collector in end-time order, as the services flush them.
    docs.sort(key=lambda d: d["end_time"])
    for d in docs:
        out.write(json.dumps(d, separators=(",", ":")) + "\n")


def email_sender(rng, ids, trace_id, parent_call, enqueued, warm_until):
    """The async email sender: an AWS::Lambda segment with Dwell time, then the function segment."""
    lam_id, fn_id = ids.span(), ids.span()
    dwell = rng.uniform(0.015, 0.25) * (6 if rng.random() < 0.05 else 1)
    lam_start = enqueued + 0.0005
    attempt_start = lam_start + dwell
    cold = attempt_start > warm_until["email-sender"] or rng.random() < 0.05
    init = rng.uniform(0.25, 0.6) if cold else 0.0
    fn_start = attempt_start + 0.001
    cursor = fn_start
    subs = []
    if cold:
        subs.append({"name": "Initialization", "id": ids.span(), "start_time": ts(cursor), "end_time": ts(cursor + init)})
        cursor += init
    h = rng.lognormvariate(-3.5, 0.4)
    s3 = min(h * 0.4, 0.05)
    subs.append({"name": "Invocation", "id": ids.span(), "start_time": ts(cursor), "end_time": ts(cursor + h),
                 "subsegments": [{"name": "S3", "id": ids.span(), "start_time": ts(cursor + 0.001),
                                  "end_time": ts(cursor + 0.001 + s3), "namespace": "aws",
                                  "aws": {"operation": "GetObject", "bucket_name": "shop-email-templates", "region": REGION},
                                  "http": {"response": {"status": 200}}}]})
    cursor += h
    o = rng.uniform(0.0005, 0.002)
    subs.append({"name": "Overhead", "id": ids.span(), "start_time": ts(cursor), "end_time": ts(cursor + o)})
    fn_end = cursor + o
    warm_until["email-sender"] = fn_end + 300
    lam_end = fn_end + 0.001
    lam = {"name": "email-sender", "id": lam_id, "trace_id": trace_id, "parent_id": parent_call,
           "start_time": ts(lam_start), "end_time": ts(lam_end), "origin": "AWS::Lambda",
           "aws": {"account_id": ACCOUNT, "function_arn": fn_arn("email-sender")},
           "subsegments": [
               {"name": "Dwell time", "id": ids.span(), "start_time": ts(lam_start), "end_time": ts(attempt_start)},
               {"name": "Attempt #1", "id": ids.span(), "start_time": ts(attempt_start), "end_time": ts(lam_end),
                "aws": {"status": "success"}}]}
    fn = {"name": "email-sender", "id": fn_id, "trace_id": trace_id, "parent_id": lam_id, "start_time": ts(fn_start),
          "end_time": ts(fn_end), "origin": "AWS::Lambda::Function",
          "aws": {"account_id": ACCOUNT, "function_arn": fn_arn("email-sender")}, "subsegments": subs}
    return [lam, fn]


def fn_arn(name):
    return "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, name)


# ---------------------------------------------------------------------------------------------------------- OTLP

def otlp(seed=11, traces=150, out=sys.stdout):
    rng = random.Random(seed)
    t = int(BASE * 1e9)
    for n in range(traces):
        t += int(rng.expovariate(2.0) * 1e9)
        tid = "%032x" % rng.getrandbits(128)
        sid = lambda: "%016x" % rng.getrandbits(64)
        batches = {"frontend": [], "cart": [], "fulfillment": []}
        fail_cart = n % 15 == 4
        fail_payments = n % 25 == 9
        not_found = n % 20 == 13
        fe_server, fe_cart, fe_pay = sid(), sid(), sid()
        c = t + 2_000_000
        cart_server, db, produce = sid(), sid(), sid()
        db_d = int(rng.lognormvariate(-5, 0.4) * 1e9)
        cart_end = c + 1_000_000 + db_d + 3_000_000
        cart_status = 500 if fail_cart else (404 if not_found else 200)
        batches["cart"].append(span(tid, cart_server, fe_cart, "POST /cart/checkout", 2, c, cart_end,
                                    {"http.request.method": "POST", "url.path": "/cart/checkout",
                                     "http.response.status_code": cart_status}, error=fail_cart,
                                    exception=("CartLocked", "cart 42 is locked") if fail_cart else None))
        batches["cart"].append(span(tid, db, cart_server, "SELECT carts", 3, c + 500_000, c + 500_000 + db_d,
                                    {"db.system": "postgresql", "db.name": "carts", "server.address": "carts-db.internal",
                                     "db.statement": "SELECT * FROM carts WHERE id = $1"}))
        fe_end = cart_end + 1_000_000
        if not fail_cart and not not_found:
            p_start = c + 600_000 + db_d
            batches["cart"].append(span(tid, produce, cart_server, "orders publish", 4, p_start, p_start + 800_000,
                                        {"messaging.system": "kafka", "messaging.destination.name": "orders"}))
            consume_start = p_start + int(rng.uniform(0.005, 0.05) * 1e9)
            batches["fulfillment"].append(span(tid, sid(), produce, "orders process", 5, consume_start,
                                               consume_start + int(rng.lognormvariate(-3.5, 0.5) * 1e9),
                                               {"messaging.system": "kafka", "messaging.destination.name": "orders"}))
            pay_start = cart_end + 500_000
            pay_d = int(rng.lognormvariate(-2.8, 0.5) * 1e9)
            batches["frontend"].append(span(tid, fe_pay, fe_server, "POST", 3, pay_start, pay_start + pay_d,
                                            {"http.request.method": "POST", "peer.service": "payments",
                                             "server.address": "payments.internal",
                                             "http.response.status_code": 503 if fail_payments else 201},
                                            error=fail_payments))
            fe_end = pay_start + pay_d + 1_000_000
        fe_status = 502 if (fail_cart or fail_payments) else (404 if not_found else 200)
        batches["frontend"].append(span(tid, fe_cart, fe_server, "POST", 3, t + 1_000_000, cart_end + 200_000,
                                        {"http.request.method": "POST", "server.address": "cart", "peer.service": "cart",
                                         "http.response.status_code": cart_status}, error=fail_cart))
        batches["frontend"].insert(0, span(tid, fe_server, None, "POST /checkout", 2, t, fe_end,
                                           {"http.request.method": "POST", "url.full": "https://shop.example.com/checkout",
                                            "http.response.status_code": fe_status}, error=fe_status >= 500))
        for service in ("cart", "fulfillment", "frontend"):
            if batches[service]:
                out.write(json.dumps(request(service, batches[service]), separators=(",", ":")) + "\n")


def span(tid, sid, parent, name, kind, start, end, attrs, error=False, exception=None):
    s = {"traceId": tid, "spanId": sid, "name": name, "kind": kind, "startTimeUnixNano": str(start),
         "endTimeUnixNano": str(end), "attributes": [attr(k, v) for k, v in attrs.items()],
         "status": {"code": 2, "message": "failed"} if error else {}}
    if parent:
        s["parentSpanId"] = parent
    if exception:
        s["events"] = [{"timeUnixNano": str(end - 1000), "name": "exception", "attributes": [
            attr("exception.type", exception[0]), attr("exception.message", exception[1])]}]
    return s


def attr(k, v):
    if isinstance(v, bool):
        return {"key": k, "value": {"boolValue": v}}
    if isinstance(v, int):
        return {"key": k, "value": {"intValue": str(v)}}
    return {"key": k, "value": {"stringValue": str(v)}}


def request(service, spans):
    return {"resourceSpans": [{"resource": {"attributes": [attr("service.name", service),
                                                           attr("telemetry.sdk.language", "python")]},
                               "scopeSpans": [{"scope": {"name": "shop.%s" % service}, "spans": spans}]}]}


# -------------------------------------------------------------------------------------------------------- stress

def stress(segments, out, seed=3):
    """Checkout-shaped traffic, 3 segments a trace, time-ordered; string templates keep it fast."""
    rng = random.Random(seed)
    gw_t = ('{"name":"shop-api/prod","id":"%s","trace_id":"%s","start_time":%.6f,"end_time":%.6f,'
            '"origin":"AWS::ApiGateway::Stage","http":{"request":{"method":"POST","url":"https://a1b2c3.execute-api.'
            'us-east-1.amazonaws.com/prod/checkout","client_ip":"198.51.100.7"},"response":{"status":%d}}%s,'
            '"subsegments":[{"name":"Lambda","id":"%s","start_time":%.6f,"end_time":%.6f,"namespace":"aws",'
            '"aws":{"operation":"Invoke","function_name":"checkout"},"http":{"response":{"status":%d}}%s}]}\n')
    lam_t = ('{"name":"checkout","id":"%s","trace_id":"%s","parent_id":"%s","start_time":%.6f,"end_time":%.6f,'
             '"origin":"AWS::Lambda","aws":{"function_arn":"arn:aws:lambda:us-east-1:123456789012:function:checkout"}}\n')
    fn_t = ('{"name":"checkout","id":"%s","trace_id":"%s","parent_id":"%s","start_time":%.6f,"end_time":%.6f,'
            '"origin":"AWS::Lambda::Function","annotations":{"cold_start":%s}%s,"subsegments":[%s'
            '{"name":"Invocation","id":"%s","start_time":%.6f,"end_time":%.6f,"subsegments":['
            '{"name":"DynamoDB","id":"%s","start_time":%.6f,"end_time":%.6f,"namespace":"aws","aws":{"operation":'
            '"PutItem","table_name":"orders"}%s},'
            '{"name":"api.payments.example.com","id":"%s","start_time":%.6f,"end_time":%.6f,"namespace":"remote",'
            '"http":{"request":{"method":"POST","url":"https://api.payments.example.com/v1/charges"},'
            '"response":{"status":%d}}%s}]},'
            '{"name":"Overhead","id":"%s","start_time":%.6f,"end_time":%.6f}]}\n')
    getrandbits = rng.getrandbits
    random_ = rng.random
    t = BASE
    written = 0
    buf = []
    while written < segments:
        t += 0.002
        r = random_()
        fault = r < 0.03
        throttle = 0.03 <= r < 0.05
        cold = random_() < 0.02
        tid = "1-%08x-%024x" % (int(t), getrandbits(96))
        s = ["%016x" % getrandbits(64) for _ in range(8)]
        ls = t + 0.004
        fs = ls + 0.002
        init = 0.4 if cold else 0.0
        inv = fs + init
        d = 0.01 + random_() * 0.01
        p = 0.05 + random_() * 0.1
        inv_end = inv + d + p + 0.002
        fe = inv_end + 0.001
        le = fe + 0.001
        ge = le + 0.002
        status = 502 if fault else (429 if throttle else 200)
        flag = ',"fault":true' if fault else (',"error":true,"throttle":true' if throttle else '')
        init_sub = ('{"name":"Initialization","id":"%s","start_time":%.6f,"end_time":%.6f},' % (s[7], fs, inv)) if cold else ''
        buf.append(gw_t % (s[0], tid, t, ge, status, flag, s[1], ls - 0.001, ge - 0.001, status, flag))
        buf.append(lam_t % (s[2], tid, s[1], ls, le))
        buf.append(fn_t % (s[3], tid, s[2], fs, fe, "true" if cold else "false", ',"fault":true' if fault else '',
                           init_sub, s[4], inv, inv_end, s[5], inv + 0.001, inv + 0.001 + d,
                           ',"error":true,"throttle":true' if throttle else '', s[6], inv + 0.001 + d,
                           inv + 0.001 + d + p, 503 if fault else 200, ',"fault":true' if fault else '',
                           "%016x" % getrandbits(64), inv_end, fe))
        written += 3
        if len(buf) >= 3000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["checkout", "otlp", "stress"])
    parser.add_argument("--segments", type=int, default=1_000_000, help="stress: how many segments")
    parser.add_argument("--out", help="write here instead of standard output")
    parser.add_argument("--seed", type=int, help="random seed (defaults give the committed files)")
    parser.add_argument("--payments-slowdown", type=float, default=0.0,
                        help="checkout: seconds added to every payments API call")
    args = parser.parse_args()
    out = open(args.out, "w") if args.out else sys.stdout
    try:
        if args.kind == "checkout":
            checkout(seed=args.seed if args.seed is not None else 7, out=out, payments_slowdown=args.payments_slowdown)
        elif args.kind == "otlp":
            otlp(seed=args.seed if args.seed is not None else 11, out=out)
        else:
            stress(args.segments, out, seed=args.seed if args.seed is not None else 3)
    finally:
        if args.out:
            out.close()


if __name__ == "__main__":
    main()
