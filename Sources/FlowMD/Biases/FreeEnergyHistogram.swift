import FlowLinalg

/// The free energy F(ξ₁, ξ₂) = −β⁻¹ ln p(ξ₁, ξ₂) on a regular grid from weighted samples: the
/// `Histogram2D` of the weights (e.g. `ReweightingWeights` of a metadynamics run, which turn
/// biased frames into e^{−βV} averages; Torrie & Valleau 1977), divided by the weight inside the
/// grid and the bin area, shifted so that min F = 0 (`Statistics.freeEnergy`). Empty bins are NaN
/// (no estimate), never +∞ or 0. Samples outside the ranges are left out.
public struct FreeEnergyHistogram2D: Sendable {
    public let histogram: Histogram2D
    /// F per bin, x bin slowest (index i·yBins + j); NaN where no sample fell.
    public let freeEnergy: [Double]

    public init(x: [Double], y: [Double], weights: [Double]?, xBins: Int, yBins: Int,
                xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, beta: Double) {
        precondition(xBins >= 1 && yBins >= 1 && beta > 0 && xRange.upperBound > xRange.lowerBound && yRange.upperBound > yRange.lowerBound)
        let h = Histogram2D(x: x, y: y, xAxis: GridAxis(lower: xRange.lowerBound, upper: xRange.upperBound, count: xBins),
                            yAxis: GridAxis(lower: yRange.lowerBound, upper: yRange.upperBound, count: yBins), weights: weights)
        let total = h.counts.reduce(0, +), hx = h.xAxis.spacing, hy = h.yAxis.spacing
        histogram = h
        freeEnergy = Statistics.freeEnergy(density: h.counts.map { $0 / (total * hx * hy) }, beta: beta)
    }
}
