import Foundation
import TestSupport
import Testing

/// The binary against moto's X-Ray server on loopback, with documents put and read back by boto3.
@Suite("tracescope and an X-Ray account (moto)", .serialized, .timeLimit(.minutes(5)))
struct XRayCommandTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Scripts/xray_boto3.py").path
    /// The checkout sample's traces lie in 1795176000…1795177035.
    static let window = ["--start", "1795170000", "--end", "1795190000"]

    static func tracescope(_ arguments: [String], _ environment: [String: String?], timeout: Duration = .seconds(120))
        throws -> ChildProcess.Outcome
    {
        var environment = environment
        environment["NO_COLOR"] = "1"
        let outcome = try ChildProcess.run(
            [SummaryCommandTests.binary.path] + arguments, environment: environment, timeout: timeout)
        #expect(!outcome.timedOut, "tracescope \(arguments) did not finish within \(timeout)")
        return outcome
    }

    /// The report without its `inputs` line (a file's name against the account's window).
    static func withoutInputs(_ json: String) -> String {
        json.split(separator: "\n").filter { !$0.contains("\"inputs\"") }.joined(separator: "\n")
    }

    @Test func anAccountSummarizesAsItsDocumentsDo() throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        let put = try PythonTools.run(
            ["python3", Self.script, "put", SummaryCommandTests.checkout], environment: moto.environment)
        try #require(put.status == 0, "boto3: \(put.output)")
        #expect(put.output.contains(#""unprocessed": 0"#))

        let fromAccount = try Self.tracescope(
            ["summary", "--xray", "--format", "json"] + Self.window, moto.environment)
        #expect(fromAccount.status == 0, "\(fromAccount.stderr)")
        let fromFile = try Self.tracescope(["summary", SummaryCommandTests.checkout, "--format", "json"], [:])
        #expect(fromFile.status == 0)
        #expect(fromAccount.stdout.contains(#""count": 240"#))
        #expect(Self.withoutInputs(fromAccount.stdout) == Self.withoutInputs(fromFile.stdout))

        // Gates judge the account's traces as they judge a file's.
        let gated = try Self.tracescope(
            ["summary", "--xray", "--assert", "shop-api/prod: fault_rate < 1%"] + Self.window, moto.environment)
        #expect(gated.status == 1)
        #expect(gated.stderr.contains("gate failed: shop-api/prod: fault_rate < 1%"))
    }

    /// Two windows of one account diff as the files of the same documents do: the base run as put, the current
    /// run (the payments API 100 ms slower) put an hour later.
    @Test func twoWindowsOfAnAccountDiffAsTheirFilesDo() throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        for (file, shift) in [(SummaryCommandTests.checkout, "0"), (DiffCommandTests.after, "3600")] {
            let put = try PythonTools.run(["python3", Self.script, "put", file, shift], environment: moto.environment)
            try #require(put.status == 0 && put.output.contains(#""unprocessed": 0"#), "boto3: \(put.output)")
        }
        let fromAccount = try Self.tracescope(
            [
                "diff", "--base-xray", "1795170000/1795178000", "--current-xray", "1795179000/1795181700",
                "--format", "json",
            ], moto.environment)
        #expect(fromAccount.status == 0, "\(fromAccount.stderr)")
        let fromFiles = try Self.tracescope(
            ["diff", "--base", SummaryCommandTests.checkout, "--current", DiffCommandTests.after, "--format", "json"],
            [:])
        #expect(fromFiles.status == 0)
        // The same figures; only the inputs and the current window's times (an hour later) differ.
        func figures(_ json: String) -> String {
            json.split(separator: "\n").filter {
                !$0.contains("\"inputs\"") && !$0.contains("\"start\": \"20") && !$0.contains("\"end\": \"20")
            }
            .joined(separator: "\n")
        }
        #expect(figures(fromAccount.stdout) == figures(fromFiles.stdout))
        #expect(fromAccount.stdout.contains("xray:"))
    }

    @Test func anUnreachableEndpointIsAClearErrorAndExit2() throws {
        let (fd, port) = try bindLoopback(Int32(SOCK_STREAM.rawValue))
        close(fd)
        let outcome = try Self.tracescope(
            [
                "summary", "--xray", "--since", "15m", "--region", "us-east-1", "--endpoint-url",
                "http://127.0.0.1:\(port)",
            ],
            [
                "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
                "AWS_EC2_METADATA_DISABLED": "true",
            ],
            timeout: .seconds(60))
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("cannot reach http://127.0.0.1:\(port)"))
    }

    @Test func missingCredentialsSayWhereTheyWereLookedFor() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("home-\(UUID())").path
        let outcome = try Self.tracescope(
            ["summary", "--xray", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9"],
            [
                "HOME": home, "AWS_ACCESS_KEY_ID": nil, "AWS_SECRET_ACCESS_KEY": nil, "AWS_PROFILE": nil,
                "AWS_CONFIG_FILE": nil, "AWS_SHARED_CREDENTIALS_FILE": nil, "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": nil, "AWS_CONTAINER_CREDENTIALS_FULL_URI": nil,
            ])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("no AWS credentials found"))
        #expect(outcome.stderr.contains("\(home)/.aws/credentials"))
    }

    @Test func badWindowsAndMixedInputsAreUsageErrors() throws {
        let env: [String: String?] = [
            "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "s", "AWS_REGION": "us-east-1",
        ]
        for arguments in [
            ["summary", "--xray", "--since", "1e300m"], ["summary", "--xray", "--since", "-5m"],
            ["summary", "--xray", "--start", "yesterday"], ["summary", "--xray", "--start", "nan"],
            ["summary", "--xray", "--start", "2000", "--end", "1000"],
            ["summary", "--xray", SummaryCommandTests.checkout],
            ["summary", SummaryCommandTests.checkout, "--since", "5m"],
        ] {
            let outcome = try Self.tracescope(arguments, env, timeout: .seconds(30))
            #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
            #expect(!outcome.stderr.isEmpty)
        }
    }

    /// The dashboard on moto's X-Ray, in tmux: the services of traces put a moment ago appear (moto returns no
    /// service graph, so the map is the fetched traces' and the header says so), a trace opens with its phases, and
    /// `q` gives the terminal back.
    @Test func theDashboardOnAnAccount() throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let demo = try Self.tracescope(["demo", "--headless", "--duration", "3", "--out", file], [:])
        try #require(demo.status == 0, "\(demo.stderr)")
        let put = try PythonTools.run(["python3", Self.script, "put", file], environment: moto.environment)
        try #require(put.status == 0, "boto3: \(put.output)")

        let variables = moto.environment.compactMap { key, value in value.map { "\(key)='\($0)'" } }
            .joined(separator: " ")
        let session = try DashboardEndToEndTests.startSession(
            "xray", "tui --xray --poll 2s", after: "echo TERMINAL-RESTORED-$?; read", environment: variables)
        defer { _ = try? DashboardEndToEndTests.tmux(["kill-session", "-t", session]) }
        // The header names the map's source once the first poll is complete (its traces may show a moment before).
        let screen = try DashboardEndToEndTests.waitFor(
            "map from the traces fetched", session: session, seconds: 30)
        #expect(screen.contains("email-sender"))
        #expect(screen.contains("X-Ray us-east-1"))
        #expect(screen.contains("map from the traces fetched"))
        #expect(screen.contains("shop-api/prod"))
        try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "Tab", "s", "Enter"])
        let timeline = try DashboardEndToEndTests.waitFor("critical path", session: session)
        #expect(timeline.contains("Invocation"))
        #expect(timeline.contains("AWS::Lambda::Function"))
        try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "Escape"])
        Thread.sleep(forTimeInterval: 0.3)
        try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "q"])
        #expect(
            try DashboardEndToEndTests.waitFor("TERMINAL-RESTORED-0", session: session).contains("TERMINAL-RESTORED-0"))
    }
}
