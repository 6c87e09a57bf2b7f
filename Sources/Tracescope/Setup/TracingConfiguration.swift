import TraceModel

/// What `TracescopeTracing.bootstrap` sets up, resolved from explicit arguments first, then from the variables
/// OpenTelemetry and X-Ray users already set — a pure function of its inputs, so every rule is testable without a
/// process environment (docs/SEMANTICS.md, "The tracing library's environment").
///
/// | what | variables, in order |
/// |---|---|
/// | service name | `serviceName:`, `OTEL_SERVICE_NAME`, `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, `AWS_LAMBDA_FUNCTION_NAME`, else `unknown_service:swift` |
/// | exporter | `exporter:`, `OTEL_TRACES_EXPORTER` (`otlp`, `xray`, `console`, `none`), else `xray` inside Lambda or with `AWS_XRAY_DAEMON_ADDRESS` set, else `otlp` |
/// | OTLP | `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (full URL), `OTEL_EXPORTER_OTLP_ENDPOINT` (base), `…_PROTOCOL` (`http/protobuf`, `http/json`), `…_HEADERS`, `…_COMPRESSION` (`gzip`, `none`), `…_TIMEOUT` (ms); each `TRACES_` form wins over the general one |
/// | sampler | `sampler:`, `OTEL_TRACES_SAMPLER` (`always_on`, `always_off`, `traceidratio`, `parentbased_*`, `xray`) with `OTEL_TRACES_SAMPLER_ARG`, else X-Ray's default rule |
public struct TracingConfiguration: Sendable, Equatable {
    /// Where spans go.
    public enum Exporter: Sendable, Equatable {
        case otlp(OTLP)
        /// X-Ray daemon datagrams to this address (`AWS_XRAY_DAEMON_ADDRESS`, else 127.0.0.1:2000).
        case xray(address: String?)
        /// X-Ray documents as JSON lines on standard output (what `tracescope summary -` reads).
        case console
        case none
        /// An exporter the caller gave.
        case custom
    }

    /// The OTLP/HTTP exporter's settings.
    public struct OTLP: Sendable, Equatable {
        /// The full traces URL.
        public var endpoint: String
        /// `OTEL_EXPORTER_OTLP_PROTOCOL`: protobuf unless `http/json`.
        public var encoding: OTLPHTTPExporter.Encoding = .protobuf
        /// `OTEL_EXPORTER_OTLP_COMPRESSION`.
        public var compression: OTLPHTTPExporter.Compression = .none
        /// `OTEL_EXPORTER_OTLP_HEADERS`.
        public var headers: [String: String] = [:]
        /// `OTEL_EXPORTER_OTLP_TIMEOUT` (milliseconds in the variable).
        public var timeout: Duration = .seconds(10)
    }

    /// Which sampler decides new traces.
    public enum Sampler: Sendable, Equatable {
        case alwaysOn
        case alwaysOff
        /// New traces are recorded with this probability.
        case ratio(Double)
        /// X-Ray's default rule: one trace a second, then 5%.
        case xrayDefault
        /// A sampler the caller gave.
        case custom
    }

