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
/// Why the centring matters: on NIST's Filip dataset (degree 10) a QR of the
/// raw, equilibrated Vandermonde matrix in Double reaches only about 8
/// significant digits, whereas this route reaches about 14 against the
/// certified values (see the tests and Tests/…/Resources/calibration/README.md).
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

    /// Fits y against x by least squares.
    public static func fit(
        x: [Double], y: [Double], degree: Int, includesIntercept: Bool = true
    ) throws(Failure) -> PolynomialFit {
        guard x.count == y.count else { throw .mismatchedLengths(x: x.count, y: y.count) }
        guard (1...maximumDegree).contains(degree) else { throw .unsupportedDegree(degree) }
        for index in x.indices where !(x[index].isFinite && y[index].isFinite) { throw .notFinite(index: index) }
        let p = includesIntercept ? degree + 1 : degree
        let n = x.count
        let distinct = Set(x).count
        // With an intercept, p distinct loads fix the polynomial; without it,
        // x = 0 carries no information, so p distinct nonzero loads are needed.
        let informative = includesIntercept ? distinct : Set(x.filter { $0 != 0 }).count
        if informative < p { throw .tooFewDistinctLoads(distinct: informative, degree: degree, needed: p) }
        guard n >= p + 1 else { throw .tooFewPoints(points: n, needed: p + 1) }

        // Centre and scale the loads into [−1, 1]. Without an intercept the
        // model must keep passing through x = 0, so there is no centring.
        let low = x.min() ?? 0, high = x.max() ?? 0
        let centre = includesIntercept ? (low + high) / 2 : 0
        var scale = includesIntercept ? (high - low) / 2 : max(abs(low), abs(high))
        if !(scale > 0) { scale = 1 }
        let z = x.map { ($0 - centre) / scale }
        let firstPower = includesIntercept ? 0 : 1

        // Design matrix, column-major: column j is z^(j + firstPower), equilibrated.
        var a = [Double](repeating: 0, count: n * p)
        var columnNorms = [Double](repeating: 0, count: p)
        for j in 0..<p {
            let power = j + firstPower
            var sum = 0.0
            for i in 0..<n {
                let value = Self.power(z[i], power)
                a[j * n + i] = value
                sum += value * value
            }
            let norm = sum.squareRoot()
            guard norm > 0 else { throw .rankDeficient }
            columnNorms[j] = norm
            for i in 0..<n { a[j * n + i] /= norm }
        }

        // Householder QR, applied to y as it goes: afterwards the upper
        // triangle of `a` is R and `qty` is Qᵀy.
        var qty = y
        var diagonal = [Double](repeating: 0, count: p)
        for k in 0..<p {
            var sigma = 0.0
            for i in k..<n { sigma += a[k * n + i] * a[k * n + i] }
            let alpha = a[k * n + k] >= 0 ? -sigma.squareRoot() : sigma.squareRoot()
            guard alpha != 0 else { throw .rankDeficient }
            // v = x − α e₁, stored in place; vᵀv = 2(σ − α x₀).
            a[k * n + k] -= alpha
            let vtv = 2 * (sigma - alpha * (a[k * n + k] + alpha))
            guard vtv > 0 else { throw .rankDeficient }
            for j in (k + 1)..<max(k + 1, p) {
                var dot = 0.0
                for i in k..<n { dot += a[k * n + i] * a[j * n + i] }
                let factor = 2 * dot / vtv
                for i in k..<n { a[j * n + i] -= factor * a[k * n + i] }
            }
            var dot = 0.0
            for i in k..<n { dot += a[k * n + i] * qty[i] }
            let factor = 2 * dot / vtv
            for i in k..<n { qty[i] -= factor * a[k * n + i] }
            diagonal[k] = alpha
        }
        // A relative rank check on R's diagonal (columns are unit-norm).
        let largest = diagonal.reduce(0) { max($0, abs($1)) }
        guard diagonal.allSatisfy({ abs($0) > largest * 1e-13 }) else { throw .rankDeficient }

        // Back substitution: R b = Qᵀy (R's diagonal is `diagonal`).
        var b = [Double](repeating: 0, count: p)
        for k in stride(from: p - 1, through: 0, by: -1) {
            var sum = qty[k]
            for j in (k + 1)..<max(k + 1, p) { sum -= a[j * n + k] * b[j] }
            b[k] = sum / diagonal[k]
        }
        // Undo the equilibration: coefficients of powers of z.
        var zCoefficients = [Double](repeating: 0, count: degree + 1)
        for j in 0..<p { zCoefficients[j + firstPower] = b[j] / columnNorms[j] }

        // Residuals from the z form, which is the better-conditioned one.
        var residuals = [Double](repeating: 0, count: n)
        var rss = 0.0
        for i in 0..<n {
            var fitted = 0.0
            for power in stride(from: degree, through: 0, by: -1) { fitted = fitted * z[i] + zCoefficients[power] }
            residuals[i] = y[i] - fitted
            rss += residuals[i] * residuals[i]
        }
        let meanY = includesIntercept ? y.reduce(0, +) / Double(n) : 0
        let tss = y.reduce(0) { $0 + ($1 - meanY) * ($1 - meanY) }
        let rSquared = tss > 0 ? 1 - rss / tss : 1

        return PolynomialFit(
            degree: degree, includesIntercept: includesIntercept,
            coefficients: expand(zCoefficients, centre: centre, scale: scale), count: n, residuals: residuals,
            residualSD: (rss / Double(n - p)).squareRoot(), rSquared: rSquared, residualSumOfSquares: rss,
            centre: centre, scale: scale)
    }

    /// Σ bₖ ((x − c)/s)ᵏ as Σ aⱼ xʲ: (x − c)ᵏ = Σⱼ C(k, j) xʲ (−c)^(k−j).
    static func expand(_ b: [Double], centre c: Double, scale s: Double) -> [Double] {
        var a = [Double](repeating: 0, count: b.count)
        for k in b.indices where b[k] != 0 {
            let bk = b[k] / power(s, k)
            var binomial = 1.0
            for j in 0...k {
                if j > 0 { binomial = binomial * Double(k - j + 1) / Double(j) }
                a[j] += bk * binomial * power(-c, k - j)
            }
        }
        return a
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
