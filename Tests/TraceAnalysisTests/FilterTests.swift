import Testing
import TraceAnalysis
import TraceFormats
import TraceModel

@Suite("Trace filter expressions")
struct FilterTests {
    static func assembled(_ records: [String]) -> AssembledTrace {
        var spans: [Span] = []
        for record in records {
            _ = Array(record.utf8).withUnsafeBytes { TraceRecordDecoder.decode($0, into: &spans) }
        }
        return AssembledTrace(traceID: spans[0].traceID, spans: spans)
    }

    /// shop (GET /cart/42, 1.5 s, annotated gold) → checkout (instrumented, faults) and a throttled DynamoDB call.
    static let trace = assembled([
        #"{"name":"shop","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":100,"end_time":101.5,"#
            + #""http":{"request":{"method":"GET","url":"https://shop.example.com/cart/42"},"response":{"status":502}},"fault":true,"#
            + #""annotations":{"customer":"gold","items":3,"vip":true},"#
            + #""subsegments":[{"name":"checkout","id":"0000000000000002","start_time":100.1,"end_time":101.2,"namespace":"remote","fault":true},"#
            + #"{"name":"DynamoDB","id":"0000000000000003","start_time":101.2,"end_time":101.3,"namespace":"aws","error":true,"throttle":true}]}"#,
        #"{"name":"checkout","id":"0000000000000004","parent_id":"0000000000000002","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":100.2,"end_time":103,"fault":true}"#,
    ])

    @Test(arguments: [
        (#"service("checkout")"#, true), (#"service("nope")"#, false),
        (#"edge("shop", "checkout")"#, true), (#"edge("checkout", "shop")"#, false),
        ("responsetime > 1", true), ("responsetime > 2", false), ("duration >= 3", true), ("duration < 2.5", false),
        ("fault", true), ("throttle", true), ("ok", false), ("!ok", true), ("NOT fault", false),
        ("http.status = 502", true), ("http.status >= 500 AND http.status < 600", true), ("http.status != 502", false),
        (#"http.url CONTAINS "/CART/""#, true), (#"http.url BEGINSWITH "https://shop""#, true),
        (#"http.url ENDSWITH "43""#, false),
        (#"http.method = "GET""#, true),
        (#"annotation.customer = "gold""#, true), ("annotation.items > 2", true), ("annotation.vip = true", true),
        (#"annotation.missing = "x""#, false),
        (#"service("nope") OR fault && http.status = 502"#, true),
        (#"(service("nope") OR fault) AND !throttle"#, false),
    ])
    func evaluates(expression: String, expected: Bool) throws {
        let filter = try TraceFilter(expression)
        #expect(filter.matches(Self.trace) == expected, "\(expression)")
    }

    @Test(arguments: [
        ("", "column 1: the expression is empty"),
        ("responsetime >", "column 15: expected a number, a quoted string, true or false, found the end"),
        (#"service(checkout)"#, "column 9: expected a quoted name in service(…), found 'checkout'"),
        (#"edge("a")"#, "column 9: edge(…) takes 2 quoted names"),
        ("fault AND (ok", "column 14: expected ')', found the end"),
        (
            "latency > 1",
            "column 1: unknown keyword or field 'latency' (try service(\"name\"), responsetime, duration, http.status, http.url, annotation.key, fault…)"
        ),
        (#"http.url CONTAINS "open"#, "column 19: a quoted string is not closed"),
        (#"responsetime > "slow""#, "column 16: this field compares with a number"),
        ("fault ok", "column 7: expected AND, OR or the end, found 'ok'"),
        ("fault # 1", "column 7: unexpected character '#'"),
        (
            String(repeating: "(", count: 100) + "fault" + String(repeating: ")", count: 100),
            "column 65: nested more than 64 deep"
        ),
        (String(repeating: "!", count: 100) + "fault", "column 65: nested more than 64 deep"),
    ])
    func badExpressionsSayWhereAndWhy(expression: String, message: String) {
        #expect(throws: TraceFilterError.self) { try TraceFilter(expression) }
        do {
            _ = try TraceFilter(expression)
        } catch {
            #expect(error.description == message)
        }
    }
}
