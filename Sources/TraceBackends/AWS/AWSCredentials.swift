import Foundation

/// An AWS access key, with the session token and expiry of temporary credentials.
public struct AWSCredentials: Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?
    /// Where they were found (`environment`, `shared credentials file (profile dev)`, …), for messages.
    public var source: String

    public init(
        accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil,
        source: String = "given"
    ) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    /// Whether they should be fetched again: temporary credentials are refreshed five minutes before they expire,
    /// so a request signed now is not refused on its way.
    public func needsRefresh(at now: Date) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) < 300
    }
}
