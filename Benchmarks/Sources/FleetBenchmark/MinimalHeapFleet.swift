/// The canonical fleet workload as a minimal hand-written model on a plain binary heap.
///
/// The baseline the issue names ("a minimal hand-written binary-heap model of
/// the same workload"): no kernel, no model layers, one array-backed heap of
/// value-type events ordered by (time, sequence), the reference's semantics
/// line for line. `leasesim-bench minimal` runs it beside `fleet` so the
/// comparison is made on the same machine, and its outcome must match.
public enum MinimalHeapFleet {
    enum Kind: UInt8 { case demand, renewalTimer, renew, request, grant, release, reservedCheck, incrementCheck }

    struct Event {
        var time: Int64
        var sequence: Int64
        var kind: Kind
        var client: Int32
        var value: Int32
        func before(_ other: Event) -> Bool { time != other.time ? time < other.time : sequence < other.sequence }
    }

    struct Heap {
        var items: [Event] = []
        var sequence: Int64 = 0
        mutating func push(_ time: Int64, _ kind: Kind, _ client: Int32, _ value: Int32 = 0) {
            items.append(Event(time: time, sequence: sequence, kind: kind, client: client, value: value))
            sequence += 1
            var child = items.count - 1
            let moving = items[child]
            while child > 0 {
                let parent = (child - 1) / 2
                guard moving.before(items[parent]) else { break }
                items[child] = items[parent]
                child = parent
            }
            items[child] = moving
        }
        mutating func pop() -> Event {
            let first = items[0]
            let last = items.removeLast()
            if !items.isEmpty {
                var parent = 0
                while true {
                    var child = 2 * parent + 1
                    guard child < items.count else { break }
                    if child + 1 < items.count && items[child + 1].before(items[child]) { child += 1 }
                    guard items[child].before(last) else { break }
                    items[parent] = items[child]
                    parent = child
                }
                items[parent] = last
            }
            return first
        }
    }

    /// Runs the workload; returns (events, denied user-hours, final leased).
    public static func run(clients count: Int, days: Int64) -> (events: Int64, deniedUserHours: Int64, finalLeased: Int64) {
        let hour: Int64 = 3600, ruc: Int32 = 50, ilq: Int32 = 25, muc: Int32 = 150
        let end = days * 24 * hour
        let n = count
        var used = Int32(50 * n), capacity = Int32(60 * n)
        var reserved = [Int32](repeating: ruc, count: n), reservedUntil = [Int64](repeating: 240 * hour, count: n)
        var increment = [Int32](repeating: 0, count: n), incrementUntil = [Int64](repeating: 0, count: n)
        var leased = [Int32](repeating: ruc, count: n), demand = [Int32](repeating: 0, count: n)
        var pending = [Bool](repeating: false, count: n), lastGrant = [Int64](repeating: 0, count: n)
        var events: Int64 = 0, denied: Int64 = 0
        var heap = Heap()
        for i in 0..<n { heap.push(240 * hour, .reservedCheck, Int32(i)) }
        for i in 0..<n {
            heap.push(0, .demand, Int32(i), 0)
            heap.push(4 * hour, .renewalTimer, Int32(i))
        }
        while let next = heap.items.first, next.time < end {
            let event = heap.pop()
            let now = event.time, i = Int(event.client)
            events += 1
            switch event.kind {
            case .demand:
                let h = Int64(event.value)
                let d = Int32(50 + (Int64(i) * 7919 + h * 104_729) % 101)
                demand[i] = d
                let held = leased[i]
                if d > held && held < muc && !pending[i] {
                    pending[i] = true
                    heap.push(now, .request, Int32(i), min((d - held + ilq - 1) / ilq * ilq, muc - held))
                } else if d < held - ilq && now - lastGrant[i] >= 24 * hour {
                    let keep = max(ruc, (d + ilq - 1) / ilq * ilq)
                    leased[i] = keep
                    heap.push(now, .release, Int32(i), held - keep)
                } else if d > held {
                    denied += Int64(d - held)
                }
                heap.push(now + hour, .demand, Int32(i), Int32(h + 1))
            case .renewalTimer:
                heap.push(now, .renew, Int32(i))
                heap.push(now + 4 * hour, .renewalTimer, Int32(i))
            case .renew:
                reservedUntil[i] = now + 240 * hour
                heap.push(now + 240 * hour, .reservedCheck, Int32(i))
                if increment[i] > 0 {
                    incrementUntil[i] = now + 24 * hour
                    heap.push(now + 24 * hour, .incrementCheck, Int32(i))
                }
            case .request:
                let granted = min(event.value, (capacity - used) / ilq * ilq)
                if granted > 0 {
                    used += granted
                    increment[i] += granted
                    incrementUntil[i] = now + 24 * hour
                    heap.push(now + 24 * hour, .incrementCheck, Int32(i))
                }
                heap.push(now, .grant, Int32(i), granted)
            case .grant:
                pending[i] = false
                if event.value > 0 {
                    leased[i] += event.value
                    lastGrant[i] = now
                }
                if demand[i] > leased[i] { denied += Int64(demand[i] - leased[i]) }
            case .release:
                used -= event.value
                increment[i] -= event.value
            case .reservedCheck:
                if reserved[i] > 0 && reservedUntil[i] <= now {
                    used -= reserved[i]; leased[i] -= reserved[i]; reserved[i] = 0
                }
            case .incrementCheck:
                if increment[i] > 0 && incrementUntil[i] <= now {
                    used -= increment[i]; leased[i] -= increment[i]; increment[i] = 0
                }
            }
        }
        capacity = 0
        return (events, denied, leased.reduce(0) { $0 + Int64($1) })
    }
}
