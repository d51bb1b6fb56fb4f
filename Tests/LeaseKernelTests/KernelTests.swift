import Testing
@testable import LeaseKernel

/// A handler that logs what it sees and can schedule follow-ups.
struct Recorder: EventHandler {
    typealias Payload = Int
    var seen: [(Int64, Int)] = []
    var followUp: [Int: (SimDuration, Int)] = [:]
    mutating func handle(_ payload: Int, simulation: inout Simulation<Int>) {
        seen.append((simulation.now.millisecondsSinceStart, payload))
        if let (delay, next) = followUp[payload] { simulation.schedule(after: delay, next) }
    }
    func invariantViolation(at now: SimInstant) -> String? { nil }
}

@Test func equalTimeEventsRunByPriorityThenInsertionOrder() throws {
    var sim = Simulation<Int>()
    sim.schedule(at: .start + .seconds(5), priority: .normal, 1)
    sim.schedule(at: .start + .seconds(5), priority: .last, 2)
    sim.schedule(at: .start + .seconds(5), priority: .first, 3)
    sim.schedule(at: .start + .seconds(5), priority: .normal, 4)
    sim.schedule(at: .start + .seconds(1), priority: .last, 5)
    var handler = Recorder()
    try sim.run(until: .start + .seconds(10), handler: &handler)
    #expect(handler.seen.map(\.1) == [5, 3, 1, 4, 2])
    #expect(handler.seen.map(\.0) == [1000, 5000, 5000, 5000, 5000])
    #expect(sim.now == .start + .seconds(10))
}

@Test func heapOrderHoldsForManyRandomEvents() throws {
    var queue = EventQueue<Int>()
    var stream = RandomStream(seed: 42, key: 1)
    for index in 0..<5000 {
        queue.push(time: SimInstant(millisecondsSinceStart: Int64(stream.next(below: 100))), priority: .normal, payload: index)
    }
    queue.checkInvariants()
    var last: (Int64, Int) = (-1, -1)
    var count = 0
    while let event = queue.popFirst() {
        let key = (event.time.millisecondsSinceStart, event.payload)
        #expect(key.0 > last.0 || (key.0 == last.0 && key.1 > last.1), "FIFO among equal times")
        last = key
        count += 1
    }
    #expect(count == 5000)
}

@Test func runUntilExcludesOrIncludesTheEnd() throws {
    var sim = Simulation<Int>()
    sim.schedule(at: .start + .hours(1), 1)
    var handler = Recorder()
    try sim.run(until: .start + .hours(1), handler: &handler)
    #expect(handler.seen.isEmpty)
    try sim.run(until: .start + .hours(1), includingEnd: true, handler: &handler)
    #expect(handler.seen.map(\.1) == [1])
}

/// Re-arming moves the one pending firing; disarming removes it; nothing stale stays queued.
@Test func rearmingATimerMovesItsOnePendingFiring() throws {
    var sim = Simulation<Int>()
    let timer = sim.makeTimer()
    sim.arm(timer, at: .start + .hours(24), 1)
    sim.arm(timer, at: .start + .hours(48), 2) // A renewal moved the expiry.
    #expect(sim.deadline(of: timer) == .start + .hours(48))
    let other = sim.makeTimer()
    sim.arm(other, at: .start + .hours(10), 3)
    sim.disarm(other)
    #expect(sim.deadline(of: other) == .never)
    #expect(sim.pendingEventCount == 1)
    var handler = Recorder()
    try sim.run(until: .start + .days(3), handler: &handler)
    #expect(handler.seen.map(\.1) == [2])
    #expect(handler.seen.map(\.0) == [48 * 3_600_000])
    #expect(sim.eventsProcessed == 1)
    #expect(sim.deadline(of: timer) == .never)
}

@Test func maxEventsLimitStopsARunawayRun() {
    var sim = Simulation<Int>(limits: RunLimits(maxEvents: 100))
    sim.schedule(at: .start, 1)
    var handler = Recorder()
    handler.followUp[1] = (.zero, 1) // Schedules itself forever at the same instant.
    #expect(throws: RunLimitExceeded(limit: .maxEvents, now: .start, eventsProcessed: 100)) {
        try sim.run(until: .start + .seconds(1), handler: &handler)
    }
    #expect(handler.seen.count == 100)
}

