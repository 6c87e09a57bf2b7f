import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// Finds AWS credentials as the AWS CLI does, first found wins:
///
/// 1. `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` (skipped when `--profile` is given, as the
///    CLI does: an explicit profile means that profile);
/// 2. the profile's keys in the shared credentials file;
/// 3. the profile's `credential_process` (aws-vault, SSO helpers), from the config or the credentials file;
/// 4. the profile's keys in the config file;
/// 5. ECS container credentials (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`, with
///    `AWS_CONTAINER_AUTHORIZATION_TOKEN` or `_TOKEN_FILE`);
/// 6. EC2 instance metadata, IMDSv2 (unless `AWS_EC2_METADATA_DISABLED=true`; `AWS_EC2_METADATA_SERVICE_ENDPOINT`
///    moves it).
///
/// Temporary credentials are cached and fetched again five minutes before they expire.
public actor CredentialChain {
    private let environment: AWSEnvironment
    private let profile: String
    private let explicitProfile: Bool
    private let http: HTTPClient
    private var cached: AWSCredentials?

    public init(environment: AWSEnvironment, profileFlag: String?, http: HTTPClient) {
        self.environment = environment
        self.profile = environment.profile(profileFlag)
        self.explicitProfile = profileFlag != nil
        self.http = http
    }

    /// Fixed credentials, for tests and callers that already hold them.
    public init(fixed: AWSCredentials, http: HTTPClient) {
        self.environment = AWSEnvironment(variables: [:])
        self.profile = "default"
        self.explicitProfile = false
        self.http = http
        self.cached = fixed
    }

    public func credentials(now: Date = Date()) async throws(AWSError) -> AWSCredentials {
        if let cached, !cached.needsRefresh(at: now) { return cached }
        let found = try await resolve()
        if let expiration = found.expiration, expiration <= now { throw AWSError.expiredToken(source: found.source) }
        cached = found
        return found
    }

    private func resolve() async throws(AWSError) -> AWSCredentials {
        var looked: [String] = []
        let variables = environment.variables
        func value(_ name: String) -> String? {
            guard let v = variables[name], !v.isEmpty else { return nil }
            return v
        }
        if !explicitProfile {
            looked.append("environment (AWS_ACCESS_KEY_ID)")
            if let key = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") {
                return AWSCredentials(
                    accessKeyID: key, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"),
                    source: "environment")
            }
        }
        let fromCredentials = environment.credentialsFile.credentialsProfile(profile)
        let fromConfig = environment.configFile.configProfile(profile)
        looked.append("\(environment.credentialsPath) [\(profile)]")
        if let keys = Self.keys(fromCredentials, source: "\(environment.credentialsPath) (profile \(profile))") {
            return keys
        }
        if let command = fromConfig?["credential_process"] ?? fromCredentials?["credential_process"] {
            return try Self.runProcess(command, profile: profile)
        }
        looked.append("\(environment.configPath) [profile \(profile)]")
        if let keys = Self.keys(fromConfig, source: "\(environment.configPath) (profile \(profile))") { return keys }
        if explicitProfile, fromCredentials == nil, fromConfig == nil {
            throw AWSError.credentialSource(
                source: "profile \(profile)",
                problem: "no such profile in \(environment.credentialsPath) or \(environment.configPath)")
        }
        if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            return try await container(url: "http://169.254.170.2" + relative)
        }
        if let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI") { return try await container(url: full) }
        looked.append("container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)")
        if value("AWS_EC2_METADATA_DISABLED")?.lowercased() != "true" {
            looked.append("EC2 instance metadata")
            if let found = try await instanceMetadata(
                endpoint: value("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?? "http://169.254.169.254")
            {
                return found
            }
        }
        throw AWSError.noCredentials(looked: looked)
    }

    private static func keys(_ settings: [String: String]?, source: String) -> AWSCredentials? {
        guard let settings, let key = settings["aws_access_key_id"], let secret = settings["aws_secret_access_key"],
            !key.isEmpty, !secret.isEmpty
        else { return nil }
        return AWSCredentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: settings["aws_session_token"], source: source)
    }

    /// The `credential_process` protocol: the command prints `{"Version": 1, "AccessKeyId", "SecretAccessKey",
    /// "SessionToken", "Expiration"}` on standard output.
    private static func runProcess(_ command: String, profile: String) throws(AWSError) -> AWSCredentials {
        let source = "credential_process of profile \(profile)"
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run(["/bin/sh", "-c", command], timeout: .seconds(60))
        } catch {
            throw AWSError.credentialSource(source: source, problem: "could not start it: \(error)")
        }
        if outcome.timedOut { throw AWSError.credentialSource(source: source, problem: "it ran over 60 s") }
        guard outcome.status == 0 else {
            let said = String(outcome.stderr.prefix(300)).trimmingWhitespace()
            throw AWSError.credentialSource(
                source: source, problem: "it exited with status \(outcome.status)\(said.isEmpty ? "" : ": \(said)")")
        }
        return try parseCredentialsJSON(Data(outcome.stdoutBytes), source: source, tokenKey: "SessionToken")
    }

    /// The JSON the container endpoint, IMDS and `credential_process` answer with (they differ in the token's key).
    static func parseCredentialsJSON(_ data: Data, source: String, tokenKey: String) throws(AWSError)
        -> AWSCredentials
    {
        guard data.count < 1 << 20,
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw AWSError.credentialSource(source: source, problem: "its answer is not a JSON object") }
        guard let key = object["AccessKeyId"] as? String, let secret = object["SecretAccessKey"] as? String,
            !key.isEmpty, !secret.isEmpty
        else {
            throw AWSError.credentialSource(source: source, problem: "its answer has no AccessKeyId/SecretAccessKey")
        }
        var expiration: Date?
        if let text = object["Expiration"] as? String {
            guard let date = ISO8601.parse(text) else {
                throw AWSError.credentialSource(source: source, problem: "unreadable Expiration \"\(text.prefix(40))\"")
            }
            expiration = date
        }
        return AWSCredentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: object[tokenKey] as? String,
            expiration: expiration, source: source)
    }

    private func container(url: String) async throws(AWSError) -> AWSCredentials {
        let source = "container credentials at \(url)"
        var request = HTTPClientRequest(url: url)
        let variables = environment.variables
        if let token = variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            request.headers.add(name: "Authorization", value: token)
        } else if let file = variables["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"],
            let data = FileManager.default.contents(atPath: file)
        {
            request.headers.add(
                name: "Authorization", value: String(decoding: data, as: UTF8.self).trimmingWhitespace())
        }
        let (status, body) = try await fetch(request, source: source, timeout: .seconds(5))
        guard status == 200 else { throw AWSError.credentialSource(source: source, problem: "HTTP \(status)") }
        return try Self.parseCredentialsJSON(body, source: source, tokenKey: "Token")
    }

    /// IMDSv2: a session token by PUT, then the instance role's name, then its credentials. Nil when no metadata
    /// service answers (not on EC2): the chain goes on to say nothing was found.
    private func instanceMetadata(endpoint: String) async throws(AWSError) -> AWSCredentials? {
        let source = "EC2 instance metadata"
        var tokenRequest = HTTPClientRequest(url: endpoint + "/latest/api/token")
        tokenRequest.method = .PUT
        tokenRequest.headers.add(name: "X-aws-ec2-metadata-token-ttl-seconds", value: "21600")
        guard let (status, tokenBody) = try? await fetch(tokenRequest, source: source, timeout: .seconds(1)),
            status == 200
        else { return nil }
        let token = String(decoding: tokenBody, as: UTF8.self)
        var roleRequest = HTTPClientRequest(url: endpoint + "/latest/meta-data/iam/security-credentials/")
        roleRequest.headers.add(name: "X-aws-ec2-metadata-token", value: token)
        let (roleStatus, roleBody) = try await fetch(roleRequest, source: source, timeout: .seconds(2))
        guard roleStatus == 200,
            let role = String(decoding: roleBody, as: UTF8.self).split(whereSeparator: \.isNewline).first
        else { throw AWSError.credentialSource(source: source, problem: "no instance role (HTTP \(roleStatus))") }
        var credentialsRequest = HTTPClientRequest(
            url: endpoint + "/latest/meta-data/iam/security-credentials/" + SigV4Signer.percentEncode(String(role)))
        credentialsRequest.headers.add(name: "X-aws-ec2-metadata-token", value: token)
        let (credentialsStatus, body) = try await fetch(credentialsRequest, source: source, timeout: .seconds(2))
        guard credentialsStatus == 200 else {
            throw AWSError.credentialSource(source: source, problem: "HTTP \(credentialsStatus)")
        }
        return try Self.parseCredentialsJSON(body, source: "\(source) (role \(role))", tokenKey: "Token")
    }

    private func fetch(_ request: HTTPClientRequest, source: String, timeout: TimeAmount) async throws(AWSError)
        -> (Int, Data)
    {
        do {
            let response = try await http.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), Data(buffer: body))
        } catch {
            throw AWSError.credentialSource(source: source, problem: "\(error)")
        }
    }
}

/// ISO-8601 times as AWS writes them (`2026-12-01T10:00:00Z`, with or without fractional seconds).
enum ISO8601 {
    static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
