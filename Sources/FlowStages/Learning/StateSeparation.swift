import FlowLinalg

/// How well a coordinate set separates metastable states: the leave-one-out k-nearest-neighbour
/// vote accuracy. Each labelled sample gets the majority state among its k nearest other samples
/// (Euclidean, on columns standardized to unit variance so that no coordinate dominates by its
/// units); the score is the fraction that get their own state. A coordinate set that does not see
/// the states scores about the largest state's share, one that separates them scores near 1.
/// Ties in the vote go to the tied state whose nearest member is closest.
enum StateSeparation {
    /// The accuracy over all rows of `coordinates` (n × c) with `labels` (n states, any integers).
    static func accuracy(labels: [Int], coordinates: Matrix, neighbors k: Int = 10) throws -> Double {
        precondition(labels.count == coordinates.rows && coordinates.rows > k && k >= 1, "need more labelled rows than neighbours")
        let votes = try predictions(labels: labels, coordinates: coordinates, neighbors: k)
        return Double(zip(votes, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }

    /// The leave-one-out vote of every row.
    static func predictions(labels: [Int], coordinates: Matrix, neighbors k: Int) throws -> [Int] {
        let neighbors = try NearestNeighbors.search(standardized(coordinates), k: k, includeSelf: false)
        return (0..<coordinates.rows).map { i in
            let others = neighbors.indices(of: i).map { Int($0) }
            var count: [Int: Int] = [:], firstRank: [Int: Int] = [:]
            for (rank, j) in others.enumerated() {
                count[labels[j], default: 0] += 1
                if firstRank[labels[j]] == nil { firstRank[labels[j]] = rank }
            }
            return count.max { a, b in a.value != b.value ? a.value < b.value : firstRank[a.key]! > firstRank[b.key]! }!.key
        }
    }

    /// Each column shifted to mean 0 and scaled to variance 1 (constant columns only shifted).
    static func standardized(_ m: Matrix) -> Matrix {
        var out = m
        for j in 0..<m.cols {
            let mean = (0..<m.rows).reduce(0) { $0 + m[$1, j] } / Double(m.rows)
            let variance = (0..<m.rows).reduce(0) { $0 + (m[$1, j] - mean) * (m[$1, j] - mean) } / Double(m.rows)
            let scale = variance > 0 ? variance.squareRoot() : 1
            for i in 0..<m.rows { out[i, j] = (m[i, j] - mean) / scale }
        }
        return out
    }
}
