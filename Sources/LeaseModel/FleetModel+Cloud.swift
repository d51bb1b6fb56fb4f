import LeaseKernel

/// R-VLS-1: virtual license servers and the vendor's cloud. A VLS sends a heartbeat every `heartbeatInterval`
/// while it runs; the cloud acknowledges each one that reaches it. After `maxSilence` without an acknowledged
/// heartbeat the server's licensing stops: it leases nothing new and renews nothing, and leases already granted
/// run to their own expiry. The next acknowledged heartbeat starts it again (assumed). The cloud flags two live
/// servers with one authorization code (R-VLS-2); a server restored from a backup without its licenses leases
/// only for its grace period (R-VLS-3).
extension FleetModel {
    /// A heartbeat is due: the server sends it if it runs; one still unanswered from before was missed.
    @inline(never)
    mutating func sendHeartbeat(_ server: ServerID, _ sim: inout Simulation<FleetEvent>) {
        guard let id = servers[server].cloud else { return }
        let contact = cloudContacts[id]
        if contact.awaitingAck {
            record(ProtocolRecord(time: sim.now, kind: .heartbeatMissed, server: server.index, rule: "R-VLS-1"))
            setCloudContact(server, false, sim.now)
        }
        cloudContacts[id].awaitingAck = servers[server].isUp
        if servers[server].isUp { sendToCloud(server, .heartbeat, &sim) }
        sim.arm(contact.heartbeatTimer, at: sim.now + spec.policy.cloud.heartbeatInterval, .heartbeatDue(server: server))
    }

    /// A server sends the vendor's cloud a message over its own link.
    mutating func sendToCloud(_ server: ServerID, _ contents: MessageContents, _ sim: inout Simulation<FleetEvent>) {
        let from = Endpoint.server(server)
        transmit(Message(from: from, to: .cloud, contents), on: network.link(from: from, to: .cloud), to: .cloud, &sim)
    }

    /// A message reaches the cloud (unless a fault dropped it on the way): it acknowledges a heartbeat.
    @inline(never)
    mutating func deliverToCloud(_ place: MessageSlot, _ sim: inout Simulation<FleetEvent>) {
        let (message, droppedBy) = network.take(place)
        if droppedBy >= 0 {
            dropped(message, by: droppedBy, sim.now)
            return
        }
        guard let server = message.from.server else { preconditionFailure("the cloud received \(message.contents) from \(message.from)") }
        let reply: MessageContents
        switch message.contents {
        case .heartbeat:
            cloudHears(server, sim.now)
            reply = .heartbeatAck
        case .downloadRequest: reply = .downloadReply(asOf: sim.now) // R-DL-1
        default: preconditionFailure("the cloud received \(message.contents) from \(message.from)")
        }
        transmit(Message(from: .cloud, to: message.from, reply), on: network.link(from: .cloud, to: .server(server)),
                 to: .serverFromCloud, &sim)
    }

    /// A message from the cloud reaches a server (unless a fault dropped it, or the server is down): its heartbeat
    /// was acknowledged, and licensing goes on (or starts again).
    @inline(never)
    mutating func deliverFromCloud(_ place: MessageSlot, _ sim: inout Simulation<FleetEvent>) {
        let (message, droppedBy) = network.take(place)
        guard let server = message.to.server, let id = servers[server].cloud else {
            preconditionFailure("a server received \(message.contents) from \(message.from)")
        }
        let contact = cloudContacts[id]
        if droppedBy >= 0 || !servers[server].isUp {
            dropped(message, by: droppedBy >= 0 ? droppedBy : servers[server].crashFault, sim.now)
            return
        }
        if case .downloadReply(let asOf) = message.contents { return downloaded(server, asOf: asOf, &sim) }
        guard case .heartbeatAck = message.contents else { preconditionFailure("a server received \(message.contents) from the cloud") }
        cloudContacts[id].awaitingAck = false
        cloudContacts[id].lastHeartbeat = sim.now
        setCloudContact(server, true, sim.now)
        sim.arm(contact.silenceTimer, at: sim.now + spec.policy.cloud.maxSilence, .cloudSilence(server: server))
        if contact.licensingStopped {
            cloudContacts[id].licensingStopped = false
            record(ProtocolRecord(time: sim.now, kind: .licensingResumed, server: server.index, rule: "R-VLS-1"))
            applyCloudStop(server, sim.now)
        }
    }

