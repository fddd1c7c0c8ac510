#!/usr/bin/env python3
"""Writes docs/benchmarks.md from the results of scripts/bench.sh, and checks the targets.

    scripts/bench-report.py [--results test-output/bench] [--out docs/benchmarks.md]
    scripts/bench-report.py --targets      prints only the targets table (Markdown) to stdout

Reads results.jsonl (one `portico-bench measure` line each, with its dataset: floor, base,
localstripe or scale) and meta.json (machine, versions, start-up, memory, seeding).
"""

import argparse
import json
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The concurrency at which the targets are judged.
TARGET_C = 32

SESSION_OPS = [
    'session.create',
    'session.create.payment_method_update',
    'session.create.subscription_cancel',
    'session.create.subscription_update',
    'session.create.subscription_update_confirm',
]
PORTICO_OPS = [
    'customer.create', 'customer.retrieve', 'customer.update',
    'subscription.create', 'subscription.retrieve',
    *SESSION_OPS,
    'invoice.preview', 'portal.home', 'portal.update_confirm',
]
# Calls both servers implement: Portico's operation and localstripe's.
SHARED = [(op, 'localstripe.' + op) for op in [
    'customer.create', 'customer.retrieve', 'customer.update',
    'subscription.create', 'subscription.retrieve',
]]
SCALE_OPS = ['session.create', 'session.create.subscription_cancel']
# Measured on PostgreSQL too (bench.sh's postgres_ops), at the target concurrency.
POSTGRES_OPS = [
    'customer.retrieve', 'customer.update', 'session.create',
    'session.create.subscription_update_confirm', 'portal.home',
]

# The throughput targets, read by the verdicts and by the CPU budget alike.
INSERT_SHARE = 0.5       # durable writes: this share of the insert floor
HTTP_SHARE = 0.3         # the portal homepage: this share of the fixed-body HTTP floor
LOCALSTRIPE_FACTOR = 20  # the calls both serve: this many times localstripe's throughput
# Each floor and the operation read against it, measured back to back in rounds (bench.sh's
# "paired" measurements), so that both see the machine at the same speed.
PAIRED = [('floor.http', 'portal.home'), ('floor.insert', 'session.create')]


class Results:
    def __init__(self, directory):
        self.meta = json.load(open(os.path.join(directory, 'meta.json')))
        self.rows = [json.loads(line) for line in open(os.path.join(directory, 'results.jsonl'))
                     if line.strip()]
        # A floor measured more than once counts at its fastest: Portico is read against the
        # most this machine did in the run.
        self.by_key = {}
        for r in self.rows:
            key = (r['dataset'], r['op'], r['concurrency'])
            old = self.by_key.get(key)
            if old is None or (ok(r) and (not ok(old) or r['per_second'] > old['per_second'])):
                self.by_key[key] = r

    def get(self, dataset, op, c):
        return self.by_key.get((dataset, op, c))

    def concurrencies(self):
        return self.meta.get('concurrency') or sorted({r['concurrency'] for r in self.rows})


def ok(r):
    """A measurement that ran and saw no error."""
    return r is not None and 'failed' not in r and not r.get('errors')


def num(x):
    return f'{x:,.0f}'


def ms(x):
    if x is None:
        return '–'
    return f'{x:.2f}' if x < 10 else f'{x:.1f}'


def mib(kb):
    return f'{kb / 1024:.1f} MiB'


def errors_cell(r):
    if r is None:
        return 'not measured'
    if 'failed' in r:
        return '**failed**'
    return f"**{r['errors']}**" if r['errors'] else '0'


def table(header, rows, numeric_from=1):
    """A Markdown table; columns from `numeric_from` on are right-aligned."""
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '|'.join(' --- ' if i < numeric_from else ' ---: '
                            for i in range(len(header))) + '|']
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines)


def verdict(passed, *measurements):
    """PASS or FAIL; n/a when a figure is missing; FAIL when a measurement behind it had errors."""
    if any(m is not None and 'failed' in m for m in measurements):
        return 'FAIL (a measurement failed)'
    if passed is None or any(m is None for m in measurements):
        return 'n/a'
    if any(m.get('errors') for m in measurements):
        return 'FAIL (errors)'
    return 'PASS' if passed else 'FAIL'


def missing(*measurements):
    """What a target's row says when a figure behind it is missing."""
    if any(m is not None and 'failed' in m for m in measurements):
        return 'measurement failed'
    return 'not measured'


def paired_rounds(res, floor_op, op, c=None):
    """[(floor's row, operation's row)]: the rounds in which `op` ran right after `floor_op`
    (at concurrency `c`, when given)."""
    rows = [r for r in res.rows if r['dataset'] == 'paired']
    return [(f, r) for f, r in zip(rows, rows[1:]) if f['op'] == floor_op and r['op'] == op
            and (c is None or f['concurrency'] == r['concurrency'] == c)]


def paired_share(res, floor_op, op, c):
    """(median share, [share per round], [every row]) of the back-to-back rounds at
    concurrency `c`; None when there were none. A round that failed leaves no share, and its
    rows make the verdict fail."""
    rounds = paired_rounds(res, floor_op, op, c)
    shares = [r['per_second'] / f['per_second'] for f, r in rounds
              if 'failed' not in f and 'failed' not in r and f.get('per_second')]
    if not shares:
        return None
    return statistics.median(shares), shares, [m for pair in rounds for m in pair]


def shares_text(paired, floor_name):
    median, shares, _ = paired
    if len(shares) == 1:
        return f'; back to back with the {floor_name} floor, in one round: {median:.0%}'
    each = ', '.join(f'{s:.0%}' for s in shares)
    return (f'; back to back with the {floor_name} floor: median {median:.0%} of '
            f'{number_word(len(shares))} rounds ({each})')


