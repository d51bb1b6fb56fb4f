import LeaseKernel

/// The network: every protocol message crosses a client's link with its one-way latency.
///
/// Links are FIFO: equal latency and the kernel's (time, priority, sequence)
/// order keep messages on a link in the order they were sent.
extension FleetModel {
    mutating func sendToServer(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        let client = Int(message.client)
        clients[client].messagesSent += 1
        counters.messages += 1
        sim.schedule(after: clients[client].latency, .deliver(message))
    }

    mutating func sendToClient(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        counters.messages += 1
        sim.schedule(after: clients[Int(message.client)].latency, .deliver(message))
    }

    mutating func deliver(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        if message.isFromClient {
            serverReceives(message, &sim)
        } else {
            clientReceives(message, &sim)
        }
    }
}
