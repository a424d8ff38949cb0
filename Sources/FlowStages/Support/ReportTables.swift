import Foundation
import FlowCore
import FlowHDF5

/// A table of numbers in a report (`report` stage, `tables:`), so that results stand next to
/// their references (DESIGN §8: "report.md puts the key numbers in tables next to the figures").
///
/// - `compare`: rows are the elements of vectors — e.g. eigenvalues λ₁…λ₃ — one column per
///   source, optionally with the relative error of each column against a `reference` column.
/// - `inputs`: one row per listed input — e.g. the diagnostics of several autoencoder variants —
///   one column per value read from that input.
/// - `rates`: one row per listed input with `/rates` in the layout of `transition-rates` (brute
///   force, effective dynamics), plus published rows: k_AB with its interval, ν_AB, ρ_A, λ₁ when
///   the input has `/eigenvalues`, and the ratios of k_AB and ν_AB to the `reference` input's.
struct TableSpec: Decodable {
    enum Kind: String, ParameterEnum { case compare, inputs, rates }

    var title: String
    var type: Kind
    var rows: Int
    var rowLabel: String
    var reference: ColumnSpec?
    var columns: [ColumnSpec]
    var relativeError: Bool
    var inputs: [String]
    var rowLabels: [String]
    var from: String
    var to: String
    var referenceInput: String?
    var published: [PublishedRates]

    enum CodingKeys: String, CodingKey {
        case title, type, rows, reference, columns, inputs
        case rowLabel = "row_label"
        case relativeError = "relative_error"
        case rowLabels = "row_labels"
        case from, to, published
        case referenceInput = "reference_input"
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        title = try p(.title, default: "", help: "table heading")
        type = try p(.type, default: .compare, help: "compare: rows are vector elements, one column per source; inputs: one row per input")
        rows = try p(.rows, default: 1, in: .atLeast(1), help: "compare: number of rows (vector elements)")
        rowLabel = try p(.rowLabel, default: "{n}", help: "compare: row label; {n} is the 1-based row number, {i} the 0-based one")
        reference = try p.optionalGroup(.reference, help: "compare: the reference column the others are measured against")
        columns = try p.list(.columns, help: "the columns")
        relativeError = try p(.relativeError, default: true, help: "compare: add |value − reference|/|reference| after each column")
        inputs = try p(.inputs, default: [], help: "inputs: the report inputs, one row each")
        rowLabels = try p(.rowLabels, default: [], help: "row labels (inputs: default the input names; compare: default row_label)")
        from = try p(.from, default: "", help: "rates: state A of the pair")
        to = try p(.to, default: "", help: "rates: state B of the pair")
        referenceInput = try p.optional(.referenceInput, help: "rates: the input whose k_AB and ν_AB the ratio columns divide by (e.g. the brute-force rates)")
        published = try p.list(.published, help: "rates: published rows, each {label, k_ab, nu_ab, rho_a, lambda1} (any subset)")
        try p.check(type == .rates || !columns.isEmpty, .columns, "give at least one column")
        try p.check(type == .compare || !inputs.isEmpty, .inputs, "an inputs or rates table needs the list of inputs, one per row")
        try p.check(type != .rates || (!from.isEmpty && !to.isEmpty), .from, "a rates table needs from: and to: (the state names in /rates)")
        let labelCount = type == .compare ? rows : inputs.count
        try p.check(rowLabels.isEmpty || rowLabels.count == labelCount, .rowLabels,
                    type == .inputs ? "give one label per input (\(inputs.count))" : "give one label per row (\(rows))")
    }