def targets(res):
    """[(target, measured, verdict)]

    A throughput share is judged on the back-to-back rounds when the run has them (the floor
    and the operation a few seconds apart, on the same machine speed); otherwise, and for the
    flows that have none, on each one's fastest run."""
    out = []
    c = TARGET_C
    insert = res.get('floor', 'floor.insert', c)
    for op in SESSION_OPS:
        r = res.get('base', op, c)
        paired = paired_share(res, 'floor.insert', op, c)
        if r and insert and 'failed' not in r and 'failed' not in insert:
            share = r['per_second'] / insert['per_second'] if insert['per_second'] else 0
            measured = (f"{num(r['per_second'])}/s = {share:.0%} of the insert floor's fastest "
                        f"run ({num(insert['per_second'])}/s)"
                        + (shares_text(paired, 'insert') if paired else '')
                        + f"; p99 {ms(r['p99_ms'])} ms")
            passed = (paired[0] if paired else share) >= INSERT_SHARE and r['p99_ms'] < 5
        else:
            measured, passed = missing(r, insert), None
        out.append((f'`{op}` at c={c}: ≥ {INSERT_SHARE:.0%} of the insert floor\'s throughput, p99 < 5 ms',
                    measured, verdict(passed, r, insert, *(paired[2] if paired else []))))

    http = res.get('floor', 'floor.http', c)
    r = res.get('base', 'portal.home', c)
    paired = paired_share(res, 'floor.http', 'portal.home', c)
    if r and http and 'failed' not in r and 'failed' not in http:
        share = r['per_second'] / http['per_second'] if http['per_second'] else 0
        measured = (f"{num(r['per_second'])}/s = {share:.0%} of the HTTP floor's fastest run "
                    f"({num(http['per_second'])}/s)" + (shares_text(paired, 'HTTP') if paired else ''))
        passed = (paired[0] if paired else share) >= HTTP_SHARE
    else:
        measured, passed = missing(r, http), None
    out.append((f'`portal.home` at c={c}: ≥ {HTTP_SHARE:.0%} of the fixed-body HTTP floor\'s throughput',
                measured, verdict(passed, r, http, *(paired[2] if paired else []))))

    for op, ls_op in SHARED:
        p, l = res.get('base', op, c), res.get('localstripe', ls_op, c)
        if p and l and 'failed' not in p and 'failed' not in l:
            factor = p['per_second'] / l['per_second'] if l['per_second'] else float('inf')
            measured = f"{num(p['per_second'])}/s vs {num(l['per_second'])}/s = {factor:,.1f}×"
            passed = factor >= LOCALSTRIPE_FACTOR
            asked = LOCALSTRIPE_FACTOR * l['per_second']
            if not passed and http and 'failed' not in http and asked > http['per_second']:
                measured += (f"; {LOCALSTRIPE_FACTOR}× localstripe is {num(asked)}/s, above the "
                             f"fixed-body HTTP floor's {num(http['per_second'])}/s (a server that "
                             f"does nothing but answer)")
        else:
            measured, passed = missing(p, l), None
        out.append((f'`{op}` at c={c}: ≥ {LOCALSTRIPE_FACTOR}× localstripe\'s throughput', measured,
                    verdict(passed, p, l)))
    out.append(shared_mix(res, c))

    sc = res.meta.get('scale_concurrency', c)
    for op in SCALE_OPS:
        small, big = res.get('base', op, sc), res.get('scale', op, sc)
        if small and big and 'failed' not in small and 'failed' not in big and small['p99_ms']:
            ratio = big['p99_ms'] / small['p99_ms']
            measured = (f"p99 {ms(big['p99_ms'])} ms at 1M vs {ms(small['p99_ms'])} ms "
                        f"at 10k = {ratio:.2f}×")
            passed = ratio <= 1.5
        else:
            measured = missing(small, big) + ('' if res.meta.get('scale') else ' (run without --no-scale/--quick)')
            passed = None
        out.append((f'`{op}` at c={sc}: p99 with 1M customers ≤ 1.5× the 10k figure',
                    measured, verdict(passed, small, big)))

    runs = (res.meta.get('startup-base') or {}).get('runs_ms') or []
    if runs:
        med = statistics.median(runs)
        out.append(('Start-up to the first answer, existing database: < 100 ms',
                    f'median {med:.0f} ms of {len(runs)} (max {max(runs):.0f} ms)',
                    'PASS' if med < 100 else 'FAIL'))
    else:
        out.append(('Start-up to the first answer, existing database: < 100 ms', 'not measured', 'n/a'))

    idle = (res.meta.get('rss-idle') or {}).get('idle_rss_kb')
    if idle:
        out.append(('Idle RSS < 30 MB', f'{idle * 1024 / 1e6:.1f} MB ({mib(idle)})',
                    'PASS' if idle * 1024 < 30e6 else 'FAIL'))
    else:
        out.append(('Idle RSS < 30 MB', 'not measured', 'n/a'))
    return out


def rounds_text(n):
    return 'one round' if n == 1 else f'{number_word(n)} rounds'


def number_word(n):
    """A small count in words, as the report's prose writes it."""
    words = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten']
    return words[n] if 0 <= n < len(words) else f'{n:,}'


def shared_mix(res, c):
    """The shared calls as one workload, as a test suite making each of them equally often sees
    it: a round of one of each takes the sum of their times per call (1 ÷ throughput), and the
    factor is localstripe's round time over Portico's. Kept beside the per-call rows, not
    instead of them: the slowest calls weigh most in it."""
    label = (f'The {number_word(len(SHARED))} shared calls as one workload (one of each) at c={c}: '
             f'≥ {LOCALSTRIPE_FACTOR}× localstripe\'s throughput')
    pairs = [(res.get('base', op, c), res.get('localstripe', ls_op, c)) for op, ls_op in SHARED]
    every = [m for pair in pairs for m in pair]
    if not all(m and 'failed' not in m and m['per_second'] for m in every):
        return (label, missing(*every), verdict(None, *every))
    portico = sum(1 / p['per_second'] for p, _ in pairs)
    ls = sum(1 / l['per_second'] for _, l in pairs)
    factor = ls / portico
    measured = (f'a round in {portico * 1e3:.2f} ms vs {ls * 1e3:.0f} ms = {factor:,.1f}× '
                f'({1 / portico:,.0f} rounds/s vs {1 / ls:,.1f})')
    return (label, measured, verdict(factor >= LOCALSTRIPE_FACTOR, *every))


def cpu_cells(r):
    """The server's and the load generator's CPU µs per operation, and the cores both kept busy."""
    server, client = r.get('server_cpu_us_per_op'), r.get('client_cpu_us_per_op')
    cores = ((server + client) * r['per_second'] / 1e6
             if server is not None and client is not None else None)
    fmt = lambda x: '–' if x is None else f'{x:,.1f}'
    return [fmt(server), fmt(client), '–' if cores is None else f'{cores:.2f}']


def cpu_rows(res, c):
    """[row] of the CPU table: every operation measured at concurrency `c`."""
    rows = []
    for dataset, ops in [('floor', ['floor.http', 'floor.insert']), ('base', PORTICO_OPS),
                         ('localstripe', [l for _, l in SHARED])]:
        for op in ops:
            r = res.get(dataset, op, c)
            if ok(r) and r.get('client_cpu_us_per_op') is not None:
                rows.append([f'`{op}`', num(r['per_second'])] + cpu_cells(r))
    return rows


def latency_ceiling(res, c):
    """A sentence: the lowest mean latency session creation could reach at concurrency `c` were
    both sides' CPU per operation to stay as measured and every core to be busy; '' when the
    figures are missing."""
    r = res.get('base', 'session.create', c)
    if not ok(r) or r.get('client_cpu_us_per_op') is None or r.get('server_cpu_us_per_op') is None:
        return ''
    cores = res.meta.get('nproc') or 2
    per_op = r['server_cpu_us_per_op'] + r['client_cpu_us_per_op']
    ceiling = cores * 1e6 / per_op
    mean_ms = c / ceiling * 1e3
    head = (f' Session creation costs {per_op:,.1f} µs of CPU per operation, server and load '
            f'generator together: with all {cores} cores busy it could reach at most '
            f'{num(ceiling)}/s, a mean latency of {mean_ms:.2f} ms at concurrency {c}')
    if mean_ms >= 5:
        return head + ', already above 5 ms.'
    return (head + f', so its p99 would stay under 5 ms only if the slowest 1% took less than '
            f'{5 / mean_ms:.2f}× the mean.')


