import Foundation
import TestSupport
import Testing

/// A package of a user's, outside this repository, made here in a temporary folder: it depends on the library by
/// path, sees only its public API, sets tracing up in one line from the environment, and its spans reach the real
/// `tracescope collect` over OTLP/HTTP. It also writes an exporter of its own and uses the in-memory one of
/// `TracescopeTesting`, in a file that imports swift-distributed-tracing too: no type name clashes.
@Suite("A user's package (the library from outside)", .timeLimit(.minutes(12)))
struct UserPackageTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let manifest = """
        // swift-tools-version: 6.0
        import PackageDescription

        let package = Package(
            name: "user-app",
            dependencies: [.package(path: "\(repository.path)")],
            targets: [
                .executableTarget(
                    name: "user-app",
                    dependencies: [
                        .product(name: "Tracescope", package: "\(repository.lastPathComponent)"),
                        .product(name: "TracescopeTesting", package: "\(repository.lastPathComponent)"),
                    ])
            ]
        )
        """

    /// What a user writes: the one-line setup, then plain swift-distributed-tracing calls through the global tracer.
    static let main = """
        import Synchronization
        import Tracescope
        import TracescopeTesting
        import Tracing

        let tracing = try TracescopeTracing.bootstrap(serviceName: "user-app")
        try await withSpan("POST /checkout", ofKind: .server) { span in
            span.attributes["http.request.method"] = "POST"
            span.attributes["http.response.status_code"] = 200
            try await withSpan("charge card", ofKind: .client) { call in
                call.attributes["peer.service"] = "payments"
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        await tracing.shutdown()
        let stats = tracing.tracer.exportStats
        print("exported \\(stats.exported) of \\(stats.accepted), \\(stats.failedSpans) failed")

        /// An exporter of the user's own: it counts server spans by name.
        final class ServerSpanCounter: SpanExporter {
            let names = Mutex<[String]>([])
            func export(_ spans: [FinishedSpan]) throws {
                let servers = spans.filter { $0.kind == .server }.map(\\.operationName)
                names.withLock { $0 += servers }
            }
        }
        let counter = ServerSpanCounter()
        let memory = InMemoryExporter()
        for exporter in [counter, memory] as [any SpanExporter] {
            let tracer = TracescopeTracer(serviceName: "user-app", exporter: exporter, sampler: AlwaysSample())
            tracer.withSpan("GET /health", ofKind: .server) { _ in tracer.withSpan("check db") { _ in } }
            tracer.shutdown()
        }
        print("custom exporter: \\(counter.names.withLock { $0 }); in memory: \\(memory.spans.count) spans")
        """

    @Test func buildsAgainstThePublicAPIAloneAndItsSpansReachTheCollector() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tracescope-user-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sources = folder.appendingPathComponent("Sources/user-app")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        try Self.manifest.write(to: folder.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try Self.main.write(to: sources.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)

        let build = try await PythonTools.runDetached(
            ["swift", "build", "--package-path", folder.path], timeout: .seconds(600))
        #expect(build.status == 0, "\(build.output.suffix(3000))")
        guard build.status == 0 else { return }

        let port = try freeListenPort()
        let collect = Task {
            try await PythonTools.runDetached(
                [
                    SummaryCommandTests.binary.path, "collect", "--udp", "off", "--grpc", "off", "--otlp",
                    "127.0.0.1:\(port)", "--duration", "25",
                ], timeout: .seconds(90))
        }
        // The collector is up once its port takes connections (a busy machine can take seconds to start it).
        let deadline = ContinuousClock.now + .seconds(20)
        while !loopbackAccepts(port: port), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let app = try await PythonTools.runDetached(
            [folder.appendingPathComponent(".build/debug/user-app").path],
            environment: [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)", "OTEL_TRACES_SAMPLER": "always_on",
                "OTEL_TRACES_EXPORTER": nil, "OTEL_SERVICE_NAME": nil, "AWS_LAMBDA_FUNCTION_NAME": nil,
                "AWS_XRAY_DAEMON_ADDRESS": nil,
            ], timeout: .seconds(60))
        #expect(app.status == 0, "\(app.output)")
        #expect(app.output.contains("exported 2 of 2, 0 failed"), "\(app.output)")
        #expect(app.output.contains("custom exporter: [\"GET /health\"]; in memory: 2 spans"), "\(app.output)")
        let run = try await collect.value
        let last = run.output.split(separator: "\n").last { $0.contains("stopped") } ?? ""
        #expect(last.contains("spans 2 "), "\(run.output.suffix(1500))")
        #expect(last.contains("OTLP requests 1 "), "\(last)")
        #expect(last.contains("rejected 0"), "\(last)")
        #expect(last.contains("graph 3 nodes, 2 edges"), "client, user-app, payments: \(last)")
    }
}
