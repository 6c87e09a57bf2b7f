import TestSupport
import Testing
import TraceFormats
import TraceModel
import TracescopeTesting

@testable import Tracescope

/// `TracescopeTracing.bootstrap`'s choices from the environment: each variable, the order they are read in, and a
/// clear error naming the variable that cannot be used.
@Suite("One-call setup from the environment")
struct BootstrapTests {
    typealias Configuration = TracingConfiguration

    static func resolve(
        _ environment: [String: String], serviceName: String? = nil, exporter: Configuration.Exporter? = nil,
        sampler: Configuration.Sampler? = nil
    ) throws(Configuration.Failure) -> Configuration {
        try Configuration.resolve(
            serviceName: serviceName, exporter: exporter, sampler: sampler, environment: environment)
    }

    @Test func theServiceNameComesFromTheArgumentThenEachVariableInTurn() throws {
        let all = [
            "OTEL_SERVICE_NAME": "from-otel", "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-resource,team=pay",
            "AWS_LAMBDA_FUNCTION_NAME": "from-lambda",
        ]
        #expect(try Self.resolve(all, serviceName: "explicit").serviceName == "explicit")
        #expect(try Self.resolve(all).serviceName == "from-otel")
        var rest = all
        rest["OTEL_SERVICE_NAME"] = nil
        #expect(try Self.resolve(rest).serviceName == "from-resource")
        rest["OTEL_RESOURCE_ATTRIBUTES"] = "team=pay"
        #expect(try Self.resolve(rest).serviceName == "from-lambda")
        #expect(try Self.resolve([:]).serviceName == "unknown_service:swift")
        let resource = try Self.resolve(all).resourceAttributes
        #expect(resource["team"] == .string("pay") && resource["service.name"] == .string("from-otel"))
    }

