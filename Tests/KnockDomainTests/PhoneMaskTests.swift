import Testing
@testable import KnockDomain

@Suite struct PhoneMaskTests {
    @Test(arguments: [
        ("13812341234", "138****1234"),
        ("027-8888-1234", "027******1234"),
        ("12345678", "123*5678"),
        ("1234567", "*******"),
        ("", ""),
    ])
    func masks(_ number: String, _ shown: String) {
        #expect(PhoneMask.masked(number) == shown)
    }
}
