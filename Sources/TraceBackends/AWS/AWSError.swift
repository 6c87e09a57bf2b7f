/// What can go wrong talking to AWS, each saying what the user can do about it.
public enum AWSError: Error, Sendable, CustomStringConvertible, Equatable {
    case noCredentials(looked: [String])
    case credentialSource(source: String, problem: String)
    case expiredToken(source: String)
    case accessDenied(action: String, message: String)
    case noRegion(profile: String, configPath: String)
    case unknownRegion(String)
    case badEndpoint(String)
    case unreachable(endpoint: String, problem: String)
    case service(status: Int, code: String, message: String)
    case malformedResponse(operation: String, problem: String)

    public var description: String {
        switch self {
        case .noCredentials(let looked):
            "no AWS credentials found; looked in: \(looked.joined(separator: "; ")). Set AWS_ACCESS_KEY_ID and "
                + "AWS_SECRET_ACCESS_KEY, or pass --profile (aws configure, aws sso login)"
        case .credentialSource(let source, let problem):
            "could not get AWS credentials from \(source): \(problem)"
        case .expiredToken(let source):
            "the AWS security token from \(source) has expired; refresh it (aws sso login, or your credential helper)"
        case .accessDenied(let action, let message):
            "access denied: the credentials need the IAM permission \(action) (\(message))"
        case .noRegion(let profile, let configPath):
            "no AWS region: pass --region, set AWS_REGION, or add region to profile \(profile) in \(configPath)"
        case .unknownRegion(let region):
            "unknown AWS region \"\(region)\" (expected a name like us-east-1)"
        case .badEndpoint(let text):
            "bad endpoint URL \"\(text)\" (expected http:// or https:// and a host)"
        case .unreachable(let endpoint, let problem):
            "cannot reach \(endpoint): \(problem)"
        case .service(let status, let code, let message):
            "X-Ray answered \(status) \(code)\(message.isEmpty ? "" : ": \(message)")"
        case .malformedResponse(let operation, let problem):
            "malformed \(operation) response: \(problem)"
        }
    }
}
