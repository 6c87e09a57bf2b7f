import TraceBackends

/// The tests run programs with the same runner `credential_process` uses.
public typealias ChildProcess = TraceBackends.ChildProcess
