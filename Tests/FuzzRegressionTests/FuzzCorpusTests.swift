import Foundation
import FuzzHarnesses
import Testing

/// Every input the fuzzers keep — the committed seed corpora (`Fuzz/corpus/TARGET`) and each finding's input
/// (`Fuzz/regressions/TARGET`) — replayed through the harness it came from: no crash, no trap, no property broken.
@Suite("Fuzz corpora and regressions")
struct FuzzCorpusTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func inputs(_ target: FuzzTarget, in kind: String) -> [URL] {
        let folder = fuzzFolder.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedCorpusHoldsEveryProperty(_ target: FuzzTarget) throws {
        let seeds = Self.inputs(target, in: "corpus")
        #expect(seeds.count >= 3, "Fuzz/corpus/\(target.rawValue) should hold seeds from the real samples")
        for url in seeds {
            let violations = target.run(Array(try Data(contentsOf: url)))
            #expect(violations.isEmpty, "\(url.lastPathComponent): \(violations)")
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyFindingStaysFixed(_ target: FuzzTarget) throws {
        for url in Self.inputs(target, in: "regressions") {
            let violations = target.run(Array(try Data(contentsOf: url)))
            #expect(violations.isEmpty, "\(url.lastPathComponent): \(violations)")
        }
    }
}
