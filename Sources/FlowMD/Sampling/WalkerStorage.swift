/// A fixed-size buffer with a stable address, shared by the threads that advance disjoint
/// blocks of walkers (a Swift array could be copied or moved while another thread writes).
final class WalkerStorage<Element> {
    let pointer: UnsafeMutablePointer<Element>
    let count: Int

    init(repeating value: Element, count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: count)
    }

    init(_ values: [Element]) {
        count = values.count
        pointer = .allocate(capacity: max(count, 1))
        for (i, v) in values.enumerated() { (pointer + i).initialize(to: v) }
    }

    deinit {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }

    subscript(i: Int) -> Element {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }

    var array: [Element] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    func assign(_ values: [Element]) {
        precondition(values.count == count)
        for (i, v) in values.enumerated() { pointer[i] = v }
    }
}
