// swift-tools-version: 6.1
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which is whatever the checkout was cloned as.
let rootFolder = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

// Benchmarks live in their own package so the main build stays lean; they use the root package by path.
let package = Package(
    name: "tracescope-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The reference tracer. The benchmark uses exporter `.none`; of its two OTLP exporter traits only HTTP is kept
        // (1.6.0 does not compile with none), which spares the gRPC build.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.1.0"),
        // The OTLP parse reference of the ingest benchmark (already in the graph through swift-otel).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // The transport benchmark's clients: gRPC's HTTP/2 client and the HTTP client, as real peers on loopback.
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        // The dense latency histogram the compact one replaced: the reference of `graph.entry`.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .executableTarget(
            name: "tracescope-bench",
            dependencies: [
                .product(name: "TraceModel", package: rootFolder),
                .product(name: "TraceFormats", package: rootFolder),
                .product(name: "TraceFiles", package: rootFolder),
                .product(name: "TraceAnalysis", package: rootFolder),
                .product(name: "Tracescope", package: rootFolder),
                .product(name: "TraceCollector", package: rootFolder),
                .product(name: "TraceTUI", package: rootFolder),
                .product(name: "TraceBackends", package: rootFolder),
                .product(name: "TraceSynthetic", package: rootFolder),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        )
    ],
    swiftLanguageModes: [.v6]
)
