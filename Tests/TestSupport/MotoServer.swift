import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// moto's AWS server as a local X-Ray (`python -m moto.server`), on 127.0.0.1 with a free port, installed into the
/// tests' virtual environment on first use. It runs under `timeout`, so it stops by itself even if a test dies;
/// `stop()` ends it sooner, by its PID.
public final class MotoServer: Sendable {
    public let port: Int
    public let pid: Int32
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Credentials and settings that keep every AWS client on this server and off the network.
    public var environment: [String: String?] {
        [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_SESSION_TOKEN": nil, "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": url,
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": nil, "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        ]
    }

    /// `init` on a thread of its own, for async tests: installing moto and waiting for it to listen takes long
    /// enough to starve Swift concurrency's few threads (see `PythonTools.ensure`).
    public static func start(lifetimeSeconds: Int = 600) async throws -> MotoServer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try MotoServer(lifetimeSeconds: lifetimeSeconds) })
            }
        }
    }

    public init(lifetimeSeconds: Int = 600) throws {
        try PythonTools.ensure(module: "moto.server", package: "moto[server]")
        try PythonTools.ensure(module: "boto3", package: "boto3")
        let port = try freeListenPort()
        self.port = port
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(port).log").path
        let started = try ChildProcess.run([
            "/bin/sh", "-c",
            "timeout -s KILL \(lifetimeSeconds) '\(PythonTools.python)' -m moto.server -H 127.0.0.1 -p \(port) > '\(log)' 2>&1 & echo $!",
        ])
        guard let pid = Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw PythonTools.Failure(description: "moto did not start: \(started.stdout) \(started.stderr)")
        }
        self.pid = pid
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if loopbackAccepts(port: port) { return }
            usleep(100_000)
        }
        stop()
        throw PythonTools.Failure(
            description: "moto did not listen on \(port) within 60 s: "
                + ((try? String(contentsOfFile: log, encoding: .utf8)) ?? ""))
    }

    /// Ends the server (the `timeout` wrapper and moto under it) at once: nothing of its state is needed after a
    /// test.
    public func stop() {
        _ = try? ChildProcess.run(["/bin/sh", "-c", "pkill -KILL -P \(pid); kill -KILL \(pid)"])
    }
}

/// Whether something listens on the loopback TCP port (a server a test started is up).
public func loopbackAccepts(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}
