/// How a phone number is shown to a caller whose role does not need it: the first three and
/// last four digits kept, the rest starred (`138****1234`); a number too short for that is
/// starred whole.
public enum PhoneMask {
    /// `number` masked.
    public static func masked(_ number: String) -> String {
        let characters = Array(number)
        guard characters.count >= 8 else { return String(repeating: "*", count: characters.count) }
        return String(characters.prefix(3)) + String(repeating: "*", count: characters.count - 7) + String(characters.suffix(4))
    }
}
