/// Converts `google.protobuf.FieldMask` paths between proto names (`visit.resident_id`) and
/// their JSON form (`visit.residentId`). Only paths that convert back unchanged are accepted.
enum FieldMaskPath {
    /// The JSON form of a proto path; `nil` when it has upper-case letters, or an underscore
    /// not followed by a lower-case letter.
    static func json(fromProto path: String) -> String? {
        var result = ""
        var upperNext = false
        for scalar in path.unicodeScalars {
            if upperNext {
                guard ("a"..."z").contains(scalar) else { return nil }
                result.append(Character(scalar).uppercased())
                upperNext = false
            } else if scalar == "_" {
                upperNext = true
            } else if ("A"..."Z").contains(scalar) {
                return nil
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return upperNext ? nil : result
    }

    /// The proto path of a JSON path; `nil` when it has an underscore.
    static func proto(fromJSON path: String) -> String? {
        var result = ""
        for scalar in path.unicodeScalars {
            if scalar == "_" {
                return nil
            } else if ("A"..."Z").contains(scalar) {
                result.append("_")
                result.append(Character(scalar).lowercased())
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
