import ShiplogCore

/// `REPO@DIGEST` (or a bare `DIGEST` where the command allows it) from a command-line argument.
enum ImageArgument {
    static func parse(_ text: String, field: String = "image", allowBareDigest: Bool = false) -> (Repository?, Digest) {
        do throws(ValueError) {
            if allowBareDigest, !text.contains("@") {
                // A repository (with or without a tag) is not an image: say what is wanted, not what a digest lacks.
                guard !text.contains("/") else { throw ValueError(value: text, reason: "expected REPO@DIGEST or a bare DIGEST, not a tag") }
                return (nil, try Digest(parsing: text))
            }
            let parsed = try ImageReference(parsing: text)
            guard let digest = parsed.digest else { throw ValueError(value: text, reason: "expected REPO@DIGEST") }
            return (parsed.repository, digest)
        } catch {
            Terminal.fail(.invalidInput(InvalidInput(field: field, value: text, reason: error.reason)))
        }
    }

    /// REPO@DIGEST where the repository is required.
    static func image(_ text: String) -> (Repository, Digest) {
        let (repository, digest) = parse(text)
        guard let repository else { Terminal.fail(.invalidInput(InvalidInput(field: "image", value: text, reason: "expected REPO@DIGEST"))) }
        return (repository, digest)
    }
}
