import Instrumentation
import Synchronization
import TraceModel
import Tracing

/// A function whose every invocation is recorded the way the X-Ray Lambda view shows it: **dwell** (the event waiting
/// before the handler ran), **init** (one-time initialization, on the cold start only) and **handler** time.
///
/// ```swift
/// let checkout = TracedFunction(name: "checkout", tracer: tracer) {
///     try await Database.connect()                       // runs once, recorded as `Initialization`
/// }
/// let receipt = try await checkout.invoke(enqueuedAt: message.sentTimestamp) { db in
///     try await db.placeOrder(order)                       // recorded as `Invocation`; nested spans go under it
/// }
/// ```
///
/// Outside Lambda (containers, servers, tests, the demo) it emits what the Lambda service would: an `AWS::Lambda`
/// segment (with `Dwell time` for queued events and `Attempt #1`) and an `AWS::Lambda::Function` segment with
/// `Initialization`, `Invocation` and `Overhead` subsegments. Inside Lambda (`AWS_LAMBDA_FUNCTION_NAME` is set) Lambda
/// reports those itself, so the handler's spans continue the function's facade segment from `_X_AMZN_TRACE_ID`.
public final class TracedFunction<Resources: Sendable>: Sendable {
    /// Which segments the invocations emit.
    public enum Mode: Sendable {
        /// Emit the `AWS::Lambda` / `AWS::Lambda::Function` pair (anywhere but Lambda).
        case platform
        /// Continue Lambda's facade segment; emit only the handler's spans.
        case insideLambda
        /// `insideLambda` when `AWS_LAMBDA_FUNCTION_NAME` is set, else `platform`.
        case automatic
    }

    /// The function's name: its `AWS::Lambda` segments' name.
    public let name: String
    /// The tracer its spans go to.
    public let tracer: TracescopeTracer
    /// The mode chosen (`automatic` resolved).
    public let mode: Mode
    private let initialize: @Sendable () async throws -> Resources
    private let state = Mutex<InitState>(.cold)

    private enum InitState {
        case cold
        case initializing(Task<Resources, Error>)
        case ready(Resources)
    }

    /// - Parameters:
    ///   - initialize: the one-time initialization, run on the first invocation only (concurrent first calls wait for
    ///     the one run) and recorded as `Initialization`; its result is handed to every invocation.
    public init(
        name: String, tracer: TracescopeTracer, mode: Mode = .automatic,
        initialize: @escaping @Sendable () async throws -> Resources
    ) {
        self.name = name
        self.tracer = tracer
        self.initialize = initialize
        switch mode {
        case .automatic: self.mode = Environment.value("AWS_LAMBDA_FUNCTION_NAME") == nil ? .platform : .insideLambda
        default: self.mode = mode
        }
    }

    /// Forgets the initialized resources, so the next invocation is a cold start again (a new execution environment,
    /// as after an idle period or on scale-out).
    public func recycle() {
        state.withLock { $0 = .cold }
    }

