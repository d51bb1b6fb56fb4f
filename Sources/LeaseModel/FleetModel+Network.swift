import LeaseKernel

/// The network: every protocol message crosses a client's link with its one-way latency.
///
/// Links are FIFO: equal latency and the kernel's (time, priority, sequence)
/// order keep messages on a link in the order they were sent. Messages in
/// flight wait in a slab (reused through a free list); events carry only
/// their index, which keeps every queued event small.
extension FleetModel {
    @inline(__always) mutating func sendToServer(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        let client = Int(message.client)
        clients[client].messagesSent += 1
        counters.messages += 1
        sim.schedule(after: clients[client].latency, .deliver(message: network.put(message)))
    }

    @inline(__always) mutating func sendToClient(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        counters.messages += 1
        sim.schedule(after: clients[Int(message.client)].latency, .deliver(message: network.put(message)))
    }

    mutating func deliver(_ index: Int32, _ sim: inout Simulation<FleetEvent>) {
        let message = network.take(index)
        if message.isFromClient {
            serverReceives(message, &sim)
        } else {
            clientReceives(message, &sim)
        }
    }
}

/// Messages in flight, in a slab of raw memory reused through an intrusive free list.
///
/// A value type whose memory is owned by a private object: a copy that is
/// mutated gets its own slab first (copy on write). The model makes its
/// network unique once per run (`FleetModel.willRun()`), before any
/// `put` or `take`, so those do no check of their own in release builds.
struct MessagesInFlight {
    final class Memory {
        var slots: UnsafeMutablePointer<Message>
        /// Next free slot, for slots on the free list.
        var nextFree: UnsafeMutablePointer<Int32>
        init(capacity: Int) {
            slots = .allocate(capacity: capacity)
            nextFree = .allocate(capacity: capacity)
        }
        deinit {
            slots.deallocate()
            nextFree.deallocate()
        }
    }

    var memory = Memory(capacity: 64)
    var slots: UnsafeMutablePointer<Message>
    var nextFree: UnsafeMutablePointer<Int32>
    var capacity = 64
    /// Slots ever handed out.
    var used = 0
    var firstFree: Int32 = -1

    init() {
        slots = memory.slots
        nextFree = memory.nextFree
    }

    /// Stores a message until it is delivered; returns its index.
    /// Inlined so the caller builds the message in the slab, not on the stack and then copied
    /// (a copy made of wide loads from narrow stores just written stalls on store forwarding).
    @inline(__always) mutating func put(_ message: Message) -> Int32 {
        assertUnique()
        let index: Int32
        if firstFree >= 0 {
            index = firstFree
            firstFree = nextFree[Int(index)]
        } else {
            if used == capacity { reallocate(capacity: capacity * 2) }
            index = Int32(used)
            used += 1
        }
        (slots + Int(index)).initialize(to: message)
        return index
    }

    /// Removes and returns the message at `index`.
    @inline(__always) mutating func take(_ index: Int32) -> Message {
        assertUnique()
        let message = (slots + Int(index)).move()
        nextFree[Int(index)] = firstFree
        firstFree = index
        return message
    }

    /// Gives this value its own slab if it shares one (copy on write).
    @inline(__always) mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&memory) { reallocate(capacity: capacity) }
    }

    /// Debug builds check that `makeUnique()` ran before this change.
    @inline(__always) mutating func assertUnique() {
        #if DEBUG
        precondition(isKnownUniquelyReferenced(&memory), "the network changed before the model made it unique")
        #endif
    }

    /// Moves to a new slab of `capacity` slots (to grow, or to stop sharing one).
    mutating func reallocate(capacity newCapacity: Int) {
        let grown = Memory(capacity: newCapacity)
        // Message is a plain value: copying slots that are free copies harmless bytes.
        UnsafeMutableRawPointer(grown.slots).copyMemory(from: slots, byteCount: used * MemoryLayout<Message>.stride)
        grown.nextFree.update(from: nextFree, count: used)
        (memory, slots, nextFree, capacity) = (grown, grown.slots, grown.nextFree, newCapacity)
    }
}
