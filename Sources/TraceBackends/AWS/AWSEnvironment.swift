import Foundation

/// What the AWS CLI reads to decide the profile, region, endpoint and credentials: the process environment and the
/// two shared files. A value type, so resolution is testable with fake files and variables.
public struct AWSEnvironment: Sendable {
    public var variables: [String: String]
    public var credentialsFile: AWSConfigFile
    public var configFile: AWSConfigFile
    /// Where the files were looked for, for messages.
    public var credentialsPath: String
    public var configPath: String

    public init(
        variables: [String: String], credentialsFile: AWSConfigFile = AWSConfigFile(),
        configFile: AWSConfigFile = AWSConfigFile(), credentialsPath: String = "~/.aws/credentials",
        configPath: String = "~/.aws/config"
    ) {
        self.variables = variables
        self.credentialsFile = credentialsFile
        self.configFile = configFile
        self.credentialsPath = credentialsPath
        self.configPath = configPath
    }

    /// This process's environment and files: `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE`, else `~/.aws/`.
    public static func current() -> AWSEnvironment {
        let variables = ProcessInfo.processInfo.environment
        let home = variables["HOME"] ?? NSHomeDirectory()
        let credentialsPath = variables["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        let configPath = variables["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
        func read(_ path: String) -> AWSConfigFile {
            guard let data = FileManager.default.contents(atPath: path), data.count < 1 << 20 else {
                return AWSConfigFile()
            }
            return AWSConfigFile(parsing: String(decoding: data, as: UTF8.self))
        }
        return AWSEnvironment(
            variables: variables, credentialsFile: read(credentialsPath), configFile: read(configPath),
            credentialsPath: credentialsPath, configPath: configPath)
    }

    private func variable(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// `--profile` > `AWS_PROFILE` > `default`.
    public func profile(_ flag: String?) -> String {
        flag ?? variable("AWS_PROFILE") ?? "default"
    }

    /// `--region` > `AWS_REGION` > `AWS_DEFAULT_REGION` > the profile's `region`.
    public func region(_ flag: String?, profile: String) throws(AWSError) -> String {
        let region =
            flag ?? variable("AWS_REGION") ?? variable("AWS_DEFAULT_REGION")
            ?? configFile.configProfile(profile)?["region"]
        guard let region, !region.isEmpty else { throw AWSError.noRegion(profile: profile, configPath: configPath) }
        // A region is a DNS label: anything else is a typo that would send requests to a host nobody owns.
        guard
            region.utf8.allSatisfy({
                $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7a)
            }),
            region.utf8.count <= 32
        else { throw AWSError.unknownRegion(region) }
        return region
    }

    /// `--endpoint-url` > `AWS_ENDPOINT_URL_XRAY` > `AWS_ENDPOINT_URL` > the profile's `endpoint_url` >
    /// `https://xray.REGION.amazonaws.com`.
    public func xrayEndpoint(_ flag: String?, region: String, profile: String) throws(AWSError) -> URL {
        let text =
            flag ?? variable("AWS_ENDPOINT_URL_XRAY") ?? variable("AWS_ENDPOINT_URL")
            ?? configFile.configProfile(profile)?["endpoint_url"]
        guard let text else {
            let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
            return URL(string: "https://xray.\(region).\(suffix)")!
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host?.isEmpty == false
        else { throw AWSError.badEndpoint(text) }
        return url
    }
}
