// Status codes, metadata entries and the wire types appear in KnockRPC's public API; users of
// KnockRPC get them without a second import.
@_exported public import KnockWire
