/// A typed index into an `EntityTable`: a client, a server, a lease record, a link...
///
/// Each kind of entity has its own ID type, so a client's index can never be
/// used where a server's is meant. IDs are small plain values (an `Int32`).
public protocol EntityID: Hashable, Comparable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// The entity's position in its table.
    var index: Int32 { get }
    init(index: Int32)
}

extension EntityID {
    @inlinable public static func < (lhs: Self, rhs: Self) -> Bool { lhs.index < rhs.index }
    /// The entity's position, as an `Int`.
    @inlinable public var offset: Int { Int(index) }
    public var description: String { "\(Self.self)(\(index))" }
}

/// One kind of entity's state, in one contiguous block of memory, indexed by a typed ID.
///
/// The one place the model's state touches raw memory. Every subscript is
/// bounds-checked (one unsigned compare) and traps on a bad ID, so an
/// off-by-one can never read or write another entity. The table is a value
/// with copy-on-write in one place, `makeUnique()`: a mutating owner calls it
/// once before a burst of changes (a run), after which writes go straight to
/// memory with no uniqueness check (debug builds assert it). Appending grows
/// the table at run time, doubling its memory.
public struct EntityTable<ID: EntityID, Element> {
    @usableFromInline final class Storage {
        @usableFromInline var base: UnsafeMutablePointer<Element>
        @usableFromInline var count: Int
        @usableFromInline var capacity: Int

        @usableFromInline init(capacity: Int) {
            self.capacity = Swift.max(capacity, 1)
            // Cache-line aligned: a record of 64 bytes (or 128) is one line (or two), never split across more.
            base = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<Element>.stride * self.capacity,
                                                    alignment: Swift.max(64, MemoryLayout<Element>.alignment))
                .bindMemory(to: Element.self, capacity: self.capacity)
            count = 0
        }

        /// A copy of the first `count` elements, in new memory of `capacity` elements.
        @usableFromInline func copy(capacity: Int) -> Storage {
            let copy = Storage(capacity: capacity)
            copy.base.initialize(from: base, count: count)
            copy.count = count
            return copy
        }

        deinit {
            base.deinitialize(count: count)
            UnsafeMutableRawPointer(base).deallocate()
        }
    }

    @usableFromInline var storage: Storage
    /// The storage's memory, kept beside it so an access is one load, not two.
    @usableFromInline var base: UnsafeMutablePointer<Element>
    @usableFromInline var entityCount: Int
    /// How many entities the table holds.
    @inlinable public var count: Int { entityCount }

    /// An empty table with room for `capacity` entities before it grows.
    @inlinable public init(capacity: Int = 0) {
        storage = Storage(capacity: capacity)
        base = storage.base
        entityCount = 0
    }

    /// A table of the given elements; the first gets index 0.
    @inlinable public init<Elements: Collection>(_ elements: Elements) where Elements.Element == Element {
        self.init(capacity: elements.count)
        for element in elements { append(element) }
    }

    /// A table of `count` copies of `element`.
    @inlinable public init(repeating element: Element, count: Int) {
        self.init(capacity: count)
        base.initialize(repeating: element, count: count)
        storage.count = count
        entityCount = count
    }

    /// The entity with this ID; traps when the ID is not in the table.
    @inlinable public subscript(id: ID) -> Element {
        unsafeAddress {
            if _slowPath(UInt32(bitPattern: id.index) >= UInt32(truncatingIfNeeded: entityCount)) { EntityTableFailure.noEntity(id, entityCount) }
            return UnsafePointer(base + Int(id.index))
        }
        unsafeMutableAddress {
            if _slowPath(UInt32(bitPattern: id.index) >= UInt32(truncatingIfNeeded: entityCount)) { EntityTableFailure.noEntity(id, entityCount) }
            assertUnique()
            return base + Int(id.index)
        }
    }

    /// Adds an entity at the end; returns its ID. Amortized O(1).
    @inlinable @discardableResult
    public mutating func append(_ element: Element) -> ID {
        precondition(count < Int(Int32.max), "an entity table holds at most Int32.max entities")
        makeUnique()
        if count == storage.capacity { reallocate(capacity: storage.capacity * 2) }
        (base + count).initialize(to: element)
        storage.count += 1
        entityCount += 1
        return ID(index: Int32(entityCount - 1))
    }

    /// The IDs of every entity, in order.
    @inlinable public var ids: EntityIDs<ID> { EntityIDs(count: Int32(count)) }

    /// Makes the memory this table's own before it changes (copy on write): the one copy-on-write point.
    @inlinable public mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { reallocate(capacity: storage.capacity) }
    }

    /// Debug builds check that `makeUnique()` ran before this change.
    @inlinable @inline(__always) mutating func assertUnique() {
        #if DEBUG
        precondition(isKnownUniquelyReferenced(&storage), "an entity table changed while shared: call makeUnique() first")
        #endif
    }

    @usableFromInline mutating func reallocate(capacity: Int) {
        storage = storage.copy(capacity: capacity)
        base = storage.base
    }
}

/// The cold path of a failed check, out of line so the checked access stays one compare and one branch.
public enum EntityTableFailure {
    @inline(never) @usableFromInline
    static func noEntity<ID: EntityID>(_ id: ID, _ count: Int) -> Never {
        preconditionFailure("no entity \(id) in a table of \(count)")
    }
}

extension EntityTable: RandomAccessCollection {
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }
    /// The entity at a position (the position of an ID is its `offset`); traps when out of range.
    @inlinable public subscript(position: Int) -> Element {
        precondition(UInt(bitPattern: position) < UInt(bitPattern: count), "position \(position) out of range")
        return base[position]
    }
}

extension EntityTable: @unchecked Sendable where Element: Sendable {}

/// The IDs `first ..< end` of one entity kind, as a collection (an entity's range in another's table).
public struct EntityIDs<ID: EntityID>: RandomAccessCollection, Sendable, BitwiseCopyable {
    public var first: Int32
    public var end: Int32

    @inlinable public init(first: Int32 = 0, end: Int32) {
        precondition(first <= end, "an empty or forward range of IDs")
        self.first = first
        self.end = end
    }

    @inlinable public init(count: Int32) { self.init(first: 0, end: count) }

    @inlinable public var startIndex: Int32 { first }
    @inlinable public var endIndex: Int32 { end }
    @inlinable public subscript(position: Int32) -> ID { ID(index: position) }
}
