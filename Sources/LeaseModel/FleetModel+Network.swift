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
        switch network.send(message, now: sim.now) {
        case let .arrives(place, arrival, delayedBy):
            if delayedBy >= 0 { delayed(message, by: delayedBy) }
            sim.schedule(at: arrival, .deliver(message: place))
        case .dropped(let fault):
            dropped(message, by: fault, sim.now)
        }
    }

    /// A message arrives: its addressee handles it, unless a fault dropped it on the way or has the addressee down.
    mutating func deliver(_ place: MessageSlot, _ sim: inout Simulation<FleetEvent>) {
        let (message, droppedBy) = network.take(place)
        if droppedBy >= 0 {
            dropped(message, by: droppedBy, sim.now)
        } else if let client = message.to.client {
            if clients[client].crashFault >= 0 {
                dropped(message, by: clients[client].crashFault, sim.now)
            } else {
                clientReceives(message, at: client, &sim)
            }
        } else if let server = message.to.server {
            if servers[server].isUp {
                serverReceives(message, at: server, &sim)
            } else {
                dropped(message, by: servers[server].crashFault, sim.now)
            }
        } else {
            preconditionFailure("no \(message.to.kind) in this fleet")
        }
    }
}
