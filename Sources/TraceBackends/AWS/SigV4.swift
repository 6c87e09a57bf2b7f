import Crypto
import Foundation

/// AWS Signature Version 4 for a request in a header (`Authorization`, `X-Amz-Date`, `X-Amz-Security-Token`).
///
/// Pure: the time and the credentials are inputs, so a signature is reproducible. The canonical form follows AWS's
/// specification as botocore implements it, which the tests compare against: the path has dot segments and repeated
/// slashes removed and is percent-encoded again (services other than S3 sign the doubly encoded path); the query is
/// taken as encoded and sorted by key, then value; header values are trimmed and inner runs of whitespace folded to
/// one space; `user-agent`, `expect`, `transfer-encoding` and `x-amzn-trace-id` are not signed (proxies rewrite
/// them); the payload is signed by its SHA-256.
///
/// ```swift
/// let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "xray")
/// let signed = signer.sign(method: "POST", url: url, headers: [("Content-Type", "application/json")], body: body,
///                          date: Date())
/// ```
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Headers that are never signed: intermediaries may change them.
    static let unsignedHeaders: Set<String> = ["expect", "transfer-encoding", "user-agent", "x-amzn-trace-id"]

    /// The request's headers with the signature added (any `Authorization`, `X-Amz-Date` and security token it
    /// carried are replaced). `url` is the URL as sent: its path and query already percent-encoded.
    public func sign(
        method: String, url: URL, headers: [(String, String)], body: [UInt8], date: Date
    ) -> [(String, String)] {
        let timestamp = Self.timestamp(date)
        var headers = headers.filter {
            let name = $0.0.lowercased()
            return name != "authorization" && name != "x-amz-date"
                && (credentials.sessionToken == nil || name != "x-amz-security-token")
        }
        headers.append(("X-Amz-Date", timestamp))
        if let token = credentials.sessionToken { headers.append(("X-Amz-Security-Token", token)) }
        let parts = canonicalParts(method: method, url: url, headers: headers, body: body)
        let scope = "\(timestamp.prefix(8))/\(region)/\(service)/aws4_request"
        let stringToSign =
            "AWS4-HMAC-SHA256\n\(timestamp)\n\(scope)\n\(Self.hex(SHA256.hash(data: Array(parts.request.utf8))))"
        let signature = Self.hex(
            HMAC<SHA256>.authenticationCode(
                for: Array(stringToSign.utf8), using: signingKey(day: String(timestamp.prefix(8))))
        )
        headers.append(
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
                    + "SignedHeaders=\(parts.signedHeaders), Signature=\(signature)"
            ))
        return headers
    }

    /// The canonical request and the signed header list, exposed for tests against the specification's examples.
    func canonicalParts(method: String, url: URL, headers: [(String, String)], body: [UInt8]) -> (
        request: String, signedHeaders: String
    ) {
        var byName: [String: [String]] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            guard !Self.unsignedHeaders.contains(lower) else { continue }
            byName[lower, default: []].append(value.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        }
        if byName["host"] == nil { byName["host"] = [Self.host(of: url)] }
        let names = byName.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(byName[$0]!.joined(separator: ","))" }.joined(separator: "\n")
        let signedHeaders = names.joined(separator: ";")
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let path = Self.canonicalPath(components?.percentEncodedPath ?? url.path)
        let query = Self.canonicalQuery(components?.percentEncodedQuery)
        let request = [
            method.uppercased(), path, query, canonicalHeaders + "\n", signedHeaders,
            Self.hex(SHA256.hash(data: body)),
        ].joined(separator: "\n")
        return (request, signedHeaders)
    }

    private func signingKey(day: String) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)))
        }
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] { key = hmac(key, part) }
        return key
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilDate.fromDays(days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(year)\(two(month))\(two(day))T\(two(secondOfDay / 3600))\(two(secondOfDay / 60 % 60))\(two(secondOfDay % 60))Z"
    }

    /// The host header a client sends: the port only when it is not the scheme's default.
    static func host(of url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port else { return host }
        let scheme = url.scheme?.lowercased()
        if (scheme == "https" && port == 443) || (scheme == "http" && port == 80) { return host }
        return "\(host):\(port)"
    }

    /// Dot segments and empty segments removed, then every byte but unreserved characters and `/` encoded (so an
    /// already-encoded `%20` becomes `%2520`, as services other than S3 expect).
    static func canonicalPath(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        var normalized = path.hasPrefix("/") ? "/" : ""
        normalized += segments.joined(separator: "/")
        if path.hasSuffix("/"), !segments.isEmpty { normalized += "/" }
        return percentEncode(normalized, keeping: "/")
    }

    /// The query as encoded, its pairs sorted by key, then value.
    static func canonicalQuery(_ query: String?) -> String {
        guard let query, !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> (String, String) in
            guard let equals = pair.firstIndex(of: "=") else { return (String(pair), "") }
            return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
        }
        return pairs.sorted {
            $0.0 != $1.0
                ? Array($0.0.utf8).lexicographicallyPrecedes($1.0.utf8)
                : Array($0.1.utf8).lexicographicallyPrecedes($1.1.utf8)
        }
        .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding of every byte outside `A–Z a–z 0–9 - _ . ~` and `keeping`.
    static func percentEncode(_ text: String, keeping: String = "") -> String {
        let kept = Set(keeping.utf8)
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                if kept.contains(byte) {
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    out +=
                        "%" + String(byte >> 4, radix: 16, uppercase: true)
                        + String(byte & 15, radix: 16, uppercase: true)
                }
            }
        }
        return out
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

/// Days since the Unix epoch to a proleptic Gregorian date (Howard Hinnant's algorithm): no Foundation calendar,
/// so signing is locale- and time-zone-proof.
enum CivilDate {
    static func fromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
