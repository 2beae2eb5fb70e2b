/// The images a deploy or rollback job hands to `docker compose`, as `live`, `rollback-plan` and `promote` print them
/// with `--format compose` (an override file: `services: {NAME: {image: REPO[:TAG]@DIGEST}}`) or `--format env`
/// (`NAME_IMAGE=REPO[:TAG]@DIGEST`). Byte-stable: services in name order, one fixed layout, a newline at the end.
package struct ImageOverride: Sendable, Hashable {
    package struct Entry: Sendable, Hashable {
        package var service: String
        /// `REPO[:TAG]@DIGEST`; nil when there is no image to give (said in `note`).
        package var image: String?
        package var note: String?

        package init(service: String, image: String?, note: String? = nil) {
            self.service = service
            self.image = image
            self.note = note
        }
    }

    package var entries: [Entry]

    package init(_ entries: [Entry]) { self.entries = entries.sorted { $0.service < $1.service } }

    /// `REPO[:TAG]@DIGEST`.
    package static func reference(repository: String, tag: String?, digest: String) -> String {
        repository + (tag.map { ":" + $0 } ?? "") + "@" + digest
    }

    /// A Compose Specification override file; services without an image are left to the base file, said in a comment.
    package var compose: String {
        var lines = ["services:"]
        for entry in entries {
            guard let image = entry.image else {
                lines.append("  # \(entry.service): \(entry.note ?? "no image"); left as the base file has it")
                continue
            }
            lines.append("  \(Self.key(entry.service)):")
            lines.append("    image: \(CanonicalJSON.string(image))")
        }
        if entries.allSatisfy({ $0.image == nil }) { lines[0] = "services: {}" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `NAME_IMAGE=…` lines for `docker compose --env-file` or a shell's `set -a; . file`.
    package var env: String {
        entries.map { entry in
            guard let image = entry.image else { return "# \(Self.variable(entry.service)): \(entry.note ?? "no image")" }
            return "\(Self.variable(entry.service))=\(image)"
        }.joined(separator: "\n") + "\n"
    }

    /// The service upper-cased, `-` and `.` as `_`, then `_IMAGE`.
    package static func variable(_ service: String) -> String {
        String(service.uppercased().map { $0 == "-" || $0 == "." ? "_" : $0 }) + "_IMAGE"
    }

    /// A YAML key: service names are `[a-z0-9._-]`, plain unless YAML would read them as something else.
    static func key(_ service: String) -> String {
        let plain = service.first.map { $0.isLetter } ?? false && !["y", "n", "yes", "no", "on", "off", "true", "false", "null"].contains(service)
        return plain ? service : CanonicalJSON.string(service)
    }
}
