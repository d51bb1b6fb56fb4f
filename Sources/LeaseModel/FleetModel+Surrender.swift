import LeaseKernel

/// One of a client's own licenses that the schedule surrenders (R-SUR-1..3), as the client and its server see it.
///
/// Every surrender and recall at the client moves `generation` on by one (odd: surrendered, even: back at the
/// client). The client tells its server the generation at once and every `SurrenderPolicy.contactInterval` while
/// the license is surrendered or the server has not acknowledged the latest change; the server acts only on a
/// generation at least as new as the one it knows, so a late notice never undoes a later one.
public struct SurrenderState: Sendable {
    public var client: ClientID
    /// The client's slot of the license's feature, and the pool it goes to at the client's server.
    public var slot: SlotID
    public var pool: ServerFeatureID
    /// The license: its index in the client's `licenses`, its count and the family it serves (R-SUR-1, R-LIC-6).
    public var license: Int
    public var count: Int32
    public var family: Int
    /// At the client: the latest change, and the latest the server acknowledged.
    public var generation: UInt32 = 0
    var acknowledged: UInt32 = 0
    /// At the server: the latest generation it heard of, and whether it counts the license as installed now.
    public var serverGeneration: UInt32 = 0
    public var counting = false
    /// R-SUR-2: when the server stops leasing it, unless the client is in contact before.
    public var expiresAt: SimInstant = .never
    var contactTimer: TimerID
    var expiryTimer: TimerID

    /// Whether the client holds the license surrendered now.
    public var surrendered: Bool { generation % 2 == 1 }
    /// Whether the server knows of the surrender (and of no recall since).
    public var atServer: Bool { serverGeneration % 2 == 1 }
}

extension FleetModel {
    /// Every client license the schedule surrenders, once each, in the order of the actions.
    static func surrenderTable(_ spec: FleetSpec, slots: EntityTable<SlotID, SlotState>, clients: EntityTable<ClientID, ClientState>,
                               servers: EntityTable<ServerID, ServerNodeState>, _ simulation: inout Simulation<FleetEvent>) -> [SurrenderState] {
        var table: [SurrenderState] = []
        for action in spec.actions {
            guard case let .surrenderLicense(clientIndex, license) = action.change,
                  !table.contains(where: { $0.client.offset == clientIndex && $0.license == license }) else { continue }
            let client = ClientID(index: Int32(clientIndex)), licenseSpec = spec.clients[clientIndex].licenses[license]
            guard let slot = clients[client].slots.first(where: { slots[$0].feature.offset == licenseSpec.feature }) else { continue }
            let pool = servers[ServerID(index: Int32(spec.clients[clientIndex].server))].pool(FeatureID(index: Int32(licenseSpec.feature)))
            table.append(SurrenderState(client: client, slot: slot, pool: pool, license: license, count: licenseSpec.count,
                                        family: spec.clients[clientIndex].platform ?? 0, contactTimer: simulation.makeTimer(),
                                        expiryTimer: simulation.makeTimer()))
        }
        return table
    }

    /// The entry of a client's license in the surrender table, if the schedule ever surrenders it.
    func surrenderEntry(client: Int, license: Int) -> Int? {
        surrenders.firstIndex { $0.client.offset == client && $0.license == license }
    }

    /// Why a client may not surrender one of its licenses now (R-SUR-1), or nil.
    func surrenderRefusal(client: Int, license: Int, _ now: SimInstant) -> RefusalReason? {
        let clientSpec = spec.clients[client], licenseSpec = clientSpec.licenses[license]
        if !clients[ClientID(index: Int32(client))].isUp { return .clientDown } // Only at the client.
        // Only perpetual concurrent-user and meeting-user licenses, never RDP, feature or duration-based ones.
        if licenseSpec.kind != .perpetual || !spec.traits(of: licenseSpec.feature).surrenderable { return .notSurrenderable }
        // R-SUR-4, R-LIC-6: in a cluster each node surrenders its own, and every member needs a member license.
        if !spec.platformClass(ofClient: client).member { return .noMemberLicense }
        let counting = LicenseSchedule.spans(of: clientSpec.licenses)[license].contains { $0.contains(now) }
        guard let entry = surrenderEntry(client: client, license: license), counting else { return .licenseNotInstalled }
        return surrenders[entry].surrendered ? .alreadySurrendered : nil
    }

    /// R-SUR-1: the client surrenders a whole license of its own to the server it is registered with: it stops
    /// counting at the client at once, and at the server once the server hears of it.
    @inline(never)
    mutating func surrenderLicense(client: Int, license: Int, _ sim: inout Simulation<FleetEvent>) {
        if let reason = surrenderRefusal(client: client, license: license, sim.now) {
            record(ProtocolRecord(time: sim.now, kind: .surrenderRefused, client: Int32(client),
                                  feature: Int32(spec.clients[client].licenses[license].feature), reason: reason, rule: reason.rule,
                                  license: Int32(license)))
            return
        }
        let entry = surrenderEntry(client: client, license: license)!
        surrenders[entry].generation &+= 1
        counters.surrenders &+= 1
        recordSurrender(entry, .licenseSurrendered, rule: "R-SUR-1", sim.now)
        changeOwnInstalled(surrenders[entry].slot, by: -surrenders[entry].count, &sim)
        contactAboutSurrender(entry, &sim)
    }

