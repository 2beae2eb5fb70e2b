import Foundation
import Mustache
import ShiplogCore

/// Renders the web pages from the compiled-in templates. Every value reaches HTML through `{{name}}`, which
/// escapes `<`, `>`, `&`, `"` and `'`; no template uses the unescaped forms, so a label or a check detail holding
/// markup shows as text.
package struct PageRenderer: Sendable {
    private let library: MustacheLibrary
    /// The stylesheet, served at /static/shiplog.css.
    package let stylesheet: String

    package init() throws {
        var library = MustacheLibrary()
        var stylesheet = ""
        for (name, text) in EmbeddedTemplates.all {
            if name == "shiplog" {
                stylesheet = text
            } else {
                try library.register(text, named: name)
            }
        }
        self.library = library
        self.stylesheet = stylesheet
    }

    /// The page `template` with `context`; every page gets the layout's fields (`title`, `twin`, `signedIn`).
    package func render(_ template: String, title: String, twin: String, signedIn: String?, _ context: [String: Any]) -> String {
        var all = context
        all["title"] = title
        all["twin"] = twin
        all["signedIn"] = signedIn ?? NSNull()
        return library.render(all, withTemplate: template) ?? "<!DOCTYPE html><html><body>template \(template) missing</body></html>"
    }
}

/// Turns the API's JSON documents into what the templates read: objects, arrays and strings; JSON null is
/// NSNull (nothing rendered, a false section).
package enum PageValue {
    package static func from(_ value: JSONValue) -> Any {
        switch value {
        case .null: NSNull()
        case let .bool(flag): flag
        case let .integer(number): String(number)
        case let .number(number): String(number)
        case let .string(text): text
        case let .array(items): items.map(from)
        case let .object(members): members.mapValues(from)
        }
    }

    /// The first 12 hex digits of a digest, as registries and Argo CD show them.
    package static func shortDigest(_ digest: String) -> String {
        guard let colon = digest.firstIndex(of: ":") else { return String(digest.prefix(12)) }
        return String(digest[digest.index(after: colon)...].prefix(12))
    }

    /// A field for a template: its text, or NSNull when absent or null (a false section, nothing rendered).
    package static func text(_ value: JSONValue?) -> Any {
        switch value {
        case nil, .null?: NSNull()
        case let .string(text)?: text
        case let value?: value.shortText
        }
    }
}