def budget_rows(res, c):
    """[row]: for each throughput target, the CPU per operation that the machine's cores allow
    at the throughput it asks for, and what is left of it for the server."""
    cores = res.meta.get('nproc') or 2
    wanted = []
    insert, http = res.get('floor', 'floor.insert', c), res.get('floor', 'floor.http', c)
    for op in SESSION_OPS:
        if ok(insert):
            wanted.append((op, INSERT_SHARE * insert['per_second'],
                           f'{INSERT_SHARE:.0%} of the insert floor'))
    if ok(http):
        wanted.append(('portal.home', HTTP_SHARE * http['per_second'],
                       f'{HTTP_SHARE:.0%} of the HTTP floor'))
    for op, ls_op in SHARED:
        l = res.get('localstripe', ls_op, c)
        if ok(l):
            wanted.append((op, LOCALSTRIPE_FACTOR * l['per_second'], f'{LOCALSTRIPE_FACTOR}× localstripe'))
    rows = []
    for op, need, why in wanted:
        r = res.get('base', op, c)
        if not ok(r) or r.get('client_cpu_us_per_op') is None or not need:
            continue
        allowed = cores * 1e6 / need
        left = allowed - r['client_cpu_us_per_op']
        server = r.get('server_cpu_us_per_op')
        rows.append([f'`{op}`', f'{num(need)}/s ({why})', f'{allowed:,.1f}',
                     f"{r['client_cpu_us_per_op']:,.1f}",
                     f'{left:,.1f}' if left > 0 else f'**none** ({left:,.1f})',
                     '–' if server is None else f'{server:,.1f}'])
    return rows


def targets_table(res):
    return table(['Target', 'Measured', 'Result'], targets(res), numeric_from=3)


def all_runs(res, dataset):
    """The ops/s of every measurement of `dataset` that ran more than once, or ''."""
    runs = {}
    for r in res.rows:
        if r['dataset'] == dataset and ok(r):
            runs.setdefault((r['op'], r['concurrency']), []).append(num(r['per_second']))
    return '; '.join(f"`{op}` c={cc}: {', '.join(v)}"
                     for (op, cc), v in sorted(runs.items()) if len(v) > 1)


def op_rows(res, dataset, ops):
    rows = []
    for op in ops:
        for c in res.concurrencies():
            r = res.get(dataset, op, c)
            if r is None:
                continue
            if 'failed' in r:
                rows.append([f'`{op}`', c, '–', '–', '–', '–', '**failed**'])
            else:
                rows.append([f'`{op}`', c, num(r['per_second']), ms(r['p50_ms']),
                             ms(r['p99_ms']), ms(r['max_ms']), errors_cell(r)])
    return rows


OP_HEADER = ['Operation', 'Concurrency', 'ops/s', 'p50 ms', 'p99 ms', 'max ms', 'Errors']

OP_NOTES = {
    'customer.create': 'POST /v1/customers',
    'customer.retrieve': 'GET /v1/customers/:id',
    'customer.update': 'POST /v1/customers/:id (metadata)',
    'subscription.create': 'POST /v1/subscriptions (a card on file, first invoice paid)',
    'subscription.retrieve': 'GET /v1/subscriptions/:id',
    'session.create': 'POST /v1/billing_portal/sessions, no flow',
    'session.create.payment_method_update': '… with flow_data[type]=payment_method_update',
    'session.create.subscription_cancel': '… with flow_data[type]=subscription_cancel',
    'session.create.subscription_update': '… with flow_data[type]=subscription_update',
    'session.create.subscription_update_confirm': '… with flow_data[type]=subscription_update_confirm',
    'invoice.preview': 'POST /v1/invoices/create_preview (a price change)',
    'portal.home': 'GET of the portal homepage with the browser\'s cookie',
    'portal.update_confirm': 'the deep-linked price change as a browser does it: create the session, '
                             'open the link, preview, confirm, redirect (4 requests)',
}


