"""The learner's test, run the other way: which transitions of play contradict a rule file.

For any rule file (packaged, a user's ``--rules``, or learned) and the transitions of a run,
each example the transitions give (see :mod:`.transitions`) is checked against what the rules
answer. A contradiction is an atom the rules hold that play refuted, or one play showed that
the rules deny, with how many transitions say so: "your rules say lava does not kill: 15
transitions ended on lava". It names the game's facts a rule file gets wrong, where a report
could otherwise only count "reasoning failures".
"""

from __future__ import annotations

from dataclasses import dataclass

from symbolic.engine import RuleSet
from symbolic.induction.transitions import Evidence

__all__ = ["AUDITED", "Contradiction", "contradictions"]

AUDITED = ("blocks/2", "kills/1", "collects/1", "wins/1")  # the questions play can decide


@dataclass(frozen=True)
class Contradiction:
    """An atom the rules answer one way and ``count`` transitions the other."""

    atom: str
    rules_say: bool
    count: int

    def sentence(self) -> str:
        """One line a person can act on."""
        head, _, rest = self.atom.partition("(")
        args = rest.rstrip(")")
        kind, _, held = args.partition(", ")
        with_ = f" holding {held}" if held and held != "[]" else ""
        plays = {
            ("blocks", True): f"{kind} blocks{with_}, but the agent entered it",
            ("blocks", False): f"{kind} does not block{with_}, but the agent stayed put",
            ("kills", True): f"{kind} kills, but the agent entered it and lived",
            ("kills", False): f"{kind} does not kill, but episodes ended in failure on it",
            ("collects", True): f"{kind} is collected, but entering it collected nothing",
            ("collects", False): f"{kind} is not collected, but entering it collected it",
            ("wins", True): f"{kind} wins, but entering it did not end the episode in a win",
            ("wins", False): f"{kind} does not win, but episodes were won on it",
        }
        said = plays.get((head, self.rules_say), f"{self.atom} is {self.rules_say}")
        return f"your rules say {said}: {self.count} transition{'s' * (self.count != 1)}"


def contradictions(rules: RuleSet, evidence: Evidence) -> list[Contradiction]:
    """Every example of ``evidence`` that ``rules`` answer against the transitions, most
    transitions first. The rules must define the audited questions (an agent game's)."""
    kinds = list(evidence.constants.get("kind", ()))
    inventory_kinds = sorted({k for held in evidence.inventories for k in held})
    if not kinds:
        return []
    tables = rules.semantics([*kinds, *inventory_kinds], [], AUDITED, "collects")
    by_held = {table.inventory: table.kinds for table in tables}
    out = []
    for e in evidence.examples:
        kind = str(e.args[0])
        held = frozenset(e.args[1]) if e.head == "blocks" else frozenset()  # type: ignore[arg-type]
        table = by_held.get(held)
        if table is None:  # an inventory the rules never let the agent reach: ask it alone
            extra = rules.semantics([*kinds, *inventory_kinds], sorted(held), AUDITED, "")
            table = next((t.kinds for t in extra if t.inventory == held), {})
        says = e.head in table.get(kind, set())
        against = e.negative if says else e.positive
        if against:
            out.append(Contradiction(e.atom(), says, against))
    return sorted(out, key=lambda c: (-c.count, c.atom))
