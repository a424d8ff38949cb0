import Foundation

/// The free energy F(ξ₁, ξ₂) = −β⁻¹ ln p(ξ₁, ξ₂) on a regular grid from weighted samples: a
/// 2-D histogram of the weights (e.g. `ReweightingWeights` of a metadynamics run, which turn
/// biased frames into e^{−βV} averages; Torrie & Valleau 1977), divided by the total weight and
/// the bin area, shifted so that min F = 0. Empty bins are NaN (no estimate), never +∞ or 0.
/// Samples outside the ranges are left out.
public struct FreeEnergyHistogram2D: Sendable {
    public let xRange: ClosedRange<Double>
    public let yRange: ClosedRange<Double>
    public let xBins: Int
    public let yBins: Int
    /// F per bin, x bin slowest (index i·yBins + j); NaN where no sample fell.
    public let freeEnergy: [Double]

    public init(x: [Double], y: [Double], weights: [Double]?, xBins: Int, yBins: Int,
                xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, beta: Double) {
        precondition(x.count == y.count && (weights?.count ?? x.count) == x.count, "one x, y and weight per sample")
        precondition(xBins >= 1 && yBins >= 1 && beta > 0 && xRange.upperBound > xRange.lowerBound && yRange.upperBound > yRange.lowerBound)
        self.xRange = xRange
        self.yRange = yRange
        self.xBins = xBins
        self.yBins = yBins
        let hx = (xRange.upperBound - xRange.lowerBound) / Double(xBins)
        let hy = (yRange.upperBound - yRange.lowerBound) / Double(yBins)
        var mass = [Double](repeating: 0, count: xBins * yBins)
        var total = 0.0
        for k in x.indices where xRange.contains(x[k]) && yRange.contains(y[k]) {
            let i = min(Int((x[k] - xRange.lowerBound) / hx), xBins - 1)
            let j = min(Int((y[k] - yRange.lowerBound) / hy), yBins - 1)
            let w = weights?[k] ?? 1
            mass[i * yBins + j] += w
            total += w
        }
        let f = mass.map { $0 > 0 && total > 0 ? -log($0 / (total * hx * hy)) / beta : Double.nan }
        let lowest = f.filter { !$0.isNaN }.min() ?? 0
        freeEnergy = f.map { $0 - lowest }
    }

    /// Centre of bin i along x.
    public func xCenter(_ i: Int) -> Double {
        xRange.lowerBound + (Double(i) + 0.5) * (xRange.upperBound - xRange.lowerBound) / Double(xBins)
    }

    /// Centre of bin j along y.
    public func yCenter(_ j: Int) -> Double {
        yRange.lowerBound + (Double(j) + 0.5) * (yRange.upperBound - yRange.lowerBound) / Double(yBins)
    }
}