def report(res):
    m = res.meta
    cs = res.concurrencies()
    c = TARGET_C
    lines = []
    add = lines.append
    add('# Benchmarks')
    add('')
    add('Throughput and latency of Portico\'s API calls and portal pages, read against what this '
        'machine can do at most (the floors) and against localstripe on the calls both serve; '
        'session creation on 10,000 and 1,000,000 customers; the main operations on PostgreSQL; '
        'start-up time, memory and binary size.')
    add('')
    add('Reproduce with:')
    add('')
    add('```sh')
    add('scripts/bench.sh              # the full run, about 16 minutes; rewrites this file')
    add('scripts/bench.sh --no-scale   # without the 1,000,000-customer dataset')
    add('scripts/bench.sh --no-postgres  # without the PostgreSQL run')
    add('scripts/bench.sh --quick      # a smoke run (2 s per measurement); report in test-output/bench/')
    add('```')
    add('')
    add(f"These figures: `{m.get('command')}` on {m.get('date')}, commit "
        f"`{(m.get('git_commit') or '?')[:12]}`{' (with uncommitted changes)' if m.get('git_dirty') else ''}; "
        f"{m.get('duration')} per measurement after a {m.get('warmup')} warm-up, "
        f"concurrency {' and '.join(str(x) for x in cs)}; the whole run took "
        f"{m.get('run_seconds', 0) // 60} min {m.get('run_seconds', 0) % 60} s.")
    if m.get('quick'):
        add('')
        add('**A quick run**: measurements this short are rough; the full run is the reference.')
    add('')
    add('## Machine')
    add('')
    load = m.get('loadavg') or {}
    add(table(['', ''], [
        ['CPU', f"{m.get('cpu')}, {m.get('nproc')} cores"],
        ['Memory', f"{m['mem_total_kb'] / 2**20:.1f} GiB" if m.get('mem_total_kb') else '?'],
        ['Kernel', m.get('kernel')],
        ['Rust', m.get('rustc') or '?'],
        ['SQLite', m.get('sqlite')],
        ['localstripe', f"{m.get('localstripe')} (aiohttp {m.get('aiohttp')}, Python {m.get('python')})"],
        ['Load average (1, 5, 15 min)', f"{load.get('start', '?')} at the start, {load.get('end', '?')} at the end"],
    ], numeric_from=2))
    add('')
    add('## How to read these figures')
    add('')
    add(f"- Everything runs on this one machine over loopback: the load generator "
        f"(`portico-bench measure`) shares its {m.get('nproc', '?')} cores with the server it "
        f"measures, so every figure is lower than on a machine where the two are apart, and the "
        f"floors are too. Other work on the machine shows in the load average above.")
    add('- **The floors** are what this machine does at most, served the way Portico serves '
        '(hyper, HTTP/1.1 keep-alive, the same runtime and allocator), by `portico-bench floor`: '
        '*http* answers every request with a fixed Stripe-sized JSON body and does nothing else; '
        '*insert* stores each POST as one row of SQLite (WAL, `synchronous=FULL`) in its own '
        'transaction, durable when answered. Portico\'s durable writes are read against the '
        'insert floor, its pages against the HTTP floor.')
    if m.get('paired_rounds'):
        add(f"- **Back to back.** This machine's speed drifts by up to a third from one minute to "
            f"the next, floors included, so a floor's fastest run and an operation's fastest run, "
            f"taken minutes apart, can make a share too high or too low. The run therefore also "
            f"measures each floor and the operation read against it one right after the other "
            f"({rounds_text(m['paired_rounds'])} of {m.get('paired_duration')} each, at concurrency {c}: "
            f"`floor.http` then `portal.home`, `floor.insert` then `session.create`). The targets "
            f"judge a share on the median of those rounds; the fastest-run share stays beside it.")
    add('- **Concurrency** is the number of virtual users, each sending its next request as soon '
        'as the previous one is answered. ops/s counts answered operations; p50/p99/max are their '
        'latencies as the client sees them. Errors are any non-2xx answer or failed request '
        'after the warm-up; a target is not met when its measurement had errors.')
    add(f'- The dataset: {describe_seed(m.get("seed-base"))}, made by `portico-bench seed`. '
        'Each virtual user works on a customer of its own.')
    add(f'- The targets are judged at concurrency {c}.')
    add('')
    add('## Targets')
    add('')
    add(targets_table(res))
    add('')
    rows = cpu_rows(res, c)
    if rows:
        add('## Where the CPU goes')
        add('')
        add(f'The CPU time the server and the load generator each spent over a measurement, per '
            f'operation, at concurrency {c} (from `/proc/PID/stat`, all threads, user and system, '
            f'in 10 ms ticks). The load generator runs on the same {m.get("nproc", "?")} cores, so '
            f'no operation can go faster than {m.get("nproc", "?")} × 1,000,000 ÷ (server µs + '
            f'load generator µs) per second; "cores busy" is how close a measurement came.')
        add('')
        add(table(['Operation', 'ops/s', 'Server CPU µs/op', 'Load generator CPU µs/op',
                   'Cores busy'], rows))
        add('')
        brows = budget_rows(res, c)
        if brows:
            fh = res.get('floor', 'floor.http', c)
            floor_server = fh.get('server_cpu_us_per_op') if ok(fh) else None
            add('What each throughput target asks of the server: at the throughput it sets, the '
                'CPU time the cores allow per operation, less what the load generator takes for '
                'that operation, is what is left for the server.'
                + (f' For scale: the fixed-body HTTP floor\'s server spends {floor_server:,.1f} µs '
                   'per request.' if floor_server is not None else ''))
            add('')
            add(table(['Operation', 'Throughput the target asks for', 'CPU µs/op the cores allow',
                       'Load generator µs/op', 'Left for the server, µs/op',
                       'Portico\'s server now, µs/op'], brows))
            add('')
        insert = res.get('floor', 'floor.insert', c)
        if ok(insert):
            add(f'With {c} virtual users the mean latency is {c} ÷ throughput (Little\'s law), '
                f'so p99 under 5 ms at concurrency {c} takes more than {c} ÷ 5 ms = '
                f'{num(c / 0.005)} answers per second (unless the slowest 1% are far slower than '
                f'the rest). The insert floor, one durable insert per request and nothing else, '
                f'had p99 {ms(insert["p99_ms"])} ms at concurrency {c} in this run.'
                + latency_ceiling(res, c))
            add('')
    add('## Portico, operation by operation')
    add('')
    add(table(OP_HEADER, op_rows(res, 'base', PORTICO_OPS)))
    add('')
    note = all_runs(res, 'base')
    if note:
        add(f'At concurrency {c} each operation runs twice: the machine\'s speed drifts over '
            'minutes, so, as for the floors, the table and the targets use the faster run. The '
            'second runs come after the floors\' second run, except for `customer.create` and '
            '`subscription.create`, which run last, twice in a row (they add customers and '
            'subscriptions, which would weigh on the others). `portal.update_confirm` switches '
            'the plans of customers of its own: every switch adds proration lines to its '
            'subscription until the next invoice, and the other calls measure subscriptions as '
            'customers have them. Its cost grows with those lines: a subscription keeps its '
            'pending prorations in its own record, so every read decodes them and every change '
            'writes them again (on fresh subscriptions 2,870 µs of server CPU a flow at '
            'concurrency 32; after 16 s of switching, with about 450 pending lines in a '
            '224 KB record per subscription, 6,871 µs). All runs, ops/s: ' + note + '.')
        add('')
    add('What each operation is:')
    add('')
    for op in PORTICO_OPS:
        add(f'- `{op}`: {OP_NOTES[op]}')
    add('')
    add('## The floors')
    add('')
    add(table(OP_HEADER, op_rows(res, 'floor', ['floor.http', 'floor.insert'])))
    add('')
    note = all_runs(res, 'floor')
    if note:
        add('Each floor is measured before and after Portico\'s operations; the table and the '
            'ratios use the faster run. All runs, ops/s: ' + note + '.')
        add('')
    insert, http = res.get('floor', 'floor.insert', c), res.get('floor', 'floor.http', c)
    rows = []
    for op in SESSION_OPS:
        r = res.get('base', op, c)
        if ok(r) and ok(insert):
            rows.append([f'`{op}`', 'insert', f"{r['per_second'] / insert['per_second']:.0%}"])
    for op in ['portal.home', 'customer.retrieve']:
        r = res.get('base', op, c)
        if ok(r) and ok(http):
            rows.append([f'`{op}`', 'http', f"{r['per_second'] / http['per_second']:.0%}"])
    if rows:
        add(f'Throughput as a share of the floor, at concurrency {c} (fastest runs):')
        add('')
        add(table(['Operation', 'Floor', 'Share of the floor'], rows, numeric_from=2))
        add('')
    for floor_op, op in PAIRED:
        rounds = paired_rounds(res, floor_op, op, c)
        if not rounds:
            continue
        add(f'`{floor_op}` and `{op}` back to back at concurrency {c}, round by round:')
        add('')
        body = []
        for i, (f, r) in enumerate(rounds, 1):
            share = (f"{r['per_second'] / f['per_second']:.0%}"
                     if ok(f) and ok(r) and f['per_second'] else '–')
            body.append([str(i), num(f.get('per_second', 0)), num(r.get('per_second', 0)), share,
                         errors_cell(f) if not ok(f) else errors_cell(r)])
        add(table(['Round', f'`{floor_op}` ops/s', f'`{op}` ops/s', 'Share', 'Errors'], body))
        add('')
    add('## Against localstripe')
    add('')
    add('The same calls on [localstripe](https://github.com/adrienverge/localstripe), a Python '
        'Stripe emulator: a fresh, empty instance for each measurement (Portico\'s has the seeded '
        'dataset), bound to 127.0.0.1, without its access log. localstripe keeps everything in '
        'memory and rewrites its whole store to a pickle file after each write, without fsync, '
        'so its writes slow down as its store grows; Portico commits each write to SQLite '
        'durably. localstripe is one Python process (one core); Portico uses both.')
    add('')
    rows = []
    for op, ls_op in SHARED:
        for cc in cs:
            p, l = res.get('base', op, cc), res.get('localstripe', ls_op, cc)
            if p is None and l is None:
                continue
            pr = num(p['per_second']) if p and 'failed' not in p else '–'
            lr = num(l['per_second']) if l and 'failed' not in l else '–'
            factor = (f"{p['per_second'] / l['per_second']:,.1f}×"
                      if ok(p) and ok(l) and l['per_second'] else '–')
            rows.append([f'`{op}`', cc, pr, lr, f'**{factor}**' if cc == c else factor,
                         ms(p['p99_ms']) if p and 'failed' not in p else '–',
                         ms(l['p99_ms']) if l and 'failed' not in l else '–',
                         f'{errors_cell(p)} / {errors_cell(l)}'])
    add(table(['Call', 'Concurrency', 'Portico ops/s', 'localstripe ops/s', 'Portico ÷ localstripe',
               'Portico p99 ms', 'localstripe p99 ms', 'Errors (Portico / localstripe)'], rows))
    add('')
    text = f'The target (≥ {LOCALSTRIPE_FACTOR}×) is judged at concurrency {c}, in bold.'
    note = all_runs(res, 'localstripe')
    if note:
        text += (f' localstripe also runs twice at concurrency {c}, and counts at its faster run. '
                 'All runs, ops/s: ' + note + '.')
    add(text)
    add('')
    add(f'The targets table also reads the {number_word(len(SHARED))} calls as one workload, as a '
        'test suite that makes each of them equally often sees them: a round of one call of each '
        'takes the sum of their times per call (1 ÷ throughput), and the factor is localstripe\'s '
        'round over Portico\'s. The slowest calls weigh most in it, so it stands beside the '
        'per-call rows, not in place of them.')
    add('')
    postgres_section(res, add)
    add('## 1,000,000 customers')
    add('')
    sc = m.get('scale_concurrency', c)
    scale_seed = m.get('seed-scale')
    if scale_seed:
        add(f'A second database: {describe_seed(scale_seed)}; a fresh Portico on it. '
            f'Session creation at concurrency {sc}, against the same operation on the '
            f'{describe_count(m.get("seed-base"))}-customer database above.')
        add('')
        rows = []
        for op in SCALE_OPS:
            small, big = res.get('base', op, sc), res.get('scale', op, sc)
            if small is None and big is None:
                continue
            ratio = (f"{big['p99_ms'] / small['p99_ms']:.2f}×"
                     if ok(small) and ok(big) and small['p99_ms'] else '–')
            fmt = lambda r, k, f: f(r[k]) if r and 'failed' not in r else '–'
            rows.append([f'`{op}`', fmt(small, 'per_second', num), fmt(big, 'per_second', num),
                         fmt(small, 'p99_ms', ms), fmt(big, 'p99_ms', ms), ratio,
                         f'{errors_cell(small)} / {errors_cell(big)}'])
        add(table(['Operation', 'ops/s 10k', 'ops/s 1M', 'p99 ms 10k', 'p99 ms 1M',
                   'p99 1M ÷ 10k', 'Errors (10k / 1M)'], rows))
        add('')
        add(table(['Dataset', 'Customers', 'Subscribed', 'Seeding time', 'Database size'], [
            [name, num(s['customers']), num(s['subscribed_customers']), f"{s['wall_seconds']:.1f} s",
             f"{s['db_bytes'] / 2**20:,.0f} MiB"]
            for name, s in [('10k', m.get('seed-base')), ('1M', scale_seed)] if s
        ]))
        add('')
        runs = (m.get('startup-scale') or {}).get('runs_ms') or []
        if runs:
            add(f'Start-up on the 1M database: median {statistics.median(runs):.0f} ms '
                f'(max {max(runs):.0f} ms, {len(runs)} runs); idle RSS '
                f"{mib((m.get('rss-scale-idle') or {}).get('idle_rss_kb', 0))}, peak after the "
                f"measurements {mib((m.get('rss-scale-peak') or {}).get('peak_rss_kb', 0))}.")
            add('')
    else:
        add('Not measured in this run (`--no-scale` or `--quick`).')
        add('')
    add('## Start-up, memory, size')
    add('')
    rows = []
    runs = (m.get('startup-base') or {}).get('runs_ms') or []
    if runs:
        rows.append(['Start-up to the first answer (existing database, '
                     f'{describe_count(m.get("seed-base"))} customers)',
                     f'median {statistics.median(runs):.0f} ms, max {max(runs):.0f} ms '
                     f'({len(runs)} runs: {", ".join(f"{x:.0f}" for x in runs)})'])
    idle = m.get('rss-idle') or {}
    if idle:
        rows.append(['RSS when idle after start-up', mib(idle['idle_rss_kb'])])
    peak = m.get('rss-peak') or {}
    if peak:
        rows.append(['Peak RSS (VmHWM) after all the measurements (counts the pages of the '
                     'database file mapped in, up to 2 GiB)', mib(peak['peak_rss_kb'])])
        if 'end_anon_kb' in peak:
            rows.append(['RSS after the measurements: heap and stacks (RssAnon) / the database '
                         'file mapped into memory, shared with the page cache (RssFile)',
                         f"{mib(peak['end_anon_kb'])} / {mib(peak['end_file_kb'])}"])
    b = m.get('binary') or {}
    if b:
        stripped = ''
        if b.get('file'):
            stripped = ', stripped' if 'not stripped' not in b['file'] else ', not stripped'
        rows.append(['Binary size (`portico`, as built)',
                     f"{b['bytes']:,} bytes = {b['bytes'] / 2**20:.1f} MiB{stripped}"])
    add(table(['', ''], rows, numeric_from=2))
    add('')
    add('Start-up is timed from launching `portico serve` to the first answered '
        '`GET /v1/customers?limit=1`, polled as fast as connections can be tried. RSS is read '
        'from `/proc/PID/status` (VmRSS, VmHWM).')
    add('')
    bad = [r for r in res.rows if 'failed' in r or r.get('errors')]
    if bad:
        add('## Errors')
        add('')
        for r in bad:
            what = r['failed'] if 'failed' in r else f"{r['errors']} errors, e.g. {r.get('error_sample')}"
            add(f"- {r['dataset']} `{r['op']}` at concurrency {r['concurrency']}: {what}")
        add('')
    add(HOT_PATH)
    add('Raw results: `test-output/bench/results.jsonl` and `test-output/bench/meta.json` '
        '(not committed).')
    return '\n'.join(lines) + '\n'


