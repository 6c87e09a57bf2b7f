import ArgumentParser
import TraceCollector

/// The receivers' options `tui` and `collect` share: where to listen (`off` disables one) and the gRPC receiver's
/// TLS and message size.
struct ReceiverOptions: ParsableArguments {
    @Option(help: ArgumentHelp("X-Ray daemon UDP address (host:port); `off` to disable.", valueName: "addr"))
    var udp = "127.0.0.1:2000"

    @Option(help: ArgumentHelp("OTLP/HTTP address (host:port); `off` to disable.", valueName: "addr"))
    var otlp = "127.0.0.1:4318"

    @Option(help: ArgumentHelp("OTLP/gRPC address (host:port); `off` to disable.", valueName: "addr"))
    var grpc = "127.0.0.1:4317"

    @Option(
        name: .customLong("otlp-tls-cert"),
        help: ArgumentHelp("PEM certificate chain: OTLP/HTTP over TLS (with --otlp-tls-key).", valueName: "file"))
    var otlpTLSCert: String?

    @Option(
        name: .customLong("otlp-tls-key"), help: ArgumentHelp("PEM private key of --otlp-tls-cert.", valueName: "file"))
    var otlpTLSKey: String?

    @Option(
        name: .customLong("grpc-tls-cert"),
        help: ArgumentHelp("PEM certificate chain: OTLP/gRPC over TLS (with --grpc-tls-key).", valueName: "file"))
    var grpcTLSCert: String?

    @Option(
        name: .customLong("grpc-tls-key"), help: ArgumentHelp("PEM private key of --grpc-tls-cert.", valueName: "file"))
    var grpcTLSKey: String?

    @Option(
        name: .customLong("grpc-max-message-mb"),
        help: ArgumentHelp("Largest OTLP/gRPC message taken, in MiB (bigger ones are refused).", valueName: "mb"))
    var grpcMaxMessageMB: Int = 4

    @Option(
        name: .customLong("request-timeout"),
        help: ArgumentHelp(
            "Time an OTLP/HTTP client has to send a whole request (a client trickling bytes is cut): 30s, 1m.",
            valueName: "duration"))
    var requestTimeout = "30s"

    func validate() throws {
        _ = try requestDeadline()
        for (flag, value) in [("--udp", udp), ("--otlp", otlp), ("--grpc", grpc)] where value != "off" {
            guard ListenAddress(parsing: value) != nil else {
                throw ValidationError("\(flag) \(value): expected host:port")
            }
        }
        if udp == "off" && otlp == "off" && grpc == "off" {
            throw ValidationError("--udp, --otlp and --grpc are all off: nothing to receive")
        }
        if (otlpTLSCert == nil) != (otlpTLSKey == nil) {
            throw ValidationError("--otlp-tls-cert and --otlp-tls-key go together")
        }
        if (grpcTLSCert == nil) != (grpcTLSKey == nil) {
            throw ValidationError("--grpc-tls-cert and --grpc-tls-key go together")
        }
        guard (1...1024).contains(grpcMaxMessageMB) else {
            throw ValidationError("--grpc-max-message-mb must be 1…1024")
        }
    }

    /// `--request-timeout` in seconds.
    func requestDeadline() throws -> Double {
        do throws(TimeSpec.Failure) { return try TimeSpec.duration(requestTimeout, flag: "--request-timeout") } catch {
            throw ValidationError(error.description)
        }
    }

    var grpcOptions: GRPCReceiver.Options? {
        guard grpc != "off", let address = ListenAddress(parsing: grpc) else { return nil }
        return GRPCReceiver.Options(
            address: address, certificatePath: grpcTLSCert, privateKeyPath: grpcTLSKey,
            maxMessageBytes: grpcMaxMessageMB << 20)
    }

    /// What the banner and the header name as the receivers.
    static func describe(_ collector: Collector) -> String {
        [
            collector.udpAddress.map { "X-Ray UDP \($0)" },
            collector.otlpAddress.map { "OTLP/HTTP \(collector.otlpIsTLS ? "https" : "http")://\($0)/v1/traces" },
            collector.grpcAddress.map { "OTLP/gRPC \($0)" },
        ].compactMap { $0 }.joined(separator: ", ")
    }
}

/// Starting the embedded collector from the receivers' options.
enum CollectorStartup {
    static func start(_ options: ReceiverOptions, pipeline: IngestPipeline) async throws -> Collector {
        var limits = ReceiverLimits.forBudget(pipeline.memoryBudgetBytes)
        limits.requestDeadline = .milliseconds(Int64(try options.requestDeadline() * 1000))
        do {
            return try await Collector.start(
                udp: options.udp == "off" ? nil : ListenAddress(parsing: options.udp),
                otlp: options.otlp == "off" ? nil : ListenAddress(parsing: options.otlp), grpc: options.grpcOptions,
                otlpTLS: options.otlpTLSCert.flatMap { cert in
                    options.otlpTLSKey.map { Collector.TLSFiles(certificatePath: cert, privateKeyPath: $0) }
                }, pipeline: pipeline, limits: limits)
        } catch {
            Terminal.warn("\(error)")
            throw ExitCode(2)
        }
    }
}
