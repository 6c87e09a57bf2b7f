import Instrumentation
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tracing set up in one call: the tracer, its exporter and sampler chosen from the environment as OpenTelemetry
/// and X-Ray users expect (`TracingConfiguration`), installed as swift-distributed-tracing's tracer.
///
/// ```swift
/// let tracing = try TracescopeTracing.bootstrap(serviceName: "checkout")
/// defer { tracing.shutdown() }                       // flushes every span accepted
/// try await withSpan("charge card") { span in … }    // and every library already instrumented
/// ```
///
/// Arguments win over the environment; a variable that cannot be used is an error naming it.
public final class TracescopeTracing: Sendable {
    /// The tracer built, also installed as swift-distributed-tracing's (by `bootstrap`).
    public let tracer: TracescopeTracer
    /// What was chosen, and from where (for a start-up log line).
    public let configuration: TracingConfiguration

    /// Builds the tracer and bootstraps `InstrumentationSystem` with it (which can happen once per process).
    /// - Parameters:
    ///   - serviceName: else `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`' `service.name`, the Lambda function's.
    ///   - exporter: else chosen by `OTEL_TRACES_EXPORTER` and the OTLP and X-Ray variables.
    ///   - origin: the X-Ray origin of this service's segments, e.g. `AWS::EC2::Instance` (none by default).
    ///   - exporter: else chosen by `OTEL_TRACES_EXPORTER` and the OTLP and X-Ray variables.
    ///   - sampler: else chosen by `OTEL_TRACES_SAMPLER`; X-Ray's default rule when unset.
    @discardableResult
    public static func bootstrap(
        serviceName: String? = nil, origin: String? = nil, exporter: (any SpanExporter)? = nil,
        sampler: (any TracescopeSampler)? = nil
    ) throws(TracingConfiguration.Failure) -> TracescopeTracing {
        let tracing = try make(
            serviceName: serviceName, origin: origin, exporter: exporter, sampler: sampler,
            environment: ProcessEnvironment.current)
        InstrumentationSystem.bootstrap(tracing.tracer)
        return tracing
    }

    /// What `bootstrap` builds, without installing it: for tests, or for a tracer kept beside another.
    ///
    /// ```swift
    /// let tracing = try TracescopeTracing.make(serviceName: "checkout", environment: ["OTEL_TRACES_EXPORTER": "none"])
    /// ```
    public static func make(
        serviceName: String? = nil, origin: String? = nil, exporter: (any SpanExporter)? = nil,
        sampler: (any TracescopeSampler)? = nil, environment: [String: String]
    ) throws(TracingConfiguration.Failure) -> TracescopeTracing {
        let configuration = try TracingConfiguration.resolve(
            serviceName: serviceName, exporter: exporter == nil ? nil : .custom,
            sampler: sampler == nil ? nil : .custom, environment: environment)
        let chosenExporter: any SpanExporter
        if let exporter { chosenExporter = exporter } else { chosenExporter = try Self.exporter(for: configuration) }
        let chosenSampler = sampler ?? Self.sampler(for: configuration.sampler)
        let tracer = TracescopeTracer(
            serviceName: configuration.serviceName, origin: origin, exporter: chosenExporter, sampler: chosenSampler)
        return TracescopeTracing(tracer: tracer, configuration: configuration)
    }

    private init(tracer: TracescopeTracer, configuration: TracingConfiguration) {
        self.tracer = tracer
        self.configuration = configuration
    }

    /// Exports everything accepted, then stops the export thread.
    public func shutdown() {
        tracer.shutdown()
    }

    /// The same without blocking the caller's executor: the flush (up to the exporter's timeout while a collector
    /// is down) runs on a thread of its own, never on Swift concurrency's shared pool.
    public func shutdown() async {
        let tracer = self.tracer
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Self.onThreadOfItsOwn {
                tracer.shutdown()
                done.resume()
            }
        }
    }

    private static func onThreadOfItsOwn(_ body: @escaping @Sendable () -> Void) {
        final class Box: Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        var handle = pthread_t()
        let created = pthread_create(
            &handle, nil,
            { raw in
                guard let raw else { return nil }
                Unmanaged<Box>.fromOpaque(raw).takeRetainedValue().body()
                return nil
            }, context)
        if created == 0 {
            pthread_detach(handle)
        } else {
            // No thread to be had: flush here rather than not at all.
            Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
        }
    }

    private static func exporter(
        for configuration: TracingConfiguration
    ) throws(TracingConfiguration.Failure) -> any SpanExporter {
        switch configuration.exporter {
        case .otlp(let otlp):
            do throws(OTLPHTTPExporter.ConfigurationError) {
                return try OTLPHTTPExporter(
                    endpoint: otlp.endpoint, encoding: otlp.encoding, compression: otlp.compression,
                    headers: otlp.headers, resourceAttributes: configuration.resourceAttributes, timeout: otlp.timeout)
            } catch {
                throw .init(variable: "OTEL_EXPORTER_OTLP_ENDPOINT", problem: error.description)
            }
        case .xray(let address):
            do throws(XRayUDPExporter.AddressError) {
                return try XRayUDPExporter(address: address)
            } catch {
                throw .init(variable: "AWS_XRAY_DAEMON_ADDRESS", problem: error.description)
            }
        case .console:
            do throws(JSONLinesFileExporter.OpenError) {
                return try JSONLinesFileExporter(path: "/dev/stdout")
            } catch {
                throw .init(variable: "OTEL_TRACES_EXPORTER", problem: "console: \(error.description)")
            }
        case .none, .custom:
            return DiscardingExporter()
        }
    }

    private static func sampler(for choice: TracingConfiguration.Sampler) -> any TracescopeSampler {
        switch choice {
        case .alwaysOn: AlwaysSample()
        case .alwaysOff: NeverSample()
        case .ratio(let ratio): RatioSampler(ratio: ratio)
        case .xrayDefault, .custom: LocalSampler()
        }
    }
}

/// Spans go nowhere (`OTEL_TRACES_EXPORTER=none`): context still propagates, nothing is sent.
struct DiscardingExporter: SpanExporter {
    func export(_ spans: [FinishedSpan]) {}
}

/// The process's environment variables, read through `environ` (the library does without Foundation).
enum ProcessEnvironment {
    static var current: [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }
}
