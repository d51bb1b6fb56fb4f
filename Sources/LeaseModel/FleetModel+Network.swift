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
        let link = network.link(from: message.from, to: message.to)
        if network.links[link].activeFaults > 0 && !crossesImpaired(message, link, sim.now) { return }
        let (place, arrival) = network.send(message, on: link, now: sim.now)
        sim.schedule(at: arrival, .deliver(message: place))
    }

    /// A message meets the faults on its link: a partition or a loss drops it (false), added latency delays it.
    @inline(never)
    mutating func crossesImpaired(_ message: Message, _ link: LinkID, _ now: SimInstant) -> Bool {
        if let fault = network.impairment(link) {
            dropped(message, by: fault, now)
            return false
        }
        if network.linkFaults[link].latencyFault >= 0 { delayed(message, by: network.linkFaults[link].latencyFault) }
        return true
    }

    /// A message arrives: its addressee handles it, unless a fault dropped it on the way or has the addressee down.
    mutating func deliver(_ place: MessageSlot, _ sim: inout Simulation<FleetEvent>) {
        let (message, droppedBy) = network.take(place)
        if droppedBy >= 0 {
            dropped(message, by: droppedBy, sim.now)
        } else if let client = message.to.client {
            if !clients[client].isUp && clients[client].crashFault >= 0 {
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
