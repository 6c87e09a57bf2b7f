import Testing
import TraceModel

@Suite("Trace model")
struct IDTests {
    @Test func xrayAndW3CSpellTheSameTraceID() throws {
        let xray = try #require(TraceID(xray: "1-5759e988-bd862e3fe1be46a994272793"))
        let w3c = try #require(TraceID(hex: "5759e988bd862e3fe1be46a994272793"))
        #expect(xray == w3c)
        #expect(xray.xray == "1-5759e988-bd862e3fe1be46a994272793")
        #expect(xray.hex == "5759e988bd862e3fe1be46a994272793")
        #expect(xray.epochSeconds == 0x5759_e988)
    }

    @Test(arguments: [
        "", "1-5759e988-bd862e3fe1be46a99427279", "2-5759e988-bd862e3fe1be46a994272793",
        "1-5759e988_bd862e3fe1be46a994272793", "5759e988bd862e3fe1be46a99427279g",
    ])
    func rejectsMalformedTraceIDs(text: String) {
        #expect(TraceID(xray: text) == nil && TraceID(hex: text) == nil)
    }

    @Test func spanIDs() {
        #expect(SpanID(hex: "53995c3f42cd8ad8")?.value == 0x5399_5c3f_42cd_8ad8)
        #expect(SpanID(hex: "53995C3F42CD8AD8")?.hex == "53995c3f42cd8ad8")
        #expect(SpanID(hex: "53995c3f42cd8ad") == nil)
    }

    @Test func statusClassesOrderBySeverity() {
        #expect(StatusClass.fault > .throttle && StatusClass.throttle > .error && StatusClass.error > .ok)
        #expect(StatusClass.forHTTPStatus(429) == .throttle)
        #expect(StatusClass.forHTTPStatus(404) == .error)
        #expect(StatusClass.forHTTPStatus(503) == .fault)
        #expect(StatusClass.forHTTPStatus(302) == nil)
    }

    @Test func terminalSafeEscapesControlsAndBidi() {
        #expect(TerminalSafe.escape("ok") == "ok")
        #expect(TerminalSafe.escape("a\u{1B}[2Jb") == "a\\e[2Jb")
        #expect(TerminalSafe.escape("bell\u{07}") == "bell\\x07")
        #expect(TerminalSafe.escape("csi\u{9B}") == "csi\\u{9b}")
        #expect(TerminalSafe.escape("rtl\u{202E}") == "rtl\\u{202e}")
        #expect(TerminalSafe.escape("注文🚀") == "注文🚀")
    }

    @Test func displayWidthCountsWideCharactersTwice() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("注文") == 4)
        #expect(DisplayWidth.of("🚀") == 2)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.truncate("注文サービス", to: 5) == "注文…")
        #expect(DisplayWidth.pad("注", to: 4) == "注  ")
    }
}
