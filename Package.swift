// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "tracescope",
    // Linux only: the code calls Glibc, reads /proc and links ncursesw, so no Apple platform is declared.
    // Library products beyond `Tracescope` (what users import) exist for the Benchmarks and Fuzz packages, which
    // measure and fuzz the collector, the decoders, the analysis and the reports directly.
    products: [
        .executable(name: "tracescope", targets: ["tracescope"]),
        .library(name: "Tracescope", targets: ["Tracescope"]),
        // For users' tests: the in-memory exporter.
        .library(name: "TracescopeTesting", targets: ["TracescopeTesting"]),
        .library(name: "TraceCollector", targets: ["TraceCollector"]),
        .library(name: "TraceTUI", targets: ["TraceTUI"]),
        .library(name: "TraceModel", targets: ["TraceModel"]),
        .library(name: "TraceFormats", targets: ["TraceFormats"]),
        .library(name: "TraceFiles", targets: ["TraceFiles"]),
        .library(name: "TraceAnalysis", targets: ["TraceAnalysis"]),
        .library(name: "TraceBackends", targets: ["TraceBackends"]),
        .library(name: "TraceReports", targets: ["TraceReports"]),
        .library(name: "FuzzHarnesses", targets: ["FuzzHarnesses"]),
        .library(name: "TraceSynthetic", targets: ["TraceSynthetic"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        // The backends' HTTP client (HTTP/1.1 and HTTP/2, TLS with certificate verification) and SigV4's HMAC.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        // OTLP/gRPC: the ecosystem's gRPC on its HTTP/2 NIO transport.
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
    ],
    targets: [
        // Value types shared by every other module: ids, spans, status classes, time.
        .target(name: "TraceModel"),
        // zlib, for reading `.gz` trace files transparently.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // Decoders and encoders for every wire and file format (pure: bytes in, spans out).
        .target(name: "TraceFormats", dependencies: ["TraceModel", "CZlib"]),
        // File and standard-input reading (chunked, gzip sniffed): the I/O edge in front of TraceFormats.
        .target(name: "TraceFiles", dependencies: ["TraceModel", "TraceFormats"]),
        // Trace assembly, service graph, histograms, rates, invocation phases, summaries and gates.
        .target(
            name: "TraceAnalysis",
            dependencies: [
                "TraceModel",
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // The library users import: a swift-distributed-tracing Tracer with X-Ray sampling, propagation, function
        // phases and non-blocking exporters. Light on purpose: no SwiftNIO, no ncurses.
        .target(
            name: "Tracescope",
            dependencies: [
                "TraceModel", "TraceFormats", "TraceFiles",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(name: "TracescopeTesting", dependencies: ["Tracescope"]),
        // Network receivers (X-Ray daemon UDP, OTLP/HTTP) and the live ingest pipeline feeding the analysis.
        .target(
            name: "TraceCollector",
            dependencies: [
                "TraceModel", "TraceFormats", "TraceFiles", "TraceAnalysis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ]
        ),
        // The distributed engines people already run: the AWS X-Ray API (SigV4, credentials, the four calls) and
        // forwarding to it. Not part of the library users import.
        .target(
            name: "TraceBackends",
            dependencies: [
                "TraceModel", "TraceFormats", "TraceAnalysis",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Summary reports (text, Markdown, JSON, JUnit) and reading a baseline summary back.
        .target(name: "TraceReports", dependencies: ["TraceModel", "TraceFormats", "TraceAnalysis"]),
        // A synthetic system of hundreds of services and the traces that walk it: the load of the scale tests, the
        // live benchmark and the tmux test.
        .target(name: "TraceSynthetic", dependencies: ["TraceModel", "TraceFormats"]),
        // The demo's simulated serverless shop, instrumented with the library's public API only.
        .target(name: "TraceDemo", dependencies: ["Tracescope", "TraceModel"]),
        // ncursesw, with a shim for what Swift cannot import (macros, mutable globals).
        .systemLibrary(name: "CNCurses", path: "Sources/CNCurses"),
        // The dashboard: a screen buffer of cells that widgets draw into, views, app state, and a thin ncurses backend.
        .target(name: "TraceTUI", dependencies: ["TraceModel", "TraceAnalysis", "CNCurses"]),
        // The command line: wires the parts, nothing else.
        .executableTarget(
            name: "tracescope",
            dependencies: [
                "TraceModel", "TraceFormats", "TraceFiles", "TraceAnalysis", "TraceReports", "TraceCollector",
                "TraceTUI", "TraceDemo", "Tracescope", "TraceBackends",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // One harness per byte-level entry point, with the properties each checks: driven by libFuzzer from the Fuzz
        // package (`Fuzz/run.sh`) and replayed over the committed corpora by FuzzRegressionTests.
        .target(
            name: "FuzzHarnesses",
            dependencies: [
                "TraceModel", "TraceFormats", "TraceAnalysis", "TraceReports", "TraceCollector", "TraceBackends",
                "Tracescope",
            ]
        ),
        // Runnable examples of the library (README "Instrumenting your code").
        .executableTarget(name: "example-plain-function", dependencies: ["Tracescope"], path: "Examples/PlainFunction"),
        .executableTarget(name: "example-http-handler", dependencies: ["Tracescope"], path: "Examples/HTTPHandler"),
        .executableTarget(name: "example-lambda-handler", dependencies: ["Tracescope"], path: "Examples/LambdaHandler"),
        // Goldens are read by path (reviewed text files, regenerated on request), not bundled as resources.
        .testTarget(
            name: "TraceTUITests",
            dependencies: [
                "TraceTUI", "TraceAnalysis", "TraceFormats", "TraceReports", "TraceSynthetic", "TestSupport",
            ],
            exclude: ["Goldens"]),
        // Helpers the test targets share: loopback peers and Python tooling for checks against real clients.
        .target(name: "TestSupport", dependencies: ["TraceBackends"], path: "Tests/TestSupport"),
        .testTarget(
            name: "TraceBackendsTests",
            dependencies: [
                "TraceBackends", "TraceFormats", "TraceAnalysis", "TraceReports", "TraceTUI", "TestSupport",
            ],
            exclude: ["Scripts"]
        ),
        .testTarget(name: "TraceModelTests", dependencies: ["TraceModel"]),
        .testTarget(
            name: "TraceCollectorTests",
            dependencies: [
                "TraceCollector", "TraceFormats", "TraceFiles", "TraceAnalysis", "Tracescope", "TraceBackends",
                "TraceReports", "TraceSynthetic", "TestSupport",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            exclude: ["Clients"]
        ),
        .testTarget(
            name: "TracescopeTests",
            dependencies: ["Tracescope", "TracescopeTesting", "TraceFormats", "TraceAnalysis", "TestSupport"]),
        .testTarget(
            name: "TraceFormatsTests", dependencies: ["TraceFormats", "TraceFiles", "TestSupport"],
            resources: [.copy("Fixtures")]),
        // HdrHistogram is the reference the compact latency histogram is tested against.
        .testTarget(
            name: "TraceAnalysisTests",
            dependencies: [
                "TraceAnalysis", "TraceFormats", "TraceReports",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]),
        // The fuzzers' findings replayed, and the hardening limits (depth, size) tried at their extremes.
        .testTarget(
            name: "FuzzRegressionTests",
            dependencies: [
                "FuzzHarnesses", "TraceModel", "TraceFormats", "TraceAnalysis", "TraceReports", "TraceTUI",
                "TraceBackends", "Tracescope",
            ]),
        .testTarget(
            name: "TracescopeCLITests", dependencies: ["TraceFormats", "TraceSynthetic", "TestSupport"],
            exclude: ["Scripts"]),
    ],
    swiftLanguageModes: [.v6]
)
