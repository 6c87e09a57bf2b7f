import ArgumentParser
import AsyncHTTPClient
import Foundation
import TraceBackends
import TraceCollector
import TraceFiles
import TraceModel

/// Where a collector sends what it receives, besides its own analysis: `--out`, X-Ray, an OTLP backend, a daemon.
/// Shared by `collect` and the live dashboard.
struct ForwardingOptions: ParsableArguments {
    @Flag(name: .customLong("forward-xray"), help: "Forward everything received to AWS X-Ray (PutTraceSegments).")
    var forwardXRay = false

    @Option(
        name: .customLong("forward-otlp"),
        help: ArgumentHelp(
            "Forward everything received to this OTLP/HTTP backend as protobuf (URL/v1/traces).", valueName: "url"))
    var forwardOTLP: String?

    @Option(
        name: .customLong("forward-header"),
        help: ArgumentHelp(
            "A header for --forward-otlp requests, e.g. 'authorization=Bearer …' (repeatable).",
            valueName: "k=v"))
    var forwardHeaders: [String] = []

    @Option(
        name: .customLong("forward-compression"),
        help: ArgumentHelp("--forward-otlp body compression: gzip or none.", valueName: "gzip|none"))
    var forwardCompression = "none"

    @Option(
        name: .customLong("forward-ca"),
        help: ArgumentHelp("PEM CA certificates that --forward-otlp's TLS server must chain to.", valueName: "file"))
    var forwardCA: String?

    @Option(
        name: .customLong("forward-sigv4"),
        help: ArgumentHelp("Sign --forward-otlp requests with SigV4 for this AWS service (xray).", valueName: "service")
    )
    var forwardSigV4: String?

    @Option(
        name: .customLong("forward-udp"),
        help: ArgumentHelp("Re-send daemon datagrams verbatim to this X-Ray daemon (host:port).", valueName: "addr"))
    var forwardUDP: String?

    @Option(
        name: .customLong("forward-queue"),
        help: ArgumentHelp(
            "Spans a forwarder holds while its backend is slow; beyond it they are dropped, counted.",
            valueName: "spans"))
    var forwardQueue: Int = 100_000

    func validate() throws {
        if let forwardUDP, ListenAddress(parsing: forwardUDP) == nil {
            throw ValidationError("--forward-udp \(forwardUDP): expected host:port")
        }
        guard forwardQueue > 0, forwardQueue <= 10_000_000 else {
            throw ValidationError("--forward-queue must be 1…10000000")
        }
        if let forwardOTLP {
            guard let url = URL(string: forwardOTLP), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", url.host != nil
            else { throw ValidationError("--forward-otlp \(forwardOTLP): expected http(s)://host[:port][/path]") }
        }
        for header in forwardHeaders where !header.contains("=") || header.hasPrefix("=") {
            throw ValidationError("--forward-header \(header): expected name=value")
        }
        guard forwardCompression == "gzip" || forwardCompression == "none" else {
            throw ValidationError("--forward-compression takes gzip or none")
        }
        if forwardOTLP == nil, !forwardHeaders.isEmpty || forwardCA != nil || forwardSigV4 != nil {
            throw ValidationError("--forward-header, --forward-ca and --forward-sigv4 go with --forward-otlp")
        }
        if let forwardSigV4, forwardSigV4 != "xray" {
            throw ValidationError("--forward-sigv4 takes xray (AWS X-Ray's OTLP endpoint)")
        }
    }
}

/// The forwarders a command runs, built from the options; errors say which flag is wrong and exit 2.
final class Forwarders: Sendable {
    let xray: XRayForwarder?
    let otlp: OTLPForwarder?
    let datagrams: DaemonUDPForwarder?
    let file: XRayLinesFile?
    private let otlpClient: HTTPClient?