    /// Runs one invocation.
    /// - Parameters:
    ///   - context: the caller's context (a span, or headers extracted into it); default: the current task's.
    ///   - enqueuedAt: when the event arrived (an SQS `SentTimestamp`, a queue header): the wait before the handler
    ///     starts is recorded as dwell. Nil for synchronous invocations.
    ///   - httpStatus: maps the output to an HTTP status, so 4xx/429/5xx answers are classified.
    ///   - afterHandler: work between the handler's answer and the end of the invocation (flushing, cleanup),
    ///     recorded as `Overhead`.
    public func invoke<Output: Sendable>(
        context: InstrumentationContext? = nil, enqueuedAt: EpochNanos? = nil,
        httpStatus: (@Sendable (Output) -> Int)? = nil, afterHandler: (@Sendable () async -> Void)? = nil,
        _ handler: @Sendable (Resources) async throws -> Output
    ) async throws -> Output {
        var caller = context ?? InstrumentationContext.current ?? .topLevel
        if mode == .insideLambda {
            if caller.tracescopeSpanContext == nil,
                let header = Environment.value(XRayTraceHeader.lambdaEnvironmentVariable)
                    .flatMap(XRayTraceHeader.init(parsing:))
            {
                caller.tracescopeSpanContext = TracescopeSpanContext(
                    traceID: header.root, spanID: header.parent, sampling: header.sampling, isRemote: true,
                    xrayExtra: header.extra, parentIsFacade: true)
            }
            let (resources, _) = try await resources(under: caller, record: false)
            return try await tracer.withSpan(name, context: caller, ofKind: .server) { _ in try await handler(resources)
            }
        }

        let clock = DefaultTracerClock.now
        let arrival =
            enqueuedAt.map { DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: UInt64(max(0, $0))) } ?? clock
        let service = tracer.startSpan(name, context: caller, ofKind: .server, at: arrival)
        service.attributes[XRayAttribute.origin] = "AWS::Lambda"
        service.attributes[XRayAttribute.serviceName] = name
        if enqueuedAt != nil {
            let dwell = tracer.startSpan("Dwell time", context: service.context, ofKind: .internal, at: arrival)
            dwell.end(at: clock)
        }
        let attempt = tracer.startSpan("Attempt #1", context: service.context, ofKind: .internal, at: clock)
        let function = tracer.startSpan(name, context: service.context, ofKind: .server, at: clock)
        function.attributes[XRayAttribute.origin] = "AWS::Lambda::Function"
        function.attributes[XRayAttribute.serviceName] = name
        function.attributes["faas.name"] = name
        function.attributes["faas.trigger"] = enqueuedAt == nil ? "http" : "pubsub"

        defer {
            let end = DefaultTracerClock.now
            function.end(at: end)
            attempt.end(at: end)
            service.end(at: end)
        }
        let resources: Resources
        do {
            let (ready, cold) = try await self.resources(under: function.context, record: true)
            resources = ready
            function.attributes["faas.coldstart"] = cold
        } catch {
            function.recordError(error)
            service.attributes["http.response.status_code"] = 500
            throw error
        }
        let output: Output
        do {
            output = try await tracer.withSpan("Invocation", context: function.context, ofKind: .internal) { span in
                try await InstrumentationContext.withValue(span.context) { try await handler(resources) }
            }
        } catch {
            function.recordError(error)
            throw error
        }
        if let httpStatus {
            let status = httpStatus(output)
            function.attributes["http.response.status_code"] = status
            // The Lambda service answered the invoke; a function error is the function's, not the service's.
            service.attributes["http.response.status_code"] = status >= 500 ? 200 : status
        }
        if let afterHandler {
            await tracer.withSpan("Overhead", context: function.context, ofKind: .internal) { _ in await afterHandler()
            }
        }
        return output
    }

    /// The initialized resources, initializing them first when cold; the cold invocation records `Initialization`.
    private func resources(under context: InstrumentationContext, record: Bool) async throws -> (Resources, Bool) {
        // Decide under the lock, so exactly one invocation starts the initialization and pays the cold start.
        let initialize = self.initialize
        let (ready, task, starter): (Resources?, Task<Resources, Error>?, Bool) = state.withLock { state in
            switch state {
            case .ready(let resources): return (resources, nil, false)
            case .initializing(let task): return (nil, task, false)
            case .cold:
                let task = Task { try await initialize() }
                state = .initializing(task)
                return (nil, task, true)
            }
        }
        if let ready { return (ready, false) }
        guard let task else { return try await resources(under: context, record: record) }
        // Invocations that arrive during someone else's initialization wait for it; they are not cold starts.
        if !starter { return (try await task.value, false) }
        do {
            let value: Resources
            if record {
                value = try await tracer.withSpan("Initialization", context: context, ofKind: .internal) { _ in
                    try await task.value
                }
            } else {
                value = try await task.value
            }
            state.withLock { $0 = .ready(value) }
            return (value, true)
        } catch {
            state.withLock { $0 = .cold }
            throw error
        }
    }
}
