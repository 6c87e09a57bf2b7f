import TraceModel

/// Where a request's spans start in the output, and how many it may make (both OTLP decoders).
struct SpanLimit {
    var first: Int
    var maxSpans: Int
    /// One failure, made once, that every span past the limit shares.
    var failure: DecodeFailure

    init(first: Int, maxSpans: Int) {
        self.first = first
        self.maxSpans = maxSpans
        failure = DecodeFailure(.tooLarge, "the request holds more than \(maxSpans) spans")
    }
}
