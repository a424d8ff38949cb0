/// One axis of a rectangular grid of cells: `count` cells of width `spacing` covering
/// [lower, upper), cell i centred at lower + (i + ½)·spacing; optionally periodic.
public struct GridAxis: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var count: Int
    public var periodic: Bool

    public init(lower: Double, upper: Double, count: Int, periodic: Bool = false) {
        self.lower = lower
        self.upper = upper
        self.count = count
        self.periodic = periodic
    }

    public var spacing: Double { (upper - lower) / Double(count) }
    public func center(_ i: Int) -> Double { lower + (Double(i) + 0.5) * spacing }
}
