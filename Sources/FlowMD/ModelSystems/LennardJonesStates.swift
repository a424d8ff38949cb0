/// Default metastable states of LJ7 in 2D for brute-force rates: the hexagon (A) and the
/// trapezoid (B) as ellipses in (μ2, μ3), the other minima (capped parallelograms) not states.
///
/// Published brute-force rates (Yuan, Sule, Lam & Cameron, arXiv 2507.00408) take A and B as
/// committor level sets q ≤ 0.01 and q ≥ 0.99 of a committor computed in CV space: large sets
/// deep in each basin, so that every counted A→B switch is a committed transition. These
/// ellipses imitate that without a committor: each is centred on its minimum's (μ2, μ3) and made
/// as large as possible while staying inside its basin of attraction, checked by quenching
/// 33 000 frames of a well-tempered metadynamics run at β = 5 (the `lj7` workflow's `sample`)
/// to their minima and weighting them back to e^{−βV}:
/// - hexagon, centre (0.747, 1.318), semi-axes (0.44, 0.69): 99.6% of its weight quenches to the
///   hexagon, and it holds 97% of the hexagon basin's weight (the basin spans μ3 ≳ 0.6, the
///   parallelograms and the trapezoid lie at μ3 ≲ 0.6);
/// - trapezoid, centre (0.525, −0.15), semi-axes (0.15, 0.09): 98% of its weight quenches to the
///   trapezoid and it holds 51% of that basin's weight. In (μ2, μ3) the trapezoid basin overlaps
///   the capped-parallelogram basins (μ3 ≈ −0.4…0.6), so a larger ellipse would take in
///   configurations that relax to a parallelogram.
/// The run's (μ2, μ3) values of the minima: hexagon (0.747, 1.318), capped parallelograms
/// (0.958, 0.299) and (0.755, 0.351), trapezoid (0.592, −0.116).
public enum LennardJonesStates {
    public static let hexagon = CVRegion.ellipse(center: [0.747, 1.318], semiAxes: [0.44, 0.69])
    public static let trapezoid = CVRegion.ellipse(center: [0.525, -0.15], semiAxes: [0.15, 0.09])

    /// The two states as a state assignment on (μ2, μ3).
    public static func hexagonTrapezoid(layout: ParticleLayout) -> CVRegionStates {
        CVRegionStates(cv: CoordinationMoments(layout: layout), states: [("hexagon", hexagon), ("trapezoid", trapezoid)])
    }
}
