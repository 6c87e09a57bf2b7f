/// The AWS CLI's shared files, `~/.aws/credentials` and `~/.aws/config`: INI sections of `key = value` lines.
///
/// In `credentials` a section is named after its profile (`[dev]`); in `config` it is `[profile dev]`, except
/// `[default]`. Keys are case-insensitive; `#` and `;` start comments; indented lines continue a nested block
/// (`s3 =` settings), which nothing here needs and which are skipped.
public struct AWSConfigFile: Sendable, Equatable {
    public var sections: [String: [String: String]]

    public init(sections: [String: [String: String]] = [:]) {
        self.sections = sections
    }

    public init(parsing text: String) {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = String(line.dropFirst().dropLast()).trimmingWhitespace()
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingWhitespace().lowercased()
            let value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            sections[section]?[key] = value
        }
        self.sections = sections
    }

    /// A profile's settings in the credentials file.
    public func credentialsProfile(_ name: String) -> [String: String]? {
        sections[name]
    }

    /// A profile's settings in the config file.
    public func configProfile(_ name: String) -> [String: String]? {
        name == "default" ? (sections["default"] ?? sections["profile default"]) : sections["profile \(name)"]
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view = view.dropFirst() }
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return String(view)
    }
}
