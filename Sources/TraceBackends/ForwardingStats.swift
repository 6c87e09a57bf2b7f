/// What a forwarder did with the spans it was given, counted in spans: every span submitted ends in exactly one of
/// forwarded, rejected or dropped (retried counts attempts, not spans).
public struct ForwardingStats: Sendable, Equatable, CustomStringConvertible {
    /// Spans the backend took.
    public var forwarded: UInt64 = 0
    /// Sends tried again (throttled, unavailable, unreachable, or segments the backend left unprocessed).
    public var retried: UInt64 = 0
    /// Spans the backend refused (an error status, a partial success, a document over its limit).
    public var rejected: UInt64 = 0
    /// Spans dropped: the queue was full, or the backend still failed when the drain's deadline came.
    public var dropped: UInt64 = 0
    /// The last error, for the status line.
    public var lastError: String?

    public init() {}

    public var description: String {
        "forwarded \(forwarded) · retried \(retried) · rejected \(rejected) · dropped \(dropped)"
            + (lastError.map { " · last error: \($0)" } ?? "")
    }
}
