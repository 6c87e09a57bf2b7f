import FuzzHarnesses

#if canImport(Glibc)
    import Glibc
#endif

/// The harness this process runs, from TRACESCOPE_FUZZ_TARGET (set by `Fuzz/run.sh`).
nonisolated(unsafe) private var selected: FuzzTarget?

/// libFuzzer calls this once before fuzzing: it picks the harness.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    guard let name = getenv("TRACESCOPE_FUZZ_TARGET").map({ String(cString: $0) }),
        let target = FuzzTarget(rawValue: name)
    else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")
        printToStandardError("set TRACESCOPE_FUZZ_TARGET to one of: \(names)\n")
        exit(2)
    }
    selected = target
    return 0
}

/// Runs one input; a violated property traps, so libFuzzer saves the input as a finding like any crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let target = selected else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    let violations = target.run(bytes)
    if let first = violations.first {
        printToStandardError("property violated (\(target.rawValue)): \(first)\n")
        abort()
    }
    return 0
}

private func printToStandardError(_ message: String) {
    var message = message
    message.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
