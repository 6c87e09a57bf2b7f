import AsyncHTTPClient
import Foundation
import TestSupport
import Testing

@testable import TraceBackends

/// The client against a fake X-Ray endpoint on loopback: retries, error mapping, paging, bad answers.
@Suite("X-Ray API client", .timeLimit(.minutes(5)))
struct XRayClientTests {
    static func client(
        _ server: ScriptedHTTPServer, maxAttempts: Int = 6, timeoutSeconds: Int64 = 5
    ) throws -> XRayClient {
        let credentials = CredentialChain(
            fixed: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), http: BackendHTTPClient.shared
        )
        return XRayClient(
            endpoint: try #require(URL(string: server.url)), region: "us-east-1", credentials: credentials,
            http: BackendHTTPClient.shared, timeout: .seconds(timeoutSeconds), maxAttempts: maxAttempts,
            baseDelay: .milliseconds(5))
    }

    @Test func throttlingIsRetriedUntilItSucceeds() async throws {
        let calls = RetryCounter()
        let server = try ScriptedHTTPServer { _ in
            calls.add()
            if calls.value <= 2 {
                return .json(
                    #"{"message":"Rate exceeded"}"#, status: 429, headers: [("x-amzn-ErrorType", "ThrottlingException")]
                )
            }
            if calls.value == 3 { return .json(#"{"__type":"ServiceUnavailableException"}"#, status: 503) }
            return .json(#"{"TraceSummaries":[{"Id":"1-5759e988-bd862e3fe1be46a994272793","Duration":0.5}]}"#)
        }
        defer { server.close() }
        let client = try Self.client(server)
        let body = try await client.call(
            .getTraceSummaries,
            body: XRayAPI.traceSummariesRequest(
                start: Date(timeIntervalSince1970: 100), end: Date(timeIntervalSince1970: 200), filter: "fault",
                nextToken: nil))
        #expect(try XRayAPI.traceSummariesResponse(body).summaries.map(\.id) == ["1-5759e988-bd862e3fe1be46a994272793"])
        #expect(calls.value == 4)
        #expect(client.retries.value == 3)
        let request = try #require(server.requests.first)
        #expect(request.path == "/TraceSummaries")
        #expect(request.headers["authorization"]?.contains("/us-east-1/xray/aws4_request") == true)
        let sent = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
        #expect(sent?["FilterExpression"] as? String == "fault")
        #expect(sent?["StartTime"] as? Double == 100)
    }

    @Test func throttlingThatNeverEndsGivesUpWithTheReason() async throws {
        let server = try ScriptedHTTPServer { _ in
            .json(
                #"{"message":"Rate exceeded"}"#, status: 400,
                headers: [("x-amzn-ErrorType", "ThrottlingException:http://internal")])
        }
        defer { server.close() }
        do {
            _ = try await Self.client(server, maxAttempts: 3).call(.getServiceGraph, body: [])
            Issue.record("a call that is always throttled must fail")
        } catch let error as AWSError {
            #expect(error == .service(status: 400, code: "ThrottlingException", message: "Rate exceeded"))
        }
        #expect(server.requests.count == 3)
    }

    @Test func accessDeniedNamesTheIAMAction() async throws {
        let server = try ScriptedHTTPServer { _ in
            .json(
                #"{"Message":"User is not authorized"}"#, status: 403,
                headers: [("x-amzn-ErrorType", "AccessDeniedException")])
        }
        defer { server.close() }
        do {
            _ = try await Self.client(server).call(.batchGetTraces, body: [])
            Issue.record("access denied must fail")
        } catch let error as AWSError {
            #expect(error.description.contains("xray:BatchGetTraces"))
        }
        #expect(server.requests.count == 1) // not retried
    }

    @Test func anUnreachableEndpointSaysSo() async throws {
        let (fd, port) = try bindLoopback(Int32(SOCK_STREAM.rawValue))
        close(fd) // a port nobody listens on
        let credentials = CredentialChain(
            fixed: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), http: BackendHTTPClient.shared
        )
        let client = XRayClient(
            endpoint: try #require(URL(string: "http://127.0.0.1:\(port)")), region: "us-east-1",
            credentials: credentials, http: BackendHTTPClient.shared, maxAttempts: 2, baseDelay: .milliseconds(1))
        do {
            _ = try await client.call(.getServiceGraph, body: [])
            Issue.record("nothing listens there")
        } catch {
            #expect(error.description.hasPrefix("cannot reach http://127.0.0.1:\(port)"))
        }
    }

    @Test func malformedAndTruncatedAnswersAreClearErrors() throws {
        for bad in [
            "{\"TraceSummaries\": [", "[]", "{\"TraceSummaries\": 3}", "{\"TraceSummaries\": [{\"Duration\": 1}]}",
        ] {
            #expect(throws: AWSError.self) { try XRayAPI.traceSummariesResponse(Array(bad.utf8)) }
        }
        #expect(try XRayAPI.traceSummariesResponse(Array("{}".utf8)).summaries.isEmpty)
        #expect(throws: AWSError.self) { try XRayAPI.putTraceSegmentsResponse(Array("<html>".utf8)) }
    }

    @Test func aHugePageOfSummariesIsReadWithinTheLimit() async throws {
        let page = (0..<20_000).map { i in
            #"{"Id":"1-5759e988-\#(String(format: "%024x", i))","Duration":0.1,"HasFault":\#(i % 7 == 0)}"#
        }.joined(separator: ",")
        let server = try ScriptedHTTPServer { _ in .json(#"{"TraceSummaries":[\#(page)],"NextToken":"more"}"#) }
        defer { server.close() }
        // Two megabytes of JSON: a debug build on a busy machine can take more than the usual 5 s to read it, and a
        // retry would make the count below two.
        let fetcher = XRayTraceFetcher(client: try Self.client(server, timeoutSeconds: 60), maxTraces: 5_000)
        let (ids, truncated) = try await fetcher.traceIDs(
            start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 1), filter: nil)
        #expect(ids.count == 5_000)
        #expect(truncated)
        #expect(server.requests.count == 1)
    }

    @Test func unprocessedTraceIDsAreAskedForAgainOnce() async throws {
        let calls = RetryCounter()
        let first = "1-00000000-000000000000000000000001"
        let second = "1-00000000-000000000000000000000002"
        let server = try ScriptedHTTPServer { _ in
            calls.add()
            // The first id is unprocessed once, then returned; the second is never processed.
            let unprocessed = calls.value == 1 ? [first, second] : [second]
            return .json(
                #"{"Traces":[],"UnprocessedTraceIds":[\#(unprocessed.map { "\"\($0)\"" }.joined(separator: ","))]}"#)
        }
        defer { server.close() }
        let fetcher = XRayTraceFetcher(client: try Self.client(server))
        let outcome = try await fetcher.fetch(ids: [first, second]) { _ in }
        #expect(outcome.missing == [second])
        #expect(server.requests.count == 2)
    }
}
