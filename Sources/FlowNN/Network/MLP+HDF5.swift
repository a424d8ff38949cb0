import FlowHDF5

/// Networks in HDF5, in a layout meant to be read by people and by h5py as much as by flow:
///
///     <group>                attrs: format = "flow-mlp/1", sizes (ints), activations (strings),
///                                   input_shift, input_scale, output_shift, output_scale (doubles),
///                                   convention (a one-line description of the evaluation)
///     <group>/layer{i}/weight   float64, in × out
///     <group>/layer{i}/bias     float64, out              attr: activation
///
/// With x one sample per row: h = (x − input_shift) / input_scale; for each layer
/// h = act(h @ weight + bias); y = h · output_scale + output_shift.
extension MLP {
    static let formatName = "flow-mlp/1"
    static let convention = "x one sample per row; h = (x - input_shift) / input_scale; "
        + "for i in layers: h = act_i(h @ layer{i}/weight + layer{i}/bias); y = h * output_scale + output_shift"

    /// Writes the network into `group` (which should be empty).
    public func save(to group: HDF5Group) throws {
        try group.setAttribute("format", .string(Self.formatName))
        try group.setAttribute("convention", .string(Self.convention))
        try group.setAttribute("sizes", .ints(sizes.map(Int64.init)))
        try group.setAttribute("activations", .strings(activations.map(\.rawValue)))
        try group.setAttribute("input_shift", .doubles(inputNormalization.shift))
        try group.setAttribute("input_scale", .doubles(inputNormalization.scale))
        try group.setAttribute("output_shift", .doubles(outputNormalization.shift))
        try group.setAttribute("output_scale", .doubles(outputNormalization.scale))
        for l in 0..<layerCount {
            let layer = try group.createGroup("layer\(l)")
            try layer.write("weight", weights[l].values, shape: [sizes[l], sizes[l + 1]])
            try layer.write("bias", biases[l].values, shape: [sizes[l + 1]])
            try layer.setAttribute("activation", .string(activations[l].rawValue))
        }
    }

    /// Reads a network written by `save(to:)`.
    public static func load(from group: HDF5Group) throws -> MLP {
        func fail(_ reason: String) -> StoredFormatError { StoredFormatError(what: "network", group: group.path, reason: reason) }
        guard case .string(let format)? = try group.attribute("format"), format == formatName else {
            throw fail("no '\(formatName)' format attribute")
        }
        guard case .ints(let rawSizes)? = try group.attribute("sizes"), rawSizes.count >= 2, rawSizes.allSatisfy({ $0 > 0 }) else {
            throw fail("missing or invalid 'sizes'")
        }
        let sizes = rawSizes.map { Int($0) }
        guard case .strings(let names)? = try group.attribute("activations"), names.count == sizes.count - 1 else {
            throw fail("missing 'activations' or not one per layer")
        }
        let activations = try names.map { name -> Activation in
            guard let a = Activation(rawValue: name) else { throw fail("unknown activation '\(name)'") }
            return a
        }
        func vector(_ name: String, _ count: Int) throws -> [Double] {
            guard case .doubles(let v)? = try group.attribute(name), v.count == count else {
                throw fail("missing '\(name)' or not \(count) values")
            }
            return v
        }
        let input = try Normalization(shift: vector("input_shift", sizes[0]), scale: vector("input_scale", sizes[0]))
        let output = try Normalization(shift: vector("output_shift", sizes.last!), scale: vector("output_scale", sizes.last!))
        var weights: [[Double]] = [], biases: [[Double]] = []
        for l in 0..<(sizes.count - 1) {
            let (w, wShape) = try group.read("layer\(l)/weight", as: Double.self)
            let (b, bShape) = try group.read("layer\(l)/bias", as: Double.self)
            guard wShape == [sizes[l], sizes[l + 1]], bShape == [sizes[l + 1]] else {
                throw fail("layer\(l) has weight \(wShape) and bias \(bShape), expected [\(sizes[l]), \(sizes[l + 1])] and [\(sizes[l + 1])]")
            }
            weights.append(w)
            biases.append(b)
        }
        return MLP(sizes: sizes, activations: activations, weights: weights, biases: biases,
                   inputNormalization: input, outputNormalization: output)
    }
}