    /// A value that cannot be used, naming the variable it came from.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The environment variable at fault.
        public var variable: String
        /// What is wrong with its value.
        public var problem: String
        /// `VARIABLE: problem`.
        public var description: String { "\(variable): \(problem)" }
    }

    /// The service name chosen.
    public var serviceName: String
    /// The exporter chosen.
    public var exporter: Exporter
    /// The sampler chosen.
    public var sampler: Sampler
    /// `OTEL_RESOURCE_ATTRIBUTES`, sent as the OTLP resource.
    public var resourceAttributes: [String: AttributeValue]

    /// - Parameters:
    ///   - serviceName, exporter, sampler: explicit choices; each wins over the environment.
    ///   - environment: the variables to read (the process's by default).
    public static func resolve(
        serviceName: String? = nil, exporter: Exporter? = nil, sampler: Sampler? = nil,
        environment: [String: String]
    ) throws(Failure) -> TracingConfiguration {
        func value(_ name: String) -> String? {
            guard let v = environment[name]?.trimmed, !v.isEmpty else { return nil }
            return v
        }
        let resource = try pairs(value("OTEL_RESOURCE_ATTRIBUTES"), variable: "OTEL_RESOURCE_ATTRIBUTES")
        let name =
            serviceName ?? value("OTEL_SERVICE_NAME") ?? resource["service.name"]
            ?? value("AWS_LAMBDA_FUNCTION_NAME") ?? "unknown_service:swift"
        var attributes = resource.mapValues { AttributeValue.string($0) }
        attributes["service.name"] = .string(name)
        let chosenExporter: Exporter
        if let exporter { chosenExporter = exporter } else { chosenExporter = try resolveExporter(value) }
        let chosenSampler: Sampler
        if let sampler { chosenSampler = sampler } else { chosenSampler = try resolveSampler(value) }
        return TracingConfiguration(
            serviceName: name, exporter: chosenExporter, sampler: chosenSampler, resourceAttributes: attributes)
    }

    private static func resolveExporter(_ value: (String) -> String?) throws(Failure) -> Exporter {
        let inLambda = value("AWS_LAMBDA_FUNCTION_NAME") != nil
        let daemon = value("AWS_XRAY_DAEMON_ADDRESS")
        // The OpenTelemetry specification allows a list; the library sends to one exporter, the first.
        let named = value("OTEL_TRACES_EXPORTER")?.split(separator: ",").first.map { $0.trimmed.lowercased() }
        switch named ?? (inLambda || daemon != nil ? "xray" : "otlp") {
        case "otlp": return .otlp(try resolveOTLP(value))
        case "xray", "awsxray": return .xray(address: daemon)
        case "console": return .console
        case "none": return .none
        case let other:
            throw Failure(
                variable: "OTEL_TRACES_EXPORTER", problem: "\"\(other)\" is not one of otlp, xray, console, none")
        }
    }

    private static func resolveOTLP(_ value: (String) -> String?) throws(Failure) -> OTLP {
        /// The traces-specific variable, else the general one, with the name it came from.
        func either(_ suffix: String) -> (name: String, value: String)? {
            for name in ["OTEL_EXPORTER_OTLP_TRACES_" + suffix, "OTEL_EXPORTER_OTLP_" + suffix] {
                if let v = value(name) { return (name, v) }
            }
            return nil
        }
        var endpoint = "http://127.0.0.1:4318/v1/traces"
        if let full = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            endpoint = full
        } else if let base = value("OTEL_EXPORTER_OTLP_ENDPOINT") {
            endpoint = base.hasSuffix("/") ? base + "v1/traces" : base + "/v1/traces"
        }
        var otlp = OTLP(endpoint: endpoint)
        if let (name, text) = either("PROTOCOL") {
            switch text.lowercased() {
            case "http/protobuf": otlp.encoding = .protobuf
            case "http/json": otlp.encoding = .json
            case "grpc":
                throw Failure(
                    variable: name,
                    problem: "grpc is not supported by the library (it carries no HTTP/2 stack); use http/protobuf")
            default: throw Failure(variable: name, problem: "\"\(text)\" is not http/protobuf or http/json")
            }
        }
        if let (name, text) = either("COMPRESSION") {
            switch text.lowercased() {
            case "gzip": otlp.compression = .gzip
            case "none": otlp.compression = .none
            default: throw Failure(variable: name, problem: "\"\(text)\" is not gzip or none")
            }
        }
        if let (name, text) = either("HEADERS") {
            otlp.headers = try pairs(text, variable: name)
        }
        if let (name, text) = either("TIMEOUT") {
            guard let millis = Double(text), millis.isFinite, millis > 0, millis <= 3_600_000 else {
                throw Failure(variable: name, problem: "\"\(text)\" is not a timeout in milliseconds (1 to 3600000)")
            }
            otlp.timeout = .milliseconds(Int64(millis))
        }
        return otlp
    }

    private static func resolveSampler(_ value: (String) -> String?) throws(Failure) -> Sampler {
        guard let name = value("OTEL_TRACES_SAMPLER")?.lowercased() else { return .xrayDefault }
        func ratio() throws(Failure) -> Double {
            guard let text = value("OTEL_TRACES_SAMPLER_ARG") else { return 1 }
            guard let r = Double(text), r.isFinite, (0...1).contains(r) else {
                throw Failure(variable: "OTEL_TRACES_SAMPLER_ARG", problem: "\"\(text)\" is not a ratio from 0 to 1")
            }
            return r
        }
        // An upstream decision is always honoured (X-Ray's rule), so the parent-based samplers and the plain ones
        // decide the same: only new traces are asked.
        switch name {
        case "always_on", "parentbased_always_on": return .alwaysOn
        case "always_off", "parentbased_always_off": return .alwaysOff
        case "traceidratio", "parentbased_traceidratio": return .ratio(try ratio())
        case "xray", "aws_xray": return .xrayDefault
        default:
            throw Failure(
                variable: "OTEL_TRACES_SAMPLER",
                problem: "\"\(name)\" is not one of always_on, always_off, traceidratio, parentbased_*, xray")
        }
    }

    /// `key=value,key2=value2` with percent-encoded values, as the OpenTelemetry variables write them.
    static func pairs(_ text: String?, variable: String) throws(Failure) -> [String: String] {
        guard let text else { return [:] }
        var result: [String: String] = [:]
        for item in text.split(separator: ",") where !item.trimmed.isEmpty {
            guard let equals = item.firstIndex(of: "=") else {
                throw Failure(variable: variable, problem: "\"\(item.trimmed)\" is not key=value")
            }
            let key = item[..<equals].trimmed
            guard !key.isEmpty, let decoded = percentDecoded(item[item.index(after: equals)...].trimmed) else {
                throw Failure(variable: variable, problem: "\"\(item.trimmed)\" is not key=value")
            }
            result[key] = decoded
        }
        return result
    }

    private static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue)
            else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension StringProtocol {
    fileprivate var trimmed: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
