import LeaseKernel

/// The network: every protocol message crosses a client's link with its one-way latency.
///
/// Links are FIFO: equal latency and the kernel's (time, priority, sequence)
/// order keep messages on a link in the order they were sent. Messages in
/// flight wait in a slab (reused through a free list); events carry only
/// their index, which keeps every queued event small.
extension FleetModel {
    mutating func sendToServer(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        let client = Int(message.client)
        clients[client].messagesSent += 1
        counters.messages += 1
        sim.schedule(after: clients[client].latency, .deliver(message: network.put(message)))
    }

    mutating func sendToClient(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
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

/// Messages in flight, in a slab reused through a free list.
struct MessagesInFlight {
    var slots: [Message] = []
    var free: [Int32] = []

    /// Stores a message until it is delivered; returns its index.
    mutating func put(_ message: Message) -> Int32 {
        if let index = free.popLast() {
            slots[Int(index)] = message
            return index
        }
        slots.append(message)
        return Int32(slots.count - 1)
    }

    /// Removes and returns the message at `index`.
    mutating func take(_ index: Int32) -> Message {
        free.append(index)
        return slots[Int(index)]
    }
}
