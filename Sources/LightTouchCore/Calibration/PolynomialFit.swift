/// A least-squares polynomial y = c₀ + c₁·x + … + c_d·x^d (or without c₀),
/// fitted so that it is right to the last digits a Double can hold, even when
/// the raw powers of x are nearly collinear.
///
/// How: the loads are centred and scaled to z = (x − centre) / scale, which
/// puts them in [−1, 1]; the columns zᵏ are equilibrated (each divided by its
/// 2-norm) and the system is solved by Householder QR (Golub & Van Loan,
/// *Matrix Computations*, 4th ed., §5.3). The normal equations are never
/// formed: they square the condition number. The coefficients in powers of z
/// are then expanded back into powers of x by the binomial theorem.
///
/// What each step buys, measured against NIST's certified values (StRD):
/// - a QR of the raw, only equilibrated powers of x in Double reaches about 8
///   significant digits on Filip (degree 10); centring and scaling first
///   brings Double to about 14;
/// - but in Double even the centred QR reaches only about 8 digits on
///   Wampler5, whose residuals are 10⁷ times its signal (R² = 0.002): the
///   least-squares error bound grows with cond(A)²·‖r‖, and neither LAPACK's
///   QR nor a step of iterative refinement with 80-bit residuals does better
///   (7.4 digits). So the QR runs in double-double arithmetic (about 32
///   digits), which puts every certified value of the ten datasets at 13
///   digits or more. The inputs stay Doubles: their rounding costs Filip
///   nothing measurable (checked in 80-digit arithmetic). Calibration data has
///   at most a few hundred points, so the cost is nothing.
public struct PolynomialFit: Sendable, Equatable {
    /// Highest power of x.
    public let degree: Int
    /// Whether the model has the constant term c₀ (NIST's NoInt sets do not).
    public let includesIntercept: Bool
    /// c₀ … c_d in powers of x in the data's own units. Without an intercept,
    /// c₀ is 0.
    public let coefficients: [Double]
    /// Number of points.
    public let count: Int
    /// yᵢ − ŷᵢ, in the order of the points.
    public let residuals: [Double]
    /// √(RSS / (n − p)), p the number of fitted parameters.
    public let residualSD: Double
    /// 1 − RSS / TSS; TSS about the mean with an intercept, about 0 without
    /// (the convention of NIST's StRD for the NoInt sets).
    public let rSquared: Double
    /// Residual sum of squares.
    public let residualSumOfSquares: Double
    /// The centre and scale of z = (x − centre) / scale.
    public let centre: Double
    public let scale: Double
    /// Fitted parameters p (degree + 1, or degree without an intercept).
    public var parameterCount: Int { includesIntercept ? degree + 1 : degree }
    /// Largest |residual|.
    public var maximumAbsoluteResidual: Double { residuals.reduce(0) { max($0, abs($1)) } }

    /// Why a set of points cannot be fitted.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// x and y differ in length.
        case mismatchedLengths(x: Int, y: Int)
        /// A value is NaN or infinite.
        case notFinite(index: Int)
        /// The degree is outside what the fitter supports.
        case unsupportedDegree(Int)
        /// Fewer points than parameters plus one (no degree of freedom left
        /// for the residual standard deviation).
        case tooFewPoints(points: Int, needed: Int)
        /// Fewer distinct x than parameters: the degree is too high for the points.
        case tooFewDistinctLoads(distinct: Int, degree: Int, needed: Int)
        /// The design matrix is numerically rank-deficient.
        case rankDeficient

