import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A system of many services calling each other, and traces that walk it: the load of the scale tests, the live
/// benchmark and the tmux test at 300 services and 1,500 edges (docs/ARCHITECTURE.md, "Big systems").
///
/// Services sit in layers: a few entry services take the client's requests, and every call goes to a later layer, so
/// the topology is acyclic and every service is reached. Each service has its own latency (log-normal around its
/// median), and a few are unhealthy: one faults often (the worst service, where the map opens), some fault now and
/// then, some throttle, some answer 4xx; the rest always succeed. A trace starts at an entry service and takes one or two of each visited service's calls, at most 16
/// spans (about ten on average), deep enough to reach the last layer. Everything is deterministic for a seed.
public struct SyntheticSystem: Sendable {
    public struct Service: Sendable, Equatable {
        public var name: String
        public var layer: Int
        public var medianMillis: Double
        public var faultRate: Double
        public var throttleRate: Double
        public var errorRate: Double
    }

    public let services: [Service]
    /// Each service's callees (indices into `services`), in the order they were made.
    public let calls: [[Int]]
    /// The services the client calls.
    public let entries: [Int]
    /// The service that faults most: the one an on-call engineer must find first.
    public let worst: Int

    public var edgeCount: Int { calls.reduce(0) { $0 + $1.count } }

    private static let words = [
        "orders", "payments", "cart", "auth", "search", "inventory", "pricing", "shipping", "catalog", "reviews",
        "profile", "ledger", "fraud", "notify", "media", "session", "quotes", "billing", "tax", "loyalty",
    ]

    /// - Parameters:
    ///   - serviceCount: services (at least 2).
    ///   - edgeCount: distinct calls between them; at most what the layering allows.
    ///   - layers: how deep the call graph is.
    public init(services serviceCount: Int = 300, edges edgeCount: Int = 1500, layers: Int = 6, seed: UInt64 = 1) {
        var random = SplitMix64(seed: seed)
        let count = max(2, serviceCount)
        let depth = max(2, min(layers, count))
        let entryCount = max(1, min(count / 30, count - depth + 1))
        // Entry services in layer 0, the rest spread evenly over the later layers.
        var services: [Service] = []
        for i in 0..<count {
            let layer = i < entryCount ? 0 : 1 + (i - entryCount) * (depth - 1) / max(1, count - entryCount)
            let median = 2 * pow(1.6, Double(depth - layer)) * (0.5 + random.nextUnit())
            services.append(
                Service(
                    name: "\(Self.words[i % Self.words.count])-\(i)", layer: layer, medianMillis: median,
                    faultRate: 0, throttleRate: 0, errorRate: 0))
        }
        let worst = count / 2
        services[worst].faultRate = 0.12
        for i in stride(from: 7, to: count, by: 41) where i != worst { services[i].throttleRate = 0.04 }
        for i in stride(from: 13, to: count, by: 53) where i != worst { services[i].errorRate = 0.05 }
        for i in stride(from: 29, to: count, by: 37) where i != worst { services[i].faultRate = 0.005 }

        let byLayer = (0..<depth).map { layer in services.indices.filter { services[$0].layer == layer } }
        var calls = Array(repeating: [Int](), count: count)
        var made = Set<Int>()
        func add(_ from: Int, _ to: Int) -> Bool {
            guard made.insert(from * count + to).inserted else { return false }
            calls[from].append(to)
            return true
        }
        // Every service past the entries has a caller in the layer before it.
        for layer in 1..<depth {
            for callee in byLayer[layer] {
                let callers = byLayer[layer - 1]
                _ = add(callers[Int(random.next() % UInt64(callers.count))], callee)
            }
        }
        // The rest: mostly into the next layer, some further down.
        let possible = (0..<depth).reduce(0) { sum, layer in
            sum + byLayer[layer].count * byLayer[(layer + 1)...].reduce(0) { $0 + $1.count }
        }
        var total = made.count
        let target = min(max(edgeCount, total), possible)
        while total < target {
            let from = Int(random.next() % UInt64(count))
            let layer = services[from].layer
            guard layer < depth - 1 else { continue }
            let jump = random.nextUnit() < 0.7 ? 1 : 1 + Int(random.next() % UInt64(depth - 1 - layer))
            let candidates = byLayer[layer + jump]
            if add(from, candidates[Int(random.next() % UInt64(candidates.count))]) { total += 1 }
        }
        self.services = services
        self.calls = calls
        self.entries = byLayer[0]
        self.worst = worst
    }

    /// Where one trace's spans come from.
    public enum Flavour: Sendable {
        /// X-Ray segments and remote subsegments, as the X-Ray SDKs send them.
        case xray
        /// OTLP SERVER and CLIENT spans with `peer.service`, as the OpenTelemetry SDKs send them.
        case otlp
    }

    /// One trace: an entry service's request and the calls it leads to, at most 16 spans, starting at `start`.
    public func trace(
        _ traceID: TraceID, start: EpochNanos, flavour: Flavour, random: inout SplitMix64
    ) -> [Span] {
        var builder = TraceBuilder(system: self, traceID: traceID, flavour: flavour)
        let entry = entries[Int(random.next() % UInt64(entries.count))]
        _ = builder.visit(entry, callSpan: nil, start: start, budget: 16, random: &random)
        return builder.spans
    }

    /// A log-normal latency around a median (σ 0.6), in nanoseconds.
    static func latency(medianMillis: Double, random: inout SplitMix64) -> Int64 {
        let u1 = max(random.nextUnit(), 1e-12)
        let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * random.nextUnit())
        return Int64(medianMillis * 1e6 * exp(0.6 * z))
    }
}

