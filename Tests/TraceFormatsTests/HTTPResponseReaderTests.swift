import Testing
import TraceFormats

/// Responses end where HTTP/1.1 says: by length, by chunks (with extensions and trailers), not at all for 204 and
/// 304, or only at the close — however the bytes are cut into reads, and an incomplete one is never taken as whole.
@Suite("HTTP response reader")
struct HTTPResponseReaderTests {
    static func read(_ text: String, cut: Int? = nil) throws -> (HTTPResponseReader.Response?, HTTPResponseReader) {
        var reader = HTTPResponseReader()
        let bytes = Array(text.utf8)
        let at = min(cut ?? bytes.count, bytes.count)
        if let first = try reader.append(bytes[..<at]) { return (first, reader) }
        return (try reader.append(bytes[at...]), reader)
    }

    @Test func chunkedBodiesAreJoinedWhereverTheReadsAreCut() throws {
        let wire =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: x\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: x\r\n\r\n"
        for cut in 0...wire.utf8.count {
            let (response, _) = try Self.read(wire, cut: cut)
            #expect(response?.body == Array("Wikipedia".utf8), "cut at \(cut)")
            #expect(response?.keepAlive == true)
        }
        // Short of its last empty line, it is not complete.
        var reader = HTTPResponseReader()
        #expect(try reader.append(Array(wire.utf8.dropLast(2))) == nil)
        #expect(reader.closed()?.framed == false)
    }

    @Test func lengthsNoBodiesAndTheClose() throws {
        #expect(try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc").0?.body == Array("abc".utf8))
        let (short, reader) = try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab")
        #expect(short == nil)
        #expect(reader.closed()?.body == [97, 98] && reader.closed()?.framed == false)
        #expect(try Self.read("HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n").0?.body == [])
        #expect(
            try Self.read("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").0?.keepAlive == false)
        let (untilClose, open) = try Self.read("HTTP/1.1 200 OK\r\n\r\nall of it")
        #expect(untilClose == nil)
        #expect(open.closed()?.body == Array("all of it".utf8))
        #expect(open.closed()?.keepAlive == false)
    }

    @Test func whatIsNotHTTPIsSaid() throws {
        for bad in ["SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1\r\n\r\n", "HTTP/1.1 7 x\r\n\r\n"] {
            var reader = HTTPResponseReader()
            #expect(throws: HTTPResponseReader.NotHTTP.self) { try reader.append(Array(bad.utf8)) }
        }
        // A malformed chunk size is never complete: the caller's timeout or read limit ends it.
        var reader = HTTPResponseReader()
        #expect(try reader.append(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8)) == nil)
    }

    @Test func aHugeBodyIsKeptOnlyUpToTheLimit() throws {
        let body = String(repeating: "x", count: 100_000)
        let (response, _) = try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + body)
        #expect(response?.body.count == HTTPResponseReader.maxBody)
    }
}
