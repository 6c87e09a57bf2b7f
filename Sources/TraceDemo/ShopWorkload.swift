import Instrumentation
import Synchronization
import TraceModel
import Tracescope
import Tracing

/// A simulated serverless shop, instrumented only through the Tracescope library's public API, for `tracescope demo`.
///
/// API Gateway → checkout, cart and auth functions → DynamoDB, S3, SQS and an external payments API; checkout hands
/// the confirmation email to an `email-sender` function through SQS, so its events wait (dwell). Episodes recur on a
/// fixed schedule and all show within the first ten seconds: cold starts (at start, then a recycled execution
/// environment every 15 s), a throttling burst (every 30 s, 4 s long), a payments outage (every 40 s from second 3,
/// 8 s long), and a long latency tail. Traffic rises and falls in waves with occasional spikes. Deterministic for a
/// given seed, apart from the scheduler's own timing.
public final class ShopWorkload: Sendable {
    public let tracer: TracescopeTracer
    private let random: Mutex<SplitMix64>
    private let checkout: TracedFunction<String>
    private let cart: TracedFunction<String>
    private let auth: TracedFunction<String>
    private let email: TracedFunction<String>
    private let started: EpochNanos

    public init(tracer: TracescopeTracer, seed: UInt64) {
        self.tracer = tracer
        random = Mutex(SplitMix64(seed: seed))
        started = WallClock.now()
        checkout = TracedFunction(name: "checkout", tracer: tracer, mode: .platform) {
            try await Task.sleep(for: .milliseconds(420))
            return "orders"
        }
        cart = TracedFunction(name: "cart", tracer: tracer, mode: .platform) {
            try await Task.sleep(for: .milliseconds(260))
            return "carts"
        }
        auth = TracedFunction(name: "auth", tracer: tracer, mode: .platform) {
            try await Task.sleep(for: .milliseconds(180))
            return "keys"
        }
        email = TracedFunction(name: "email-sender", tracer: tracer, mode: .platform) {
            try await Task.sleep(for: .milliseconds(300))
            return "smtp"
        }
    }

    /// Seconds since the workload started.
    private var elapsed: Double { Double(WallClock.now() - started) / 1e9 }

    private func roll() -> Double { random.withLock { $0.nextUnit() } }

    /// Runs until `seconds` have passed (nil: until cancelled), starting requests at the workload's current rate.
    public func run(seconds: Double?) async {
        // A discarding group: finished requests are released at once (a plain task group keeps every child until
        // its result is consumed, which grows without bound over a long run).
        await withDiscardingTaskGroup { group in
            var nextRecycle = 15.0
            while !Task.isCancelled {
                let t = elapsed
                if let seconds, t >= seconds { break }
                if t >= nextRecycle {
                    // A new execution environment: the next invocation of one function is a cold start again.
                    [checkout, cart, auth, email][Int(nextRecycle / 15) % 4].recycle()
                    nextRecycle += 15
                }
                let rate = requestsPerSecond(at: t)
                group.addTask { await self.request() }
                try? await Task.sleep(for: .milliseconds(Int(1000 / rate * (0.5 + roll()))))
            }
        }
    }

    /// Waves of 6–18 requests a second, with a spike in every 25-second stretch.
    func requestsPerSecond(at t: Double) -> Double {
        let wave = 12 + 6 * sin(t / 7)
        let spike = t.truncatingRemainder(dividingBy: 25) < 2 ? 14.0 : 0
        return wave + spike
    }

    private func throttling(at t: Double) -> Bool {
        t.truncatingRemainder(dividingBy: 30) >= 5 && t.truncatingRemainder(dividingBy: 30) < 9
    }
    private func paymentsDown(at t: Double) -> Bool {
        (t - 3).truncatingRemainder(dividingBy: 40) >= 0 && (t - 3).truncatingRemainder(dividingBy: 40) < 8
    }

