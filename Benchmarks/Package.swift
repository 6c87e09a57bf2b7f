// swift-tools-version: 6.0
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
    ],
    targets: [
        .executableTarget(
            name: "tracescope-bench",
            dependencies: [
                .product(name: "TraceModel", package: rootFolder),
                .product(name: "TraceFormats", package: rootFolder),
                .product(name: "TraceFiles", package: rootFolder),
                .product(name: "TraceAnalysis", package: rootFolder),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
