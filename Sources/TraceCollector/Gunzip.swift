import TraceFormats

/// gzip request bodies, inflated with a limit so a small bomb cannot become gigabytes.
enum Gunzip {
    static func inflate(_ bytes: [UInt8], limit: Int) -> Result<[UInt8], DecodeFailure> {
        do {
            let inflater = try GzipInflater()
            var out: [UInt8] = []
            var over = false
            try bytes.withUnsafeBytes { raw in
                try inflater.push(raw) { piece in
                    if out.count + piece.count > limit { over = true } else { out.append(contentsOf: piece) }
                }
            }
            if over { return .failure(DecodeFailure(.tooLarge, "gzip body inflates beyond \(limit) bytes")) }
            try inflater.finish()
            return .success(out)
        } catch {
            return .failure(DecodeFailure(.invalidJSON, "bad gzip body: \(error)"))
        }
    }
}
