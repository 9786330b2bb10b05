"""Evaluation speed: connectlang's compiled decider against the same policy by hand.

Generates realistic invitation records in memory (deterministic), checks that the
compiled decider and a hand-written Python function give the same decision on every
record, then times, interleaved and repeated, over all records:

  (a) `policy.decider(now)`      the compiled fast path
  (b) `hand_written(record)`     the policy as plain Python `if` statements
  (c) `policy.evaluate(r, now)`  the safe wrapper around (a)

and prints records/second (median of the repetitions) and the ratio of each to the
hand-written function (target for (a): 0.9 or better).

    python benchmarks/bench_eval.py                   # 1,000,000 records, 5 repetitions
    python benchmarks/bench_eval.py --records 200000 --repeat 3
    python benchmarks/bench_eval.py --show-source      # also print the generated Python
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import connectlang
from connectlang import Decision

POLICY = """\
policy "bench"
let knows_me = shared_group or did_business or same_school or mutual_connections >= 3
let pitch = message matches /free|click here|limited offer/i
report if pitch because "sales pitch"
accept if knows_me and interacted_within 90d
review if mutual_connections >= 10 and not has_message
ask "Hi {first_name}, where did we meet?" if has_message and not knows_me
else archive because "we have not met"
"""

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
SEED = 20250601

Record = dict[str, Any]


# -- the same policy, by hand -------------------------------------------------------
#
# Three-valued logic written out: a missing operand makes a test unknown, and a rule
# fires only when its condition is true. `knows_me` is True, False or None (unknown).
# The regex is Python's `re` with IGNORECASE (connectlang uses RE2 behind a literal
# prefilter; on the generated text the two engines agree, which `check` verifies).

def make_hand_written(now: datetime, prefilter: bool = False) -> Callable[[Record], Decision]:
    """The policy by hand. `prefilter=True`: the regex only runs on text whose case-folded
    form holds one of its literal words (the trick connectlang's compiled code uses), so
    the comparison measures the rest of the policy rather than the regex engines."""
    cutoff = now - timedelta(days=90)
    pitch = re.compile(r"free|click here|limited offer", re.IGNORECASE).search
    report = Decision("report", 4, "sales pitch", None)
    accept = Decision("accept", 5, None, None)
    review = Decision("review", 6, None, None)
    archive = Decision("archive", 8, "we have not met", None)

    def ask(r: Record) -> Decision:
        first = r.get("first_name")
        if first is None:
            name = r.get("name")
            if name is not None:
                parts = name.split(None, 1)
                first = parts[0] if parts else None
        return Decision("ask", 7, None, f"Hi {'' if first is None else first}, where did we meet?")

    def hand_written(r: Record) -> Decision:
        get = r.get
        message = get("message")
        if message is None:
            message = ""  # `message` defaults to ""
        if pitch(message):
            return report
        groups = get("shared_groups")
        did_business = get("did_business")
        same_school = get("same_school")
        mutual = get("mutual_connections")
        if groups or did_business is True or same_school is True or (
                mutual is not None and mutual >= 3):
            knows_me: bool | None = True
        elif (groups is not None and did_business is False and same_school is False
              and mutual is not None):  # every operand known and false (mutual < 3)
            knows_me = False
        else:
            knows_me = None  # unknown
        if knows_me is True:
            last = get("last_interaction")
            if last is not None and last >= cutoff:
                return accept
        if mutual is not None and mutual >= 10 and not message:
            return review
        if message and knows_me is False:
            return ask(r)
        return archive

    def hand_written_prefiltered(r: Record) -> Decision:
        get = r.get
        message = get("message")
        if message is None:
            message = ""
        folded = message.casefold()
        if ("free" in folded or "click here" in folded or "limited offer" in folded) \
                and pitch(message):
            return report
        groups = get("shared_groups")
        did_business = get("did_business")
        same_school = get("same_school")
        mutual = get("mutual_connections")
        if groups or did_business is True or same_school is True or (
                mutual is not None and mutual >= 3):
            knows_me: bool | None = True
        elif (groups is not None and did_business is False and same_school is False
              and mutual is not None):
            knows_me = False
        else:
            knows_me = None
        if knows_me is True:
            last = get("last_interaction")
            if last is not None and last >= cutoff:
                return accept
        if mutual is not None and mutual >= 10 and not message:
            return review
        if message and knows_me is False:
            return ask(r)
        return archive

    return hand_written_prefiltered if prefilter else hand_written


# -- realistic records ------------------------------------------------------------------

FIRST = ["Anna", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas",
         "Kai", "Lena", "Marta", "Nikhil", "Olu", "Priya", "Quentin", "Rosa", "Sven", "Tomás",
         "Uma", "Viktor", "Wei", "Ximena", "Yusuf", "Zoë", "Łukasz", "Søren", "Aoife", "Mei"]
LAST = ["Smith", "García", "Müller", "Nguyen", "Okafor", "Rossi", "Kowalski", "Tanaka",
        "Dubois", "Johansson", "Patel", "Silva", "O'Brien", "van der Berg", "Kim", "Novak",
        "Schmidt", "Haddad", "Brewer", "Lindqvist"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Co",
             "Pied Piper", "Soylent", "Vandelay Industries"]
ROLES = ["Software Engineer", "Product Manager", "Recruiter", "Data Scientist", "CTO",
         "Founder", "Sales Director", "Designer", "Account Executive", "Consultant"]
GROUPS = ["Python Developers", "Data Science Central", "Product Management Network",
          "Women in Tech", "Rust Users", "Startup Founders", "DevOps Engineers",
          "UX Designers Worldwide", "Machine Learning", "Cloud Architects"]
TOPICS = ["distributed systems", "product discovery", "hiring", "type checkers", "Rust",
          "data pipelines", "design systems", "observability", "pricing", "onboarding"]

OPENERS = ["Hi {f},", "Hello {f}!", "Hey {f} 👋", "Dear {f},", "Good morning {f},", "{f},"]
FRIENDLY = [
    "I enjoyed your talk on {t} at the meetup last week.",
    "We met briefly at the conference in Berlin.",
    "I read your post about {t} and found it really helpful.",
    "I'm also working on {t} and would love to compare notes.",
    "A colleague of mine at {c} recommended I reach out.",
    "We were in the same cohort at university, if you remember.",
    "I'm expanding my network of people who care about {t}.",
    "Your work at {c} on {t} is impressive.",
    "Would be great to connect and stay in touch.",
    "I noticed we are both in the {g} group.",
    "Looking forward to learning from you.",
    "Thanks for the great answer on the forum about {t}.",
    "I'm a {r} at {c} and we have a lot of overlap.",
    "Congratulations on the new role!",
    "Let's keep in touch — I think we share many interests.",
]
# Harmless text that the regex still matches (it matches anywhere: `free` in `freelance`).
INCIDENTAL = [
    "I'm a freelance {r} based in Lisbon.",
    "Feel free to ignore this if you are busy.",
]
PITCHES = [
    "Get a FREE trial of our platform today!",
    "Click here to book a demo: https://example.com/demo",
    "Limited offer: 50% off our lead-generation service this week only.",
    "Our tool doubles your inbound leads, click HERE to see how.",
    "Claim your free audit of your sales funnel now.",
    "This is a limited OFFER for founders like you.",
    "We help {r}s close more deals. Free consultation, no strings attached.",
]


def _sentence(rng: random.Random, pool: Sequence[str], first: str) -> str:
    return rng.choice(pool).format(f=first, t=rng.choice(TOPICS), c=rng.choice(COMPANIES),
                                   g=rng.choice(GROUPS), r=rng.choice(ROLES))


def _message(rng: random.Random, first: str, pitch: bool) -> str:
    parts = [_sentence(rng, OPENERS, first)]
    if pitch:
        pool = [FRIENDLY] * rng.randint(0, 3) + [PITCHES] + [FRIENDLY] * rng.randint(0, 2)
    else:
        pool = [FRIENDLY] * rng.randint(1, 6)
        if rng.random() < 0.02:
            pool.insert(rng.randint(0, len(pool)), INCIDENTAL)
    parts += [_sentence(rng, p, first) for p in pool]
    return " ".join(parts)[:300]


OPTIONAL = ("message", "mutual_connections", "shared_groups", "same_school", "did_business",
            "last_interaction", "headline", "name")


def generate(n: int, seed: int = SEED, now: datetime = NOW) -> list[Record]:
    """`n` invitations: ~60% lack some fields, ~45% have a note (37-300 characters),
    ~5% are sales pitches."""
    rng = random.Random(seed)
    two_years = 730 * 86400
    records: list[Record] = []
    append = records.append
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        roll = rng.random()
        if roll < 0.05:
            message = _message(rng, first, pitch=True)
        elif roll < 0.55:
            message = _message(rng, first, pitch=False)
        else:
            message = ""
        mutual = min(int(rng.paretovariate(1.1)) - 1 + (rng.random() < 0.3) * rng.randint(0, 8), 500)
        record: Record = {
            "name": f"{first} {last}",
            "profile_url": f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{i}",
            "headline": f"{rng.choice(ROLES)} at {rng.choice(COMPANIES)}",
            "sent_at": now - timedelta(seconds=rng.randrange(60 * 86400)),
            "message": message,
            "mutual_connections": mutual,
            "shared_groups": (rng.sample(GROUPS, rng.randint(1, 3)) if rng.random() < 0.3
                              else []),
            "same_school": rng.random() < 0.1,
            "did_business": rng.random() < 0.05,
            "last_interaction": now - timedelta(seconds=rng.randrange(two_years)),
        }
        if rng.random() < 0.1:
            record["first_name"] = first
        if rng.random() < 0.6:  # some fields absent or null, as in real exports
            for name in rng.sample(OPTIONAL, rng.randint(1, 4)):
                if rng.random() < 0.7:
                    del record[name]
                else:
                    record[name] = None
        append(record)
    return records


# -- checking and timing ----------------------------------------------------------------

def check(records: Sequence[Record], decide: Callable[[Record], Decision],
          hand: Callable[[Record], Decision]) -> Counter[str]:
    """Assert both functions give the same decision on every record; count actions."""
    actions: Counter[str] = Counter()
    for i, record in enumerate(records):
        ours, theirs = decide(record), hand(record)
        if (ours.action, ours.line, ours.reason, ours.reply) != (
                theirs.action, theirs.line, theirs.reason, theirs.reply):
            raise AssertionError(f"record {i} {record!r}:\n  connectlang {ours}\n  by hand     {theirs}")
        actions[ours.action] += 1
    return actions


def run_all(fn: Callable[..., Any], records: Sequence[Record],
            now: datetime | None = None) -> float:
    """Seconds to call `fn(record)` (or `fn(record, now)`) on every record, the garbage
    collector paused."""
    gc.collect()
    gc.disable()
    try:
        if now is None:
            start = time.perf_counter()
            for record in records:
                fn(record)
        else:
            start = time.perf_counter()
            for record in records:
                fn(record, now)
        return time.perf_counter() - start
    finally:
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes of each (default 5)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--show-source", action="store_true",
                        help="print the Python source connectlang generated for the policy")
    args = parser.parse_args(argv)

    policy = connectlang.compile(POLICY, filename="bench.conn")
    if args.show_source:
        print(policy._factory.__doc__)
    decide = policy.decider(NOW)
    hand = make_hand_written(NOW)
    hand_pre = make_hand_written(NOW, prefilter=True)

    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"connectlang {connectlang.__version__}")
    start = time.perf_counter()
    records = generate(args.records, args.seed)
    print(f"generated {len(records):,} records in {time.perf_counter() - start:.1f} s")
    incomplete = sum(1 for r in records if any(r.get(k) is None for k in OPTIONAL))
    notes = [len(r["message"]) for r in records if r.get("message")]
    print(f"  {incomplete / len(records):.0%} lack a field (absent or None); "
          f"{len(notes) / len(records):.0%} have a note, "
          f"{statistics.mean(notes) if notes else 0:.0f} characters on average")

    actions = check(records, decide, hand)
    check(records, decide, hand_pre)
    print("same decision from connectlang and both hand-written versions on every record:\n  "
          + ", ".join(f"{a} {n / len(records):.1%}" for a, n in actions.most_common()))

    # name -> (function, the `now` argument it takes after the record, if any)
    contenders: dict[str, tuple[Callable[..., Any], datetime | None]] = {
        "connectlang decider": (decide, None),
        "hand-written Python": (hand, None),
        "policy.evaluate": (policy.evaluate, NOW),
        "hand + prefilter": (hand_pre, None),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for rep in range(args.repeat):
        order = list(contenders)
        order = order[rep % len(order):] + order[:rep % len(order)]  # rotate, so no one always runs first
        for name in order:
            fn, now = contenders[name]
            times[name].append(run_all(fn, records, now))
        print(f"  pass {rep + 1}/{args.repeat}: "
              + ", ".join(f"{name} {times[name][-1]:.3f} s" for name in contenders), flush=True)

    n = len(records)
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    hand_t, pre_t = times["hand-written Python"], times["hand + prefilter"]
    print(f"\nmedian of {args.repeat} passes over {n:,} records (gc paused); speed ratios, "
          ">1 is faster:")
    print(f"  {'':22} {'records/s':>11} {'ns/record':>9} {'vs hand':>8} {'paired':>7} "
          f"{'vs hand+prefilter':>18}")
    for name, ts in times.items():
        paired = statistics.median(b / t for b, t in zip(hand_t, ts, strict=True))
        print(f"  {name:22} {n / medians[name]:>11,.0f} {medians[name] / n * 1e9:>9.0f} "
              f"{medians['hand-written Python'] / medians[name]:>8.2f} {paired:>7.2f} "
              f"{medians['hand + prefilter'] / medians[name]:>18.2f}")
    ratio = medians["hand-written Python"] / medians["connectlang decider"]
    strict = statistics.median(b / t for b, t in zip(pre_t, times["connectlang decider"], strict=True))
    print(f"\nratio connectlang/hand-written (speed): {ratio:.2f} "
          f"({'meets' if ratio >= 0.9 else 'misses'} the 0.9 target)")
    print(f"ratio connectlang/hand-written with the same prefilter (paired): {strict:.2f} "
          f"({'meets' if strict >= 0.9 else 'misses'} the 0.9 target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