    init(_ options: ForwardingOptions, aws: AWSOptions, out: String?) throws {
        do {
            file = try out.map { (path) throws(XRayLinesFile.OpenError) in try XRayLinesFile(path: path) }
            xray =
                options.forwardXRay
                ? XRayForwarder(client: try aws.client(), maxQueuedSpans: options.forwardQueue) : nil
            if let text = options.forwardOTLP, let url = URL(string: text) {
                let client = try BackendHTTPClient.make(caFile: options.forwardCA)
                var sigV4: (service: String, region: String, credentials: CredentialChain)?
                if let service = options.forwardSigV4 {
                    let xrayClient = try aws.client(http: client)
                    sigV4 = (service, xrayClient.region, xrayClient.credentials)
                }
                let headers = options.forwardHeaders.map { header -> (String, String) in
                    let (name, value) = header.split(separator: "=", maxSplits: 1).map(String.init).pairs
                    return (name.trimmingCharacters(in: .whitespaces), value.trimmingCharacters(in: .whitespaces))
                }
                otlpClient = client
                otlp = OTLPForwarder(
                    OTLPForwarder.Options(
                        url: url, headers: headers, gzip: options.forwardCompression == "gzip",
                        maxQueuedSpans: options.forwardQueue, sigV4: sigV4),
                    http: client)
            } else {
                otlpClient = nil
                otlp = nil
            }
            datagrams = try options.forwardUDP.flatMap(ListenAddress.init(parsing:)).map {
                (address) throws(DaemonUDPForwarder.Failure) in
                try DaemonUDPForwarder(host: address.host, port: address.port)
            }
        } catch let error as XRayLinesFile.OpenError {
            Terminal.warn(error.description)
            throw ExitCode(2)
        } catch let error as AWSError {
            Terminal.warn("forwarding to AWS: \(error)")
            throw ExitCode(2)
        } catch let error as BackendHTTPClient.Failure {
            Terminal.warn("--forward-ca: \(error)")
            throw ExitCode(2)
        } catch let error as DaemonUDPForwarder.Failure {
            Terminal.warn(error.description)
            throw ExitCode(2)
        }
    }

    /// What the pipeline hands each accepted batch to; nil when nothing forwards or records.
    var sink: IngestPipeline.Sink? {
        guard file != nil || xray != nil || otlp != nil else { return nil }
        let file = file
        let xray = xray
        let otlp = otlp
        return { @Sendable (spans: [Span], raw: UnsafeRawBufferPointer?) -> Void in
            if let file {
                do throws(XRayLinesFile.WriteError) { try file.append(spans) } catch {
                    Terminal.warn("--out: \(error)")
                }
            }
            xray?.submit(spans)
            otlp?.submit(spans, otlpProtobuf: raw)
        }
    }

    var datagramSink: (@Sendable (UnsafeRawBufferPointer) -> Void)? {
        guard let datagrams else { return nil }
        return { @Sendable (bytes: UnsafeRawBufferPointer) -> Void in datagrams.forward(bytes) }
    }

    /// Where things go, for the banner.
    var banner: String {
        var parts: [String] = []
        if let xray {
            parts.append("forwarding to X-Ray \(xray.client.endpoint.absoluteString) (\(xray.client.region))")
        }
        if let otlp { parts.append("forwarding OTLP to \(otlp.options.endpoint.absoluteString)") }
        if let datagrams { parts.append("forwarding datagrams to \(datagrams.target)") }
        return parts.map { ", " + $0 }.joined()
    }

    /// The forwarders' counters, for the status line.
    var status: String {
        var parts: [String] = []
        if let xray { parts.append("X-Ray: \(xray.stats)") }
        if let otlp { parts.append("OTLP: \(otlp.stats)") }
        if let datagrams {
            let s = datagrams.stats
            parts.append("UDP to \(datagrams.target): forwarded \(s.forwarded) · dropped \(s.dropped)")
        }
        return parts.isEmpty ? "" : " · " + parts.joined(separator: " · ")
    }

    /// Sends everything accepted on, then closes (call after the receivers stopped).
    func drain() async {
        file?.close()
        async let xrayDone: Void = xray?.drain() ?? ()
        async let otlpDone: Void = otlp?.drain() ?? ()
        _ = await (xrayDone, otlpDone)
        try? await otlpClient?.shutdown()
        datagrams?.close()
    }
}

extension Array where Element == String {
    /// The first two elements (a `name=value` split), the second empty when missing.
    fileprivate var pairs: (String, String) { (first ?? "", count > 1 ? self[1] : "") }
}
