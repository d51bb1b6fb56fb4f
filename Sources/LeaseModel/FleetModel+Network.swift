import LeaseKernel

/// Where a message is delivered: the event its arrival is (a server hears from the cloud apart from its clients,
/// so the clients' path never asks who sent it).
enum Delivery { case client, server, cloud, serverFromCloud }

/// Sending and delivering messages: every message crosses the network from its sender to its addressee.
extension FleetModel {
    /// A client sends a message to the endpoint it addresses (a server node; a virtual address resolves here).
    @inline(__always) mutating func send(from client: ClientID, _ contents: MessageContents, requestID: UInt32 = 0,
                                         _ sim: inout Simulation<FleetEvent>) {
        clients[client].messagesSent &+= 1
        let to = destination(client), relay = clients[client].leader // R-HA-1: a virtual address resolves now; R-CLU-1.
        precondition(to.server != nil, "\(to) does not resolve to a server node")
        transmit(Message(from: .client(client), to: to, requestID: requestID, relayRank: relayRank(client), contents),
                 on: Network.link(from: relay), to: .server, &sim)
    }

    /// A client sends a message to its server over its own link, through no lease leader (R-SUR-4: a cluster member's
    /// surrender notices go directly; there is no surrender leader).
    mutating func sendDirect(from client: ClientID, _ contents: MessageContents, _ sim: inout Simulation<FleetEvent>) {
        clients[client].messagesSent &+= 1
        let to = destination(client)
        precondition(to.server != nil, "\(to) does not resolve to a server node")
        transmit(Message(from: .client(client), to: to, contents), on: Network.link(from: client), to: .server, &sim)
    }

    /// A server node sends a message to a client.
    /// R-CLU-1: to a cluster member, through the leader of `relayRank`.
    @inline(__always) mutating func send(from server: ServerID, to client: ClientID, _ contents: MessageContents,
                                         requestID: UInt32 = 0, relayRank: UInt8, autoLeasing: Bool = false,
                                         _ sim: inout Simulation<FleetEvent>) {
        transmit(Message(from: .server(server), to: .client(client), requestID: requestID, autoLeasing: autoLeasing,
                         relayRank: relayRank, contents),
                 on: Network.link(to: relay(of: client, rank: relayRank)), to: .client, &sim)
    }

    /// Puts a message on the network, on its link. It is written into its place in flight first (straight from
    /// its fields, never staged and copied), then meets the faults on its link, if any. Its arrival is an event
    /// of its direction, so delivery needs no decoding of the address.
    @inline(__always) mutating func transmit(_ message: Message, on link: LinkID, to destination: Delivery,
                                             _ sim: inout Simulation<FleetEvent>) {
        counters.messages &+= 1
        let place = network.put(message)
        if network.links[link].activeFaults == 0 {
            sim.schedule(at: network.arrival(on: link, now: sim.now), FleetModel.delivery(place, to: destination))
        } else {
            transmitImpaired(place, link, to: destination, &sim)
        }
    }

    /// The message at `place` meets the faults on its link: a partition or a loss drops it (its place is freed),
    /// added latency delays it.
    @inline(never)
    mutating func transmitImpaired(_ place: MessageSlot, _ link: LinkID, to destination: Delivery, _ sim: inout Simulation<FleetEvent>) {
        if let fault = network.impairment(link) {
            dropped(network.take(place).0, by: fault, sim.now)
            return
        }
        if network.linkFaults[link].latencyFault >= 0 { delayed(network.inFlight[place], by: network.linkFaults[link].latencyFault) }
        sim.schedule(at: network.arrival(on: link, now: sim.now), FleetModel.delivery(place, to: destination))
    }

    /// The event of a message's arrival, by direction.
    @inline(__always) static func delivery(_ place: MessageSlot, to destination: Delivery) -> FleetEvent {
        switch destination {
        case .client: return .deliverToClient(message: place)
        case .server: return .deliverToServer(message: place)
        case .cloud: return .deliverToCloud(message: place)
        case .serverFromCloud: return .deliverFromCloud(message: place)
        }
    }

    /// A message arrives at a client: it handles it if it runs, unless a fault dropped it on the way or has it down.
    mutating func deliverToClient(_ place: MessageSlot, _ sim: inout Simulation<FleetEvent>) {
        let (message, droppedBy) = network.take(place)
        let client = ClientID(index: message.to.index)
        assert(message.to.client != nil, "\(message.to) is not a client")
        if _slowPath(droppedBy >= 0) {
            dropped(message, by: droppedBy, sim.now)
        } else if _slowPath(clients[client].cluster >= 0), case let fate = handOn(message, to: client), fate != Network.delivers {
            if fate >= 0 { dropped(message, by: fate, sim.now) } // R-CLU-1: its leader could not hand it on.
        } else if clients[client].isUp {
            clientReceives(message, at: client, &sim)
        } else if clients[client].crashFault >= 0 {
            dropped(message, by: clients[client].crashFault, sim.now)
        } // A stopped client hears nothing.
    }

    /// A message arrives at a server node: it handles it if it runs, unless a fault dropped it on the way or has
    /// it down.
    mutating func deliverToServer(_ place: MessageSlot, _ sim: inout Simulation<FleetEvent>) {
        let (message, droppedBy) = network.take(place)
        let server = ServerID(index: message.to.index)
        assert(message.to.server != nil, "\(message.to) is not a server node")
        if _slowPath(droppedBy >= 0) {
            dropped(message, by: droppedBy, sim.now)
        } else if servers[server].isUp {
            serverReceives(message, at: server, &sim)
        } else {
            dropped(message, by: servers[server].crashFault, sim.now)
        }
    }
}
