/// One member of a JSON object: a name and a value.
struct JSONMember {
    var key: String
    var value: JSONValue

    init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}