        public var description: String {
            switch self {
            case .mismatchedLengths(let x, let y): "\(x) loads but \(y) readings"
            case .notFinite(let index): "point \(index + 1) is not a finite number"
            case .unsupportedDegree(let degree): "degree \(degree) is not supported (1 to \(PolynomialFit.maximumDegree))"
            case .tooFewPoints(let points, let needed):
                "\(points) points are too few: this fit needs at least \(needed) (one more than its parameters)"
            case .tooFewDistinctLoads(let distinct, let degree, let needed):
                "degree \(degree) is too high for \(distinct) distinct loads: it needs at least \(needed); lower --degree or add loads"
            case .rankDeficient: "the loads do not determine the polynomial (the design is rank-deficient)"
            }
        }
    }

    public static let maximumDegree = 10

    /// The arithmetic the QR runs in.
    enum Precision {
        /// Plain Double: ~14 digits on Filip, ~8 on Wampler5 (kept for the tests that say so).
        case double
        /// Double-double, ~32 digits in the arithmetic: the default.
        case doubleDouble
    }

    /// Fits y against x by least squares.
    public static func fit(
        x: [Double], y: [Double], degree: Int, includesIntercept: Bool = true
    ) throws(Failure) -> PolynomialFit {
        try fit(x: x, y: y, degree: degree, includesIntercept: includesIntercept, precision: .doubleDouble)
    }

    static func fit(
        x: [Double], y: [Double], degree: Int, includesIntercept: Bool, precision: Precision
    ) throws(Failure) -> PolynomialFit {
        guard x.count == y.count else { throw .mismatchedLengths(x: x.count, y: y.count) }
        guard (1...maximumDegree).contains(degree) else { throw .unsupportedDegree(degree) }
        for index in x.indices where !(x[index].isFinite && y[index].isFinite) { throw .notFinite(index: index) }
        let p = includesIntercept ? degree + 1 : degree
        let n = x.count
        // With an intercept, p distinct loads fix the polynomial; without it,
        // x = 0 carries no information, so p distinct nonzero loads are needed.
        let informative = includesIntercept ? Set(x).count : Set(x.filter { $0 != 0 }).count
        if informative < p { throw .tooFewDistinctLoads(distinct: informative, degree: degree, needed: p) }
        guard n >= p + 1 else { throw .tooFewPoints(points: n, needed: p + 1) }

        // Centre and scale the loads into [−1, 1]. Without an intercept the
        // model must keep passing through x = 0, so there is no centring.
        let low = x.min() ?? 0, high = x.max() ?? 0
        let centre = includesIntercept ? (low + high) / 2 : 0
        var scale = includesIntercept ? (high - low) / 2 : max(abs(low), abs(high))
        if !(scale > 0) { scale = 1 }
        let solved: (coefficients: [Double], residuals: [Double])
        switch precision {
        case .double:
            solved = try solve(
                Double.self, x: x, y: y, degree: degree, includesIntercept: includesIntercept, centre: centre, scale: scale)
        case .doubleDouble:
            solved = try solve(
                DoubleDouble.self, x: x, y: y, degree: degree, includesIntercept: includesIntercept, centre: centre, scale: scale)
        }
        let rss = solved.residuals.reduce(0) { $0 + $1 * $1 }
        let meanY = includesIntercept ? y.reduce(0, +) / Double(n) : 0
        let tss = y.reduce(0) { $0 + ($1 - meanY) * ($1 - meanY) }
        let rSquared = tss > 0 ? 1 - rss / tss : 1
        return PolynomialFit(
            degree: degree, includesIntercept: includesIntercept, coefficients: solved.coefficients, count: n,
            residuals: solved.residuals, residualSD: (rss / Double(n - p)).squareRoot(), rSquared: rSquared,
            residualSumOfSquares: rss, centre: centre, scale: scale)
    }

    /// Householder QR of the centred, scaled and equilibrated Vandermonde
    /// matrix in arithmetic `T`; returns the coefficients expanded to powers
    /// of x, and the residuals.
    private static func solve<T: FitArithmetic>(
        _: T.Type, x: [Double], y: [Double], degree: Int, includesIntercept: Bool, centre: Double, scale: Double
    ) throws(Failure) -> (coefficients: [Double], residuals: [Double]) {
        let n = x.count
        let firstPower = includesIntercept ? 0 : 1
        let p = degree + 1 - firstPower
        let c = T(centre), s = T(scale)
        let z = x.map { (T($0) - c) / s }

        // Design matrix, column-major: column j is z^(j + firstPower), equilibrated.
        var a = [T](repeating: T(0), count: n * p)
        var columnNorms = [T](repeating: T(0), count: p)
        for j in 0..<p {
            let power = j + firstPower
            var sum = T(0)
            for i in 0..<n {
                var value = T(1)
                for _ in 0..<power { value = value * z[i] }
                a[j * n + i] = value
                sum = sum + value * value
            }
            let norm = sum.squareRoot
            guard norm.double > 0 else { throw .rankDeficient }
            columnNorms[j] = norm
            for i in 0..<n { a[j * n + i] = a[j * n + i] / norm }
        }

        // Householder QR, applied to y as it goes: afterwards the upper
        // triangle of `a` is R (its diagonal in `diagonal`) and `qty` is Qᵀy.
        var qty = y.map { T($0) }
        var diagonal = [T](repeating: T(0), count: p)
        for k in 0..<p {
            var sigma = T(0)
            for i in k..<n { sigma = sigma + a[k * n + i] * a[k * n + i] }
            let root = sigma.squareRoot
            let alpha = a[k * n + k].double >= 0 ? -root : root
            guard alpha.double != 0 else { throw .rankDeficient }
            // v = column − α e₁, in place; vᵀv = 2(σ − α x₀).
            let x0 = a[k * n + k]
            a[k * n + k] = x0 - alpha
            let vtv = T(2) * (sigma - alpha * x0)
            guard vtv.double > 0 else { throw .rankDeficient }
            for j in (k + 1)..<max(k + 1, p) {
                var dot = T(0)
                for i in k..<n { dot = dot + a[k * n + i] * a[j * n + i] }
                let factor = T(2) * dot / vtv
                for i in k..<n { a[j * n + i] = a[j * n + i] - factor * a[k * n + i] }
            }
            var dot = T(0)
            for i in k..<n { dot = dot + a[k * n + i] * qty[i] }
            let factor = T(2) * dot / vtv
            for i in k..<n { qty[i] = qty[i] - factor * a[k * n + i] }
            diagonal[k] = alpha
        }
        // A relative rank check on R's diagonal (the columns have unit norm).
        let largest = diagonal.reduce(0.0) { max($0, abs($1.double)) }
        guard diagonal.allSatisfy({ abs($0.double) > largest * 1e-13 }) else { throw .rankDeficient }

        // Back substitution: R b = Qᵀy.
        var b = [T](repeating: T(0), count: p)
        for k in stride(from: p - 1, through: 0, by: -1) {
            var sum = qty[k]
            for j in (k + 1)..<max(k + 1, p) { sum = sum - a[j * n + k] * b[j] }
            b[k] = sum / diagonal[k]
        }
        // Undo the equilibration: coefficients of powers of z.
        var zCoefficients = [T](repeating: T(0), count: degree + 1)
        for j in 0..<p { zCoefficients[j + firstPower] = b[j] / columnNorms[j] }

        // Residuals from the z form, which is the better-conditioned one.
        var residuals = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var fitted = T(0)
            for power in stride(from: degree, through: 0, by: -1) { fitted = fitted * z[i] + zCoefficients[power] }
            residuals[i] = (T(y[i]) - fitted).double
        }

        // Σ bₖ ((x − c)/s)ᵏ as Σ aⱼ xʲ, with (x − c)ᵏ = Σⱼ C(k, j) xʲ (−c)^(k−j).
        var raw = [T](repeating: T(0), count: degree + 1)
        var scalePower = T(1)
        for k in 0...degree {
            if k > 0 { scalePower = scalePower * s }
            let bk = zCoefficients[k] / scalePower
            var binomial = 1.0
            for j in 0...k {
                if j > 0 { binomial = binomial * Double(k - j + 1) / Double(j) }
                var term = bk * T(binomial)
                for _ in 0..<(k - j) { term = term * (-c) }
                raw[j] = raw[j] + term
            }
        }
        return (raw.map(\.double), residuals)
    }

    @inline(__always)
    static func power(_ x: Double, _ k: Int) -> Double {
        var result = 1.0
        for _ in 0..<k { result *= x }
        return result
    }

    /// ŷ at x, from the raw coefficients (Horner).
    public func value(at x: Double) -> Double {
        coefficients.reversed().reduce(0) { $0 * x + $1 }
    }

    /// dŷ/dx at x.
    public func slope(at x: Double) -> Double {
        var result = 0.0
        for power in stride(from: degree, through: 1, by: -1) { result = result * x + Double(power) * coefficients[power] }
        return result
    }
}
