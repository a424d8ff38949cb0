import Foundation
import FlowLinalg

/// A named set of grid nodes: one metastable state.
public struct NamedNodeSet: Sendable, Equatable {
    public var name: String
    public var nodes: [Int]

    public init(name: String, nodes: [Int]) {
        self.name = name
        self.nodes = nodes
    }
}

/// TPT rates between named states of a reversible grid generator, row for row in the layout of the
/// brute-force `transition-rates` stage (FlowMD's `TransitionRateEstimate`, whose quantity names
/// these raw values repeat), so that a report can set the two side by side. For each ordered pair
/// (A, B), other states ignored:
/// - `k_AB` = ν_AB / ρ_A: the inverse mean first-passage time from A to B counted from the last
///   visit to A (the published LJ7 "escape rate");
/// - `nu_AB` = ν_AB: the reactive flux, A→B transitions per unit time;
/// - `rho_A` = Σ_i π_i (1 − q_i): the probability that A was visited more recently than B;
/// then for each state A, with B the union of all other states:
/// - `k_A` = ν_{A,B} / ρ_A: exits from A into any other state per unit time last in A (`to` is "any").
public struct TransitionRateTable: Sendable {
    public typealias Quantity = RateQuantity

    public struct Row: Sendable, Equatable {
        public var from: String
        /// The other state of the pair, or "any" for `k_A`.
        public var to: String
        public var quantity: Quantity
        /// 1/time for k_AB, nu_AB, k_A; dimensionless for rho_A.
        public var value: Double
    }

    /// The forward committor of one ordered pair (A → B): 0 on A, 1 on B, per node.
    public struct Committor: Sendable {
        public var from: String
        public var to: String
        public var values: [Double]
    }

    public var rows: [Row]
    /// One per ordered pair, in the order of the pair rows.
    public var committors: [Committor]

    /// The row of `quantity` from `from` to `to` ("any" for `k_A`).
    public func row(_ quantity: Quantity, from: String, to: String) -> Row? {
        rows.first { $0.quantity == quantity && $0.from == from && $0.to == to }
    }

    /// - Parameter transitionPaths: TPT between two disjoint node sets.
    init(states: [NamedNodeSet], transitionPaths: ([Int], [Int]) throws -> TransitionPathResult) throws {
        guard states.count >= 2 else {
            throw LinalgError.invalidArgument("rates need at least two states, got \(states.count)")
        }
        let names = states.map(\.name)
        guard Set(names).count == names.count else {
            throw LinalgError.invalidArgument("state names must be distinct, got \(names)")
        }
        for (i, a) in states.enumerated() {
            for b in states[(i + 1)...] where !Set(a.nodes).isDisjoint(with: b.nodes) {
                throw LinalgError.invalidArgument("states '\(a.name)' and '\(b.name)' share grid nodes; make them disjoint")
            }
        }
        rows = []
        committors = []
        for a in states {
            for b in states where b.name != a.name {
                let tpt = try transitionPaths(a.nodes, b.nodes)
                rows.append(Row(from: a.name, to: b.name, quantity: .mfptRate, value: tpt.rateAB))
                rows.append(Row(from: a.name, to: b.name, quantity: .reactiveFlux, value: tpt.flux))
                rows.append(Row(from: a.name, to: b.name, quantity: .occupancy, value: tpt.probabilityLastInA))
                committors.append(Committor(from: a.name, to: b.name, values: tpt.committor))
            }
        }
        for a in states {
            let others = states.filter { $0.name != a.name }.flatMap(\.nodes)
            let tpt = try transitionPaths(a.nodes, others)
            rows.append(Row(from: a.name, to: "any", quantity: .escapeRate, value: tpt.rateAB))
        }
    }
}

public extension FiniteElementGenerator {
    /// TPT rates and committors between named states (see `TransitionRateTable`).
    func rates(between states: [NamedNodeSet]) throws -> TransitionRateTable {
        try TransitionRateTable(states: states) { try transitionPaths(from: $0, to: $1) }
    }
}
