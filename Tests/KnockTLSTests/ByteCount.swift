import Synchronization

/// A counter shared between an event loop and a test.
final class ByteCount: Sendable {
    private let total = Atomic<Int>(0)

    func add(_ bytes: Int) {
        self.total.add(bytes, ordering: .relaxed)
    }

    var value: Int { self.total.load(ordering: .relaxed) }
}
