import Foundation
import KnockDomain
import Testing

@Suite struct OrganisationRosterTests {
    static let known: [String: OrganisationUnit] = [
        "wuchang": OrganisationUnit(id: "wuchang", level: .district, name: "武昌区", parentID: nil),
        "gongrencun": OrganisationUnit(id: "gongrencun", level: .street, name: "工人村街", parentID: "wuchang"),
        "qinghe": OrganisationUnit(id: "qinghe", level: .community, name: "青和居", parentID: "gongrencun"),
        "qinghe-g01": OrganisationUnit(id: "qinghe-g01", level: .grid, name: "青和居第一网格", parentID: "qinghe"),
    ]

    static func csv(_ lines: String...) -> Data { Data(lines.joined(separator: "\r\n").utf8) }

    @Test("units and members read in any column order, Chinese names of levels and roles; a parent may come after its child")
    func reads() throws {
        let roster = try OrganisationRoster(
            units: Self.csv(
                "name,id,level,parent_id,notes",
                "青苑第一网格,qingyuan-g01,网格,qingyuan,",
                "青苑社区,qingyuan,社区,gongrencun,新建",
                "青和居第二网格,qinghe-g02,grid,qinghe,"
            ),
            members: Self.csv(
                "member_id,name,roles,community_id,grid_ids,phone",
                "m-10,周洁,党员；志愿者,qingyuan,qingyuan-g01,13900001111",
                "m-11,吴强,staff,qinghe,\"qinghe-g02, qinghe-g01\",",
                "m-12,郑红,社区工作人员,qinghe,,"
            ),
            known: Self.known
        )
        #expect(roster.units.map(\.id) == ["qingyuan-g01", "qingyuan", "qinghe-g02"])
        #expect(roster.units[1] == OrganisationUnit(id: "qingyuan", level: .community, name: "青苑社区", parentID: "gongrencun"))
        #expect(roster.members.map(\.roles) == [[.partyMember, .volunteer], [.staff], [.staff]])
        #expect(roster.members[1].gridIDs == ["qinghe-g02", "qinghe-g01"])
        #expect(roster.members[0].phone == "13900001111")
        #expect(roster.members[2].gridIDs.isEmpty)
    }

    @Test("every bad row of both files is reported with its file, line, column and reason; nothing is read")
    func badRows() throws {
        let error = try #require(throws: RosterError.self) {
            try OrganisationRoster(
                units: Self.csv(
                    "level,id,name,parent_id",
                    "楼栋,b-1,一栋,qinghe",
                    "grid,qinghe-g01,改名,qingyi",
                    "community,qingyi,青宜居,",
                    "grid,qinghe-g03,,qinghe",
                    "grid,qinghe-g03,again,qinghe"
                ),
                members: Self.csv(
                    "member_id,name,roles,community_id,grid_ids,phone",
                    "m-1,王芳,cook,qinghe,qinghe-g01,",
                    "m-2,李强,staff,nowhere,,",
                    "m-3,赵敏,volunteer,qinghe,qingyi-g09,",
                    ",无名,volunteer,qinghe,,"
                ),
                known: Self.known
            )
        }
        #expect(error.code == .invalidRows)
        let found = error.problems.map { "\($0.column ?? "") \($0.line)" }
        #expect(found.contains("units level 2"))              // 楼栋 is no level
        #expect(found.contains("units parent_id 3"))          // a known grid cannot move
        #expect(found.contains("units parent_id 4"))          // a community needs its street
        #expect(found.contains("units name 5"))
        #expect(found.contains("units id 6"))                 // the same id twice
        #expect(found.contains("members roles 2"))
        #expect(found.contains("members community_id 3"))
        #expect(found.contains("members grid_ids 4"))
        #expect(found.contains("members member_id 5"))
        #expect(error.message == "10 problems on 9 of 9 rows")
    }

    @Test("a file without a column it needs is refused at its header")
    func header() throws {
        let error = try #require(throws: RosterError.self) {
            try OrganisationRoster(units: Data(), members: Self.csv("member_id,name,roles", "m-1,王芳,staff"), known: Self.known)
        }
        #expect(error.code == .invalidHeader)
        #expect(error.problems.map(\.column) == ["community_id", "grid_ids", "phone"])
    }
}
