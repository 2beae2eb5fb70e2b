/// A deployment target (`prod`, `staging`), optionally with slots and protected.
package struct Environment: Sendable, Hashable, Encodable {
    package var name: String
    /// Slot names (`blue`, `green`); empty when the environment has none.
    package var slots: [String]
    /// The slot that takes traffic; nil without slots.
    @Nullable package var activeSlot: String?
    /// Deploys need a valid signature from a trusted, unrevoked key.
    package var requireSignature: Bool
    package var createdAt: Timestamp

    package init(name: String, slots: [String] = [], activeSlot: String? = nil, requireSignature: Bool = false, createdAt: Timestamp) {
        self.name = name
        self.slots = slots
        self.activeSlot = activeSlot
        self.requireSignature = requireSignature
        self.createdAt = createdAt
    }

    /// Validates a new environment's name and slots; the first slot starts out active.
    package static func new(name: String, slots: [String], requireSignature: Bool, at time: Timestamp) throws(InvalidInput) -> Environment {
        do { _ = try ServiceName.validate(name) } catch {
            throw InvalidInput(field: "environment", value: name, reason: "environment name must match [a-z0-9][a-z0-9._-]{0,62}")
        }
        for slot in slots {
            do { _ = try ServiceName.validate(slot) } catch {
                throw InvalidInput(field: "slots", value: slot, reason: "slot name must match [a-z0-9][a-z0-9._-]{0,62}")
            }
        }
        guard Set(slots).count == slots.count else {
            throw InvalidInput(field: "slots", value: slots.joined(separator: ","), reason: "slot names repeat")
        }
        guard slots.count != 1 else {
            throw InvalidInput(field: "slots", value: slots[0], reason: "an environment with slots needs at least two")
        }
        return Environment(name: name, slots: slots, activeSlot: slots.first, requireSignature: requireSignature, createdAt: time)
    }

    /// The slot a deploy or a query means: `requested` checked against the slots, else the active one.
    package func slot(_ requested: String?) throws(InvalidInput) -> String? {
        if slots.isEmpty {
            if let requested {
                throw InvalidInput(field: "slot", value: requested, reason: "environment \(name) has no slots")
            }
            return nil
        }
        guard let requested else { return activeSlot }
        guard slots.contains(requested) else {
            throw InvalidInput(field: "slot", value: requested, reason: "environment \(name) has slots \(slots.joined(separator: ", "))")
        }
        return requested
    }
}

/// A recorded traffic switch between slots.
package struct TrafficSwitch: Sendable, Hashable, Encodable {
    package var environment: String
    package var fromSlot: String
    package var toSlot: String
    package var actor: String?
    package var switchedAt: Timestamp

    package init(environment: String, fromSlot: String, toSlot: String, actor: String?, switchedAt: Timestamp) {
        self.environment = environment
        self.fromSlot = fromSlot
        self.toSlot = toSlot
        self.actor = actor
        self.switchedAt = switchedAt
    }

    enum CodingKeys: String, CodingKey {
        case environment, actor
        case fromSlot = "from", toSlot = "to", switchedAt = "switched_at"
    }
}
