/// When an OTLP export is tried again, as the OTLP specification asks of exporters: one home for the rule, which the
/// library's exporter and the collector's forwarder both follow.
///
/// - 2xx is accepted (its `partial_success` may still refuse some spans: `OTLPPartialSuccess`).
/// - 429, 502, 503 and 504 are transient: retry, after the server's `Retry-After` when it gives one.
/// - Connection failures are transient too (the caller knows when it has one).
/// - Anything else is refused: retrying would send the same bad request again.
///
/// Waits grow exponentially from 100 ms to 5 s, with jitter so that many clients do not retry in step.
public enum OTLPRetry {
    public enum Verdict: Sendable, Equatable {
        case accepted
        case retry(after: Duration?)
        case refused
    }

    public static func verdict(status: Int, retryAfter: String?) -> Verdict {
        switch status {
        case 200..<300: .accepted
        case 429, 502, 503, 504: .retry(after: delay(retryAfter: retryAfter))
        default: .refused
        }
    }

    /// `Retry-After` in seconds (the HTTP-date form is not taken: the backoff applies); at most a minute, so a server
    /// cannot park a client for good.
    public static func delay(retryAfter: String?) -> Duration? {
        guard let text = retryAfter?.trimmingSpaces, let seconds = Double(text), seconds.isFinite, seconds >= 0 else {
            return nil
        }
        return .milliseconds(Int64(min(seconds, 60) * 1000))
    }

    /// The wait before attempt `attempt + 1` (`attempt` ≥ 1 failed so far): the backoff with jitter, or the server's
    /// delay when it asked for a longer one.
    public static func wait(afterAttempt attempt: Int, serverDelay: Duration?, jitter: Double) -> Duration {
        let cap = min(5_000, 100 * Double(1 << min(max(attempt - 1, 0), 10)))
        let backoff = Duration.milliseconds(Int64(cap / 2 + cap / 2 * min(max(jitter, 0), 1)))
        guard let serverDelay else { return backoff }
        return max(backoff, serverDelay)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
