import Foundation
import TestSupport
import Testing

@testable import TraceBackends

@Suite("SigV4 signing")
struct SigV4Tests {
    /// The AWS Signature Version 4 test suite's credentials and time (2015-08-30T12:36:00Z).
    static let suiteCredentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)

    static func authorization(_ headers: [(String, String)]) -> String? {
        headers.first { $0.0 == "Authorization" }?.1
    }

    /// Signatures published in AWS's SigV4 test suite, pinned.
    @Test(
        arguments: [
            (
                "GET", "https://example.amazonaws.com/", [(String, String)](), "host;x-amz-date",
                "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
            ),
            (
                "POST", "https://example.amazonaws.com/", [], "host;x-amz-date",
                "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
            ),
            (
                "GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", [], "host;x-amz-date",
                "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
            ),
            (
                "POST", "https://example.amazonaws.com/", [("My-Header1", "VALUE1")], "host;my-header1;x-amz-date",
                "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"
            ),
            (
                "GET", "https://example.amazonaws.com/", [("My-Header1", " value1"), ("My-Header2", "\"a   b   c\"")],
                "host;my-header1;my-header2;x-amz-date",
                "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
            ),
            (
                "GET",
                "https://example.amazonaws.com/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                [], "host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"
            ),
        ] as [(String, String, [(String, String)], String, String)])
    func theAWSTestSuite(
        method: String, url: String, headers: [(String, String)], signed: String, signature: String
    ) throws {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "service")
        let result = signer.sign(
            method: method, url: try #require(URL(string: url)), headers: headers, body: [], date: Self.suiteDate)
        #expect(
            Self.authorization(result)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=\(signed), Signature=\(signature)")
        #expect(result.contains { $0.0 == "X-Amz-Date" && $0.1 == "20150830T123600Z" })
    }

    @Test func aSessionTokenIsSentAndSigned() throws {
        var credentials = Self.suiteCredentials
        credentials.sessionToken = "token/with+chars="
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "xray")
        let result = signer.sign(
            method: "POST", url: try #require(URL(string: "https://xray.us-east-1.amazonaws.com/TraceSummaries")),
            headers: [("X-Amz-Security-Token", "stale")], body: Array("{}".utf8), date: Self.suiteDate)
        #expect(result.filter { $0.0.lowercased() == "x-amz-security-token" }.map(\.1) == ["token/with+chars="])
        #expect(Self.authorization(result)?.contains("x-amz-security-token") == true)
    }

    @Test func timestampsAreUTCWhateverTheDate() {
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "20000229T000000Z")
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 4_102_444_799)) == "20991231T235959Z")
    }

    /// Generated requests — methods, paths with reserved and encoded characters, dot segments and repeated slashes,
    /// queries in any order, headers with odd spacing and case, bodies, session tokens, dates — signed by us and by
    /// botocore's `SigV4Auth`, the reference: every `Authorization` header must be the same.
    @Test func agreesWithBotocore() async throws {
        try await PythonTools.ensure(module: "botocore", package: "botocore")
        var generator = SystemRandomNumberGenerator()
        let paths = [
            "/", "/TraceSummaries", "/a%20b/c", "/foo/../bar", "//double//slash/", "/~user/a+b", "/%E2%82%AC/x",
            "/./dot/./segments", "/with%2Fencoded%2Fslash", "/a=b&c", "/trailing/", "/Traces",
        ]
        let queries = [
            "", "a=1&b=2", "b=2&a=1", "x=%20y&x=%20a", "z", "Action=ListUsers&Version=2010-05-08", "k=v%2Bw",
        ]
        let methods = ["GET", "POST", "PUT", "DELETE", "HEAD"]
        let hosts = ["xray.us-east-1.amazonaws.com", "127.0.0.1:4566", "example.amazonaws.com:443"]
        struct Case {
            var method: String
            var url: String
            var headers: [(String, String)]
            var body: [UInt8]
            var token: String?
            var date: Date
            var region: String
        }
        var cases: [Case] = []
        for i in 0..<40 {
            let query = queries[i % queries.count]
            var url = "https://\(hosts[i % hosts.count])\(paths[i % paths.count])"
            if !query.isEmpty { url += "?" + query }
            var headers: [(String, String)] = [("Content-Type", "application/json")]
            if i % 3 == 0 { headers.append(("X-Custom-Header", "  spaced   value  ")) }
            if i % 4 == 1 { headers.append(("x-amz-target", "AWSXRay.\(i)")) }
            if i % 5 == 2 { headers.append(("User-Agent", "tracescope/test")) }
            let body = (0..<(i * 7 % 50)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            cases.append(
                Case(
                    method: methods[i % methods.count], url: url, headers: headers, body: body,
                    token: i % 2 == 0 ? "FQoGZXIvYXdzE\(i)//token+" : nil,
                    date: Date(timeIntervalSince1970: Double(1_400_000_000 + i * 86_413_7)),
                    region: i % 2 == 0 ? "us-east-1" : "eu-west-2"))
        }
        let input = try cases.map { c -> String in
            let object: [String: Any] = [
                "method": c.method, "url": c.url, "headers": c.headers.map { [$0.0, $0.1] },
                "body": Data(c.body).base64EncodedString(), "key": "AKIDEXAMPLE",
                "secret": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token": c.token as Any,
                "date": c.date.timeIntervalSince1970, "service": "xray", "region": c.region,
            ]
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }.joined(separator: "\n")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Scripts/botocore_sign.py").path
        let run = try PythonTools.run(["python3", script], stdin: Data((input + "\n").utf8))
        try #require(run.status == 0, "botocore: \(run.output)")
        let expected = run.output.split(separator: "\n").map(String.init)
        try #require(expected.count == cases.count)
        for (c, reference) in zip(cases, expected) {
            var credentials = Self.suiteCredentials
            credentials.sessionToken = c.token
            let signer = SigV4Signer(credentials: credentials, region: c.region, service: "xray")
            let ours = Self.authorization(
                signer.sign(
                    method: c.method, url: try #require(URL(string: c.url)), headers: c.headers, body: c.body,
                    date: c.date))
            #expect(ours == reference, "\(c.method) \(c.url)")
        }
    }
}
