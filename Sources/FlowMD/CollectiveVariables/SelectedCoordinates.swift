/// Raw coordinates of the configuration as CV components (x and y of Müller–Brown, one
/// coordinate of a double well): the identity CV restricted to `indices`.
public struct SelectedCoordinates: CollectiveVariable {
    public let inputDimension: Int
    public let indices: [Int]
    public let componentNames: [String]

    public init(_ indices: [Int], inputDimension: Int, names: [String]) {
        precondition(!indices.isEmpty && indices.allSatisfy { (0..<inputDimension).contains($0) } && names.count == indices.count)
        self.indices = indices
        self.inputDimension = inputDimension
        componentNames = names
    }

    public var outputDimension: Int { indices.count }

    public func value(_ x: [Double]) -> [Double] { indices.map { x[$0] } }

    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        for k in jacobian.indices { jacobian[k] = 0 }
        for (row, i) in indices.enumerated() { jacobian[row * inputDimension + i] = 1 }
        return value(x)
    }
}