    func render(_ context: StageContext) throws -> String {
        var md = title.isEmpty ? "" : "### \(title)\n\n"
        switch type {
        case .compare:
            let ref = try reference.map { try $0.vector(context, count: rows) }
            var header = [""]
            if let reference { header.append(reference.label) }
            for c in columns {
                header.append(c.label)
                if ref != nil, c.relativeError ?? relativeError { header.append("rel. error") }
            }
            md += "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
            let values = try columns.map { try $0.vector(context, count: rows) }
            for r in 0..<rows {
                var cells = [rowLabels.isEmpty
                    ? rowLabel.replacingOccurrences(of: "{n}", with: "\(r + 1)").replacingOccurrences(of: "{i}", with: "\(r)")
                    : rowLabels[r]]
                if let ref, let refColumn = reference { cells.append(refColumn.format(ref[r])) }
                for (c, column) in columns.enumerated() {
                    let v = values[c][r]
                    cells.append(column.format(v))
                    if let ref, let refColumn = reference, column.relativeError ?? relativeError {
                        // As displayed: each column's scale applied (a column in 1/ps against a reference in 1/ns).
                        cells.append(Self.relative(v.map { $0 * column.scale }, ref[r].map { $0 * refColumn.scale }))
                    }
                }
                md += "| " + cells.joined(separator: " | ") + " |\n"
            }
        case .rates:
            md += try RateTable(spec: self).render(context)
        case .inputs:
            let header = [""] + columns.map(\.label)
            md += "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
            for (i, input) in inputs.enumerated() {
                var cells = [rowLabels.isEmpty ? input : rowLabels[i]]
                for column in columns { cells.append(try column.cell(context, input: input)) }
                md += "| " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return md + "\n"
    }

    static func relative(_ v: Double?, _ ref: Double?) -> String {
        guard let v, let ref, ref != 0, v.isFinite else { return "–" }
        let percent = 100 * abs(v - ref) / abs(ref)
        return String(format: percent >= 10 ? "%.0f %%" : percent >= 1 ? "%.1f %%" : "%.2g %%", percent)
    }
}

/// Where a table's values come from: a dataset or an attribute of a report input, or literal
/// values (published reference numbers).
struct ColumnSpec: Decodable {
    var label: String
    var input: String?
    var dataset: String?
    var attribute: String?
    var values: [Double]?
    var offset: Int
    var index: Int
    var column: Int?
    var name: String?
    var scale: Double
    var format: String
    var relativeError: Bool?
    var optional: Bool

    enum CodingKeys: String, CodingKey {
        case label, input, dataset, attribute, values, offset, index, column, name, scale, format, optional
        case relativeError = "relative_error"
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        label = try p(.label, default: "", help: "column heading")
        input = try p.optional(.input, help: "the report input to read (compare tables; inputs tables read each row's input)")
        dataset = try p.optional(.dataset, help: "dataset to read, e.g. /eigenvalues (values are taken in row-major order)")
        attribute = try p.optional(.attribute, help: "attribute to read instead, e.g. saddle_energy; dataset/attribute for an attribute of a dataset")
        values = try p.optional(.values, help: "literal values instead of a dataset (published references)")
        offset = try p(.offset, default: 0, in: .atLeast(0), help: "compare: first element used (e.g. 1 to skip a trivial eigenvalue)")
        index = try p(.index, default: 0, in: .atLeast(0), help: "inputs: element of the dataset shown")
        column = try p.optional(.column, in: .atLeast(0), help: "read only this 0-based column of a 2-D dataset (e.g. the support mass column of /modes), one value per row")
        name = try p.optional(.name, help: "inputs: the element whose entry in the dataset's `names` attribute is this (e.g. max_energy in /diagnostics)")
        scale = try p(.scale, default: 1.0, help: "factor applied to every value")
        format = try p(.format, default: "%.5g", help: "printf format of the values")
        relativeError = try p.optional(.relativeError, help: "compare: show this column's relative error (default: the table's relative_error)")
        optional = try p(.optional, default: false, help: "a missing dataset shows – instead of stopping the report (outputs that only some profiles write)")
        let sources = [dataset != nil, attribute != nil, values != nil].filter { $0 }.count
        try p.check(sources == 1, .dataset, "give exactly one of dataset, attribute or values")
    }

    func format(_ v: Double?) -> String {
        guard let v else { return "–" }
        return String(format: format, v * scale)
    }

    /// The first `count` values (from `offset`) for a compare table; missing ones are nil.
    func vector(_ context: StageContext, count: Int) throws -> [Double?] {
        var all: [Double]
        if let values {
            all = values
        } else {
            guard let input else {
                throw FlowError.stageFailed(stage: context.stageName, message: "table column '\(label)': give the input to read")
            }
            all = try numbers(context, input: input)
        }
        return (0..<count).map { offset + $0 < all.count ? all[offset + $0] : nil }
    }

    /// One cell of an inputs table.
    func cell(_ context: StageContext, input: String) throws -> String {
        if let values { return format(index < values.count ? values[index] : nil) }
        if let attribute, case .string(let s)? = try attributeValue(context, input: input, attribute) { return s }
        let all = try numbers(context, input: input)
        var element = index
        if let name, let dataset {
            guard case .strings(let names)? = try attributeValue(context, input: input, dataset.drop { $0 == "/" } + "/names"),
                  let i = names.firstIndex(of: name) else {
                throw FlowError.stageFailed(stage: context.stageName, message: "table column '\(label)': '\(dataset)' of input '\(input)' has no element named '\(name)'")
            }
            element = i
        }
        return format(element < all.count ? all[element] : nil)
    }

    func numbers(_ context: StageContext, input: String) throws -> [Double] {
        guard context.hasInput(input) else {
            throw FlowError.stageFailed(stage: context.stageName, message: "table column '\(label)': no input '\(input)'; inputs: \(context.inputNames.joined(separator: ", "))")
        }
        if let attribute {
            switch try attributeValue(context, input: input, attribute) {
            case .double(let d)?: return [d]
            case .int(let i)?: return [Double(i)]
            case .doubles(let d)?: return d
            case .ints(let i)?: return i.map(Double.init)
            default: return []
            }
        }
        let file = try context.input(input)
        defer { try? file.close() }
        let name = String(dataset!.drop { $0 == "/" })
        guard file.root.contains(name), !file.root.isGroup(name) else {
            if optional { return [] }
            throw FlowError.stageFailed(stage: context.stageName, message: "table column '\(label)': input '\(input)' has no dataset '/\(name)'")
        }
        guard let column else { return try file.root.read(name, as: Double.self).values }
        let matrix = try file.root.readMatrix(name)
        guard column < matrix.cols else {
            throw FlowError.stageFailed(stage: context.stageName, message: "table column '\(label)': '/\(name)' of input '\(input)' has \(matrix.cols) columns; column \(column) asked")
        }
        return matrix.column(column)
    }

    /// `name` on the root, or `dataset/name` on a dataset.
    func attributeValue(_ context: StageContext, input: String, _ attribute: String) throws -> HDF5AttributeValue? {
        let file = try context.input(input)
        defer { try? file.close() }
        let parts = attribute.split(separator: "/").map(String.init)
        if parts.count >= 2 {
            let path = parts.dropLast().joined(separator: "/")
            guard file.root.contains(path) else { return nil }
            return file.root.isGroup(path) ? try file.root.group(path).attribute(parts.last!) : try file.root.dataset(path).attribute(parts.last!)
        }
        return try file.root.attribute(attribute)
    }
}
