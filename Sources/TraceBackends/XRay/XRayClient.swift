import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// The AWS X-Ray API over HTTPS (REST-JSON, SigV4 service `xray`), through AsyncHTTPClient with certificate
/// verification.
///
/// Every call is signed afresh (credentials may have been refreshed), times out after `timeout`, and is retried with
/// exponential backoff and full jitter on throttling (429, `ThrottlingException`), 5xx and connection failures, at
/// most `maxAttempts` times in all. Errors say what to do: an `AccessDenied` names the IAM action the call needs.
///
/// ```swift
/// let client = XRayClient(endpoint: url, region: "us-east-1", credentials: chain, http: BackendHTTPClient.shared)
/// let page = try await client.getTraceSummaries(start: start, end: end, filter: nil, nextToken: nil)
/// ```
public struct XRayClient: Sendable {
    public var endpoint: URL
    public var region: String
    public var credentials: CredentialChain
    public var http: HTTPClient
    public var timeout: TimeAmount
    public var maxAttempts: Int
    /// The first retry waits up to this long; each further one doubles it (capped at 20 s).
    public var baseDelay: Duration
    /// Counts retries (throttling and transient failures), for status lines.
    public let retries = RetryCounter()

    public init(
        endpoint: URL, region: String, credentials: CredentialChain, http: HTTPClient,
        timeout: TimeAmount = .seconds(20), maxAttempts: Int = 6, baseDelay: Duration = .milliseconds(200)
    ) {
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.http = http
        self.timeout = timeout
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
    }

    /// Sends one API call: `POST path` with a JSON body; the answer's body on 200.
    public func call(_ operation: XRayOperation, body: [UInt8]) async throws(AWSError) -> [UInt8] {
        var attempt = 0
        while true {
            attempt += 1
            let outcome = await attemptCall(operation, body: body)
            switch outcome {
            case .success(let bytes): return bytes
            case .failure(let failure):
                guard failure.retryable, attempt < maxAttempts else { throw failure.error }
                retries.add()
                // Full jitter: a random wait up to base × 2^(attempt−1), so clients throttled together spread out.
                let baseMillis =
                    Double(baseDelay.components.seconds) * 1000 + Double(baseDelay.components.attoseconds) / 1e15
                let cap = min(20_000, baseMillis * pow(2, Double(attempt - 1)))
                try? await Task.sleep(for: .milliseconds(Double.random(in: 0...cap)))
            }
        }
    }

    private struct Failure: Error {
        var error: AWSError
        var retryable: Bool
    }

    private func attemptCall(_ operation: XRayOperation, body: [UInt8]) async -> Result<[UInt8], Failure> {
        let creds: AWSCredentials
        do { creds = try await credentials.credentials() } catch {
            return .failure(Failure(error: error, retryable: false))
        }
        let url = endpoint.appendingPathComponent(String(operation.path.dropFirst()))
        let signer = SigV4Signer(credentials: creds, region: region, service: "xray")
        let headers = signer.sign(
            method: "POST", url: url, headers: [("Content-Type", "application/json")], body: body, date: Date())
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(body)
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await http.execute(request, timeout: timeout)
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            return .failure(
                Failure(
                    error: .unreachable(endpoint: endpoint.absoluteString, problem: String(describing: error)),
                    retryable: true))
        }
        let data = Array(buffer: bytes)
        let status = Int(response.status.code)
        if status == 200 { return .success(data) }
        let (code, message) = Self.errorCode(headers: response.headers, body: data)
        let throttled = status == 429 || code == "ThrottlingException" || code == "TooManyRequestsException"
        if code == "AccessDeniedException" || code == "AccessDenied" || (status == 403 && code.isEmpty) {
            return .failure(
                Failure(error: .accessDenied(action: "xray:\(operation.name)", message: message), retryable: false))
        }
        if code == "ExpiredTokenException" || code == "ExpiredToken" {
            return .failure(Failure(error: .expiredToken(source: creds.source), retryable: false))
        }
        return .failure(
            Failure(
                error: .service(status: status, code: code, message: message), retryable: throttled || status >= 500))
    }

    /// The error's code (`x-amzn-ErrorType` or the body's `__type`, namespace and URI trimmed) and message.
    static func errorCode(headers: HTTPHeaders, body: [UInt8]) -> (code: String, message: String) {
        var code = headers.first(name: "x-amzn-ErrorType") ?? ""
        var message = ""
        if body.count < 1 << 20,
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        {
            if code.isEmpty { code = (object["__type"] as? String) ?? (object["code"] as? String) ?? "" }
            message = (object["message"] as? String) ?? (object["Message"] as? String) ?? ""
        }
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        return (code, String(message.prefix(500)))
    }
}

/// The X-Ray API operations Tracescope calls: their REST paths and IAM action names.
public enum XRayOperation: String, Sendable {
    case getTraceSummaries = "/TraceSummaries"
    case batchGetTraces = "/Traces"
    case getServiceGraph = "/ServiceGraph"
    case putTraceSegments = "/TraceSegments"

    public var path: String { rawValue }

    /// The operation's name, which is also its IAM action after `xray:`.
    public var name: String {
        switch self {
        case .getTraceSummaries: "GetTraceSummaries"
        case .batchGetTraces: "BatchGetTraces"
        case .getServiceGraph: "GetServiceGraph"
        case .putTraceSegments: "PutTraceSegments"
        }
    }
}

/// A thread-safe count (retries, for status lines).
public final class RetryCounter: Sendable {
    private let count = Mutex(0)
    public init() {}
    public func add() { count.withLock { $0 += 1 } }
    public var value: Int { count.withLock { $0 } }
}