    @Test func theExporterIsOTLPUnlessXRayIsWhereTheCodeRuns() throws {
        #expect(try Self.resolve([:]).exporter == .otlp(.init(endpoint: "http://127.0.0.1:4318/v1/traces")))
        #expect(try Self.resolve(["AWS_LAMBDA_FUNCTION_NAME": "f"]).exporter == .xray(address: nil))
        #expect(
            try Self.resolve(["AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000"]).exporter
                == .xray(address: "169.254.79.129:2000"))
        let named: [(String, Configuration.Exporter)] = [
            ("xray", .xray(address: nil)), ("console", .console), ("none", .none),
            ("OTLP", .otlp(.init(endpoint: "http://127.0.0.1:4318/v1/traces"))),
        ]
        for (value, expected) in named {
            #expect(
                try Self.resolve(["OTEL_TRACES_EXPORTER": value, "AWS_LAMBDA_FUNCTION_NAME": "f"]).exporter == expected)
        }
        #expect(try Self.resolve(["OTEL_TRACES_EXPORTER": "none"], exporter: .console).exporter == .console)
        let failure = #expect(throws: Configuration.Failure.self) {
            try Self.resolve(["OTEL_TRACES_EXPORTER": "zipkin"])
        }
        #expect(failure?.variable == "OTEL_TRACES_EXPORTER")
        #expect(failure?.description.contains("zipkin") == true)
    }

    @Test func otlpVariablesTracesSpecificFirst() throws {
        let base = try Self.resolve(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"])
        #expect(base.exporter == .otlp(.init(endpoint: "http://collector:4318/v1/traces")))
        let environment = [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces:4318/custom",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json",
            "OTEL_EXPORTER_OTLP_HEADERS": "api-key=a%20b%2Cc,tenant=t1", "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
        ]
        guard case .otlp(let otlp) = try Self.resolve(environment).exporter else {
            Issue.record("not OTLP")
            return
        }
        #expect(otlp.endpoint == "http://traces:4318/custom")
        #expect(otlp.encoding == .json)
        #expect(otlp.headers == ["api-key": "a b,c", "tenant": "t1"])
        #expect(otlp.compression == .gzip)
        #expect(otlp.timeout == .milliseconds(2500))
    }

    @Test(arguments: [
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "thrift"),
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli"), ("OTEL_EXPORTER_OTLP_TIMEOUT", "-5"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "1e300"), ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "no-equals-sign"), ("OTEL_EXPORTER_OTLP_HEADERS", "k=%zz"),
        ("OTEL_RESOURCE_ATTRIBUTES", "=v"), ("OTEL_TRACES_SAMPLER", "sometimes"),
        ("OTEL_TRACES_SAMPLER_ARG", "1.5"), ("OTEL_TRACES_SAMPLER_ARG", "nan"),
    ])
    func aBadValueIsAnErrorNamingItsVariable(variable: String, value: String) throws {
        var environment = [variable: value]
        if variable == "OTEL_TRACES_SAMPLER_ARG" { environment["OTEL_TRACES_SAMPLER"] = "traceidratio" }
        let failure = #expect(throws: Configuration.Failure.self) { try Self.resolve(environment) }
        #expect(failure?.variable == variable, "\(failure?.description ?? "no error")")
    }

    @Test func samplersByName() throws {
        let cases: [([String: String], Configuration.Sampler)] = [
            ([:], .xrayDefault), (["OTEL_TRACES_SAMPLER": "always_on"], .alwaysOn),
            (["OTEL_TRACES_SAMPLER": "parentbased_always_off"], .alwaysOff),
            (["OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25"], .ratio(0.25)),
            (["OTEL_TRACES_SAMPLER": "parentbased_traceidratio"], .ratio(1)),
            (["OTEL_TRACES_SAMPLER": "xray"], .xrayDefault),
        ]
        for (environment, expected) in cases { #expect(try Self.resolve(environment).sampler == expected) }
        #expect(try Self.resolve(["OTEL_TRACES_SAMPLER": "always_off"], sampler: .alwaysOn).sampler == .alwaysOn)
        // The ratio sampler records about its share of new traces.
        let sampler = RatioSampler(ratio: 0.25)
        let recorded = (0..<20_000).filter { _ in sampler.shouldSample(SamplingRequest(serviceName: "s")) }.count
        #expect(abs(Double(recorded) / 20_000 - 0.25) < 0.02)
        #expect(RatioSampler(ratio: 1).fixedDecision == true && RatioSampler(ratio: 0).fixedDecision == false)
    }

    /// From the environment alone to spans on the wire: OTLP protobuf to the endpoint the variables name, with their
    /// headers and resource.
    @Test func aTracerMadeFromTheEnvironmentSendsWhereItSays() throws {
        let server = try OneShotHTTPServer()
        let tracing = try TracescopeTracing.make(environment: [
            "OTEL_SERVICE_NAME": "checkout", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(server.port)",
            "OTEL_EXPORTER_OTLP_HEADERS": "x-tenant=blue", "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=ci",
            "OTEL_TRACES_SAMPLER": "always_on",
        ])
        tracing.tracer.withSpan("charge card") { _ in }
        tracing.shutdown()
        let request = try #require(server.request())
        #expect(request.headers.lowercased().contains("x-tenant: blue"))
        var spans: [TraceModel.Span] = []
        _ = try request.body.withUnsafeBytes { try OTLPProtobufDecoder.decode($0, into: &spans) }
        #expect(spans.map(\.name) == ["charge card"])
        #expect(spans.first?.serviceName == "checkout")
        #expect(spans.first?.resource["deployment.environment"] == .string("ci"))
        #expect(tracing.configuration.serviceName == "checkout")
    }

    @Test func theAsyncShutdownFlushesToo() async throws {
        let memory = InMemoryExporter()
        let tracing = try TracescopeTracing.make(
            serviceName: "s", exporter: memory, sampler: AlwaysSample(), environment: [:])
        #expect(tracing.configuration.exporter == .custom && tracing.configuration.sampler == .custom)
        for i in 0..<10 { tracing.tracer.withSpan("op \(i)") { _ in } }
        await tracing.shutdown()
        #expect(memory.spans.count == 10)
    }
}
