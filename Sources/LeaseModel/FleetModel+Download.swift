import LeaseKernel

/// R-DL-1: a server that downloads its license keys automatically asks the vendor's cloud on the schedule
/// (`DownloadSchedule`) from instant zero, over its link to the cloud; each reply installs the vendor licenses
/// available then and not installed yet. A request whose reply has not come when the next is due failed.
extension FleetModel {
    /// A download is due: the server asks if it runs, and sets the next one by what expires soon.
    @inline(never)
    mutating func downloadDue(_ server: ServerID, _ sim: inout Simulation<FleetEvent>) {
        guard let id = servers[server].cloud, let timer = cloudContacts[id].downloadTimer else { return }
        let contact = cloudContacts[id]
        if contact.awaitingDownload {
            record(ProtocolRecord(time: sim.now, kind: .downloadFailed, server: server.index, rule: "R-DL-1"))
            setCloudContact(server, false, sim.now)
        }
        cloudContacts[id].awaitingDownload = servers[server].isUp
        cloudContacts[id].lastDownloadCheck = sim.now
        if servers[server].isUp { sendToCloud(server, .downloadRequest, &sim) }
        let next = DownloadSchedule.next(after: sim.now, licenseEnds: licenseEnds(server, sim.now), graceEnds: graceEnd(server))
        record(ProtocolRecord(time: sim.now, kind: .downloadChecked, server: server.index, expiry: next, rule: "R-DL-1"))
        sim.arm(timer, at: next, .downloadDue(server: server))
    }

    /// R-DL-1: what the server has changed (a license installed, started, ended or removed; a grace begun or over): the
    /// next check is set again from the latest one by what the server knows now.
    @inline(never)
    mutating func rescheduleDownload(_ server: ServerID, _ sim: inout Simulation<FleetEvent>) {
        guard let id = servers[server].cloud, let timer = cloudContacts[id].downloadTimer, let last = cloudContacts[id].lastDownloadCheck else { return }
        // (At least a day after the latest check: a check answered within its round trip is never thought failed.)
        let next = max(sim.now, DownloadSchedule.next(after: last, licenseEnds: licenseEnds(server, sim.now), graceEnds: graceEnd(server)))
        if next != sim.deadline(of: timer) && next < horizon { sim.arm(timer, at: next, .downloadDue(server: server)) }
    }

    /// R-DL-1: when the licenses the server holds at `now` end, as it knows them then: those installed by then and not
    /// removed, each by its own dates (a removal or installation scheduled for later is not known yet).
    func licenseEnds(_ server: ServerID, _ now: SimInstant) -> [SimInstant] {
        licenseList(server).compactMap { license in
            guard license.installedAt <= now && license.removedAt > now && license.kind != .ice else { return nil }
            return license.kind == .evaluation ? license.installedAt + license.period : license.endsAt
        }
    }

    /// R-DL-1: the nearest end of a grace the server runs on: R-VLS-3's restore grace, or its HA pair's grace while the
    /// pair is apart (R-HA-2, R-HA-3).
    func graceEnd(_ server: ServerID) -> SimInstant? {
        let pair = servers[server].pair
        let pairGrace = pair >= 0 && !pairs[Int(pair)].joined ? pairs[Int(pair)].graceEnd : nil
        return [restoreGraceEnd(server), pairGrace].compactMap { $0 }.min()
    }

    /// R-VLS-3: when a restored server's grace ends, unless its licenses were re-installed.
    func restoreGraceEnd(_ server: ServerID) -> SimInstant? {
        guard let restored = spec.servers[server.offset].restoredAt, servers[server].cloud.map({ cloudContacts[$0].reinstalled }) == false else { return nil }
        return restored + spec.policy.cloud.restoreGrace
    }

