-- A recorded verification is what makes a signature count for the gate, `verify` and goodness: it is never
-- changed or removed (revoking the key is how a signature stops counting). `log verify` recomputes the whole
-- set from the logged signatures and keys and reports a row that is missing or extra.
CREATE TRIGGER signature_verification_is_append_only_update BEFORE UPDATE ON signature_verification
BEGIN SELECT RAISE(ABORT, 'signature verifications are append-only'); END;
CREATE TRIGGER signature_verification_is_append_only_delete BEFORE DELETE ON signature_verification
BEGIN SELECT RAISE(ABORT, 'signature verifications are append-only'); END;
