import TraceAnalysis
import TraceModel

/// Requests per second as bars, one column per second, each coloured by the worst class in that second.
public enum Sparkline {
    public static func draw(
        _ buckets: [RateSeries.Bucket], x: Int, y: Int, width: Int, on buffer: inout ScreenBuffer,
        glyphs: Glyphs
    ) {
        guard width > 0 else { return }
        let shown = Array(buckets.suffix(width))
        let peak = shown.map(\.total).max() ?? 0
        for (i, bucket) in shown.enumerated() {
            let level =
                peak == 0 || bucket.total == 0 ? 0 : max(1, Int((Double(bucket.total) / Double(peak) * 8).rounded()))
            let cls: StatusClass =
                bucket.fault > 0 ? .fault : bucket.throttle > 0 ? .throttle : bucket.error > 0 ? .error : .ok
            buffer.write(
                glyphs.bars[min(8, level)], x: x + width - shown.count + i, y: y, style: Style(StyleRole.forClass(cls)))
        }
    }
}
