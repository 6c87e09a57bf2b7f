// swift-tools-version: 6.1
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which is whatever the checkout was cloned as.
let rootFolder = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

// The libFuzzer driver, in its own package so that only `Fuzz/run.sh` builds with `-sanitize=fuzzer,address`.
// One binary serves every harness (chosen by TRACESCOPE_FUZZ_TARGET): one instrumented build instead of fourteen.
let package = Package(
    name: "tracescope-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "tracescope-fuzz",
            dependencies: [.product(name: "FuzzHarnesses", package: rootFolder)]
        )
    ],
    swiftLanguageModes: [.v6]
)
