/// A number held as an unevaluated sum hi + lo of two Doubles, about 32
/// significant digits (Dekker 1971; the algorithms of Hida, Li and Bailey,
/// "Library for double-double and quad-double arithmetic", 2007). The fitter
/// runs its QR in it so that problems whose residuals dwarf their signal
/// (NIST's Wampler5) keep 9 and more digits; see `PolynomialFit`.
public struct DoubleDouble: Sendable, Equatable {
    public var hi: Double
    public var lo: Double

    @inline(__always)
    public init(_ value: Double) {
        hi = value
        lo = 0
    }

    @inline(__always)
    init(hi: Double, lo: Double) {
        self.hi = hi
        self.lo = lo
    }

    /// The nearest Double.
    public var double: Double { hi + lo }

    @inline(__always)
    static func quickTwoSum(_ a: Double, _ b: Double) -> DoubleDouble {
        let s = a + b
        return DoubleDouble(hi: s, lo: b - (s - a))
    }

    @inline(__always)
    static func twoSum(_ a: Double, _ b: Double) -> (Double, Double) {
        let s = a + b
        let bb = s - a
        return (s, (a - (s - bb)) + (b - bb))
    }

    @inline(__always)
    static func twoProduct(_ a: Double, _ b: Double) -> (Double, Double) {
        let p = a * b
        return (p, (-p).addingProduct(a, b))  // fused: exact error of the product
    }

    @inline(__always)
    public static func + (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
        var (s, e) = twoSum(a.hi, b.hi)
        let (t, f) = twoSum(a.lo, b.lo)
        e += t
        let first = quickTwoSum(s, e)
        s = first.hi
        e = first.lo + f
        return quickTwoSum(s, e)
    }

    @inline(__always)
    public static prefix func - (a: DoubleDouble) -> DoubleDouble { DoubleDouble(hi: -a.hi, lo: -a.lo) }

    @inline(__always)
    public static func - (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble { a + (-b) }

    @inline(__always)
    public static func * (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
        let (p, e0) = twoProduct(a.hi, b.hi)
        let e = e0 + a.hi * b.lo + a.lo * b.hi
        return quickTwoSum(p, e)
    }

    public static func / (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
        let q1 = a.hi / b.hi
        var r = a - b * DoubleDouble(q1)
        let q2 = r.hi / b.hi
        r = r - b * DoubleDouble(q2)
        let q3 = r.hi / b.hi
        return quickTwoSum(q1, q2) + DoubleDouble(q3)
    }

    /// √a by one Newton step from the Double root (Karp's method).
    public var squareRoot: DoubleDouble {
        guard hi > 0 else { return DoubleDouble(0) }
        let x = 1 / hi.squareRoot()
        let ax = DoubleDouble(hi * x)
        let correction = (self - ax * ax).hi * (x * 0.5)
        return ax + DoubleDouble(correction)
    }

    public static func += (a: inout DoubleDouble, b: DoubleDouble) { a = a + b }
    public static func -= (a: inout DoubleDouble, b: DoubleDouble) { a = a - b }
}

/// The arithmetic the fitter can run in.
protocol FitArithmetic: Sendable {
    init(_ value: Double)
    var double: Double { get }
    var squareRoot: Self { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
}

extension DoubleDouble: FitArithmetic {}

extension Double: FitArithmetic {
    var double: Double { self }
    var squareRoot: Double { squareRoot() }
}