@Test func maxTimeAndPendingLimitsAreErrors() {
    var sim = Simulation<Int>(limits: RunLimits(maxTime: .start + .days(1)))
    var handler = Recorder()
    #expect(throws: RunLimitExceeded(limit: .maxTime, now: .start, eventsProcessed: 0)) {
        try sim.run(until: .start + .days(2), handler: &handler)
    }
    var crowded = Simulation<Int>(limits: RunLimits(maxPendingEvents: 3))
    for index in 0..<3 { crowded.schedule(at: .start + .seconds(Int64(index + 1)), index) }
    crowded.schedule(at: .start, 9)
    handler.followUp[9] = (.seconds(1), 8)
    #expect(throws: RunLimitExceeded(limit: .maxPendingEvents, now: .start, eventsProcessed: 1)) {
        try crowded.run(until: .start + .days(1), handler: &handler)
    }
}

@Test func randomStreamsAreSeededIndependentAndExact() {
    var a = RandomStream(seed: 7, key: RandomStream.key(of: "branch-001/demand"))
    var b = RandomStream(seed: 7, key: RandomStream.key(of: "branch-001/demand"))
    var c = RandomStream(seed: 7, key: RandomStream.key(of: "branch-002/demand"))
    let first = (0..<4).map { _ in a.next() }
    #expect(first == (0..<4).map { _ in b.next() })
    #expect(first != (0..<4).map { _ in c.next() })
    // FNV-1a is fixed: the key never depends on the process.
    #expect(RandomStream.key(of: "a") == 0xAF63_DC4C_8601_EC8C)
    var d = RandomStream(seed: 1, key: 2)
    for _ in 0..<1000 {
        #expect(d.next(below: 7) < 7)
        #expect((-3...3).contains(d.next(in: -3...3)))
    }
}

/// The exponential draw is exact integer arithmetic: -ln(u / 2^53) x mean, rounded half up, to the unit, on
/// every platform (reference values from 80-digit decimal arithmetic).
@Test func exponentialDrawsAreExactAndPlatformFree() {
    let cases: [(u: UInt64, mean: UInt64, expected: Int64)] = [
        (1 << 53, 1_000_000_000, 0),                          // u = 1: ln 1 = 0
        (1 << 52, 1_000_000_000, 693_147_181),                // ln 2 = 0.693147180559...
        (1, 1_000_000_000, 36_736_800_570),                   // 53 ln 2, the longest draw
        (3 << 50, 1_800_000, 1_765_493),                      // -ln(3/8) x 30 min = 1765492.655...
        (123_456_789_012_345, 3_600_000, 15_443_598),         // 15443597.6836...
    ]
    for (u, mean, expected) in cases {
        #expect(RandomStream.exponential(uniform: u, meanNumerator: mean, denominator: 1) == expected, "u = \(u)")
    }
    // A rational mean: an hour over 60 arrivals an hour (in thousandths) is one minute.
    #expect(RandomStream.exponential(uniform: 1 << 52, meanNumerator: 3_600_000_000, denominator: 60_000) == 41_589)
    // The mean of many draws is the mean (100,000 draws of mean 30 min, within 1%), and a seed fixes the sequence.
    var stream = RandomStream(seed: 7, key: RandomStream.key(of: "sessions"))
    var total: Int64 = 0
    for _ in 0..<100_000 { total += stream.nextExponential(meanNumerator: 1_800_000, denominator: 1) }
    #expect(abs(Double(total) / 100_000 - 1_800_000) < 18_000)
    var again = RandomStream(seed: 7, key: RandomStream.key(of: "sessions"))
    #expect((0..<3).map { _ in again.nextExponential(meanNumerator: 1_800_000, denominator: 1) } == [1_226_476, 528_306, 1_191_253]) // Checked against an independent 80-digit reimplementation.
}

@Test func durationsPrintWithTheirLargestExactUnit() {
    #expect(SimDuration.minutes(14_400).description == "10d")
    #expect(SimDuration.minutes(90).description == "90m")
    #expect(SimDuration.milliseconds(250).description == "250ms")
    #expect(SimDuration.weeks(8).description == "8w")
    #expect((SimInstant.never + .hours(1)) == .never)
}

