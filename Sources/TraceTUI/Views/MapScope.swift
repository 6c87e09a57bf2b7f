import TraceAnalysis

/// What the service map shows: the whole graph when it fits (`NodeMapView.fits`), else the neighbourhood of the selected service — the
/// worst one until the user selects another — so at 300 services the map opens where the trouble is rather than on a
/// corner of a map twenty screens tall. `z` flips between the two (docs/ARCHITECTURE.md, "Big systems").
public struct MapScope: Sendable {
    /// The model cut to what the map draws.
    public var model: DashboardModel
    /// The service the map is about (highlighted when the services list has the keys).
    public var selected: NodeKey?
    public var title: String

    /// The map for `state` in an area `height` rows tall.
    public static func choose(_ state: AppState, _ model: DashboardModel, height: Int) -> MapScope {
        let wholeFits = NodeMapView.fits(model.layout, height: height)
        let neighbourhood = wholeFits ? state.mapFocus : !state.mapFocus
        let searching = state.serviceSearchDraft != nil || state.serviceSearch != nil
        // The map follows the selection once the user moves it or searches, and always in a neighbourhood.
        let selected =
            !model.services.isEmpty && (state.selectedService > 0 || neighbourhood || searching)
            ? model.services[min(state.selectedService, model.services.count - 1)].node : nil
        guard neighbourhood, let center = selected else {
            let hint = wholeFits ? "" : " · all \(model.mapNodes.count) nodes · z: the selection's neighbourhood"
            return MapScope(model: model, selected: selected, title: "Service map" + hint)
        }
        // Two hops when they fit, else one: a hub's callers and callees alone can fill the area.
        var hops = 2
        var cut = model.focused(around: center, hops: hops)
        if !NodeMapView.fits(cut.layout, height: height) {
            hops = 1
            cut = model.focused(around: center, hops: hops)
        }
        var title = "Service map · \(center.name) ±\(hops) hop\(hops == 1 ? "" : "s")"
        if cut.nodesOutOfView > 0 {
            title += " · \(cut.nodesOutOfView) nodes, \(cut.edgesOutOfView) edges beyond · z: whole map"
        }
        return MapScope(model: cut, selected: selected, title: title)
    }
}
