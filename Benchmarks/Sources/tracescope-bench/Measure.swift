import Foundation

/// Timing, memory and child-process helpers shared by the benchmarks.
enum Measure {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Runs `body` and returns its result with the seconds it took.
    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = now()
        let result = try body()
        return (result, now() - start)
    }

    /// Runs `ours` and `reference` alternately, `repetitions` times each; returns each one's last result with the
    /// fewest seconds it took. Alternating puts both through the same spells of machine noise (a shared CI host, a
    /// virtual machine's neighbours): run one after the other, a spell that hit only one side swung the ratio by a
    /// quarter on this machine.
    static func bestAlternating<Ours, Reference>(
        of repetitions: Int, ours: () throws -> Ours,
        reference: () throws -> Reference
    ) rethrows
        -> (ours: (Ours, Double), reference: (Reference, Double))
    {
        var (oursResult, oursBest) = try time(ours)
        var (referenceResult, referenceBest) = try time(reference)
        for _ in 1..<max(1, repetitions) {
            let (again, seconds) = try time(ours)
            oursResult = again
            oursBest = min(oursBest, seconds)
            let (referenceAgain, referenceSeconds) = try time(reference)
            referenceResult = referenceAgain
            referenceBest = min(referenceBest, referenceSeconds)
        }
        return ((oursResult, oursBest), (referenceResult, referenceBest))
    }

    /// Runs this benchmark binary again with `arguments`; returns its stdout, exit status and peak RSS in MiB.
    static func child(_ arguments: [String]) throws -> (output: String, status: Int32, peakMiB: Double) {
        try SpawnedChild.bench(arguments).wait()
    }

    /// Runs a program (looked up on PATH) to its end; returns its output, exit status and peak RSS in MiB.
    static func run(_ argvStrings: [String], errorsToo: Bool) throws -> (output: String, status: Int32, peakMiB: Double)
    {
        try SpawnedChild(argvStrings, errorsToo: errorsToo).wait()
    }

    /// Finds the repository root (the folder holding sample-traces/) from the working directory upwards.
    static func repositoryRoot() -> URL {
        var url = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<4 {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("sample-traces/generate.py").path) {
                return url
            }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// The stress file of `segments` segments, generated once by the committed generator and kept in Benchmarks/.data.
    static func stressFile(segments: Int) throws -> String {
        let root = repositoryRoot()
        let dir = root.appendingPathComponent("Benchmarks/.data")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("stress-\(segments).jsonl").path
        if FileManager.default.fileExists(atPath: path) { return path }
        print("generating \(segments) segments into \(path) …")
        let generated = try run(
            [
                "python3", root.appendingPathComponent("sample-traces/generate.py").path, "stress",
                "--segments", String(segments), "--out", path + ".tmp",
            ], errorsToo: false)
        guard generated.status == 0 else { throw POSIXError(.EIO) }
        try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
        return path
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    static func format(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
}

/// A program running beside this process (looked up on PATH; `SpawnedChild.bench` for this benchmark binary), its
/// standard output read by `wait()`. posix_spawn and wait4 rather than Foundation's Process: wait4 gives the child's
/// peak memory, and Process's waitUntilExit was seen to hang on Linux.
final class SpawnedChild {
    private var pid: pid_t = 0
    private let output: Int32

    init(_ arguments: [String], errorsToo: Bool = false) throws {
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw POSIXError(.EIO) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], STDOUT_FILENO)
        if errorsToo { posix_spawn_file_actions_adddup2(&actions, pipe[1], STDERR_FILENO) }
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        posix_spawn_file_actions_destroy(&actions)
        close(pipe[1])
        guard spawned == 0 else {
            close(pipe[0])
            throw POSIXError(.ENOEXEC)
        }
        output = pipe[0]
    }

    /// This benchmark binary again, with `arguments`.
    static func bench(_ arguments: [String]) throws -> SpawnedChild {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        return try SpawnedChild([executable] + arguments)
    }

    /// Reads the child's output to its end and waits for it: the output, the exit status (128 + signal when
    /// killed) and its peak RSS in MiB.
    func wait() throws -> (output: String, status: Int32, peakMiB: Double) {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(output, &buffer, buffer.count)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        close(output)
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        // ru_maxrss is in KiB on Linux.
        return (String(decoding: data, as: UTF8.self), code, Double(usage.ru_maxrss) / 1024)
    }
}
