#!/usr/bin/env python3
"""leasesim's SimPy peer of the canonical fleet workload (see "Benchmarks" in the README).

Written from the workload definition, to run side by side with
`leasesim-bench fleet`. Usage: python3 simpy_fleet_peer.py N DAYS
Prints: N=.. days=.. events=.. wall_s=.. events_per_s=.. denied_user_hours=.. final_leased=.. peak_rss_mib=..

Workload: one server with 60*N licenses; N clients with RUC 50, ILQ 25,
MUC 150 holding 50 at t=0 (reserved expiry 240 h, a check at 240 h); every
hour h client i sees d = 50 + ((i*7919 + h*104729) mod 101) users and asks
for ceil((d-leased)/25)*25 more (capped at MUC) when short, gives back down to
max(RUC, ceil(d/25)*25) when d < leased-25 and 24 h passed since its last
grant; the server grants min(want, free rounded down to whole quanta); renewals
every 4 h refresh the reserved (240 h) and incremental (24 h) expiries;
messages are zero-latency events; equal times run in creation order (SimPy's
own FIFO); events at the end instant are not run.
"""
import resource
import sys
import time

import simpy

HOUR = 3600
RUC, ILQ, MUC, PER_CLIENT = 50, 25, 150, 60
RENEWAL, INCREMENT_LEASE, RESERVED_LEASE, HOLD = 4 * HOUR, 24 * HOUR, 240 * HOUR, 24 * HOUR


def ceil_div(a, b):
    return -(-a // b)


class Fleet:
    def __init__(self, env, n):
        self.env = env
        self.installed = PER_CLIENT * n
        self.used = RUC * n
        self.reserved = [RUC] * n
        self.reserved_until = [RESERVED_LEASE] * n
        self.increment = [0] * n
        self.increment_until = [0] * n
        self.leased = [RUC] * n       # the clients' view
        self.users = [0] * n
        self.waiting = [False] * n
        self.last_grant = [0] * n
        self.events = 0
        self.denied = 0

    # -- plumbing: a message or timer is a SimPy timeout whose value is the payload, with one callback
    def at(self, delay, callback, value):
        event = self.env.timeout(delay, value)
        event.callbacks.append(callback)

    # -- server
    def check(self, event):
        i, reserved = event.value
        self.events += 1
        now = self.env.now
        if reserved and self.reserved[i] > 0 and self.reserved_until[i] <= now:
            self.used -= self.reserved[i]
            self.leased[i] -= self.reserved[i]
            self.reserved[i] = 0
        if not reserved and self.increment[i] > 0 and self.increment_until[i] <= now:
            self.used -= self.increment[i]
            self.leased[i] -= self.increment[i]
            self.increment[i] = 0

    def request(self, event):
        i, want = event.value
        self.events += 1
        granted = min(want, (self.installed - self.used) // ILQ * ILQ)
        if granted > 0:
            self.used += granted
            self.increment[i] += granted
            self.increment_until[i] = self.env.now + INCREMENT_LEASE
            self.at(INCREMENT_LEASE, self.check, (i, False))
        self.at(0, self.grant, (i, granted))

    def release(self, event):
        i, count = event.value
        self.events += 1
        self.used -= count
        self.increment[i] -= count

    def renew(self, event):
        i = event.value
        self.events += 1
        now = self.env.now
        self.reserved_until[i] = now + RESERVED_LEASE
        self.at(RESERVED_LEASE, self.check, (i, True))
        if self.increment[i] > 0:
            self.increment_until[i] = now + INCREMENT_LEASE
            self.at(INCREMENT_LEASE, self.check, (i, False))

    # -- client
    def grant(self, event):
        i, granted = event.value
        self.events += 1
        self.waiting[i] = False
        if granted > 0:
            self.leased[i] += granted
            self.last_grant[i] = self.env.now
        self.denied += max(0, self.users[i] - self.leased[i])

    def demand(self, i, hour):
        self.events += 1
        users = 50 + (i * 7919 + hour * 104729) % 101
        self.users[i] = users
        leased = self.leased[i]
        if users > leased and leased < MUC and not self.waiting[i]:
            self.waiting[i] = True
            self.at(0, self.request, (i, min(ceil_div(users - leased, ILQ) * ILQ, MUC - leased)))
        elif users < leased - ILQ and self.env.now - self.last_grant[i] >= HOLD:
            keep = max(RUC, ceil_div(users, ILQ) * ILQ)
            self.leased[i] = keep
            self.at(0, self.release, (i, leased - keep))
        else:
            self.denied += max(0, users - leased)

    def client(self, i):
        hour = 0
        while True:
            self.demand(i, hour)
            hour += 1
            yield self.env.timeout(HOUR)

    def renewals(self, i):
        while True:
            yield self.env.timeout(RENEWAL)
            self.events += 1
            self.at(0, self.renew, i)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    started = time.perf_counter()
    env = simpy.Environment()
    fleet = Fleet(env, n)
    for i in range(n):
        fleet.at(RESERVED_LEASE, fleet.check, (i, True))
    for i in range(n):
        env.process(fleet.client(i))
        env.process(fleet.renewals(i))
    env.run(until=days * 24 * HOUR)
    wall = time.perf_counter() - started
    final = sum(fleet.leased)
    assert final == fleet.used
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"N={n} days={days} events={fleet.events} wall_s={wall:.3f} events_per_s={fleet.events / wall:.0f} "
          f"denied_user_hours={fleet.denied} final_leased={final} peak_rss_mib={rss:.1f}")


if __name__ == "__main__":
    main()
