"""The verifier's forward chaining one answer at a time (`engine.chaining.forward_from`)
settles exactly where chaining from scratch does: the same rules fired, the same facts
known and the same rules left PENDING, at every step of a branch."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.chaining import Truths, by_key, forward_from, forward_pending, single_valued
from engine.compile import compile_knowledge
from engine.coverage import COMPLAINT, _domain_space, domain_rules
from engine.verify import load_for_check
from tests.test_exact_coverage import random_pack


@settings(max_examples=120, deadline=None)
@given(rng=st.randoms(use_true_random=False))
def test_one_answer_on_settles_where_chaining_from_scratch_does(rng: random.Random) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_text(yaml.safe_dump(random_pack(rng), sort_keys=False), encoding="utf-8")
        kb = load_for_check([path])
    compiled = compile_knowledge(kb, name="Chaining")
    space, keys = _domain_space(compiled, "demo-random", "trouble")
    fixed = {COMPLAINT: "trouble"}
    rules = domain_rules(compiled, "demo-random", keys, fixed)
    assert single_valued(rules, set(keys) | set(fixed))  # the random packs derive `true`
    truths = Truths()
    testing = by_key(rules)
    known: dict[str, object] = dict(fixed)
    step = forward_pending(rules, known, kb, truths)
    for key in rng.sample(keys, len(keys)):
        known[key] = rng.choice(space[key].values)
        step = forward_from(rules, step, key, known[key], truths, testing)  # type: ignore[arg-type]
        fresh = forward_pending(rules, known, kb)  # type: ignore[arg-type]
        assert sorted(i for i, _ in step[0].fired) == sorted(i for i, _ in fresh[0].fired)
        assert step[0].known == fresh[0].known
        assert [r.index for r in step[1]] == [r.index for r in fresh[1]]


def test_a_fact_derived_with_two_values_is_chained_from_scratch(tmp_path: Path) -> None:
    pack = random_pack(random.Random(3))
    pack["facts"] = [*pack["facts"], {"id": "f9", "text": "Fact 9", "type": "yesno"}]
    first = pack["questions"][0]["id"]
    pack["rules"] += [
        {
            "id": "d_yes",
            "when": {"question": first, "known": True},
            "then": [{"derive": "f9", "value": True}],
        },
        {
            "id": "d_no",
            "when": {"question": first, "known": True},
            "then": [{"derive": "f9", "value": False}],
        },
    ]
    path = tmp_path / "twice.yaml"
    path.write_text(yaml.safe_dump(pack, sort_keys=False), encoding="utf-8")
    rules = compile_knowledge(load_for_check([path]), name="Twice").rules
    assert not single_valued(rules, set())
    kept = [r for r in rules if r.ref.rule.id != "d_no"]
    assert single_valued(kept, set())
    assert not single_valued(kept, {"f9"})  # a derived key that is also answered
