/// An image repository such as `registry.example.com/team/gateway`, checked against the
/// distribution reference grammar (optional registry host and port, lowercase path components).
/// Kept as written: shiplog does not add `docker.io/` or `library/`.
package struct Repository: Sendable, Hashable, Comparable, TextCodable {
    package let name: String
    package var description: String { name }

    package static func < (lhs: Repository, rhs: Repository) -> Bool { lhs.name < rhs.name }

    /// The last path component, which names the service when nothing else does.
    package var lastComponent: String {
        String(name.split(separator: "/").last ?? Substring(name))
    }

    /// A repository the ledger validated when it was recorded; for reading rows back in bulk.
    package init(validated name: String) { self.name = name }

    package init(parsing text: String) throws(ValueError) {
        // Over the UTF-8 buffer, as Digest does: bulk ingest parses one repository per build.
        var bytes = text
        if let problem = bytes.withUTF8(Self.problem(in:)) { throw ValueError(value: text, reason: problem) }
        self.name = text
    }

    typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    /// Why the bytes are not a repository name, or nil when they are one.
    static func problem(in buffer: UnsafeBufferPointer<UInt8>) -> String? {
        let bytes = buffer[...]
        guard !bytes.isEmpty else { return "repository is empty" }
        guard bytes.count <= 255 else { return "repository is longer than 255 characters" }
        var rest = bytes
        if let slash = bytes.firstIndex(of: UInt8(ascii: "/")), looksLikeHost(bytes[..<slash]) {
            guard isValidHost(bytes[..<slash]) else {
                return "'\(String(decoding: bytes[..<slash], as: UTF8.self))' is not a valid registry host[:port]"
            }
            rest = bytes[(slash + 1)...]
        }
        while true {
            let end = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            let component = rest[..<end]
            if !isValidPathComponent(component) {
                return component.isEmpty
                    ? "repository has an empty path component"
                    : "path component '\(String(decoding: component, as: UTF8.self))' must be lowercase letters and digits "
                        + "separated by '.', '_', '__' or '-'"
            }
            guard end < rest.endIndex else { return nil }
            rest = rest[(end + 1)...]
        }
    }

    /// distribution treats the first component as a registry host when it has a '.' or ':', is localhost,
    /// or has an upper-case letter.
    static func looksLikeHost(_ component: Bytes) -> Bool {
        component.contains(UInt8(ascii: ".")) || component.contains(UInt8(ascii: ":"))
            || component.elementsEqual("localhost".utf8) || component.contains(where: { $0 >= 0x41 && $0 <= 0x5A })
    }

    /// `host[:port]` where host is DNS labels or a bracketed IPv6 literal.
    static func isValidHost(_ component: Bytes) -> Bool {
        var host = component
        if let colon = component.lastIndex(of: UInt8(ascii: ":")),
           component.first != UInt8(ascii: "[") || component[component.startIndex ..< colon].last == UInt8(ascii: "]") {
            let port = component[(colon + 1)...]
            guard !port.isEmpty, port.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
            host = component[component.startIndex ..< colon]
        }
        if host.first == UInt8(ascii: "["), host.last == UInt8(ascii: "]") {
            return host.count > 2 && host.dropFirst().dropLast().allSatisfy {
                ContentDescriptor.isAlphanumeric($0) && Character(UnicodeScalar($0)).isHexDigit
                    || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".")
            }
        }
        return !host.isEmpty && host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last else { return false }
            return ContentDescriptor.isAlphanumeric(first) && ContentDescriptor.isAlphanumeric(last)
                && label.allSatisfy { ContentDescriptor.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
    static func isValidPathComponent(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first, let last = bytes.last,
              Digest.isLowerAlphanumeric(first), Digest.isLowerAlphanumeric(last) else { return false }
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if Digest.isLowerAlphanumeric(byte) {
                index += 1
                continue
            }
            var end = index
            while end < bytes.endIndex, !Digest.isLowerAlphanumeric(bytes[end]) { end += 1 }
            let separator = bytes[index ..< end]
            let valid = separator.elementsEqual([UInt8(ascii: ".")]) || separator.elementsEqual([UInt8(ascii: "_")])
                || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")])
                || separator.allSatisfy { $0 == UInt8(ascii: "-") }
            guard valid else { return false }
            index = end
        }
        return true
    }

}

/// A tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
package enum Tag {
    package static func validate(_ text: String) throws(ValueError) -> String {
        let bytes = Array(text.utf8)
        guard let first = bytes.first else { throw ValueError(value: text, reason: "tag is empty") }
        guard bytes.count <= 128 else { throw ValueError(value: text, reason: "tag is longer than 128 characters") }
        func word(_ byte: UInt8) -> Bool { Digest.isEncodedCharacter(byte) && byte != UInt8(ascii: "=") && byte != UInt8(ascii: "-") }
        guard word(first), bytes.allSatisfy({ word($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) else {
            throw ValueError(value: text, reason: "tag must be letters, digits, '_', '.' or '-', not starting with '.' or '-'")
        }
        return text
    }
}

/// `repository[:tag][@digest]`, as written on a command line or in an `image.name` field.
package struct ImageReference: Sendable, Hashable, TextCodable {
    package var repository: Repository
    package var tag: String?
    package var digest: Digest?

    package init(repository: Repository, tag: String? = nil, digest: Digest? = nil) {
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    package var description: String {
        repository.name + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0.description } ?? "")
    }

    package init(parsing text: String) throws(ValueError) {
        let utf8 = text.utf8
        var end = utf8.endIndex
        var digest: Digest?
        if let at = utf8.firstIndex(of: UInt8(ascii: "@")) {
            do {
                digest = try Digest(parsing: String(text[utf8.index(after: at)...]))
            } catch {
                throw ValueError(value: text, reason: error.reason)
            }
            end = at
        }
        var tag: String?
        let name = utf8[..<end]
        if let colon = name.lastIndex(of: UInt8(ascii: ":")), !name[colon...].contains(UInt8(ascii: "/")) {
            do {
                tag = try Tag.validate(String(text[utf8.index(after: colon) ..< end]))
            } catch {
                throw ValueError(value: text, reason: error.reason)
            }
            end = colon
        }
        do {
            self.repository = try Repository(parsing: end == utf8.endIndex ? text : String(text[..<end]))
        } catch {
            throw ValueError(value: text, reason: error.reason)
        }
        self.tag = tag
        self.digest = digest
    }
}
