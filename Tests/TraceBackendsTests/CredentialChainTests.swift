import AsyncHTTPClient
import Foundation
import TestSupport
import Testing

@testable import TraceBackends

/// Every source of the chain, and their order, with fake files, a fake `credential_process` and a fake container
/// endpoint on loopback. Instance metadata is pointed at loopback too: nothing here leaves the machine.
@Suite("AWS credential chain")
struct CredentialChainTests {
    static let credentialsFile = AWSConfigFile(
        parsing: """
            [default]
            aws_access_key_id = FILEDEFAULT
            aws_secret_access_key = filesecret
            # a comment
            [dev]
            aws_access_key_id=FILEDEV
            aws_secret_access_key=devsecret
            aws_session_token = devtoken
            """)

    static func chain(
        _ variables: [String: String], credentials: AWSConfigFile = credentialsFile,
        config: AWSConfigFile = AWSConfigFile(), profile: String? = nil
    ) -> CredentialChain {
        var variables = variables
        if variables["AWS_EC2_METADATA_SERVICE_ENDPOINT"] == nil { variables["AWS_EC2_METADATA_DISABLED"] = "true" }
        return CredentialChain(
            environment: AWSEnvironment(variables: variables, credentialsFile: credentials, configFile: config),
            profileFlag: profile, http: BackendHTTPClient.shared)
    }

    @Test func theEnvironmentComesFirst() async throws {
        let found = try await Self.chain([
            "AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "envtoken",
        ]).credentials()
        #expect(found.accessKeyID == "ENVKEY")
        #expect(found.sessionToken == "envtoken")
        #expect(found.source == "environment")
    }

    @Test func thenTheSharedCredentialsFileForTheProfile() async throws {
        #expect(try await Self.chain([:]).credentials().accessKeyID == "FILEDEFAULT")
        let dev = try await Self.chain(["AWS_PROFILE": "dev"]).credentials()
        #expect(dev.accessKeyID == "FILEDEV")
        #expect(dev.sessionToken == "devtoken")
    }

