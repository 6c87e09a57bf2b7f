import Instrumentation

/// Reads trace headers from a `[String: String]` of HTTP headers, ignoring the case of names.
public struct DictionaryExtractor: Extractor {
    /// An extractor for header dictionaries.
    public init() {}

    /// The value of `key`, matched without regard to case.
    public func extract(key: String, from carrier: [String: String]) -> String? {
        if let exact = carrier[key] { return exact }
        let lower = key.lowercased()
        return carrier.first { $0.key.lowercased() == lower }?.value
    }
}

/// Writes trace headers into a `[String: String]` of HTTP headers.
public struct DictionaryInjector: Injector {
    /// An injector for header dictionaries.
    public init() {}

    /// Sets the header.
    public func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}