HOT_PATH = '''## What profiling changed

Before these figures, at commit `4f0ec18`, the same `portico-bench measure` runs (5 s, 10k
customers, concurrency 32) gave: session creation (`subscription_cancel`) 1,181/s, p99 36 ms;
`customer.create` 1,335/s; `portal.home` 3,752/s; the insert floor 10,709/s on the same machine.
`perf` showed SQLite writes waiting for the single writer connection, one fsync per request, a
thread hand-off per SQL statement (sqlx's SQLite driver), a temporary file opened and removed for
every savepoint, and the system allocator in every profile. Since then:

- SQLite runs on rusqlite with **group commit**: one writer thread takes every write waiting for
  it and commits them in one transaction, one disk sync for the group; nobody is answered before
  the commit is durable. A failing write rolls back alone: one that changed no rows leaves nothing
  to undo, and after one that did, the group runs again with each write in a savepoint. (Every
  write had run in a savepoint, which copies each page before the write first changes it: a tenth
  of a session creation's instructions.) Savepoint journals stay in memory (`temp_store = MEMORY`).
- Reads run on their own connections in the calling task (a point lookup costs less than a
  thread hand-off).
- Checkpoints (copying committed pages from the WAL into the database file) run on a thread of
  their own, in small steps, so the writer's WAL syncs do not queue behind a long database sync
  (p99 of session creation 22 ms instead of 41 ms with 100 ms steps, and 26 ms with SQLite's own
  checkpoints on the writer, which also cost 20% of throughput). They had waited 10 ms for
  commits to gather; copying after every commit instead, p99 of session creation at concurrency
  32 went from 7.1-7.6 ms to 5.7-6.0 ms, and copying every 4 commits kept that p99 with 40% less
  of the checkpointer's CPU (pages every commit changes are copied once for several).
- mimalloc is the binary's allocator.
- Log lines are written by a thread of their own (a `write` per request line had cost about 5%
  of a cheap call's time), which gathers whatever is queued into one `write` (1.25 writes per
  session creation before, 0.2 after).
- Retrieves answer from the body already rendered for that version of the object (decoding the
  stored JSON, building the response and printing it were most of a retrieve's CPU); a new
  version is a new key, so no instance ever answers with an old body.
- The load generator checks the answers it drops (a 2xx and well-formed JSON) without building a
  JSON value: it had spent 1.1 of the 2 cores at 17k retrieves/s, while the fixed-body floor's
  answers were only status-checked. `subscription.retrieve` went from 17k/s to about 30k/s.
- New ids carry a time-ordered head (milliseconds in base 62, then 16 random characters), and a
  session link begins with its session id's head and is stored under that head plus its hash: new
  rows land beside the previous ones in the id and link indexes instead of dirtying a random page
  each. Disk written per session creation fell from about 60 KB to about 28 KB.
- The writer keeps a 32 MiB page cache and maps up to 2 GiB of the file (the 10k dataset is
  326 MB; past the old 256 MiB map, reads were copied). Reading connections map nothing: one that
  finds the database changed since its last read drops its whole mapping, so while writes went on
  nearly every read paid for an unmap (a TLB flush on both cores) and a page fault for each page
  it read again, 8% of a worker thread's time in `perf`. Copying the pages instead, session
  creation at concurrency 32 went from about 10,400/s to 11,500/s (13 µs less CPU each); reads
  with no writes alongside are as fast either way.
- The bundled SQLite is compiled without `SQLITE_ENABLE_MEMORY_MANAGEMENT`, which puts every
  connection's page cache behind one process-wide mutex, and without memory statistics (another
  mutex, taken at every allocation): +6% session creations a second.
- A new row no longer has entries in the indexes on `lookup` or `parent` when it has no value
  there (portal sessions have no lookup, customers no parent), and link tokens live in one b-tree
  keyed by their hash (`WITHOUT ROWID`) instead of a table and an index. `perf` and the WAL's
  frames had shown the writer's commits as the limit at concurrency 32: about 65 pages a commit,
  a third of them in indexes.
- **A page's reads (`GET`) share one read transaction** on one connection (`reads_together`; a write
  ends it, so a request reads back what it wrote). A page's eight or so reads had each paid for
  starting and ending a transaction: locks, the WAL index check, a cold page cache.
- Objects decode through a cache keyed by version (cloning beats parsing the JSON again), rows
  are read by column position, parameters bound by position, and portal messages without
  arguments are formatted once per language.
- An event is assembled from the object's rendering as it is; it had been copied twice through
  serde's serializer (`json!` on a value), a third of the cost of recording it.
- mimalloc no longer advises its arena as transparent huge pages: the first touches faulted in
  whole 2 MiB pages (idle RSS 27 MB, now 17 MB).
- On PostgreSQL a portal page reads the configuration, the customer and the branding in one
  statement, and the homepage's three lists in another (`Store::read_many`): there each statement
  is a round trip to another process (`portal.home` went from about 1,500/s to 2,500/s on a
  2,000-customer database). On SQLite the same compound statement cost more instructions than
  separate statements under callgrind (137.5M against 135.4M for 500 homepages: its subqueries
  copy each row once more), so SQLite reads them one after another in the page's transaction.
- Statement text is written without the formatting machinery for its `$n` parameters.
- The indexes for lists by parent and for reads by unique key lead with that column, not with
  the account id: a key comparison ends at the first column that differs, and nearly every row
  of an account shares its id, so each comparison had gone on through the following columns.
  Under callgrind a homepage went from 271.9k to 263.6k instructions (-3%), and its comparisons
  that go past the first column from 14.5k to 8.1k. (The id index keeps the account id first:
  it is the table's unique constraint, which only a rebuild of the table could change.)
- On PostgreSQL, sqlx checked every pooled connection with a round trip to the server each time
  it handed one out. A connection that answered in the last 500 ms is now used as it is (one
  idle for longer is still checked, and all of them for 5 s after one is found dead, while the
  statement that found it runs again on another). At concurrency 32 on 2,000 customers,
  alternating builds: `portal.home` +13-19% (Portico's CPU per page -14%), `session.create`
  +6-7%.
- Events have no entry in the index of objects by parent: nothing lists events by the object
  they are about, and every session creation records one (`billing_portal.session.created`).
  Alternating builds, 4 s each at concurrency 32: session creation +2-6%. A portal session is
  rendered field by field; `json!` had copied its flow through serde's serializer. Its event
  takes the handler's rendering instead of decoding the stored record and rendering it again
  (3-10 µs less CPU per session).
- SQLite allocates through glibc's `malloc`, and a reading connection empties its page cache
  whenever it finds the database changed (about once per commit while sessions are created):
  glibc handed the freed pages back to the kernel each time (`madvise`, a TLB flush on both
  cores) and the next reads faulted them in again. The server keeps up to 8 MiB free per glibc
  arena instead (`M_TRIM_THRESHOLD`; `M_MMAP_THRESHOLD` is set to 4 MiB with it, as setting the
  one stops glibc from raising the other by itself). Alternating builds at concurrency 32, with
  the log change above: the `subscription_update_confirm` flow from about 146 to 132 µs of
  server CPU per session, +9% sessions a second.
- A new session's answer (without expansions) is written out before the commit, and the
  rendering itself then becomes its event's `data.object` instead of a copy (4-7 µs less CPU
  per flow session, alternating builds).
- **What a page's read transaction found is kept for the next requests** (the SQLite store's
  read cache): objects by id and by unique key, lists from their start, and link tokens, each
  with the count of a one-row table that the writer moves once per transaction changing objects
  or tokens. A read transaction that sees the cache's count is answered from memory; the writer
  removes what it wrote, and a count moved by another process on the file empties the cache.
  Under callgrind a homepage went from 265k to 183k instructions (-31%), a
  `subscription_update_confirm` session from about 597k to 530k, and `session.create` stayed at
  about 460k (the counter's update against the reads it saves). Counting with triggers on the
  two tables instead would also have counted changes made outside Portico, but cost about 80k
  more instructions per session creation: a table with triggers makes SQLite keep a statement
  journal for every insert. Alternating builds, 4 s each at concurrency 32, three rounds:
  `portal.home` 18.5-25.0k/s against 11.9-16.6k/s, with 48-64 µs of server CPU a page against
  77-110.
- A cost taken on purpose: since `d2ded4a` a subscription's items carry their legacy `plan`
  object, which Stripe's answers carry and the Rust SDK (async-stripe) cannot do without. A
  subscription's JSON grew from about 3,100 to 3,800 bytes, and `subscription.retrieve`
  from about 14.7 to 15.6 µs of server CPU and 14.1 to 15.3 µs of the load generator's per
  call (the full runs before and after: 67,048/s and 62,068/s).
- An event's JSON is written straight into a string (`serde_json::to_string`); `Display`, used
  before, goes through a formatter and took twice as long for the same text. A configured API
  key's account is worked out once, when the server starts, instead of with a second SHA-256 on
  every request. Under callgrind a `subscription_update_confirm` session went from about 522k to
  508k instructions; eight paired rounds of 2 s at concurrency 32 (both builds running, measured
  in turns): +4% sessions a second, p99 -4%, within the noise of such rounds (5% between two
  copies of one build).
- Large futures are kept on the heap: a session creation's future was about 20 KB (its checks,
  its reads and its commit's state) and the router's layers copy a handler's future as they
  move it. The commit's work, a session creation's body and the portal's opening are now boxed,
  leaving a few hundred bytes to copy. Under callgrind `memcpy` was 13% of a flow session's
  instructions, and the session went from about 538k to 492k instructions, a portal homepage
  from about 187k to 175k. Under `perf` (real CPU, where a large copy is cheaper than callgrind
  counts it) `memmove` went only from 5.2% to 4.9% of the server's samples; paired rounds saw no
  change beyond their noise.
- The read cache's maps hash with aHash (keyed at random per map, as the standard library's
  SipHash is) instead of SipHash: a cached list is keyed by its whole statement, some hundreds of
  bytes, and SipHash spent about 2,300 instructions on each such key. Under callgrind a portal
  homepage went from about 175k to 165k instructions, a flow session's hashing from 9.4k to 4.5k.

### Where a flow session's time goes now, and what was measured and not kept

The threads' own CPU time (`/proc`, thread by thread) while `subscription_update_confirm` ran at
concurrency 32 on a freshly seeded copy of the 10k database, on the Intel machine of this run:
16,453 sessions a second, p99 3.51 ms; per session the runtime's threads 37 µs, the writer 29
(11 of them in the kernel), the checkpointer 9 (7 in the kernel), the load generator 19. The
WAL's frames, read while `subscription_cancel` sessions were made the same way: a commit holds
about 11.5 sessions and writes about 38 pages, 3.3 a session (the table 8.2 a commit, the id
index 7.6, the list index 7.4, the index by lookup 4.3, the link tokens 4.1 and their expiry
3.3, the database header, the row-id counter and the change count one each). Most of them are
the upper levels of each b-tree, written again in every commit; a session's own rows (its 0.7 KB
and its event's 1.0 KB) fill less than half a page. Under callgrind (concurrency 1) a session's
handler takes about 144k instructions: its commit's work 43k (the event 28k), its four object
reads 29k, the rendering 15k, printing the answer 13k, reading the flow's parameters 12k, the stored
record 10k; decoding the form, before the handler, 26k.

Earlier runs were on an AMD EPYC machine, where the same flow took about 125 µs of server CPU a
session in `perf` at concurrency 32, and the three flows that read a subscription missed the
5 ms p99 line by 0.2-1 ms in full runs (10,700-11,600 sessions a second):
the runtime's threads about 80 µs (HTTP about 25; five point reads, about 5 µs each: the
customer, the configuration, the subscription, the price and the webhook endpoints; the event and
the answer about 15), the writer about 40 µs, the checkpointer about 15, the log thread 4. A
session's commit writes about 6 WAL pages (a commit holds 6-10 sessions; from the WAL's
frames, in a later run holding 8.5 a commit: the index by parent 1.9 pages a session, the table
itself 0.9, the id index 0.8, the list index 0.8, the index by lookup 0.5, the link tokens and
their expiry 0.8, the database header and the row-id counter 0.2), and reads after a commit
fetch about 1.7 pages each again, since a reading connection starts afresh whenever the database
changed. The load generator takes about 25 µs a session on the same cores.

- Checkpoints every 8 or 16 commits instead of 4: 4-8 µs less CPU a session, but p99 worse
  (6.1-6.9 ms against 5.6-5.8): a longer database sync holds up the writer's WAL syncs. No
  checkpoints at all while measuring (the WAL left to grow): 25-50% fewer sessions a second, as
  finding a page in a long WAL costs more. p99 stayed about 1.9 times the median either way, as
  in every configuration tried, so the tail is not the checkpoints.
- Tokio's scheduler options: global queue interval 7 or 17, event interval 17 or 200, and the
  unstable ones (no LIFO slot, eager driver hand-off): no gain beyond run-to-run noise, or a loss.
  Renicing the writer, checkpointer or log thread: no gain. The writer yielding its core before
  it gathers a group (for requests still on their way to join it): fewer sessions a second in
  every round.
- One read transaction for all of a session creation's reads: the same page reads (the leaves
  are what each read fetches, not the upper levels a shared transaction would keep).
- A leaner load generator (hyper's client connections, no reqwest): the fixed-body floor went
  from about 66,000 to 150,000-163,000 answers a second (6 µs of the generator's CPU a request
  instead of 18), while Portico's retrieves got slower (22 µs of server CPU each instead of 15:
  with answers arriving one at a time, its threads sleep and wake for each). Every ratio the
  targets set would have fallen; the floors and Portico are measured with the same client.
  Measured again later (one keep-alive connection per virtual user through hyper's own client,
  each session's form encoded once): the generator's instructions per flow session fell from
  about 98k to 34k and its CPU from about 44 to 25-30 µs, the fixed-body floor rose from
  53,000-59,000 to 78,000-84,000/s in the same minutes, and `portal.home` fell from 28-33% to
  24-29% of it. The generator stays as it was.
- Form decoding with a hand-written unescape (copying the runs between escapes whole) instead of
  `percent-encoding`'s decoder: about 700 instructions a component either way (the component is
  short; the cost is in allocating, checking UTF-8 and building the tree, not in decoding), so
  the crate stays.
- The commit's sync is not what holds sessions back. A writer timed group by group
  (`subscription_update_confirm`, concurrency 32): a median group of 9 sessions (a tenth of the
  groups hold one, a tenth 22 or more), the group's own inserts about 16 µs a session, its commit
  (writing the WAL pages, then `fdatasync`) 574 µs at the median and 1.7 ms at p99; an idle
  `fdatasync` of 50 fresh pages takes about 265 µs on this disk. Yet with the writer's commits not
  synced at all (`synchronous=NORMAL`, which a crash could undo, so only as a bound) the flow
  went only 5% faster and its p99 got no better (5.1-5.2 ms against 4.7-4.8): commits then come
  more often with fewer sessions each, and the CPU they save goes to writing more pages. The
  cores, shared with the load generator, are the limit, not the disk.
- A load generator on one thread (Tokio's current-thread runtime instead of one worker per
  core): about 10 µs of its CPU a request instead of 16-18, no hand-offs between its threads.
  `subscription.retrieve` then reached 73,000-80,000/s (18-20× localstripe's 3,956/s of an
  earlier run; localstripe too varies from run to run), but the fixed-body floor rose to about
  96,000/s (the one thread is then the limit), and `portal.home`, at about 23,000/s either way,
  fell to 24% of it, under its 30% target; the flows moved by no more than the noise. The
  targets pull against each other through the generator's own cost, so the generator stays as it
  was, and the figures stay comparable from run to run.
- How far the flows' p99 moves with the machine: the same sequence of 10-second measurements
  (plain session, `payment_method_update`, `subscription_cancel`, `subscription_update`,
  `subscription_update_confirm`, then again, two to four passes) on one server, five times
  within 15 minutes. Mostly `subscription_update_confirm` ran at 10,900-12,300 sessions a
  second with p99 4.7-5.3 ms and 112-122 µs of server CPU each; in some passes, and not the same
  ones from one repetition to the next, it fell to 8,500-10,700/s with p99 6.3-7.9 ms and
  127-155 µs each, sometimes with the operations before it slowed too. The server's threads used
  the same share of the cores throughout (about 1.3 cores), so each session simply cost more CPU
  time; a database grown to 5.5 GB by the same sequence did not slow it, so the size is not the
  cause. One run's p99 for these flows is thus anywhere from under 5 ms to about 8 ms, by the
  minutes it falls in.
- SQLite pages other than 4 KiB (copies of the seeded database rebuilt by `VACUUM` with each
  size, the 4 KiB one too, measured in turns): `subscription_update_confirm` made 9,155-9,231
  sessions a second with 1 KiB pages, 9,906-10,282 with 2 KiB and 9,738-9,768 with 8 KiB,
  against 10,210-10,739 with 4 KiB; plain sessions the same way. Smaller pages split rows and
  deepen the indexes, larger ones write more bytes for each changed row. 4 KiB stays.
- API reads without a task of their own: each API request's handler runs in a task of its own,
  so that a client that disconnects cannot cut it off between its commit and saving its
  idempotent answer. For `GET`s, which commit nothing, running the handler in place (guarded
  against panics) left `subscription.retrieve` and `customer.retrieve` where they were
  (58,000-62,000/s and 65,000-71,000/s either way): the hand-off is not what a retrieve costs.
- A shorter scheduler slice for Portico's threads (Linux's EEVDF `sched_runtime` set to 100 µs
  for the writer and checkpointer, or for every server thread, so that they preempt sooner when
  woken): no change to the flows' throughput or p99 beyond the machine's drift from minute to
  minute. `reads_together` as a hand-written layer instead of axum's `from_fn` (one boxing fewer
  a request): no change on the homepage.
- The WAL's sync taken off the writer's path: the writer commits without syncing and a thread
  of its own syncs the WAL before answering each group's callers, so the next group runs while
  the last one's sync is under way. No change (eight paired rounds of 2 s at concurrency 32:
  sessions a second ×1.00, p99 ×0.99), and other requests would have read writes not yet durable
  (with `synchronous=FULL` SQLite shows a commit only once it is synced). Measured the same way,
  not syncing at all (`synchronous=NORMAL`, a bound only): +16% sessions a second, p99 -9%. What
  a sync costs here is CPU, the kernel's writeback of the group's pages (`fdatasync` takes about
  45 µs of CPU on this machine's disk even for one page), not the writer's wait.
- The per-client rate limit's layer is left out when no per-client limit is set (kept): it only
  passed each request on, at about 2 µs of a homepage's 56 (1-10% more homepages a second in
  four rounds).
- The link tokens' expiry index dropped (it serves only the hourly pruning, which could scan the
  table instead): 3.3 of a commit's 38 WAL pages fewer, but the writer's CPU a session moved by
  no more than its noise (26.8 and 27.4 µs without it, 27.5 and 27.1 with it, in alternating
  runs on copies of one database), and throughput and p99 not at all. The index stays.
- **The floors allocate as Portico does** (mimalloc, from this run on). With the system
  allocator the fixed-body floor's server spent 10.3 µs a request against 7.5, and answered
  63,000/s where it now answers 75,000-78,000/s in the same minutes; measured against it,
  `portal.home` (22,000-23,000/s either way) was 35% of the floor, and is about 30% of the
  floor as it now is. Runs before this one read Portico against the slower floor. The load
  generator, the same program, spends about 2 µs less a request with it too.
'''


