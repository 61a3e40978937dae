import Testing
@testable import KnockDomain

@Suite struct AvailabilityTextTests {
    @Test(arguments: [
        ("weekday 18:00-21:00", Set(1...5), 1_080, 1_260, "weekday 18:00-21:00"),
        ("Weekends 9:00-12:00", [6, 7], 540, 720, "weekend 09:00-12:00"),
        ("daily 15:00-17:30", Set(1...7), 900, 1_050, "daily 15:00-17:30"),
        ("every day 00:00-24:00", Set(1...7), 0, 1_440, "daily 00:00-24:00"),
        ("1,3,5 19:00-21:00", [1, 3, 5], 1_140, 1_260, "1,3,5 19:00-21:00"),
        ("1, 3 ,5   19:00-21:00", [1, 3, 5], 1_140, 1_260, "1,3,5 19:00-21:00"),
        ("1-5 07:00-08:00", Set(1...5), 420, 480, "weekday 07:00-08:00"),
        ("2-4,7 07:00-08:00", [2, 3, 4, 7], 420, 480, "2,3,4,7 07:00-08:00"),
        ("sat,SUN 10:00-11:00", [6, 7], 600, 660, "weekend 10:00-11:00"),
        ("工作日 18：30～20：30", Set(1...5), 1_110, 1_230, "weekday 18:30-20:30"),
        ("周末 9:00~11:00", [6, 7], 540, 660, "weekend 09:00-11:00"),
        ("每天 8:05-9:00", Set(1...7), 485, 540, "daily 08:05-09:00"),
        ("1，3 8:00-9:00", [1, 3], 480, 540, "1,3 08:00-09:00"),
    ] as [(String, Set<Int>, Int, Int, String)])
    func readsAndWrites(_ text: String, _ days: Set<Int>, _ start: Int, _ end: Int, _ canonical: String) throws {
        let window = try AvailabilityWindow(parsing: text)
        #expect(window == AvailabilityWindow(weekdays: days, startMinute: start, endMinute: end))
        #expect(window.text == canonical)
        #expect(try AvailabilityWindow(parsing: window.text) == window)
    }

    @Test(arguments: [
        "", "weekday", "18:00-21:00", "weekday 18:00", "weekday 21:00-18:00", "weekday 18:00-18:00",
        "weekday 25:00-26:00", "weekday 18:60-19:00", "weekday 24:30-24:45", "8 10:00-11:00", "0 10:00-11:00",
        "5-1 10:00-11:00", "1,,3 10:00-11:00", "someday 10:00-11:00", "weekday 18-21", "weekday +1:00-2:00",
        "weekday 18:00-21:00-22:00", "1-3-5 10:00-11:00",
    ])
    func refuses(_ text: String) {
        let error = #expect(throws: DomainError.self) { try AvailabilityWindow(parsing: text) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func listsSeparatedBySemicolons() throws {
        let windows = try AvailabilityWindow.list(parsing: "weekday 18:00-21:00; weekend 09:00-12:00；1,3,5 19:00-21:00;")
        #expect(windows.count == 3)
        #expect(AvailabilityWindow.text(of: windows) == "weekday 18:00-21:00; weekend 09:00-12:00; 1,3,5 19:00-21:00")
        #expect(try AvailabilityWindow.list(parsing: "  ").isEmpty)
        #expect(throws: DomainError.self) { try AvailabilityWindow.list(parsing: "weekday 18:00-21:00; soon") }
    }
}
