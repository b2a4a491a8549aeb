"""The M/M/1 queue in SimPy 2 (Debian's python3-simpy, SimPy 2.3.1), the peer of mm1.ts.

Written the way the SimPy 2 manual writes it (a source process, one process per customer, a Resource of
capacity 1) so that the comparison is against idiomatic SimPy, not a hand-tuned event loop.
Prints one JSON line: customers, wall seconds, mean wait in queue, mean time in system.
"""
import argparse
import json
import random
import time

from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate


class Statistics:
    """Running sums, so that memory stays flat however many customers pass."""

    def __init__(self):
        self.customers = 0
        self.wait_sum = 0.0
        self.system_sum = 0.0


class Customer(Process):
    def visit(self, server, service_rate, rng, statistics):
        arrival = now()
        yield request, self, server
        statistics.wait_sum += now() - arrival
        yield hold, self, rng.expovariate(service_rate)
        yield release, self, server
        statistics.system_sum += now() - arrival
        statistics.customers += 1


class Source(Process):
    def generate(self, customers, arrival_rate, service_rate, server, rng, statistics):
        for _ in range(customers):
            customer = Customer()
            activate(customer, customer.visit(server, service_rate, rng, statistics))
            yield hold, self, rng.expovariate(arrival_rate)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=500_000)
    parser.add_argument("--arrival-rate", type=float, default=0.9)
    parser.add_argument("--service-rate", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    rng = random.Random(options.seed)
    statistics = Statistics()
    started = time.perf_counter()
    initialize()
    server = Resource(capacity=1)
    source = Source()
    activate(source, source.generate(options.customers, options.arrival_rate, options.service_rate, server, rng, statistics))
    # No time limit: the run ends when the last customer leaves and the event list is empty.
    simulate(until=float("inf"))
    wall_seconds = time.perf_counter() - started

    print(json.dumps({
        "customers": statistics.customers,
        "wallSeconds": wall_seconds,
        "meanWaitInQueue": statistics.wait_sum / statistics.customers,
        "meanTimeInSystem": statistics.system_sum / statistics.customers,
    }))


if __name__ == "__main__":
    main()
