"""The turordningslista as pure data: fairness as a property test, and the customer reference
rule (no personnummer) with the CLI's exit code 2."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from models.messages.placement import CustomerRefError, RotationQueue, check_customer_ref
from starter.cli import app

PROVIDERS = [f"55{i:04d}-0000" for i in range(6)]

# An operation: ("assign",), ("add", provider) or ("remove", provider).
operations = st.lists(
    st.one_of(
        st.just(("assign", "")),
        st.tuples(st.just("add"), st.sampled_from(PROVIDERS)),
        st.tuples(st.just("remove"), st.sampled_from(PROVIDERS)),
    ),
    max_size=200,
)


@given(st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=60))
def test_fixed_list_is_served_round_robin_in_list_order(n: int, rounds: int) -> None:
    queue = RotationQueue(area="Centrum", service_type="omvårdnad")
    for p in PROVIDERS[:n]:
        queue = queue.with_provider(p)
    given_to = []
    for _ in range(rounds):
        provider, queue = queue.take_turn()
        given_to.append(provider)
    assert given_to == [PROVIDERS[i % n] for i in range(rounds)]
    assert queue.assigned == rounds


@settings(max_examples=300)
@given(operations)
def test_every_continuously_eligible_provider_gets_exactly_one_turn_between_anothers_turns(
    ops: list[tuple[str, str]],
) -> None:
    queue = RotationQueue(area="Centrum", service_type="omvårdnad")
    # For each step: the provider given a customer (or None) and who was eligible then.
    turns: list[tuple[str | None, frozenset[str]]] = []
    for op, provider in ops:
        if op == "add":
            queue = queue.with_provider(provider)
        elif op == "remove":
            queue = queue.without(provider)
        elif queue.providers:
            eligible = frozenset(queue.providers)
            taken, queue = queue.take_turn()
            assert taken in eligible
            turns.append((taken, eligible))
        # Membership changes are steps too: eligibility must hold across them.
        if op != "assign":
            turns.append((None, frozenset(queue.providers)))
    served = [i for i, (p, _) in enumerate(turns) if p is not None]
    for p in PROVIDERS:
        mine = [i for i in served if turns[i][0] == p]
        for i, j in zip(mine, mine[1:], strict=False):
            between = [turns[k][0] for k in served if i < k < j]
            always = frozenset.intersection(*(turns[k][1] for k in range(i, j + 1)))
            if p not in always:
                # Removed and approved again in between: it rejoined at the back, not its place.
                continue
            for q in always - {p}:
                assert between.count(q) == 1, (p, q, between)


@given(st.integers(min_value=2, max_value=6), st.integers(min_value=0, max_value=5))
def test_passing_over_the_current_provider_keeps_its_place(n: int, current: int) -> None:
    queue = RotationQueue(area="A", service_type="S")
    for p in PROVIDERS[:n]:
        queue = queue.with_provider(p)
    excluded = PROVIDERS[current % n]
    taken, after = queue.take_turn(exclude=excluded)
    assert taken == next(p for p in queue.providers if p != excluded)
    assert after.providers.index(excluded) == queue.providers.index(excluded) - (
        1 if queue.providers.index(taken) < queue.providers.index(excluded) else 0
    )


@pytest.mark.parametrize(
    "ref",
    ["19400101-1234", "400101-1234", "4001011234", "194001011234", "400101+1234", "x400101-1234"],
)
def test_personnummer_shapes_are_refused(ref: str) -> None:
    with pytest.raises(CustomerRefError) as caught:
        check_customer_ref(ref)
    assert ref not in str(caught.value)  # never echoed into a log


@pytest.mark.parametrize("ref", ["DNR-2031-0042", "kund.17", "VO/2031/553"])
def test_pseudonymous_references_are_accepted(ref: str) -> None:
    assert check_customer_ref(f" {ref} ") == ref


def test_cli_refuses_a_personnummer_with_exit_2() -> None:
    result = CliRunner().invoke(
        app,
        [
            "placement",
            "start",
            "--customer",
            "19400101-1234",
            "--area",
            "Centrum",
            "--service",
            "omvårdnad",
            "--hours",
            "10",
            "--decision-date",
            "2031-02-20",
            "--start",
            "2031-03-03",
        ],
    )
    assert result.exit_code == 2
    assert "--customer" in result.output and "19400101" not in result.output
