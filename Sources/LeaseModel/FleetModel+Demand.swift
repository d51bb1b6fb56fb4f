import LeaseKernel

/// Demand generators: each slot's pattern sets its users and schedules its next change.
extension FleetModel {
    /// A slot's demand event: apply the pattern's value now and schedule the next change.
    mutating func demandDue(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        guard let demand = demands[slot] else { return }
        switch spec.demandPatterns[demand.pattern] {
        case .constant(let users):
            setUsers(slot, demand.scaled(users), &sim)
        case .steps(let steps):
            stepDue(slot, steps, demand, &sim)
        case let .daily(weekday, weekend):
            let local = spec.startEpochMilliseconds + (sim.now - demand.shift).millisecondsSinceStart
            let isWeekend = CivilCalendar.weekday(epochMilliseconds: local) >= 5
            let profile = isWeekend ? (weekend ?? weekday) : weekday
            setUsers(slot, demand.scaled(profile[Int(CivilCalendar.hourOfDay(epochMilliseconds: local))]), &sim)
            let intoHour = local.modulo(SimDuration.millisecondsPerHour)
            sim.schedule(after: .milliseconds(SimDuration.millisecondsPerHour - intoHour), .demand(slot: slot))
        case let .sessions(rates, weekendRates, meanSession):
            sessionDue(slot, rates, weekendRates, meanSession, demand, &sim)
        case let .cycle(values, step, offset):
            // Hours since the (shifted) start, rounded down; step and offset are below the cycle's length, members
            // fewer than 1e6 and hours fewer than 1e5, so the index fits Int64.
            let sinceStart = (sim.now - demand.shift).millisecondsSinceStart, hourLength = SimDuration.millisecondsPerHour
            let hour = sinceStart >= 0 ? sinceStart / hourLength : (sinceStart - (hourLength - 1)) / hourLength
            let intoHour = sinceStart - hour * hourLength
            let index = (demand.member * offset + hour * step).modulo(Int64(values.count))
            setUsers(slot, demand.scaled(values[Int(index)]), &sim)
            sim.schedule(after: .milliseconds(SimDuration.millisecondsPerHour - intoHour), .demand(slot: slot))
        }
    }

    /// Piecewise-constant demand: the cursor is the index of the next step to apply.
    mutating func stepDue(_ slot: SlotID, _ steps: [DemandStep], _ demand: DemandSpec, _ sim: inout Simulation<FleetEvent>) {
        var cursor = Int(slots[slot].demandCursor)
        var users: Int32? = nil
        while cursor < steps.count && steps[cursor].at + demand.shift <= sim.now {
            users = steps[cursor].users
            cursor += 1
        }
        slots[slot].demandCursor = Int32(cursor)
        if let users { setUsers(slot, demand.scaled(users), &sim) }
        if cursor < steps.count { sim.schedule(at: steps[cursor].at + demand.shift, .demand(slot: slot)) }
    }

    /// Random sessions: the first call starts the arrival process; each later call is one arrival.
    mutating func sessionDue(_ slot: SlotID, _ rates: [Int64], _ weekendRates: [Int64]?, _ meanSession: SimDuration,
                             _ demand: DemandSpec, _ sim: inout Simulation<FleetEvent>) {
        if slots[slot].demandCursor == 0 {
            slots[slot].demandCursor = 1
        } else if slots[slot].users >= usersPerSlotBound {
            // The slot's integrals are bounded by this count: stop counting and let the runner stop the run.
            if demandOverflow == nil { demandOverflow = DemandOverflow(slot: slot, at: sim.now) }
        } else {
            setUsers(slot, slots[slot].users + 1, &sim)
            // An exponential session length, drawn in exact integer arithmetic (the same on every platform).
            let length = max(1, demandStreams[slot].nextExponential(meanNumerator: UInt64(meanSession.milliseconds), denominator: 1))
            sim.schedule(after: .milliseconds(length), .sessionEnd(slot: slot))
        }
        if let next = nextArrival(after: sim.now, slot, rates, weekendRates, demand) {
            sim.schedule(at: next, .demand(slot: slot))
        }
    }

    /// The next Poisson arrival after `now`, redrawn at each hour boundary (exact, by memorylessness).
    mutating func nextArrival(after now: SimInstant, _ slot: SlotID, _ rates: [Int64], _ weekendRates: [Int64]?,
                              _ demand: DemandSpec) -> SimInstant? {
        var time = now
        // A week of empty hours means no arrival ever.
        for _ in 0..<(24 * 7 + 1) {
            let local = spec.startEpochMilliseconds + (time - demand.shift).millisecondsSinceStart
            let isWeekend = CivilCalendar.weekday(epochMilliseconds: local) >= 5
            let hour = Int(CivilCalendar.hourOfDay(epochMilliseconds: local))
            let rateMilli = (isWeekend ? (weekendRates ?? rates) : rates)[hour] * Int64(demand.scalePerMille) / 1000
            let hourEnd = time + .milliseconds(SimDuration.millisecondsPerHour - local.modulo(SimDuration.millisecondsPerHour))
            if rateMilli > 0 {
                // The mean gap is an hour over the rate (in thousandths of arrivals an hour), in milliseconds.
                let gap = max(1, demandStreams[slot].nextExponential(meanNumerator: UInt64(SimDuration.millisecondsPerHour) * 1000,
                                                                      denominator: UInt64(rateMilli)))
                if time + .milliseconds(gap) < hourEnd { return time + .milliseconds(gap) }
            }
            time = hourEnd
        }
        return nil
    }

    /// A random session ends: one user fewer.
    mutating func sessionEnded(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        setUsers(slot, max(0, slots[slot].users - 1), &sim)
    }
}