def postgres_section(res, add):
    """The shared backend beside the embedded one: the same operations at the target
    concurrency, each once."""
    m, c = res.meta, TARGET_C
    add('## On PostgreSQL')
    add('')
    seeded = m.get('seed-postgres')
    if not seeded:
        add('Not measured in this run (`--no-postgres` or `--quick`).')
        add('')
        return
    version = m.get('postgres_version') or 'version unknown'
    add(f'The shared backend: a throwaway PostgreSQL server ({version}) on the same machine, '
        'syncing to disk as a production server does (`fsync` and `synchronous_commit` on), '
        f"seeded with {describe_seed(seeded)} (in {seeded['wall_seconds']:.1f} s); a fresh "
        'Portico on it, with its pool of 16 connections. Each operation once at concurrency '
        f'{c}, beside its faster run on SQLite above. The CPU column counts Portico\'s process '
        'only: PostgreSQL\'s own processes '
        'share the same 2 cores and are not counted.')
    add('')
    rows = []
    for op in POSTGRES_OPS:
        lite, pg = res.get('base', op, c), res.get('postgres', op, c)
        if pg is None:
            continue
        cell = lambda r, k, f: f(r[k]) if r and 'failed' not in r else '–'
        share = (f"{pg['per_second'] / lite['per_second']:.0%}"
                 if ok(lite) and ok(pg) and lite['per_second'] else '–')
        server = pg.get('server_cpu_us_per_op') if 'failed' not in pg else None
        rows.append([f'`{op}`', cell(lite, 'per_second', num), cell(pg, 'per_second', num), share,
                     cell(lite, 'p99_ms', ms), cell(pg, 'p99_ms', ms),
                     '–' if server is None else f'{server:,.1f}', errors_cell(pg)])
    add(table(['Operation', 'SQLite ops/s', 'PostgreSQL ops/s', 'PostgreSQL ÷ SQLite',
               'SQLite p99 ms', 'PostgreSQL p99 ms', 'Portico CPU µs/op on PostgreSQL',
               'Errors'], rows))
    add('')
    add('On PostgreSQL each statement is a round trip to another process, so a portal page reads '
        'what it shows in as few statements as it can: the link and its session in one, the '
        'configuration, the customer and the branding in a second, the subscriptions, cards and '
        'invoices in a third.')
    add('')


def describe_count(s):
    if not s:
        return '?'
    n = s['customers']
    if n >= 1_000_000 and n % 1_000_000 < 1000:
        return f'{n // 1_000_000}M'
    if n >= 1000 and n % 1000 < 10:
        return f'{n // 1000}k'
    return num(n)


def describe_seed(s):
    if not s:
        return 'unknown'
    return (f"{num(s['customers'])} customers, {num(s['subscribed_customers'])} of them with a card, "
            f"an active subscription and its paid invoice")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--results', default=os.path.join(ROOT, 'test-output', 'bench'))
    ap.add_argument('--out', default=os.path.join(ROOT, 'docs', 'benchmarks.md'))
    ap.add_argument('--targets', action='store_true', help='print only the targets table')
    a = ap.parse_args()
    res = Results(a.results)
    if a.targets:
        print(targets_table(res))
        return
    with open(a.out, 'w') as f:
        f.write(report(res))


if __name__ == '__main__':
    sys.exit(main())
