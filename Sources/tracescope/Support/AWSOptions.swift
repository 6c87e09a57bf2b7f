import ArgumentParser
import AsyncHTTPClient
import Foundation
import TraceBackends

/// The AWS CLI's connection options, shared by every command that talks to X-Ray.
struct AWSOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's).", valueName: "region"))
    var region: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Profile in ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE).", valueName: "name")
    )
    var profile: String?

    @Option(
        name: .customLong("endpoint-url"),
        help: ArgumentHelp(
            "X-Ray endpoint (default: AWS_ENDPOINT_URL_XRAY, AWS_ENDPOINT_URL, the region's).", valueName: "url"))
    var endpointURL: String?

    /// An X-Ray client for these options, credentials found as the AWS CLI finds them. Errors say what is missing.
    func client(http: HTTPClient = BackendHTTPClient.shared) throws(AWSError) -> XRayClient {
        let environment = AWSEnvironment.current()
        let profile = environment.profile(self.profile)
        let region = try environment.region(self.region, profile: profile)
        let endpoint = try environment.xrayEndpoint(endpointURL, region: region, profile: profile)
        let chain = CredentialChain(environment: environment, profileFlag: self.profile, http: http)
        return XRayClient(endpoint: endpoint, region: region, credentials: chain, http: http)
    }
}

/// A time window for X-Ray queries: `--since 15m`, or `--start T --end T` (ISO-8601 or epoch seconds).
struct TimeWindowOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("How far back to read: 90s, 15m, 6h (default 15m).", valueName: "duration"))
    var since: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Window start: ISO-8601 (2026-12-01T10:00:00Z) or epoch seconds.", valueName: "time"))
    var start: String?

    @Option(name: .long, help: ArgumentHelp("Window end (default: now).", valueName: "time"))
    var end: String?

    /// The window, validated: a bad value names its flag.
    func window(now: Date = Date()) throws(TimeSpec.Failure) -> (start: Date, end: Date) {
        if since != nil, start != nil {
            throw TimeSpec.Failure(description: "--since and --start are exclusive: give one")
        }
        let end =
            try self.end.map { (text) throws(TimeSpec.Failure) in try TimeSpec.instant(text, flag: "--end") } ?? now
        let start: Date
        if let text = self.start {
            start = try TimeSpec.instant(text, flag: "--start")
        } else {
            start = end.addingTimeInterval(-(try TimeSpec.duration(since ?? "15m", flag: "--since")))
        }
        guard start < end else {
            throw TimeSpec.Failure(description: "the window is empty: its start is not before its end")
        }
        return (start, end)
    }
}

/// Parsing of times and durations given on the command line.
enum TimeSpec {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `90s`, `15m`, `6h` (a bare number is seconds); positive and at most 30 days, X-Ray's retention.
    static func duration(_ text: String, flag: String) throws(Failure) -> TimeInterval {
        var digits = Substring(text)
        var unit: Double = 1
        switch text.last {
        case "s": digits = digits.dropLast()
        case "m":
            digits = digits.dropLast()
            unit = 60
        case "h":
            digits = digits.dropLast()
            unit = 3600
        case "d":
            digits = digits.dropLast()
            unit = 86_400
        default: break
        }
        guard let value = Double(digits), value.isFinite, value > 0, value * unit <= 30 * 86_400 else {
            throw Failure(
                description: "\(flag) \(text): expected a positive duration up to 30 days, like 90s, 15m or 6h")
        }
        return value * unit
    }

    /// ISO-8601 (`2026-12-01T10:00:00Z`, fractional seconds allowed) or epoch seconds, between 1970 and 2100.
    static func instant(_ text: String, flag: String) throws(Failure) -> Date {
        if let seconds = Double(text), seconds.isFinite {
            guard seconds >= 0, seconds < 4_102_444_800 else {
                throw Failure(description: "\(flag) \(text): epoch seconds out of range (1970–2100)")
            }
            return Date(timeIntervalSince1970: seconds)
        }
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: text) ?? fractional.date(from: text),
            date.timeIntervalSince1970 >= 0, date.timeIntervalSince1970 < 4_102_444_800
        else {
            throw Failure(description: "\(flag) \(text): expected ISO-8601 (2026-12-01T10:00:00Z) or epoch seconds")
        }
        return date
    }
}