/// The bucketed queue pops in exactly (time, priority, insertion) order under interleaved pushes, pops and
/// removals, with bunched and distinct times, more keys than its cache holds, pushes into the bucket being
/// drained, and removals at a bucket's head, middle and end (tombstones).
@Test(arguments: [1, 2, 3])
func bucketQueueMatchesANaiveTotalOrder(seed: UInt64) {
    var queue = EventQueue<Int>()
    var naive: [(time: Int64, rank: UInt8, sequence: Int, handle: EventHandle)] = []
    var stream = RandomStream(seed: seed, key: 7)
    var now: Int64 = 0
    var sequence = 0
    var removed = 0
    for step in 0..<8_000 {
        let action = stream.next(below: 10)
        if action < 6 || naive.isEmpty {
            // Bunched (a few instants, including now) or spread over many distinct instants.
            let bunched = stream.next(below: 2) == 0
            let time = now + (bunched ? Int64(stream.next(below: 3)) * 1000 : Int64(stream.next(below: 200_000)))
            let rank = UInt8(stream.next(below: 3))
            let handle = queue.push(time: SimInstant(millisecondsSinceStart: time), priority: EventPriority(rank: rank), payload: sequence)
            naive.append((time, rank, sequence, handle))
            sequence += 1
        } else if action < 8 {
            let victim = Int(stream.next(below: UInt64(naive.count)))
            queue.remove(naive[victim].handle)
            naive.remove(at: victim)
            removed += 1
        } else {
            let expected = naive.indices.min { (naive[$0].time, naive[$0].rank, naive[$0].sequence) < (naive[$1].time, naive[$1].rank, naive[$1].sequence) }!
            #expect(queue.nextTime?.millisecondsSinceStart == naive[expected].time)
            let event = queue.popFirst()!
            #expect(event.payload == naive[expected].sequence)
            #expect(event.time.millisecondsSinceStart == naive[expected].time)
            #expect(event.priority.rank == naive[expected].rank)
            now = event.time.millisecondsSinceStart
            naive.remove(at: expected)
        }
        if step % 1_000 == 0 { queue.checkInvariants() }
    }
    #expect(removed > 1_000)
    #expect(queue.count == naive.count)
    queue.checkInvariants()
    // Drain: everything left comes out in order, and the queue ends empty.
    let order = naive.sorted { ($0.time, $0.rank, $0.sequence) < ($1.time, $1.rank, $1.sequence) }.map(\.sequence)
    var drained: [Int] = []
    while let event = queue.popFirst() { drained.append(event.payload) }
    #expect(drained == order)
    #expect(queue.isEmpty && queue.openBucketCount == 0)
}

/// A key with more events than one bucket array holds continues in new buckets: FIFO order is
/// exact across them, removals in any of them are honoured, and a full array is never copied.
@Test func aKeyBeyondOneBucketArrayKeepsFifoOrder() throws {
    var queue = EventQueue<Int>()
    let perArray = Int(EventQueue<Int>.largestBucket)
    let total = 3 * perArray + 5
    var handles: [EventHandle] = []
    for index in 0..<total {
        handles.append(queue.push(time: .start + .seconds(7), priority: .normal, payload: index))
        // Other keys in between, before and after the crowded one.
        if index % 1_000 == 0 { queue.push(time: .start + .seconds(Int64(index % 3 == 0 ? 3 : 9)), priority: .normal, payload: -index) }
    }
    #expect(queue.openBucketCount == 4 + 2) // Four arrays for the crowded key, one bucket for each other key.
    queue.checkInvariants()
    // Remove the whole first array's events but one, and a run spanning the second and third.
    let removed = Set(Array(1..<perArray) + Array(2 * perArray - 10..<2 * perArray + 10))
    for index in removed.sorted() { queue.remove(handles[index]) }
    queue.checkInvariants()
    var crowded: [Int] = []
    var times: [Int64] = []
    while let event = queue.popFirst() {
        times.append(event.time.millisecondsSinceStart)
        if event.time == .start + .seconds(7) { crowded.append(event.payload) }
    }
    #expect(crowded == (0..<total).filter { !removed.contains($0) })
    #expect(times == times.sorted())
    #expect(queue.isEmpty && queue.openBucketCount == 0)
}
