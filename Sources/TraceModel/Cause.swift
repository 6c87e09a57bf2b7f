/// One stack frame of a recorded exception.
public struct StackFrame: Sendable, Hashable {
    public var path: String?
    public var line: Int?
    public var label: String?

    public init(path: String? = nil, line: Int? = nil, label: String? = nil) {
        self.path = path
        self.line = line
        self.label = label
    }
}

/// One exception recorded on a span (X-Ray `cause.exceptions[]`, OTLP `exception` events).
public struct ExceptionRecord: Sendable, Hashable {
    public var id: String?
    public var type: String?
    public var message: String?
    public var remote: Bool
    public var stack: [StackFrame]

    public init(
        id: String? = nil, type: String? = nil, message: String? = nil, remote: Bool = false,
        stack: [StackFrame] = []
    ) {
        self.id = id
        self.type = type
        self.message = message
        self.remote = remote
        self.stack = stack
    }
}

/// Why a span failed. X-Ray allows either the full object or a 16-character id of an exception recorded elsewhere.
public struct Cause: Sendable, Hashable {
    public var workingDirectory: String?
    public var exceptions: [ExceptionRecord]
    /// Set when the cause is a reference to an exception recorded on another subsegment.
    public var referencedExceptionID: String?

    public init(
        workingDirectory: String? = nil, exceptions: [ExceptionRecord] = [], referencedExceptionID: String? = nil
    ) {
        self.workingDirectory = workingDirectory
        self.exceptions = exceptions
        self.referencedExceptionID = referencedExceptionID
    }
}
