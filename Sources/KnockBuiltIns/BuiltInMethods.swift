public import KnockModuleKit
import AfterSchool
import Canteen
import DailyKnock
import Mediation
import NeighbourPairing
import UrgentKnock

/// The door-knocking methods linked into `knock-host` (the targets under `Plugins/`), in the
/// order it registers them. One list, for the host and for whatever measures or tests it as it
/// runs (`knock-bench`).
public enum BuiltInMethods {
    /// Every method linked in: 每天敲 daily-knock, 随时敲 urgent-knock, 邻里结亲法
    /// neighbour-pairing, 顺顺吧 mediation, 好味到大食堂 canteen, 四点半学校 after-school.
    public static let all: [any KnockModule] = [
        DailyKnock(),
        UrgentKnock(),
        NeighbourPairing(),
        Mediation(),
        Canteen(),
        AfterSchool(),
    ]

    /// The method with `id`, or `nil` if none linked in has it.
    public static func method(id: String) -> (any KnockModule)? {
        all.first { $0.descriptor.id == id }
    }
}
