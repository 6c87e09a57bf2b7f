import TraceAnalysis

/// What a place on the screen stands for, recorded by the views as they draw (`ScreenBuffer.mark`), so a mouse
/// click is resolved against exactly what was drawn there: one layout, for the eye and the mouse.
public enum HitTarget: Sendable, Equatable {
    /// A row of the services list, by index into the list as shown.
    case service(Int)
    /// A row of the trace list.
    case trace(Int)
    /// A node's box on the map.
    case mapNode(NodeKey)
    /// A row of the timeline, by index into its visible rows.
    case timelineRow(Int)
    /// A row of the comparison of two traces.
    case compareRow(Int)
}
