import Foundation
import KnockModuleKit

/// Years in the deployment's time zone, for a resident's age from their birth year.
extension ModuleCalendar {
    /// The year `date` falls in, in the deployment's time zone.
    func year(of date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.component(.year, from: date)
    }
}
