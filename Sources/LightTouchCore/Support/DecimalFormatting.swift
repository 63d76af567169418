extension Double {
    /// Fixed-point text with `decimals` digits after the point ("5.20"),
    /// without Foundation: the core stays free of it.
    public func fixed(_ decimals: Int) -> String {
        guard isFinite else { return isNaN ? "nan" : (self > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(self) * scale).rounded()
        guard scaled < 9e18 else { return description }
        let units = Int64(scaled)
        let divisor = Int64(scale)
        let whole = units / divisor
        var text = (self < 0 && units != 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let fraction = String(units % divisor)
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return text
    }
}
