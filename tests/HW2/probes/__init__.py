"""HW2's probes: staff code run inside the student worker, ``student.probe("family.function", ...)``.

A probe builds objects from plain arguments (networks with given weights, tensors, a
``rollout.Batch``, optimizers), exercises the student's code and returns plain data. Probes hold
no expected values: the test process judges what they return. ``DISPLAY`` says how each probe
appears in feedback (:func:`harness.display.probe_display`).
"""

from __future__ import annotations


def _update(args: tuple, kwargs: dict) -> str:
    kind = args[0] if args else "?"
    optimizer = args[7] if len(args) > 7 else kwargs.get("optimizer", "sgd")
    opt = "Adam" if optimizer == "adam" else "SGD"
    if kind == "reinforce":
        return f"pg.reinforce_update(policy, {opt} optimizer, batch, gamma)"
    extra = {"a2c": ", n", "gae": ", lam"}.get(kind, "")
    return f"pg.{kind}_update(policy, value, {opt} optimizers, batch, gamma{extra}, normalize)"


def _outcome(args: tuple, kwargs: dict) -> str:
    name = args[0] if args else "?"
    seed = args[1] if len(args) > 1 else kwargs.get("seed", "?")
    return f"run.train({name!r}, seed={seed}) with your pg.py (the given training loop)"


# How each probe appears in feedback: the student code it runs, as a student would write it
# (a fixed text, or a function of the probe's arguments). A probe missing here is shown by what
# it exercises in words, never by its internal name.
DISPLAY = {
    "returns.call_checked": lambda a, k: f"returns.{a[0] if a else '?'}(...)",
    "components.policy_network": lambda a, k: f"pg.PolicyNetwork({a[0] if a else 4}, {a[1] if len(a) > 1 else 2})"
                                              "(obs)",
    "components.value_network": lambda a, k: f"pg.ValueNetwork({a[0] if a else 4})(obs)",
    "components.log_probs": "pg.action_log_probs(policy, obs, actions)",
    "components.state_values": "pg.state_values(value, obs)",
    "components.pg_loss": "pg.policy_gradient_loss(log_probs, weights, mask)",
    "components.value_loss": "pg.value_loss(values, targets, mask)",
    "components.normalize": "pg.normalize_advantages(advantages, mask)",
    "components.compute_advantages": "pg.compute_advantages(targets, values, mask, normalize)",
    "components.update": _update,
    "outcomes.warm_up": "importing pg.py and run.py (PyTorch's first optimizer)",
    "outcomes.train": _outcome,
    "outcomes.act_batch": "argmax of your PolicyNetwork's logits on a batch of CartPole observations",
}
