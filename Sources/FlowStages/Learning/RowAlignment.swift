/// Which row of a data set each row of an embedding computed from it describes.
///
/// A diffusion map may be computed on every row of its data or on a subset; in the latter case
/// its `/source_index` names, per embedding row, the row of the original sampling it comes from —
/// the same numbering as the `/source_index` that `features` writes. Without `/source_index` on
/// either side the rows must correspond one to one.
enum RowAlignment {
    /// The data row of each embedding row, or a one-line reason why they cannot be matched.
    static func dataRows(embeddingRows: Int, embeddingSource: [Int]?, dataRows: Int, dataSource: [Int]?) -> Result<[Int], Failure> {
        guard let embeddingSource else {
            guard embeddingRows == dataRows else {
                return .failure(Failure("input 'embedding' has \(embeddingRows) rows and input 'data' \(dataRows), and the embedding has no /source_index to match them; compute the embedding on this data"))
            }
            return .success(Array(0..<dataRows))
        }
        guard embeddingSource.count == embeddingRows else {
            return .failure(Failure("input 'embedding' /source_index has \(embeddingSource.count) entries for \(embeddingRows) rows"))
        }
        var rowOf: [Int: Int] = [:]
        if let dataSource {
            for (row, s) in dataSource.enumerated() where rowOf[s] == nil { rowOf[s] = row }
        } else {
            for row in 0..<dataRows { rowOf[row] = row }
        }
        var rows: [Int] = []
        rows.reserveCapacity(embeddingRows)
        for (i, s) in embeddingSource.enumerated() {
            guard let row = rowOf[s] else {
                let space = dataSource == nil ? "row numbers 0..<\(dataRows) of input 'data'" : "the /source_index of input 'data'"
                return .failure(Failure("input 'embedding' row \(i) has source index \(s), which is not among \(space)"))
            }
            rows.append(row)
        }
        return .success(rows)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}