    /// One request from a browser through API Gateway.
    func request() async {
        let route = roll()
        let t = elapsed
        await tracer.withSpan("POST /checkout", ofKind: .server) { gateway in
            gateway.attributes[XRayAttribute.origin] = "AWS::ApiGateway::Stage"
            gateway.attributes[XRayAttribute.serviceName] = "shop-api/prod"
            gateway.attributes["http.request.method"] = route < 0.4 ? "POST" : "GET"
            gateway.attributes["url.full"] =
                route < 0.4
                ? "https://shop.example.com/checkout"
                : route < 0.8 ? "https://shop.example.com/cart" : "https://shop.example.com/login"
            if throttling(at: t) && roll() < 0.6 {
                // The stage's rate limit: rejected before any function runs.
                try? await Task.sleep(for: .milliseconds(3))
                gateway.attributes["http.response.status_code"] = 429
                return
            }
            let function = route < 0.4 ? checkout : route < 0.8 ? cart : auth
            let status = await invoke(function, from: gateway, at: t)
            gateway.attributes["http.response.status_code"] = status
        }
    }

    private func invoke(_ function: TracedFunction<String>, from gateway: TracescopeSpan, at t: Double) async -> Int {
        await tracer.withSpan("Invoke \(function.name)", context: gateway.context, ofKind: .client) { call in
            call.attributes[XRayAttribute.awsService] = "Lambda"
            call.attributes["aws.operation"] = "Invoke"
            call.attributes["aws.function_name"] = function.name
            let status =
                (try? await function.invoke(context: call.context, httpStatus: { $0 }) { table in
                    await self.handler(function.name, table: table, at: t)
                }) ?? 500
            call.attributes["http.response.status_code"] = status >= 500 ? 200 : status
            return status
        }
    }

    /// What each function does: its calls and its answer.
    private func handler(_ name: String, table: String, at t: Double) async -> Int {
        switch name {
        case "auth":
            await call("DynamoDB", operation: "GetItem", table: "sessions", milliseconds: 6 + roll() * 8)
            return roll() < 0.08 ? 401 : 200
        case "cart":
            await call("DynamoDB", operation: "Query", table: table, milliseconds: 10 + roll() * 20)
            await call("S3", operation: "GetObject", table: nil, milliseconds: 8 + roll() * 25)
            return roll() < 0.03 ? 404 : 200
        default:
            await call(
                "DynamoDB", operation: "PutItem", table: table, milliseconds: 12 + roll() * 18,
                throttled: throttling(at: t) && roll() < 0.3)
            let down = paymentsDown(at: t) && roll() < 0.7
            let tail = roll() < 0.04 ? 6.0 : 1.0
            await tracer.withSpan("POST /v1/charges", ofKind: .client) { span in
                span.attributes["server.address"] = "api.payments.example.com"
                span.attributes["http.request.method"] = "POST"
                try? await Task.sleep(for: .milliseconds(Int((40 + roll() * 120) * tail)))
                span.attributes["http.response.status_code"] = down ? 503 : 201
            }
            if down { return 502 }
            // The confirmation email goes through SQS; the email sender's invocation continues this trace.
            await tracer.withSpan("SQS SendMessage", ofKind: .producer) { span in
                span.attributes[XRayAttribute.awsService] = "SQS"
                span.attributes["aws.operation"] = "SendMessage"
                span.attributes["aws.queue_url"] = "https://sqs.us-east-1.amazonaws.com/123456789012/emails"
                try? await Task.sleep(for: .milliseconds(Int(4 + roll() * 6)))
            }
            let message = InstrumentationContext.current
            let enqueued = WallClock.now()
            let delay = Int(20 + roll() * 400) * (roll() < 0.05 ? 5 : 1)
            Task.detached { [self] in
                // The queue delivers after a while: the wait is the email sender's dwell.
                try? await Task.sleep(for: .milliseconds(delay))
                _ = try? await self.email.invoke(context: message, enqueuedAt: enqueued) { _ in
                    await self.call("SES", operation: "SendEmail", table: nil, milliseconds: 15 + self.roll() * 30)
                }
            }
            return 200
        }
    }

    private func call(
        _ service: String, operation: String, table: String?, milliseconds: Double, throttled: Bool = false
    ) async {
        await tracer.withSpan("\(service) \(operation)", ofKind: .client) { span in
            span.attributes[XRayAttribute.awsService] = service
            span.attributes["aws.operation"] = operation
            if let table { span.attributes["aws.table_name"] = table }
            try? await Task.sleep(for: .milliseconds(Int(milliseconds)))
            span.attributes["http.response.status_code"] = throttled ? 429 : 200
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
