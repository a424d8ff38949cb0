import Foundation

/// Well-tempered metadynamics on one or two CV components (Barducci, Bussi & Parrinello, Phys.
/// Rev. Lett. 100, 020603 (2008)): every `pace` steps a Gaussian of width σ and height
/// h·exp(−B(s)/(k_B ΔT)) is added at the current CV value s, where B is the bias so far. The bias
/// converges to −ΔT/(T + ΔT) · F(s); `biasTemperature` is k_B ΔT in energy units (the "γ" of the
/// LJ7 reference runs), equivalently a bias factor γ_PLUMED = 1 + β k_B ΔT.
///
/// The bias lives on a `BiasGrid`, so evaluation costs the same after any number of hills. For
/// reweighting it keeps Tiwary & Parrinello's time-dependent offset (J. Phys. Chem. B 119, 736
/// (2015)), c(t) = β⁻¹ ln[Σ_s e^{(β + 1/k_BΔT) B(s,t)} / Σ_s e^{B(s,t)/k_BΔT}] over the grid nodes,
/// updated incrementally from the nodes each hill changes. A frame sampled at time t under bias
/// B(·, t) has weight ∝ e^{β (B(s_t, t) − c(t))}.
///
/// Conforms to `Bias`, so a single trajectory (the molecular `Simulation`) deposits through
/// `didStep`; the walker ensemble instead deposits hills from all walkers at once
/// (`deposit(at:time:)`, multiple-walker metadynamics: Raiteri et al., J. Phys. Chem. B 110,
/// 3533 (2006)).
public final class WellTemperedMetadynamics: Bias {
    /// One deposited Gaussian.
    public struct Hill: Sendable, Equatable {
        public var time: Double
        public var center: [Double]
        public var height: Double
    }

    public let cv: any CollectiveVariable
    public let height: Double
    public let widths: [Double]
    /// k_B ΔT (energy): hills shrink as exp(−B/k_BΔT).
    public let biasTemperature: Double
    public let beta: Double
    /// Steps between depositions (used by `didStep`).
    public let pace: Int
    public internal(set) var grid: BiasGrid
    public internal(set) var hills: [Hill] = []
    /// Running sums Σ e^{(β + 1/k_BΔT)B} and Σ e^{B/k_BΔT} over the grid nodes (for c(t)).
    var offsetSums: (Double, Double)

    public init(cv: any CollectiveVariable, height: Double, widths: [Double], biasTemperature: Double,
                beta: Double, pace: Int, grid: BiasGrid) {
        precondition(cv.outputDimension == grid.rank && widths.count == grid.rank, "one width and one grid axis per CV component")
        precondition(height > 0 && biasTemperature > 0 && beta > 0 && pace >= 1 && widths.allSatisfy { $0 > 0 })
        self.cv = cv
        self.height = height
        self.widths = widths
        self.biasTemperature = biasTemperature
        self.beta = beta
        self.pace = pace
        self.grid = grid
        let n = Double(grid.values.count)
        offsetSums = (n, n)
    }

    /// The bias factor γ = (T + ΔT)/T.
    public var biasFactor: Double { 1 + beta * biasTemperature }

    /// B(s) and ∂B/∂s at CV value s.
    public func bias(at s: [Double]) -> (value: Double, gradient: [Double]) { grid.evaluate(s) }

    public func energy(_ x: [Double], time: Double) -> Double {
        grid.evaluate(cv.value(x)).value
    }

    public func energy(_ x: [Double], time: Double, addingGradientTo gradient: inout [Double]) -> Double {
        let d = cv.inputDimension
        var jacobian = [Double](repeating: 0, count: cv.outputDimension * d)
        let s = cv.value(x, jacobian: &jacobian)
        let (b, db) = grid.evaluate(s)
        for (c, slope) in db.enumerated() where slope != 0 {
            for i in 0..<d { gradient[i] += slope * jacobian[c * d + i] }
        }
        return b
    }

    public func didStep(_ x: [Double], time: Double, step: Int) {
        if step % pace == 0 { deposit(at: [cv.value(x)], time: time) }
    }

    /// Deposits one hill at each CV value in `centers`; all heights use the bias before this call
    /// (the walkers deposit simultaneously), then the grid and c(t) are updated in order.
    public func deposit(at centers: [[Double]], time: Double) {
        let heights = centers.map { height * exp(-grid.evaluate($0).value / biasTemperature) }
        let a = beta + 1 / biasTemperature, b = 1 / biasTemperature
        for (s, h) in zip(centers, heights) {
            grid.addGaussian(center: s, widths: widths, height: h) { _, old, new in
                offsetSums.0 += exp(a * new) - exp(a * old)
                offsetSums.1 += exp(b * new) - exp(b * old)
            }
            hills.append(Hill(time: time, center: s, height: h))
        }
    }

    /// c(t) of Tiwary & Parrinello for the current bias (energy units).
    public var offset: Double { log(offsetSums.0 / offsetSums.1) / beta }
}
