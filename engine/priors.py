"""Fault priors that do not make sense (W111), for `pack check`.

A prior may be omitted: the fault then gets an even share, 1 / the number of the pack's
faults (docs/packs.md). What is flagged: a pack that sets priors on some faults and not on
others (the even share then mixes with hand-set values, which is rarely meant), and a
prior of 1 next to other faults (certain before anything is asked, so the others could
never be likelier than it).
"""

from __future__ import annotations

from engine.finding import Checker


def check_priors(chk: Checker) -> None:
    for pack_id, loaded in sorted(chk.kb.packs.items()):
        faults = loaded.pack.faults
        given = [f for f in faults if f.prior is not None]
        if given and len(given) < len(faults):
            share = 1.0 / len(faults)
            for fault in (f for f in faults if f.prior is None):
                chk.at_item(
                    "faults",
                    fault.id,
                    pack_id,
                    "W111",
                    f"fault '{fault.id}' has no prior while {_faults(len(given))} of pack "
                    f"'{pack_id}' have one: it gets the even share {share:.2f}",
                    hint="give every fault of the pack a prior, or none",
                )
        for fault in given:
            if fault.prior == 1 and len(faults) > 1:
                chk.at_item(
                    "faults",
                    fault.id,
                    pack_id,
                    "W111",
                    f"fault '{fault.id}' has prior 1 (certain before anything is asked), but "
                    f"pack '{pack_id}' has {_faults(len(faults) - 1)}",
                    hint="priors are likelihoods among the pack's faults; lower it",
                )


def _faults(count: int) -> str:
    return f"{count} other fault" + ("" if count == 1 else "s")
