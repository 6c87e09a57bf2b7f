import Foundation
import TraceFormats
import TraceModel

/// One trace in a `GetTraceSummaries` page: what the trace list shows before the trace itself is fetched.
public struct XRayTraceSummary: Sendable, Equatable {
    public var id: String
    public var duration: Double?
    public var responseTime: Double?
    public var hasError: Bool
    public var hasFault: Bool
    public var hasThrottle: Bool
    public var startTime: Double?
}

/// A trace segment X-Ray did not take, with its reason.
public struct XRayUnprocessedSegment: Sendable, Equatable {
    public var id: String
    public var errorCode: String
    public var message: String
}

/// The X-Ray API's request bodies and response decoding: pure, so each shape is tested without a server.
public enum XRayAPI {
    /// `GetTraceSummaries`: a window in epoch seconds, an optional filter expression (X-Ray's own grammar, passed
    /// through) and the page token.
    public static func traceSummariesRequest(start: Date, end: Date, filter: String?, nextToken: String?) -> [UInt8] {
        var body: [String: Any] = [
            "StartTime": start.timeIntervalSince1970, "EndTime": end.timeIntervalSince1970, "Sampling": false,
        ]
        if let filter, !filter.isEmpty { body["FilterExpression"] = filter }
        if let nextToken { body["NextToken"] = nextToken }
        return json(body)
    }

    public static func traceSummariesResponse(_ bytes: [UInt8]) throws(AWSError) -> (
        summaries: [XRayTraceSummary], nextToken: String?
    ) {
        let object = try parseObject(bytes, operation: .getTraceSummaries)
        guard let list = object["TraceSummaries"] as? [Any] ?? (object["TraceSummaries"] == nil ? [] : nil) else {
            throw AWSError.malformedResponse(operation: "GetTraceSummaries", problem: "TraceSummaries is not a list")
        }
        var summaries: [XRayTraceSummary] = []
        summaries.reserveCapacity(min(list.count, 10_000))
        for item in list {
            guard let entry = item as? [String: Any], let id = entry["Id"] as? String, !id.isEmpty, id.utf8.count < 64
            else {
                throw AWSError.malformedResponse(operation: "GetTraceSummaries", problem: "a summary without an Id")
            }
            summaries.append(
                XRayTraceSummary(
                    id: id, duration: number(entry["Duration"]), responseTime: number(entry["ResponseTime"]),
                    hasError: entry["HasError"] as? Bool ?? false, hasFault: entry["HasFault"] as? Bool ?? false,
                    hasThrottle: entry["HasThrottle"] as? Bool ?? false, startTime: number(entry["StartTime"])))
        }
        return (summaries, (object["NextToken"] as? String).flatMap { $0.isEmpty ? nil : $0 })
    }

    /// `BatchGetTraces` takes at most five ids a call.
    public static let batchLimit = 5

    public static func batchGetTracesRequest(ids: [String], nextToken: String?) -> [UInt8] {
        var body: [String: Any] = ["TraceIds": ids]
        if let nextToken { body["NextToken"] = nextToken }
        return json(body)
    }

    /// The ids X-Ray did not process this time (to be asked again) and the next page's token. The traces
    /// themselves are decoded by `TraceStreamDecoder`, as `aws xray batch-get-traces` output, so a trace read from
    /// the API and the same output saved in a file become the same spans.
    public static func batchGetTracesPaging(_ bytes: [UInt8]) throws(AWSError) -> (
        unprocessed: [String], nextToken: String?
    ) {
        let object = try parseObject(bytes, operation: .batchGetTraces)
        let unprocessed = (object["UnprocessedTraceIds"] as? [Any] ?? []).compactMap { $0 as? String }
        return (unprocessed, (object["NextToken"] as? String).flatMap { $0.isEmpty ? nil : $0 })
    }

    /// `PutTraceSegments` takes documents as JSON strings; a document may be at most 64 KB.
    public static let maxDocumentBytes = 64 * 1024

    public static func putTraceSegmentsRequest(documents: [String]) -> [UInt8] {
        json(["TraceSegmentDocuments": documents])
    }

    public static func putTraceSegmentsResponse(_ bytes: [UInt8]) throws(AWSError) -> [XRayUnprocessedSegment] {
        let object = try parseObject(bytes, operation: .putTraceSegments)
        return (object["UnprocessedTraceSegments"] as? [Any] ?? []).compactMap { item in
            guard let entry = item as? [String: Any] else { return nil }
            return XRayUnprocessedSegment(
                id: entry["Id"] as? String ?? "", errorCode: entry["ErrorCode"] as? String ?? "",
                message: entry["Message"] as? String ?? "")
        }
    }

    static func parseObject(_ bytes: [UInt8], operation: XRayOperation) throws(AWSError) -> [String: Any] {
        guard !bytes.isEmpty else { return [:] }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            throw AWSError.malformedResponse(operation: operation.name, problem: "not JSON (\(bytes.count) bytes)")
        }
        guard let object = parsed as? [String: Any] else {
            throw AWSError.malformedResponse(operation: operation.name, problem: "not a JSON object")
        }
        return object
    }

    static func number(_ value: Any?) -> Double? {
        guard let n = value as? NSNumber, n.doubleValue.isFinite else { return nil }
        return n.doubleValue
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        (try? Array(JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))) ?? Array("{}".utf8)
    }
}
