import Foundation

extension BuildxMetadata {
    /// A metadata file as read: the top-level members that are objects (bake targets), and the rest.
    /// Members are kept as read, in lists: a bake file has thousands of targets of a few members each,
    /// and building a dictionary of each costs more than the few lookups made in it.
    struct Document: Decodable {
        var objects: [(name: String, value: Object)] = []
        var rest = Object()

        /// The whole top level as one build result (the single-build form).
        var asResult: Object {
            var result = rest
            result.others += objects.map { ($0.name, $0.value.jsonValue) }
            return result
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: MemberName.self)
            // In name order, so that of several bad members the error names the same one every time (the
            // decoder's order is its dictionary's); allKeys builds the array anew at each call.
            let keys = container.allKeys.sorted { $0.stringValue < $1.stringValue }
            objects.reserveCapacity(keys.count)
            for key in keys {
                // Nearly every member of a bake file is a target object, so that is tried first (each
                // failed attempt of Codable's builds an error value).
                if let members = try? container.nestedContainer(keyedBy: MemberName.self, forKey: key) {
                    objects.append((key.stringValue, try Object(members)))
                } else {
                    rest.add(try container.decode(JSONValue.self, forKey: key), named: key.stringValue)
                }
            }
        }
    }

    /// A JSON object's members with the string values apart: nearly every member of a build result is a
    /// string, and reading those straight as strings halves the cost of a bake file of many targets.
    /// Member names are unique: the decoder keeps one value per name.
    struct Object {
        var strings: [(name: String, value: String)] = []
        var others: [(name: String, value: JSONValue)] = []

        init() {}

        init(_ container: KeyedDecodingContainer<MemberName>) throws {
            let keys = container.allKeys.sorted { $0.stringValue < $1.stringValue }  // as in Document
            strings.reserveCapacity(keys.count)
            for key in keys {
                if let text = try? container.decode(String.self, forKey: key) {
                    strings.append((key.stringValue, text))
                } else {
                    others.append((key.stringValue, try container.decode(JSONValue.self, forKey: key)))
                }
            }
        }

        mutating func add(_ value: JSONValue, named name: String) {
            if case let .string(text) = value { strings.append((name, text)) } else { others.append((name, value)) }
        }

        func string(_ name: String) -> String? { strings.first { $0.name == name }?.value }

        func other(_ name: String) -> JSONValue? { others.first { $0.name == name }?.value }

        subscript(name: String) -> JSONValue? { string(name).map(JSONValue.string) ?? other(name) }

        var jsonValue: JSONValue {
            .object(Dictionary(strings.map { ($0.name, JSONValue.string($0.value)) } + others) { first, _ in first })
        }
    }
}