/// Builds one trace's spans by walking the system from an entry service.
private struct TraceBuilder {
    let system: SyntheticSystem
    let traceID: TraceID
    let flavour: SyntheticSystem.Flavour
    var spans: [Span] = []
    var nextID: UInt64

    init(system: SyntheticSystem, traceID: TraceID, flavour: SyntheticSystem.Flavour) {
        self.system = system
        self.traceID = traceID
        self.flavour = flavour
        nextID = (traceID.low | 1) &* 0x9E37_79B9_7F4A_7C15
    }

    mutating func makeID() -> SpanID {
        nextID &+= 0x2545_F491_4F6C_DD1D
        return SpanID(nextID == 0 ? 1 : nextID)
    }

    /// The request to `service` (parented on the caller's call span), and the calls it makes within `budget` spans;
    /// returns the request's end and class, which the caller's call span takes on.
    mutating func visit(
        _ service: Int, callSpan: SpanID?, start: EpochNanos, budget: Int, random: inout SplitMix64
    ) -> (end: EpochNanos, cls: StatusClass) {
        let s = system.services[service]
        let id = makeID()
        let own = SyntheticSystem.latency(medianMillis: s.medianMillis, random: &random)
        let roll = random.nextUnit()
        let cls: StatusClass =
            roll < s.faultRate
            ? .fault
            : roll < s.faultRate + s.throttleRate
                ? .throttle : roll < s.faultRate + s.throttleRate + s.errorRate ? .error : .ok
        let index = spans.count
        spans.append(
            span(id: id, parent: callSpan, segment: id, name: s.name, service: s.name, start: start, end: start))
        // Calls one after another, each a call span and the callee's request under it.
        var cursor = start + own / 4
        var left = budget - 1
        let callees = system.calls[service]
        if !callees.isEmpty, left >= 2 {
            let wanted = 1 + Int(random.next() % UInt64(min(2, callees.count)))
            for _ in 0..<wanted where left >= 2 {
                let callee = callees[Int(random.next() % UInt64(callees.count))]
                let call = makeID()
                let callIndex = spans.count
                let calleeName = system.services[callee].name
                spans.append(
                    span(
                        id: call, parent: id, segment: id, name: calleeName, service: s.name, start: cursor,
                        end: cursor, call: true))
                left -= 2
                let share = max(0, left / max(1, wanted))
                let (calleeEnd, calleeClass) = visit(
                    callee, callSpan: call, start: cursor + 300_000, budget: share + 1, random: &random)
                left -= spans.count - callIndex - 2
                let end = calleeEnd + 300_000
                spans[callIndex] = span(
                    id: call, parent: id, segment: id, name: calleeName, service: s.name, start: cursor, end: end,
                    call: true, cls: calleeClass)
                cursor = end
            }
        }
        let end = max(cursor, start + own)
        spans[index] = span(
            id: id, parent: callSpan, segment: id, name: s.name, service: s.name, start: start, end: end, cls: cls)
        return (end, cls)
    }

    func span(
        id: SpanID, parent: SpanID?, segment: SpanID, name: String, service: String, start: EpochNanos,
        end: EpochNanos, call: Bool = false, cls: StatusClass = .ok
    ) -> Span {
        switch flavour {
        case .xray:
            return Span(
                traceID: traceID, id: id, parentID: parent, name: name, kind: call ? .client : .server,
                isSegment: !call, namespace: call ? "remote" : nil, segmentID: call ? segment : nil, start: start,
                end: end, errorFlag: cls == .error || cls == .throttle, throttleFlag: cls == .throttle,
                faultFlag: cls == .fault,
                http: HTTPInfo(method: "GET", url: call ? "http://\(name)/" : nil, status: Self.status(cls)))
        case .otlp:
            var attributes: [String: AttributeValue] = ["http.response.status_code": .int(Int64(Self.status(cls)))]
            if call { attributes["peer.service"] = .string(name) }
            return Span(
                traceID: traceID, id: id, parentID: parent, name: call ? "GET" : "GET /\(name)", source: .otlp,
                kind: call ? .client : .server, serviceName: service, start: start, end: end,
                statusError: cls == .fault, attributes: attributes)
        }
    }

    static func status(_ cls: StatusClass) -> Int {
        switch cls {
        case .ok: 200
        case .error: 404
        case .throttle: 429
        case .fault: 503
        }
    }
}

extension SyntheticSystem {
    /// The id of the `number`th trace of a load started at `start`: X-Ray's form (the epoch second in the high word),
    /// distinct for every number.
    public static func traceID(number: UInt64, start: EpochNanos) -> TraceID {
        TraceID(high: UInt64(max(0, start / 1_000_000_000)) << 32 | (number >> 32), low: number)
    }

    /// The `number`th trace of a live load, starting at `start`, as X-Ray daemon datagrams: one a segment, its
    /// subsegments inside, as the X-Ray SDKs send them. Returns them with the trace's span count.
    public func xrayDatagrams(
        number: UInt64, start: EpochNanos, random: inout SplitMix64
    ) -> (spans: Int, datagrams: [[UInt8]]) {
        let spans = trace(Self.traceID(number: number, start: start), start: start, flavour: .xray, random: &random)
        let datagrams = XRayDocumentEncoder.documents(for: spans).map { Array((DaemonDatagram.header + $0).utf8) }
        return (spans.count, datagrams)
    }
}
