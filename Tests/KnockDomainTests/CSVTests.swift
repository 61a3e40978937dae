import Foundation
import Testing
@testable import KnockDomain

@Suite struct CSVTests {
    static func read(_ text: String) throws -> [CSVReader.Record] {
        try CSVReader().records(in: Data(text.utf8))
    }

    @Test func readsPlainRecordsWithTheirLines() throws {
        let records = try Self.read("a,b,c\n1,2,3\n")
        #expect(records == [.init(line: 1, fields: ["a", "b", "c"]), .init(line: 2, fields: ["1", "2", "3"])])
    }

    @Test(arguments: ["\r\n", "\n", "\r"])
    func anyLineEnd(_ end: String) throws {
        let records = try Self.read("a,b\(end)c,d\(end)\(end)e,f")
        #expect(records.map(\.fields) == [["a", "b"], ["c", "d"], ["e", "f"]])
        #expect(records.map(\.line) == [1, 2, 4])
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let records = try Self.read("id,note\r\n1,\"他说\"\"好\"\",谢谢\"\r\n2,\"第一行\r\n第二行\nthird\"\r\n3,\"\"\r\n\"\",x\r\n")
        #expect(records.map(\.fields) == [
            ["id", "note"], ["1", "他说\"好\",谢谢"], ["2", "第一行\r\n第二行\nthird"], ["3", ""], ["", "x"],
        ])
        #expect(records.map(\.line) == [1, 2, 3, 6, 7])
    }

    @Test func emptyFieldsAndOnlyCommasAreKept() throws {
        let records = try Self.read(",,\n\na,,\n")
        #expect(records.map(\.fields) == [["", "", ""], ["a", "", ""]])
        #expect(records.map(\.line) == [1, 3])
    }

    @Test func aQuoteInsideAnUnquotedFieldIsLiteral() throws {
        #expect(try Self.read("3\"门,x").map(\.fields) == [["3\"门", "x"]])
    }

    @Test func byteOrderMarkIsDropped() throws {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data("姓名,电话\n王芳,139".utf8)
        #expect(try CSVReader().records(in: data).map(\.fields) == [["姓名", "电话"], ["王芳", "139"]])
        #expect(try CSVReader().records(in: "\u{FEFF}a,b").map(\.fields) == [["a", "b"]])
    }

    @Test func invalidUTF8IsReportedWithItsLine() {
        // 王 in GBK is 0xCD 0xF5.
        let data = Data("a,b\n1,2\n".utf8) + Data([0x33, 0x2C, 0xCD, 0xF5, 0x0A]) + Data("4,5\n".utf8)
        let error = #expect(throws: CSVError.self) { try CSVReader().records(in: data) }
        #expect(error?.code == .invalidUTF8)
        #expect(error?.line == 3)
    }

    @Test func anUnterminatedQuoteIsReportedWhereItOpens() {
        let error = #expect(throws: CSVError.self) { try Self.read("a,b\n1,\"open\n\nstill open") }
        #expect(error?.code == .unterminatedQuote)
        #expect(error?.line == 2)
    }

    @Test func textAfterAClosingQuoteIsRefused() {
        let error = #expect(throws: CSVError.self) { try Self.read("a\n\"x\ny\"z,1") }
        #expect(error?.code == .textAfterClosingQuote)
        #expect(error?.line == 3)
    }

    @Test func nothingIsNoRecords() throws {
        #expect(try Self.read("").isEmpty)
        #expect(try Self.read("\n\r\n").isEmpty)
        #expect(try CSVReader().records(in: Data([0xEF, 0xBB, 0xBF])).isEmpty)
    }

    @Test func writerQuotesOnlyWhenNeeded() {
        var writer = CSVWriter()
        writer.append(["plain", "逗,号", "引\"号", "行\n尾", " 空格", ""])
        #expect(writer.text == "plain,\"逗,号\",\"引\"\"号\",\"行\n尾\",\" 空格\",\r\n")
    }

    @Test(arguments: ["=1+2", "+86 139", "-3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\",\"点我\")"])
    func writerGuardsFormulas(_ cell: String) throws {
        var writer = CSVWriter()
        writer.append([cell])
        let written = try CSVReader().records(in: writer.data)[0].fields[0]
        #expect(written == "'" + cell)
        #expect(CSVWriter.removingFormulaGuard(written) == cell)
        var unguarded = CSVWriter(guardsFormulas: false)
        unguarded.append([cell])
        #expect(try CSVReader().records(in: unguarded.data)[0].fields[0] == cell)
    }

    @Test func removingTheGuardLeavesOtherApostrophes() {
        #expect(CSVWriter.removingFormulaGuard("'ok") == "'ok")
        #expect(CSVWriter.removingFormulaGuard("'") == "'")
        #expect(CSVWriter.removingFormulaGuard("x'=") == "x'=")
    }

    @Test func byteOrderMarkOnRequest() {
        var writer = CSVWriter(byteOrderMark: true)
        writer.append(["青和居"])
        #expect(Array(writer.data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(writer.data.dropFirst(3) == Data("青和居\r\n".utf8))
        #expect(CSVWriter().data.isEmpty)
    }

    @Test func whatIsWrittenReadsBack() throws {
        let rows = [["id", "地址", "备注"], ["h-1", "青和居 3栋2单元401", "独居,\"高龄\"\n需送餐"], ["", " ", "'引"]]
        var writer = CSVWriter(byteOrderMark: true)
        rows.forEach { writer.append($0) }
        let records = try CSVReader().records(in: writer.data)
        #expect(records.map(\.fields) == rows)
        #expect(records.map(\.line) == [1, 2, 4])
    }
}
