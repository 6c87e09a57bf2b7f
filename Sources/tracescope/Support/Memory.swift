#if canImport(Glibc)
    import Glibc
#endif

/// Resident memory of this process, from /proc.
enum Memory {
    static func residentMegabytes() -> Double {
        guard let text = Terminal.readFile("/proc/self/statm") else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    /// The most this process has held resident so far (VmHWM), in MB (MiB).
    static func peakResidentMegabytes() -> Double {
        guard let text = Terminal.readFile("/proc/self/status"),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kib = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kib / 1024
    }
}
