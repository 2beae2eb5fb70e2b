/// One condition on an attestation's predicate: the value at a dotted path (`buildDefinition.externalParameters
/// .workflow.repository`; a number indexes an array) must equal `expected`, a string being a glob.
package struct PredicateMatch: Sendable, Hashable {
    package var path: String
    package var segments: [String]
    package var expected: JSONValue

    package init(path: String, expected: JSONValue) throws(ValueError) {
        let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !path.isEmpty, !segments.contains(where: \.isEmpty) else {
            throw ValueError(value: path, reason: "a match path is field names joined by dots")
        }
        switch expected {
        case .object, .array: throw ValueError(value: expected.shortText, reason: "a match value is a string, number, boolean or null")
        default: break
        }
        self.path = path
        self.segments = segments
        self.expected = expected
    }

    /// The value the path leads to in `predicate`, or nil when it leads nowhere.
    package func value(in predicate: JSONValue) -> JSONValue? {
        var current = predicate
        for segment in segments {
            switch current {
            case let .object(members):
                guard let next = members[segment] else { return nil }
                current = next
            case let .array(items):
                guard let index = Int(segment), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    package func holds(in predicate: JSONValue) -> Bool {
        guard let found = value(in: predicate) else { return false }
        switch (expected, found) {
        case let (.string(pattern), .string(text)): return Glob(pattern).matches(text)
        case let (.integer(a), .number(b)), let (.number(b), .integer(a)): return Double(a) == b
        default: return expected == found
        }
    }

    /// Where a path can lead in the predicates whose shape is published (SLSA provenance v1 and v0.2): a name
    /// outside it is a typo that would make the rule fail forever, so the policy is refused. Parts documented as
    /// free-form (`externalParameters`, `parameters`, …) take any path.
    package static func checkShape(_ segments: [String], predicateType: String) -> String? {
        guard let shape = knownShapes[predicateType] else { return nil }
        var node = shape
        for (depth, segment) in segments.enumerated() {
            switch node {
            case .free: return nil
            case .leaf:
                return "\(segments[..<depth].joined(separator: ".")) is a single value in \(predicateType); nothing is below it"
            case let .fields(fields):
                guard let next = fields[segment] else {
                    let known = fields.keys.sorted().joined(separator: ", ")
                    let place = depth == 0 ? "the predicate" : segments[..<depth].joined(separator: ".")
                    return "\(place) of \(predicateType) has no field \(segment) (it has \(known))"
                }
                node = next
            }
        }
        return nil
    }

    indirect enum Shape: Sendable {
        case leaf, free
        case fields([String: Shape])
    }

    static let knownShapes: [String: Shape] = [
        PredicateType.slsaProvenance1: .fields([
            "buildDefinition": .fields([
                "buildType": .leaf, "externalParameters": .free, "internalParameters": .free, "resolvedDependencies": .free,
            ]),
            "runDetails": .fields([
                "builder": .fields(["id": .leaf, "version": .free, "builderDependencies": .free]),
                "metadata": .fields(["invocationId": .leaf, "startedOn": .leaf, "finishedOn": .leaf]),
                "byproducts": .free,
            ]),
        ]),
        PredicateType.slsaProvenance02: .fields([
            "builder": .fields(["id": .leaf]),
            "buildType": .leaf,
            "invocation": .fields([
                "configSource": .fields(["uri": .leaf, "digest": .free, "entryPoint": .leaf]),
                "parameters": .free, "environment": .free,
            ]),
            "buildConfig": .free,
            "metadata": .fields([
                "buildInvocationId": .leaf, "buildStartedOn": .leaf, "buildFinishedOn": .leaf, "reproducible": .leaf,
                "completeness": .fields(["parameters": .leaf, "environment": .leaf, "materials": .leaf]),
            ]),
            "materials": .free,
        ]),
    ]
}