    /// R-VLS-1, R-DL-1: whether the server's latest message to the cloud was answered (a missed heartbeat or a failed
    /// download check says it was not, the next answer that it is), for the timeline's `cloud` column.
    mutating func setCloudContact(_ server: ServerID, _ contact: Bool, _ now: SimInstant) {
        for pool in servers[server].pools where pools[pool].cloudContact != contact {
            pools[pool].cloudContact = contact
            if records.recordsStates { recordServerState(pool, now) }
        }
    }

    /// R-VLS-1: `maxSilence` since the last acknowledged heartbeat: the server's licensing stops.
    @inline(never)
    mutating func cloudSilenceReached(_ server: ServerID, _ now: SimInstant) {
        guard let id = servers[server].cloud, !cloudContacts[id].licensingStopped else { return }
        cloudContacts[id].licensingStopped = true
        record(ProtocolRecord(time: now, kind: .licensingStopped, server: server.index, rule: "R-VLS-1"))
        applyCloudStop(server, now)
    }

    /// R-VLS-3: a VLS restored from a backup without its licenses re-installed reaches the end of its grace.
    @inline(never)
    mutating func restoreGraceEnds(_ server: ServerID, _ now: SimInstant) {
        guard let id = servers[server].cloud, !cloudContacts[id].reinstalled, !cloudContacts[id].restoreGraceEnded else { return }
        cloudContacts[id].restoreGraceEnded = true
        record(ProtocolRecord(time: now, kind: .restoreGraceEnded, server: server.index, rule: "R-VLS-3"))
        applyCloudStop(server, now)
    }

    /// R-VLS-3: the restored VLS gets its licenses re-installed: no grace limit any more.
    @inline(never)
    mutating func reinstallLicenses(_ server: ServerID, _ sim: inout Simulation<FleetEvent>) {
        let now = sim.now
        guard let id = servers[server].cloud else { return }
        cloudContacts[id].reinstalled = true
        cloudContacts[id].restoreGraceEnded = false
        record(ProtocolRecord(time: now, kind: .licensesReinstalled, server: server.index, rule: "R-VLS-3"))
        applyCloudStop(server, now)
        rescheduleDownload(server, &sim) // R-DL-1: its grace no longer ends.
    }

    /// The server leases while neither its silence (R-VLS-1) nor the end of its grace (R-VLS-3) stops it (nor the
    /// want of a license-server license, R-LIC-8); the refusals name the license first, then the grace.
    mutating func applyCloudStop(_ server: ServerID, _ now: SimInstant) { refreshServerStop(server, now) }

    /// R-VLS-2: the cloud hears a heartbeat: two live servers with one authorization code (a restored backup beside
    /// its original) are a violation, flagged when it begins. A server is live while the cloud heard from it
    /// within the last heartbeat interval (both send one every interval).
    mutating func cloudHears(_ server: ServerID, _ now: SimInstant) {
        guard let id = servers[server].cloud else { return }
        cloudContacts[id].heardByCloud = now
        let group = cloudContacts[id].authorizationGroup, window = spec.policy.cloud.heartbeatInterval
        let duplicate = cloudContacts.ids.contains { other in
            let contact = cloudContacts[other]
            guard other != id, contact.authorizationGroup == group, let heard = contact.heardByCloud else { return false }
            return now - heard <= window
        }
        if duplicate && !cloudContacts[id].duplicate {
            record(ProtocolRecord(time: now, kind: .duplicateAuthorization, server: server.index, rule: "R-VLS-2"))
        }
        cloudContacts[id].duplicate = duplicate
    }
}
