import FlowCore

/// A curve or point set drawn on top of a report figure — a minimum-energy path, a decoder
/// curve, conditional means — read from any report input.
struct OverlaySpec: Decodable {
    enum Style: String, ParameterEnum { case line, points, linespoints }

    var input: String
    var x: String
    var y: String
    var style: Style
    var title: String?
    var color: String

    enum CodingKeys: String, CodingKey { case input, x, y, style, title, color }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        input = try p(.input, default: "", help: "the report input the overlay reads")
        x = try p(.x, default: "/path:0", help: "dataset[:column] of the horizontal coordinate")
        y = try p(.y, default: "/path:1", help: "dataset[:column] of the vertical coordinate")
        style = try p(.style, default: .line, help: "line, points or linespoints")
        title = try p.optional(.title, help: "legend entry (default: the input name)")
        color = try p(.color, default: "#d62728", help: "gnuplot colour, e.g. #d62728 or black")
        try p.check(!input.isEmpty, .input, "name the report input to draw")
    }

    /// The gnuplot plot clause for `data` (two columns).
    func layer(data: String) -> String {
        let how: String
        switch style {
        case .line: how = "with lines lw 2.5"
        case .points: how = "with points pt 7 ps 0.8"
        case .linespoints: how = "with linespoints lw 2 pt 7 ps 0.6"
        }
        return "\(Gnuplot.quote(data)) using 1:2 \(how) lc rgb \(Gnuplot.quote(color)) title \(Gnuplot.quote(title ?? input))"
    }
}
