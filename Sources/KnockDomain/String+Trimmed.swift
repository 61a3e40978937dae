extension String {
    /// The text without leading and trailing white space (line breaks included). Unlike
    /// Foundation's `trimmingCharacters(in:)` it does not go through `NSString`, which matters
    /// when a roster has millions of cells, and when every visit and suggestion is trimmed.
    public var trimmed: String {
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return self
        }
        let scalars = unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }
}