    /// The cloud's answer reached the server: it installs every vendor license available as of `asOf` and not
    /// installed yet, in the order listed.
    mutating func downloaded(_ server: ServerID, asOf: SimInstant, _ sim: inout Simulation<FleetEvent>) {
        guard let id = servers[server].cloud else { return }
        cloudContacts[id].awaitingDownload = false
        setCloudContact(server, true, sim.now)
        defer { rescheduleDownload(server, &sim) } // What it installed may end soon.
        let vendor = spec.servers[server.offset].vendorLicenses
        for index in vendor.indices where vendor[index].availableAt <= asOf && downloadedLicenses[server.offset][index] == nil {
            downloadedLicenses[server.offset][index] = sim.now
            var license = vendor[index].license
            license.installedAt = sim.now
            let number = Int32(spec.servers[server.offset].licenses.count + index)
            record(ProtocolRecord(time: sim.now, kind: .licenseDownloaded, server: server.index, feature: Int32(license.feature),
                                  count: Int64(license.count), rule: "R-DL-1", license: number))
            // R-AUTO-7: a new user-count subscription ends the penalty when it is installed, whenever it starts.
            if endsPenalty(license, installedAt: sim.now) { endPenalty(server, rule: "R-AUTO-7", &sim) }
            guard let span = downloadedSpan(license, server: server, now: sim.now) else { continue }
            // R-HA-3: downloaded now (an install at this node), then on its own calendar, known from now.
            let change = CapacityChange(at: span.lowerBound, server: server.offset, feature: license.feature, delta: license.count,
                                        license: Int(number), kind: license.kind, administrative: span.lowerBound <= sim.now,
                                        knownFrom: sim.now)
            startDownloaded(change, &sim)
            if span.upperBound < horizon {
                var end = change
                (end.at, end.delta, end.administrative) = (span.upperBound, -license.count, false)
                downloadedChanges.append(end)
                sim.schedule(at: span.upperBound, priority: .first, .downloadedLicenseChange(index: Int32(downloadedChanges.count - 1)))
            }
        }
    }

    /// When a downloaded license counts (R-LIC-1..4): from now (or its start date, or the end of the license it
    /// renews) to its end; nil when it never does (a renewal of nothing, or one already over).
    func downloadedSpan(_ license: License, server: ServerID, now: SimInstant) -> Range<SimInstant>? {
        var from = max(now, license.startsAt)
        var until = license.kind == .evaluation ? now + license.period : license.endsAt
        if license.kind == .renewal {
            // R-LIC-3: it takes over from the latest license of the SKU it renews that ends before it does.
            guard let base = license.renewedSKU else { return nil }
            // (The latest of them: downloads come one at a time, so the chain grows at its end.)
            let ends = licenseList(server)
                .filter { ($0.sku == base || $0.sku == license.sku) && $0.feature == license.feature && $0.endsAt < license.endsAt }
                .map(\.endsAt)
            guard let predecessor = ends.max() else { return nil }
            from = max(from, predecessor)
        }
        until = max(until, from)
        return from < until ? from..<until : nil
    }

    /// Every license the server has: given, and downloaded so far (installed when downloaded).
    func licenseList(_ server: ServerID) -> [License] {
        let serverSpec = spec.servers[server.offset]
        return serverSpec.licenses + zip(serverSpec.vendorLicenses, downloadedLicenses[server.offset]).compactMap { vendor, at in
            at.map { var license = vendor.license; license.installedAt = $0; return license }
        }
    }

    /// A downloaded license starts counting now, or at its start (scheduled).
    mutating func startDownloaded(_ change: CapacityChange, _ sim: inout Simulation<FleetEvent>) {
        if change.at <= sim.now {
            applyDownloaded(change, &sim)
        } else {
            downloadedChanges.append(change)
            sim.schedule(at: change.at, priority: .first, .downloadedLicenseChange(index: Int32(downloadedChanges.count - 1)))
        }
    }

    /// A downloaded license starts or ends counting (R-LIC-1..4).
    @inline(never)
    mutating func applyDownloaded(_ change: CapacityChange, _ sim: inout Simulation<FleetEvent>) {
        let server = ServerID(index: Int32(change.server))
        let license = spec.servers[change.server].vendorLicenses[change.license - spec.servers[change.server].licenses.count].license
        let pool = servers[server].pool(FeatureID(index: Int32(change.feature)))
        changeInstalled(pool, by: change.delta, family: license.platform, perpetual: license.kind == .perpetual,
                        seenByOther: seenByOtherNode(change, at: server), sim.now)
        rescheduleDownload(server, &sim)
        record(ProtocolRecord(time: sim.now, kind: change.delta > 0 ? .licenseStarted : .licenseEnded, server: server.index,
                              feature: Int32(change.feature), count: Int64(abs(change.delta)), rule: change.kind.rule,
                              license: Int32(change.license)))
    }
}
