/// A minimum-energy path between two minima and the saddle point on it, as found by
/// `ZeroTemperatureString`.
public struct MinimumEnergyPath: Sendable {
    /// Images along the path, equally spaced in arc length, endpoints included.
    public var images: [[Double]]
    public var energies: [Double]
    /// Arc length of each image, normalized to [0, 1].
    public var arcLength: [Double]
    /// The refined saddle point (∇V = 0 near the highest image).
    public var saddle: [Double]
    public var saddleEnergy: Double
    /// |∇V| at the refined saddle.
    public var saddleGradientNorm: Double
    /// Number of negative Hessian eigenvalues at the saddle: 1 for a first-order saddle.
    public var saddleIndex: Int
    /// The image the saddle refinement started from (the highest interior image).
    public var highestImage: Int
    public var iterations: Int
    /// Largest component of ∇V perpendicular to the path over the interior images at the end.
    public var perpendicularGradient: Double
    public var converged: Bool
}
