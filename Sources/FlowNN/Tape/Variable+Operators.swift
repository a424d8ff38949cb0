/// Arithmetic on variables, with broadcasting of rows, columns and 1 × 1 variables (see
/// `Tape.binary`) and of Swift `Double` constants.
extension Variable {
    public static func + (a: Variable, b: Variable) -> Variable { a.tape.add(a, b) }
    public static func - (a: Variable, b: Variable) -> Variable { a.tape.subtract(a, b) }
    public static func * (a: Variable, b: Variable) -> Variable { a.tape.multiply(a, b) }
    public static func / (a: Variable, b: Variable) -> Variable { a.tape.divide(a, b) }

    public static func + (a: Variable, c: Double) -> Variable { a.tape.affine(a, scale: 1, shift: c) }
    public static func + (c: Double, a: Variable) -> Variable { a.tape.affine(a, scale: 1, shift: c) }
    public static func - (a: Variable, c: Double) -> Variable { a.tape.affine(a, scale: 1, shift: -c) }
    public static func - (c: Double, a: Variable) -> Variable { a.tape.affine(a, scale: -1, shift: c) }
    public static func * (a: Variable, c: Double) -> Variable { a.tape.affine(a, scale: c) }
    public static func * (c: Double, a: Variable) -> Variable { a.tape.affine(a, scale: c) }
    public static func / (a: Variable, c: Double) -> Variable { a.tape.affine(a, scale: 1 / c) }
    public static func / (c: Double, a: Variable) -> Variable { a.tape.divide(a.tape.scalar(c), a) }
    public static prefix func - (a: Variable) -> Variable { a.tape.affine(a, scale: -1) }
}
