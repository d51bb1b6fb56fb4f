import LeaseKernel

/// R-VLS-1: virtual license servers and the vendor's cloud. A VLS sends a heartbeat every `heartbeatInterval`
/// while it runs; the cloud acknowledges each one that reaches it. After `maxSilence` without an acknowledged
/// heartbeat the server's licensing stops: it leases nothing new and renews nothing, and leases already granted
/// run to their own expiry. The next acknowledged heartbeat starts it again (assumed).
extension FleetModel {
    /// A heartbeat is due: the server sends it if it runs; one still unanswered from before was missed.
    @inline(never)
    mutating func sendHeartbeat(_ server: ServerID, _ sim: inout Simulation<FleetEvent>) {
        guard let contact = servers[server].cloud else { return }
        if contact.awaitingAck {
            record(ProtocolRecord(time: sim.now, kind: .heartbeatMissed, server: server.index, rule: "R-VLS-1"))
        }
        servers[server].cloud!.awaitingAck = servers[server].isUp
        if servers[server].isUp {
            let from = Endpoint.server(server)
            transmit(Message(from: from, to: .cloud, .heartbeat), on: network.link(from: from, to: .cloud), to: .cloud, &sim)
        }
        sim.arm(contact.heartbeatTimer, at: sim.now + spec.policy.cloud.heartbeatInterval, .heartbeatDue(server: server))
    }

    /// A message reaches the cloud (unless a fault dropped it on the way): it acknowledges a heartbeat.
    @inline(never)
    mutating func deliverToCloud(_ place: MessageSlot, _ sim: inout Simulation<FleetEvent>) {
        let (message, droppedBy) = network.take(place)
        if droppedBy >= 0 {
            dropped(message, by: droppedBy, sim.now)
            return
        }
        guard case .heartbeat = message.contents, let server = message.from.server else {
            preconditionFailure("the cloud received \(message.contents) from \(message.from)")
        }
        transmit(Message(from: .cloud, to: message.from, .heartbeatAck), on: network.link(from: .cloud, to: .server(server)),
                 to: .serverFromCloud, &sim)
    }

    /// A message from the cloud reaches a server (unless a fault dropped it, or the server is down): its heartbeat
    /// was acknowledged, and licensing goes on (or starts again).
    @inline(never)
    mutating func deliverFromCloud(_ place: MessageSlot, _ sim: inout Simulation<FleetEvent>) {
        let (message, droppedBy) = network.take(place)
        guard let server = message.to.server, case .heartbeatAck = message.contents, let contact = servers[server].cloud else {
            preconditionFailure("a server received \(message.contents) from \(message.from)")
        }
        if droppedBy >= 0 || !servers[server].isUp {
            dropped(message, by: droppedBy >= 0 ? droppedBy : servers[server].crashFault, sim.now)
            return
        }
        servers[server].cloud!.awaitingAck = false
        servers[server].cloud!.lastHeartbeat = sim.now
        sim.arm(contact.silenceTimer, at: sim.now + spec.policy.cloud.maxSilence, .cloudSilence(server: server))
        if contact.licensingStopped {
            servers[server].cloud!.licensingStopped = false
            setServerLicensed(server, true, sim.now, kind: .licensingResumed, rule: "R-VLS-1")
        }
    }

    /// R-VLS-1: `maxSilence` since the last acknowledged heartbeat: the server's licensing stops.
    @inline(never)
    mutating func cloudSilenceReached(_ server: ServerID, _ now: SimInstant) {
        guard let contact = servers[server].cloud, !contact.licensingStopped else { return }
        servers[server].cloud!.licensingStopped = true
        setServerLicensed(server, false, now, kind: .licensingStopped, rule: "R-VLS-1")
    }
}
