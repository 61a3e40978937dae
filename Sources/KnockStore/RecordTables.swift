/// Names of the tables that hold modules' records (see ``Migration/moduleRecords``).
enum RecordTables {
    /// One row per record.
    static let records = "knock_records"
    /// One row per indexed field of a record.
    static let index = "knock_record_index"
    /// The database index that finds records by an indexed field's value, in key order.
    static let indexLookup = "knock_record_index_lookup"
}
