extension Duration {
    /// Seconds as a `Double`, as Foundation's `TimeInterval` takes them.
    var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    /// `250 ms`, `1.5 s`, `30 s`: precise enough for a log line.
    var roundedForLog: String {
        let seconds = timeInterval
        if seconds < 1 {
            return "\(Int((seconds * 1000).rounded())) ms"
        }
        if seconds < 10 {
            return "\((seconds * 10).rounded() / 10) s"
        }
        return "\(Int(seconds.rounded())) s"
    }
}
