import Foundation

/// `docker buildx build --metadata-file` and `docker buildx bake --metadata-file` output.
///
/// A build result is an object of buildx/buildkit keys; a bake file maps each target to one, next to
/// non-target keys such as `buildx.build.warnings`. A result produced an image when it names
/// `containerimage.digest` (the manifest or index digest) or a `containerimage.descriptor`.
/// `image.name` may list several comma-separated names: one build per name. Every other string key is
/// kept as a label; anything else is ignored, never an error: buildx adds keys over time.
package enum BuildxMetadata {
    /// What a file provides besides its own keys.
    package struct Context: Sendable {
        package var service: String?
        /// Names the repository (and tag) when the file has no `image.name`.
        package var image: ImageReference?
        /// The CI run to attribute the builds to.
        package var run: GitHubActionsEnvironment?
        /// The CI job whose OIDC token sent the file (the server sets it, bound to the run above).
        package var writtenBy: WorkloadIdentity?

        package init(service: String? = nil, image: ImageReference? = nil, run: GitHubActionsEnvironment? = nil) {
            self.service = service
            self.image = image
            self.run = run
        }
    }

    static let digestKey = "containerimage.digest"
    static let descriptorKey = "containerimage.descriptor"
    static let nameKey = "image.name"
    static let refKey = "buildx.build.ref"
    static let resultKeys: Set = [digestKey, descriptorKey, nameKey, refKey, "containerimage.config.digest"]

    /// True when an object that has these members is a single build's result.
    static func isBuildResult(has member: (String) -> Bool) -> Bool {
        resultKeys.contains(where: member)
    }

    static func looksLikeBuildx(_ value: JSONValue) -> Bool {
        func isResult(_ value: JSONValue) -> Bool {
            value.objectValue.map { object in isBuildResult { object[$0] != nil } } ?? false
        }
        return isResult(value) || (value.objectValue?.values.contains(where: isResult) ?? false)
    }

    package static func builds(from data: Data, source: String, context: Context) throws(InvalidInput) -> [NewBuild] {
        try read(from: data, source: source, context: context).builds
    }

    static let provenanceKey = "buildx.build.provenance"

    /// The provenance buildx recorded for a built image (`buildx.build.provenance`), unsigned.
    package struct Provenance: Sendable {
        package var repository: Repository
        package var digest: Digest
        package var predicateType: String
        package var predicate: JSONValue
    }

    /// The builds of a file and the provenance it carries for them. An empty `buildx.build.provenance` (`{}`,
    /// what buildx writes when provenance was off) records nothing.
    package static func read(
        from data: Data, source: String, context: Context
    ) throws(InvalidInput) -> (builds: [NewBuild], provenance: [Provenance]) {
        let document: Document
        try JSONInput.checkSyntax(data, source: source)
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            let value = try JSONInput.decodeChecked(JSONValue.self, from: data, source: source)
            throw InvalidInput(source: source, value: value.typeName,
                               reason: "unknown metadata shape: a buildx metadata file is a JSON object")
        }
        let attempt: Int?
        do { attempt = try context.run?.attempt() } catch { throw error.at("run_attempt") }
        let committedAt: Timestamp?
        do { committedAt = try context.run?.committedAt() } catch { throw error.at("committed_at") }
        // (bake target or nil, the path prefix for errors, the result object)
        var results: [(target: String?, path: String?, result: Object)] = []
        if isBuildResult(has: { name in document.rest[name] != nil || document.objects.contains { $0.name == name } }) {
            results = [(nil, nil, document.asResult)]
        } else {
            // Sorted so that a file's builds get their ids in the same order every time.
            for (key, member) in document.objects.sorted(by: { $0.name < $1.name }) where isBuildResult(has: { member[$0] != nil }) {
                results.append((key, key, member))
            }
        }
        guard !results.isEmpty else {
            throw InvalidInput(source: source, reason: "unknown metadata shape: neither a buildx build result nor a bake file "
                + "(no object with containerimage.digest, containerimage.descriptor or image.name)")
        }

        var builds: [NewBuild] = []
        var provenance: [Provenance] = []
        for (target, path, result) in results {
            func field(_ key: String) -> String { path.map { "\($0).\(key)" } ?? key }
            guard let digest = try imageDigest(result, field: field, source: source) else { continue }

            var references: [ImageReference] = []
            if let names = result[nameKey] {
                guard let text = names.stringValue else {
                    throw InvalidInput(source: source, field: field(nameKey), value: names.shortText, reason: "expected a string")
                }
                for name in Self.names(in: text) {
                    do { references.append(try ImageReference(parsing: name)) } catch {
                        throw InvalidInput(source: source, field: field(nameKey), value: error.value, reason: error.reason)
                    }
                }
            }
            if references.isEmpty {
                guard let image = context.image else {
                    throw InvalidInput(source: source, field: field(nameKey),
                                       reason: "the file names no image repository; pass --image REPO[:TAG]")
                }
                references = [image]
            }

            var labels: [String: String] = [:]
            labels.reserveCapacity(result.strings.count)
            for (key, text) in result.strings where key != digestKey && key != nameKey {
                labels[key] = text
            }
            for (key, value) in result.others {
                switch value {
                case let .integer(number): labels[key] = String(number)
                // Every number is kept, as decisions.md says (a fraction was dropped before).
                case let .number(number): labels[key] = String(number)
                case let .bool(flag): labels[key] = String(flag)
                default: break
                }
            }
            // buildx.build.ref is builder/node/ref
            let builder = result.string(refKey).map { ref in
                ref.utf8.firstIndex(of: UInt8(ascii: "/")).map { String(ref[..<$0]) } ?? ref
            }
            let created = result.other(descriptorKey)?["annotations"]?["org.opencontainers.image.created"]?.stringValue
            let builtAt = created.flatMap { try? Timestamp(rfc3339: $0) }

            if case let .object(members)? = result.other(provenanceKey), !members.isEmpty {
                // SLSA v1 provenance has a buildDefinition; buildx's default (mode=min and max) is v0.2.
                let type = members["buildDefinition"] != nil ? PredicateType.slsaProvenance1 : PredicateType.slsaProvenance02
                for reference in references {
                    provenance.append(Provenance(repository: reference.repository, digest: digest, predicateType: type,
                                                 predicate: .object(members)))
                }
            }
            for reference in references {
                let serviceText = context.service ?? target ?? reference.repository.lastComponent
                let service: String
                do { service = try ServiceName.validate(serviceText) } catch {
                    throw InvalidInput(source: source, field: context.service != nil ? "service" : (path ?? nameKey),
                                       value: serviceText, reason: error.reason + "; pass --service")
                }
                var build = NewBuild(
                    service: service, repository: reference.repository, tag: reference.tag ?? "latest", digest: digest,
                    commit: context.run?.commit, ref: context.run?.ref, runID: context.run?.runID,
                    runAttempt: attempt, runURL: context.run?.runURL,
                    builder: builder, builtAt: builtAt, labels: labels, committedAt: committedAt
                )
                build.writtenBy = context.writtenBy
                builds.append(build)
            }
        }
        guard !builds.isEmpty else {
            throw InvalidInput(source: source, reason: "no build in the file produced an image (no containerimage.digest)")
        }
        return (builds, provenance)
    }

    /// The comma-separated names of `image.name`, trimmed of spaces.
    static func names(in text: String) -> [String] {
        if !text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: " ") }) { return [text] }  // nearly always
        return text.utf8.split(separator: UInt8(ascii: ","))
            .map { $0.drop { $0 == UInt8(ascii: " ") }.reversed().drop { $0 == UInt8(ascii: " ") }.reversed() }
            .filter { !$0.isEmpty }
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// `containerimage.digest`, else the descriptor's digest; nil when the result produced no image.
    /// Field names are built only for an error: this runs once per bake target.
    static func imageDigest(
        _ result: Object, field: (String) -> String, source: String
    ) throws(InvalidInput) -> Digest? {
        let value: JSONValue
        let key: String
        if let direct = result[digestKey] {
            (value, key) = (direct, digestKey)
        } else if let described = result.other(descriptorKey)?["digest"] {
            (value, key) = (described, descriptorKey + ".digest")
        } else {
            return nil
        }
        guard let text = value.stringValue else {
            throw InvalidInput(source: source, field: field(key), value: value.shortText, reason: "expected a digest string")
        }
        do { return try Digest(parsing: text) } catch { throw error.at(field(key), in: source) }
    }
}
