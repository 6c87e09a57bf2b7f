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
}
