#if canImport(Glibc)
    import Glibc
#endif

/// Datagrams the kernel dropped for a UDP port because its receive buffer was full — loss the collector never saw,
/// read from `/proc/net/udp` and `/proc/net/udp6` (Linux), so overload is reported, not silent.
enum KernelUDPDrops {
    static func count(port: Int) -> UInt64? {
        sum(port: port) { fields in UInt64(fields[12]) }
    }

    /// Bytes waiting in the port's receive queue: datagrams the kernel holds that the collector has not read yet.
    static func queuedBytes(port: Int) -> UInt64? {
        // `tx_queue:rx_queue`, in hexadecimal.
        sum(port: port) { fields in fields[4].split(separator: ":").last.flatMap { UInt64($0, radix: 16) } }
    }

    /// A column of the port's sockets' lines, summed over IPv4 and IPv6; nil when no socket has the port.
    private static func sum(port: Int, _ column: ([Substring]) -> UInt64?) -> UInt64? {
        var total: UInt64 = 0
        var found = false
        let hexPort = String(port, radix: 16, uppercase: true)
        let suffix = ":" + String(repeating: "0", count: max(0, 4 - hexPort.count)) + hexPort
        for path in ["/proc/net/udp", "/proc/net/udp6"] {
            guard let text = read(path) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode ref pointer drops
                guard fields.count >= 13, fields[1].hasSuffix(suffix), let value = column(fields) else { continue }
                total += value
                found = true
            }
        }
        return found ? total : nil
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
