/// Connected components of the graph whose edges are the non-zero entries of a symmetric sparse
/// matrix, by union–find with path halving. Used to refuse eigenvectors of disconnected kernels
/// and grids (DESIGN §10): each component would contribute its own eigenvalue 1 (or 0).
public struct ConnectedComponents: Sendable {
    /// Component label of every node, numbered 0, 1, … in order of first appearance.
    public let labels: [Int]
    /// Number of nodes in each component.
    public let sizes: [Int]

    public var count: Int { sizes.count }
    public var largestSize: Int { sizes.max() ?? 0 }

    /// Entries with value ≤ `threshold` are not edges (a kernel value that underflowed to 0 joins
    /// nothing).
    public init(_ graph: SparseMatrix, threshold: Double = 0) {
        var parent = Array(0..<graph.rows)
        func root(_ x: Int) -> Int {
            var x = x
            while parent[x] != x {
                parent[x] = parent[parent[x]]
                x = parent[x]
            }
            return x
        }
        for i in 0..<graph.rows {
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] where graph.values[e] != 0 && abs(graph.values[e]) > threshold {
                let a = root(i), b = root(Int(graph.columnIndices[e]))
                if a != b { parent[Swift.max(a, b)] = Swift.min(a, b) }
            }
        }
        var label = [Int](repeating: -1, count: graph.rows)
        var labels = [Int](repeating: 0, count: graph.rows)
        var sizes = [Int]()
        for i in 0..<graph.rows {
            let r = root(i)
            if label[r] < 0 {
                label[r] = sizes.count
                sizes.append(0)
            }
            labels[i] = label[r]
            sizes[label[r]] += 1
        }
        self.labels = labels
        self.sizes = sizes
    }
}
