import Foundation
import TraceFiles
import TraceFormats
import TraceModel

/// Paths to fixture files, and helpers to read them through the real file reader.
enum FixtureFiles {
    static func path(_ name: String) -> String {
        guard let url = Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil) else {
            return "/nonexistent/fixture/" + name
        }
        return url.path
    }

    static func text(_ name: String) -> String {
        (try? String(contentsOfFile: path(name), encoding: .utf8)) ?? ""
    }

    static func bytes(_ name: String) -> [UInt8] {
        (try? Array(Data(contentsOf: URL(fileURLWithPath: path(name))))) ?? []
    }

    /// Reads a fixture through `TraceFileReader`, returning every span and the stats.
    static func read(_ name: String) throws -> (spans: [Span], stats: IngestStats) {
        var spans: [Span] = []
        let stats = try TraceFileReader.read(path: path(name)) { spans.append(contentsOf: $0) }
        return (spans, stats)
    }
}

extension Array where Element == Span {
    func named(_ name: String) -> Span? { first { $0.name == name } }
}

/// Decodes a datagram held in bytes.
func decodeDatagram(_ bytes: [UInt8]) throws(DecodeFailure) -> [Span] {
    var spans: [Span] = []
    let result: Result<Void, DecodeFailure> = bytes.withUnsafeBytes { raw in
        do throws(DecodeFailure) {
            try DaemonDatagram.decode(raw, into: &spans)
            return .success(())
        } catch {
            return .failure(error)
        }
    }
    try result.get()
    return spans
}

func decodeDatagram(_ text: String) throws(DecodeFailure) -> [Span] {
    try decodeDatagram(Array(text.utf8))
}
