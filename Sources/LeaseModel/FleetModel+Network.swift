import LeaseKernel

/// Sending and delivering messages: every message crosses the network from its sender to its addressee.
extension FleetModel {
    /// A client sends a message to the endpoint it addresses.
    @inline(__always) mutating func send(from client: ClientID, _ contents: MessageContents, requestID: UInt32 = 0,
                                         _ sim: inout Simulation<FleetEvent>) {
        clients[client].messagesSent += 1
        transmit(Message(from: .client(client), to: clients[client].server, requestID: requestID, contents), &sim)
    }

    /// A server node sends a message to a client.
    @inline(__always) mutating func send(from server: ServerID, to client: ClientID, _ contents: MessageContents,
                                         requestID: UInt32 = 0, _ sim: inout Simulation<FleetEvent>) {
        transmit(Message(from: .server(server), to: .client(client), requestID: requestID, contents), &sim)
    }

    @inline(__always) mutating func transmit(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        counters.messages += 1
        let (place, arrival) = network.send(message, now: sim.now)
        sim.schedule(at: arrival, .deliver(message: place))
    }

    /// A message arrives: its addressee handles it.
    mutating func deliver(_ place: MessageSlot, _ sim: inout Simulation<FleetEvent>) {
        let message = network.take(place)
        if let client = message.to.client {
            clientReceives(message, at: client, &sim)
        } else if let server = message.to.server {
            serverReceives(message, at: server, &sim)
        } else {
            preconditionFailure("no \(message.to.kind) in this fleet")
        }
    }
}
