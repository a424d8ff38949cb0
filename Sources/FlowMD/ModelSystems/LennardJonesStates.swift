/// Default metastable states of LJ7 in 2D for brute-force rates: the hexagon (A) and the
/// trapezoid (B) as ellipses in (μ2, μ3), the capped parallelograms not states.
///
/// The published brute-force rates at β = 5 (Yuan, Sule, Lam & Cameron, arXiv 2507.00408:
/// k_AB = 3.46·10⁻², ν_AB = 2.56·10⁻²) take A and B as committor level sets q < 0.01 and
/// q ≥ 0.99 of a committor computed in CV space. Their runs spend 34% of the time in A
/// (TinA/T in their data) and 2.5% in B, and find k_BA ≈ 0.096. These ellipses imitate such sets
/// without a committor. Basin membership was checked by quenching 33 000 frames of a well-tempered
/// metadynamics run at β = 5 (the `lj7` workflow's `sample`) to their minima and weighting them
/// back to e^{−βV}:
/// - trapezoid, centre (0.525, −0.15), semi-axes (0.15, 0.09): the largest ellipse of which ≥ 98%
///   of the weight quenches to the trapezoid; it holds 51% of that basin's weight and 3.7% of all.
///   In (μ2, μ3) the trapezoid basin overlaps the capped-parallelogram basins, so a larger
///   ellipse would take in configurations that relax to a parallelogram.
/// - hexagon, centre (0.747, 1.318), semi-axes (0.11, 0.1725): 34.4% of the equilibrium weight,
///   that of the published A, all of it in the hexagon basin. A committor level set q < 0.01 leaves
///   out the rim of the basin, from which excursions through the parallelograms reach B. The
///   largest ellipse inside the basin, semi-axes (0.44, 0.69), holds 51% of the weight, halves the
///   mean first-passage time back from B (k_BA = 0.188) and overestimates ν_AB by 30%.
/// Measured with MALA (dt = 5·10⁻⁵, 16 walkers × 2·10⁴ time units; `Benchmarks/README.md`): these
/// states give k_AB = 3.29·10⁻² and ν_AB = 2.43·10⁻², 5% below the published values (whose own
/// runs with another CV give 3.71·10⁻² and 2.68·10⁻²); k_AB is set mostly by the size of B and
/// k_BA by the size of A. (μ2, μ3) of the minima: hexagon (0.747, 1.318), capped parallelograms
/// (0.958, 0.299) and (0.755, 0.351), trapezoid (0.592, −0.116).
public enum LennardJonesStates {
    public static let hexagon = CVRegion.ellipse(center: [0.747, 1.318], semiAxes: [0.11, 0.1725])
    public static let trapezoid = CVRegion.ellipse(center: [0.525, -0.15], semiAxes: [0.15, 0.09])

    /// The two states as a state assignment on (μ2, μ3).
    public static func hexagonTrapezoid(layout: ParticleLayout) -> CVRegionStates {
        CVRegionStates(cv: CoordinationMoments(layout: layout), states: [("hexagon", hexagon), ("trapezoid", trapezoid)])
    }
}
