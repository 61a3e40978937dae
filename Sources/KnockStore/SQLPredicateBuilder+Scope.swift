import KnockDomain
import SQLKit

extension SQLPredicateBuilder {
    /// Keeps only rows inside `scope`, by the row's own street, community or grid column (of
    /// `table`, when the statement reads several): a district keeps everything.
    @discardableResult
    func within(_ scope: Scope, table: String? = nil) -> Self {
        guard let expression = SQLExpressions.within(scope, table: table) else { return self }
        return self.where(expression)
    }
}

/// Conditions the community queries share.
enum SQLExpressions {
    /// The condition of ``SQLPredicateBuilder/within(_:table:)``, or `nil` for a district.
    static func within(_ scope: Scope, table: String? = nil) -> (any SQLExpression)? {
        let column: String
        switch scope.level {
        case .district: return nil
        case .street: column = "street_id"
        case .community: column = "community_id"
        case .grid: column = "grid_id"
        }
        return isIn(SQLColumn(column, table: table), scope.unitIDs.sorted())
    }

    /// `column IN (values…)`; false for no values (SQL has no empty list).
    static func isIn(_ column: any SQLExpression, _ values: some Collection<String>) -> any SQLExpression {
        guard !values.isEmpty else {
            return SQLBinaryExpression(SQLLiteral.numeric("1"), .equal, SQLLiteral.numeric("0"))
        }
        return SQLBinaryExpression(column, .in, SQLBind.group(values.map { $0 as any Encodable & Sendable }))
    }

    /// A bound value, or `NULL` for `nil`.
    static func nullable(_ value: (any Encodable & Sendable)?) -> any SQLExpression {
        value.map { SQLBind($0) } ?? SQLLiteral.null
    }
}

/// `CAST(expression AS BIGINT)`: PostgreSQL's `SUM` of integers is `numeric`; both engines read
/// the cast back as a 64-bit integer.
struct SQLBigintCast: SQLExpression {
    let expression: any SQLExpression

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("CAST(")
        expression.serialize(to: &serializer)
        serializer.write(" AS BIGINT)")
    }
}