    @Test func anExplicitProfileWinsOverTheEnvironment() async throws {
        let found = try await Self.chain(
            ["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret"], profile: "dev"
        ).credentials()
        #expect(found.accessKeyID == "FILEDEV")
        await #expect(throws: AWSError.self) {
            _ = try await Self.chain([:], profile: "nosuchprofile").credentials()
        }
    }

    @Test func credentialProcessFromTheConfigFile() async throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID()).sh").path
        try """
        #!/bin/sh
        echo '{"Version": 1, "AccessKeyId": "PROCKEY", "SecretAccessKey": "procsecret", "SessionToken": "proctoken", "Expiration": "2099-01-01T00:00:00Z"}'
        """.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let config = AWSConfigFile(
            parsing: """
                [profile sso]
                credential_process = /bin/sh \(script)
                region = eu-west-1
                """)
        let found = try await Self.chain(["AWS_PROFILE": "sso"], credentials: AWSConfigFile(), config: config)
            .credentials()
        #expect(found.accessKeyID == "PROCKEY")
        #expect(found.sessionToken == "proctoken")
        #expect(found.expiration == Date(timeIntervalSince1970: 4_070_908_800))

        let failing = AWSConfigFile(parsing: "[profile bad]\ncredential_process = /bin/sh -c 'echo nope >&2; exit 3'")
        do {
            _ = try await Self.chain(["AWS_PROFILE": "bad"], credentials: AWSConfigFile(), config: failing)
                .credentials()
            Issue.record("a failing credential_process must not give credentials")
        } catch {
            #expect(error.description.contains("status 3"))
            #expect(error.description.contains("nope"))
        }
    }

    @Test func containerCredentialsWithTheirToken() async throws {
        let server = try ScriptedHTTPServer { request in
            guard request.path == "/creds", request.headers["authorization"] == "Bearer secret-token" else {
                return .init(status: 401)
            }
            return .json(
                #"{"AccessKeyId":"ECSKEY","SecretAccessKey":"ecssecret","Token":"ecstoken","Expiration":"2099-06-01T00:00:00Z"}"#
            )
        }
        defer { server.close() }
        let found = try await Self.chain(
            [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer secret-token",
            ], credentials: AWSConfigFile()
        ).credentials()
        #expect(found.accessKeyID == "ECSKEY")
        #expect(found.sessionToken == "ecstoken")
    }

    @Test func instanceMetadataV2() async throws {
        let server = try ScriptedHTTPServer { request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"):
                return .init(body: Array("imds-token".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                guard request.headers["x-aws-ec2-metadata-token"] == "imds-token" else { return .init(status: 401) }
                return .init(body: Array("collector-role\n".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/collector-role"):
                return .json(
                    #"{"Code":"Success","AccessKeyId":"EC2KEY","SecretAccessKey":"ec2secret","Token":"ec2token","Expiration":"2099-06-01T00:00:00Z"}"#
                )
            default:
                return .init(status: 404)
            }
        }
        defer { server.close() }
        let found = try await Self.chain(
            ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url], credentials: AWSConfigFile()
        )
        .credentials()
        #expect(found.accessKeyID == "EC2KEY")
        #expect(found.source.contains("collector-role"))
    }

    @Test func nothingFoundSaysWhereItLooked() async throws {
        do {
            _ = try await Self.chain([:], credentials: AWSConfigFile()).credentials()
            Issue.record("no source holds credentials")
        } catch {
            #expect(error.description.contains("no AWS credentials found"))
            #expect(error.description.contains("AWS_ACCESS_KEY_ID"))
            #expect(error.description.contains(".aws/credentials"))
        }
    }

    @Test func temporaryCredentialsAreFetchedAgainBeforeTheyExpire() async throws {
        let counter = RetryCounter()
        let server = try ScriptedHTTPServer { _ in
            counter.add()
            let expiry = ISO8601DateFormatter().string(from: Date().addingTimeInterval(600))
            return .json(
                #"{"AccessKeyId":"KEY\#(counter.value)","SecretAccessKey":"s","Token":"t","Expiration":"\#(expiry)"}"#)
        }
        defer { server.close() }
        let chain = Self.chain(["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url], credentials: AWSConfigFile())
        #expect(try await chain.credentials().accessKeyID == "KEY1")
        #expect(try await chain.credentials().accessKeyID == "KEY1") // cached: ten minutes left
        #expect(try await chain.credentials(now: Date().addingTimeInterval(400)).accessKeyID == "KEY2")
    }

    @Test func regionAndEndpointAsTheCLITakesThem() throws {
        let config = AWSConfigFile(parsing: "[profile dev]\nregion = ap-south-1\n[default]\nregion = us-west-2")
        func environment(_ variables: [String: String]) -> AWSEnvironment {
            AWSEnvironment(variables: variables, configFile: config)
        }
        #expect(try environment([:]).region(nil, profile: "default") == "us-west-2")
        #expect(try environment([:]).region(nil, profile: "dev") == "ap-south-1")
        #expect(try environment(["AWS_DEFAULT_REGION": "eu-north-1"]).region(nil, profile: "dev") == "eu-north-1")
        #expect(
            try environment(["AWS_DEFAULT_REGION": "eu-north-1", "AWS_REGION": "sa-east-1"]).region(nil, profile: "dev")
                == "sa-east-1")
        #expect(try environment(["AWS_REGION": "sa-east-1"]).region("me-south-1", profile: "dev") == "me-south-1")
        #expect(throws: AWSError.self) { try environment([:]).region("us-east-1/../x", profile: "dev") }
        #expect(throws: AWSError.self) { try AWSEnvironment(variables: [:]).region(nil, profile: "default") }

        #expect(
            try environment([:]).xrayEndpoint(nil, region: "eu-west-1", profile: "default").absoluteString
                == "https://xray.eu-west-1.amazonaws.com")
        #expect(
            try environment(["AWS_ENDPOINT_URL": "http://127.0.0.1:1"]).xrayEndpoint(
                nil, region: "eu-west-1", profile: "default"
            ).absoluteString == "http://127.0.0.1:1")
        #expect(
            try environment(["AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_XRAY": "http://127.0.0.1:2"])
                .xrayEndpoint(nil, region: "eu-west-1", profile: "default").absoluteString == "http://127.0.0.1:2")
        #expect(
            try environment(["AWS_ENDPOINT_URL_XRAY": "http://127.0.0.1:2"]).xrayEndpoint(
                "http://127.0.0.1:3", region: "eu-west-1", profile: "default"
            ).absoluteString == "http://127.0.0.1:3")
        #expect(throws: AWSError.self) {
            try environment([:]).xrayEndpoint("ftp://x", region: "eu-west-1", profile: "default")
        }
    }
}
