"""HW1's probes: staff code run inside the student worker, ``student.probe("family.function", ...)``.

A probe builds objects from plain arguments, exercises the student's code and returns plain
data. Probes hold no expected values: the test process judges what they return. ``DISPLAY``
says how each probe appears in feedback (:func:`harness.display.probe_display`).
"""

from __future__ import annotations

from harness.display import summarise


def _dp_call(args: tuple, kwargs: dict) -> str:
    function, rest = (args[0], args[1:]) if args else ("?", ())
    shown = [summarise(a) for a in rest]
    if "seed" in kwargs:
        mode = kwargs.get("rng_mode", "seeded")
        if mode == "seeded":
            shown.append(f"rng=np.random.default_rng({kwargs['seed']})")
        elif mode == "none":
            shown.append("rng=None")
    shown += [f"{k}={summarise(v)}" for k, v in kwargs.items() if k not in ("seed", "rng_mode", "record")]
    return f"dynamic_programming.{function}({', '.join(shown)})"


def _agent(args: tuple, kwargs: dict) -> str:
    class_name, params = (args[0], args[1]) if len(args) > 1 else ("agent", {})
    seed = args[2] if len(args) > 2 else kwargs.get("seed")
    shown = [f"{k}={v!r}" for k, v in dict(params).items()]
    shown.append(f"rng=np.random.default_rng({seed})" if seed is not None else "rng=None")
    return f"agents.{class_name}({', '.join(shown)})"


def _agent_then(what: str):
    return lambda args, kwargs: _agent(args, kwargs) + what


def _torch_module(what: str):
    return lambda args, kwargs: f"torch_networks.{args[0] if args else '?'}(...){what}"


# How each probe appears in feedback: the student code it runs, as a student would write it
# (a fixed text, or a function of the probe's arguments). A probe missing here is shown by what
# it exercises in words, never by its internal name.
DISPLAY = {
    "dp.call_with_rng": _dp_call,
    "dp.call_twice_seeded": lambda a, k: _dp_call(a, {**k, "rng_mode": "seeded"}) + ", twice with the same seed",
    "dp.inputs_after": _dp_call,
    "bandits.state": _agent,
    "bandits.feed": _agent_then(" and its update(...) calls"),
    "bandits.play": _agent_then(", then get_action() and update(...) step by step"),
    "bandits.sample": _agent_then(", then repeated get_action() calls"),
    "bandits.experiment": _agent_then(" on the testbed (run_experiment)"),
    "bandits.experiments": "your agents on the testbed (run_experiment)",
    "lake.run_episode_scripted": "lake_model.run_episode(agent, env, max_steps, seed), scripted agent",
    "lake.run_episode_random": "lake_model.run_episode(agent, env, max_steps, seed), random agent",
    "lake.evaluate_policy_mc_twice": "lake_model.evaluate_policy_mc(env, policy, n_episodes, seed), twice",
    "torch_nets.run": _torch_module(" forward"),
    "torch_nets.run_cuda": _torch_module(" forward on CUDA"),
    "torch_nets.describe": _torch_module(" (its parameters)"),
    "torch_nets.init_parameters": _torch_module(" (its initialisation)"),
    "torch_nets.attention": "torch_networks.scaled_dot_product_attention(query, key, value, mask)",
    "torch_nets.causal_mask": lambda a, k: f"torch_networks.causal_mask({a[0] if a else ''})",
    "torch_nets.train_epochs": "torch_networks.train_one_epoch(model, loader, loss_fn, optimizer)",
    "torch_nets.evaluate": "torch_networks.evaluate(model, loader, loss_fn)",
    "tf_nets.attention": "tf_networks.tf_scaled_dot_product_attention(query, key, value, mask)",
    "tf_nets.describe_mlp": "tf_networks.TFMLP(...) (its layers)",
    "tf_nets.mlp_forward": "tf_networks.TFMLP(...)(x)",
    "tf_nets.train_steps": "tf_networks.make_train_step(model, loss_fn, optimizer)(x, y)",
    "imitation.warm_up": "importing bc_dagger.py",
    "imitation.collect": "bc_dagger.collect_demonstrations(env, policy_fn, n_episodes, seed, expert_fn)",
    "imitation.make_policy_forward": "bc_dagger.make_policy(obs_dim, n_actions)(obs)",
    "imitation.act_known": "bc_dagger.act(policy, obs)",
    "imitation.train_bc_known": "bc_dagger.train_bc(policy, obs, actions, epochs, batch_size, lr, seed)",
    "imitation.dagger_recorded": "bc_dagger.dagger(env, expert_fn, policy, n_iterations, ...)",
    "imitation.train_bc_outcome": "behaviour cloning with your collect_demonstrations, make_policy "
                                               "and train_bc",
    "imitation.train_dagger_outcome": "DAgger with your make_policy, train_bc and dagger",
    "imitation.act_batch": "bc_dagger.act(policy, obs) on CartPole",
    "imitation.train_memory_outcome": "bc_dagger.train_memory_agent(seed)",
    "imitation.memory_agent_reset": "agent.reset()",
    "imitation.memory_agent_act": "agent.act(obs)",
    "imitation.memory_agent_replay": "agent.reset() and agent.act(obs) over a recorded episode",
}