    /// R-SUR-3: the client recalls a license it surrendered: it counts at the client again at once, whether or not
    /// the server is reachable; the server stops leasing it when it hears.
    @inline(never)
    mutating func recallLicense(client: Int, license: Int, _ sim: inout Simulation<FleetEvent>) {
        let entry = surrenderEntry(client: client, license: license)
        let reason: RefusalReason? = !clients[ClientID(index: Int32(client))].isUp ? .clientDown
            : entry.map { surrenders[$0].surrendered } == true ? nil : .notSurrendered
        guard let entry, reason == nil else {
            record(ProtocolRecord(time: sim.now, kind: .recallRefused, client: Int32(client),
                                  feature: Int32(spec.clients[client].licenses[license].feature), reason: reason!, rule: reason!.rule,
                                  license: Int32(license)))
            return
        }
        surrenders[entry].generation &+= 1
        counters.recalls &+= 1
        recordSurrender(entry, .licenseRecalled, rule: "R-SUR-3", sim.now)
        changeOwnInstalled(surrenders[entry].slot, by: surrenders[entry].count, &sim)
        contactAboutSurrender(entry, &sim)
    }

    /// R-SUR-2, R-SUR-3: the client tells its server where the license is, now and every contact interval while
    /// it is surrendered or its latest change is not acknowledged (a client that is down sends nothing).
    @inline(never)
    mutating func contactAboutSurrender(_ entry: Int, _ sim: inout Simulation<FleetEvent>) {
        let state = surrenders[entry]
        guard state.surrendered || state.acknowledged != state.generation else { return }
        if clients[state.client].isUp { // R-SUR-4: directly, even from a cluster member.
            sendDirect(from: state.client, .surrenderNotice(surrender: Int32(entry), generation: state.generation), &sim)
        }
        sim.arm(state.contactTimer, at: sim.now + spec.policy.surrender.contactInterval, .surrenderContact(surrender: Int32(entry)))
    }

    /// The server hears where a client's license is (R-SUR-2, R-SUR-3), and acknowledges it.
    @inline(never)
    mutating func surrenderNoticeReceived(_ entry: Int, generation: UInt32, at server: ServerID, _ sim: inout Simulation<FleetEvent>) {
        let state = surrenders[entry], now = sim.now
        if generation >= state.serverGeneration {
            surrenders[entry].serverGeneration = generation
            if generation % 2 == 1 {
                // R-SUR-2: counted as installed here, for `expiry` from this contact.
                let known = state.serverGeneration == generation
                if !state.counting && (!known || spec.policy.surrender.afterExpiry == .renewedOnContact) {
                    // R-HA-5: a pair's client surrenders to the pair: the license counts at the node that heard of it.
                    if servers[server].pair >= 0 { surrenders[entry].pool = servers[server].pool(pools[state.pool].feature) }
                    setSurrenderCounting(entry, true, now)
                    recordSurrender(entry, known ? .surrenderResumed : .surrenderReceived, rule: "R-SUR-2", now, atServer: true)
                }
                if surrenders[entry].counting {
                    surrenders[entry].expiresAt = now + spec.policy.surrender.expiry
                    sim.arm(state.expiryTimer, at: surrenders[entry].expiresAt, .surrenderExpiry(surrender: Int32(entry)))
                }
            } else if state.atServer {
                // R-SUR-3, R-SUR-5: recalled: leases already granted from it run until their holders renew.
                if state.counting { setSurrenderCounting(entry, false, now) }
                sim.disarm(state.expiryTimer)
                recordSurrender(entry, .recallReceived, rule: "R-SUR-3", now, atServer: true)
            }
        }
        send(from: server, to: state.client, .surrenderAck(surrender: Int32(entry), generation: generation),
             relayRank: Message.direct, &sim) // R-SUR-4: back over the member's own link.
    }

    /// The client learns that its server has heard of a change (it stops telling it once it is recalled).
    @inline(never)
    mutating func surrenderAcknowledged(_ entry: Int, generation: UInt32) {
        if generation == surrenders[entry].generation { surrenders[entry].acknowledged = generation }
    }

    /// R-SUR-2: the server has not heard from the client for longer than the expiry: it can no longer lease the
    /// license (leases granted from it run until their holders renew); it does not go back to the client.
    @inline(never)
    mutating func surrenderExpired(_ entry: Int, _ now: SimInstant) {
        guard surrenders[entry].counting, now >= surrenders[entry].expiresAt else { return }
        setSurrenderCounting(entry, false, now)
        counters.surrendersExpired &+= 1
        recordSurrender(entry, .surrenderExpired, rule: "R-SUR-2", now, atServer: true)
    }

    /// The surrendered license starts or stops counting at the server, bound to the client's family (R-LIC-6).
    mutating func setSurrenderCounting(_ entry: Int, _ counting: Bool, _ now: SimInstant) {
        surrenders[entry].counting = counting
        let state = surrenders[entry]
        changeInstalled(state.pool, by: counting ? state.count : -state.count, family: state.family, perpetual: true, now)
    }

    mutating func recordSurrender(_ entry: Int, _ kind: ProtocolEventKind, rule: StaticString, _ now: SimInstant, atServer: Bool = false) {
        let state = surrenders[entry]
        record(ProtocolRecord(time: now, kind: kind, client: state.client.index, server: atServer ? pools[state.pool].server.index : -1,
                              feature: pools[state.pool].feature.index, count: Int64(state.count), rule: rule,
                              license: Int32(state.license)))
    }
}
