"""Hidden tests for Problem 3 (agents.py): behaviour on the testbed and limiting cases.

Statistical tests run whole experiments with the given ``testbed.run_experiment`` inside
ONE probe call in the worker (200 runs, on fixed hidden seeds) and compare statistics of
the averaged curves with margins calibrated on the reference solution. Comparisons are
paired: both agents run on the same seed, so they face the same testbeds and noise.

Calibration, two ways, with the same sizes as here (each docstring gives the figures):

- over seeds: the reference on the 200 seeds 1000..1199: mean, sd, minimum, and the
  reference's pass rate over those seeds at the chosen margin;
- on the hidden seed: the reference's own value (which a correct submission drawing its
  random numbers in the documented order reproduces exactly), and 200 replicates with the
  same testbeds but other agent seeds (what a correct submission drawing differently
  gets): mean and sd. Every margin sits at least 7 of these sds below their mean, and
  at least 3.7 sds over seeds, so a correct submission fails with probability far below 1
  in 1000.
"""

import numpy as np
import pytest

from harness.checks import check, check_array, check_close
from harness.modules import load_public

# Messages here say what differs and the convention checked; the public tests' hints for exceptions apply.
ERROR_HINTS = load_public(__file__, "bandits/test_agents.py").ERROR_HINTS

RUNS, STEPS, SEED = 200, 1000, 424242
EARLY_RUNS, EARLY_STEPS, EARLY_SEED = 200, 50, 8675309
MATCH_RUNS, MATCH_STEPS, MATCH_SEED = 20, 300, 271828
EPSILON_01 = ("EpsilonGreedyAgent", {"k": 10, "epsilon": 0.1})
GREEDY = ("EpsilonGreedyAgent", {"k": 10, "epsilon": 0.0})
UCB_2 = ("UCBAgent", {"k": 10, "c": 2.0})
# Sutton & Barto figure 2.3's optimistic greedy agent: Q0 = 5 and a constant step size 0.1.
OPTIMISTIC = ("EpsilonGreedyAgent", {"k": 10, "epsilon": 0.0, "initial_value": 5.0, "step_size": 0.1})
EXPERIMENT_TIMEOUT = 45.0


def _describe(config):
    class_name, kwargs = config
    return f"{class_name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def _curves(student, configs, n_runs, n_steps, seed):
    """Run every config on the same seed in one worker call; check and return the curves."""
    out = student.probe("bandits.experiments", [list(c) for c in configs], n_runs, n_steps, seed,
                        timeout=EXPERIMENT_TIMEOUT)
    curves = []
    for config, result in zip(configs, out):
        what = f"testbed.run_experiment with {_describe(config)}"
        check(isinstance(result, tuple) and len(result) == 2, what, "did not return two curves")
        reward, optimal = result
        check_array(reward, f"{what}: mean_reward", shape=(n_steps,), dtype=np.float64)
        check_array(optimal, f"{what}: optimal_fraction", shape=(n_steps,), dtype=np.float64)
        check(bool(np.isfinite(reward).all()), what, "average rewards are not finite")
        curves.append((reward, optimal))
    return curves


def test_epsilon_greedy_exploration_beats_greedy(student):
    """epsilon = 0.1 earns more than epsilon = 0 (both Q0 = 0), averaged over 1000 steps.

    Statistic: mean over all steps of mean_reward(epsilon 0.1) - mean_reward(greedy);
    200 runs x 1000 steps, paired. Margin: >= 0.12. Reference on the hidden seed: 0.3257;
    other agent seeds on the hidden seed: mean 0.3283, sd 0.0069 (margin 30 sd below).
    Over 200 seeds: mean 0.2781, sd 0.0361, min 0.1977 (margin 4.4 sd below); reference
    pass rate 200/200. An agent that never explores (epsilon ignored) scores 0.
    """
    (explore, _), (greedy, _) = _curves(student, [EPSILON_01, GREEDY], RUNS, STEPS, SEED)
    gain = float(explore.mean() - greedy.mean())
    check(gain >= 0.12, f"{_describe(EPSILON_01)} against {_describe(GREEDY)} ({RUNS} runs x {STEPS} steps; "
          "explore with probability epsilon, uniformly over all arms, otherwise np.argmax(q))",
          f"average reward per step differs by only {gain:+.3f}; exploring with probability 0.1 should "
          "clearly beat pure greedy on the 10-armed testbed")


def _reference_curves(reference, config, n_runs, n_steps, seed):
    """The reference agent's curves on the given testbed: a baseline that does not depend on the
    student's other agents (a broken epsilon-greedy must not cost UCB's points)."""
    agents, testbed = reference("agents"), reference("testbed")
    class_name, kwargs = config
    cls = getattr(agents, class_name)
    return testbed.run_experiment(lambda rng: cls(**kwargs, rng=rng), n_runs, n_steps, seed, progress=False)


def test_ucb_beats_epsilon_greedy_late(student, reference):
    """UCB with c = 2 earns more than epsilon-greedy 0.1 over the last 500 of 1000 steps.

    The epsilon-greedy baseline is the reference's (the student's UCB alone is graded here).

    Statistic: mean over steps 501..1000 of mean_reward(UCB c=2) - mean_reward(epsilon 0.1);
    200 runs, paired. Margin: >= 0.07. Reference on the hidden seed: 0.1174; other agent
    seeds on the hidden seed (UCB draws nothing; epsilon-greedy varies): mean 0.1109, sd
    0.0050 (margin 8.2 sd below). Over 200 seeds: mean 0.1133, sd 0.0069, min 0.0961
    (margin 6.3 sd below); reference pass rate 200/200.
    """
    ((ucb, _),) = _curves(student, [UCB_2], RUNS, STEPS, SEED)
    explore, _ = _reference_curves(reference, EPSILON_01, RUNS, STEPS, SEED)
    late = slice(STEPS // 2, None)
    gain = float(ucb[late].mean() - explore[late].mean())
    check(gain >= 0.07, f"{_describe(UCB_2)} against {_describe(EPSILON_01)}, steps 501-1000 (untried arms first, "
          "then np.argmax(q + c * sqrt(ln t / counts)) with t = counts.sum() + 1)",
          f"average reward per step differs by {gain:+.3f}; UCB should clearly beat epsilon-greedy late in the run")


def test_optimistic_greedy_early_spike(student):
    """Optimistic greedy (Q0 = 5, epsilon = 0, step_size = 0.1) tries every arm, spikes at step 11, drops.

    Sutton & Barto figure 2.3's agent, 200 runs x 50 steps on another hidden seed. A greedy
    agent draws nothing, so every correct submission gets the reference's values on the
    hidden seed exactly. Two statistics of its optimal-action fraction
    (``autograder/calibration/calibrate_bandits.py seeds --only early``, 200 seeds from 1000):

    - jump = optimal[step 11] - mean(optimal[steps 1..10]): after one pull of each arm the
      greedy choice is the arm that paid most. Margin: >= 0.18. Reference on the hidden
      seed: 0.3000. Over 200 seeds: mean 0.3310, sd 0.0359, min 0.2350 (margin 4.2 sd
      below); reference pass rate 200/200. Without optimism (Q0 ignored): 0.104.
    - drop = optimal[step 11] - mean(optimal[steps 12..20]): with a constant step size one
      pull lowers the chosen arm's estimate only a tenth of the way, below the untried
      arms' optimism, so the agent moves on (the spike of figure 2.3). Margin: >= 0.15.
      Reference on the hidden seed: 0.2617. Over 200 seeds: mean 0.2990, sd 0.0379, min
      0.2006 (margin 3.9 sd below); reference pass rate 200/200. With sample averages
      (step_size ignored): -0.135; without optimism: -0.019.
    """
    [(_, optimistic)] = _curves(student, [OPTIMISTIC], EARLY_RUNS, EARLY_STEPS, EARLY_SEED)
    jump = float(optimistic[10] - optimistic[:10].mean())
    check(jump >= 0.18, f"{_describe(OPTIMISTIC)}: fraction of optimal actions at step 11 minus steps 1-10 (q "
          "starts at initial_value for every arm)",
          f"is {jump:+.3f}; after trying each arm once (steps 1-10) the greedy choice at step 11 should "
          "jump well above chance")
    drop = float(optimistic[10] - optimistic[11:20].mean())
    check(drop >= 0.15, f"{_describe(OPTIMISTIC)}: fraction of optimal actions at step 11 minus steps 12-20 (with "
          "step_size set, q[a] += step_size * (reward - q[a]))",
          f"is {drop:+.3f}; with a constant step size the agent should leave its step-11 arm (a spike, "
          "as in Sutton & Barto figure 2.3)")


def test_boltzmann_limiting_temperatures(student):
    """Temperature -> 0 acts greedily (equal maxima share), a huge temperature is uniform.

    Tiny temperature 1e-4 with q gaps of 0.1 (q / temperature ~ 1e4): probabilities one-hot
    on the best arm (within 1e-12), 300 draws all on it; two equal maxima get 1/2 each.
    Temperature 1e8: probabilities within 1e-6 of 1/k, and 5000 draws pass a chi-square
    bound of 35 (9 degrees of freedom, exceeded by chance with probability 6e-5; the reference
    on its seed: 10.7).
    """
    updates = [(0, 0.3), (1, 1.2), (2, -0.4), (3, 1.1), (4, 0.9), (5, 0.0), (6, -2.0), (7, 0.5), (8, 1.0)]
    cold = {"k": 10, "temperature": 1e-4}
    out = student.probe("bandits.sample", "BoltzmannAgent", cold, 5, updates, 300)
    what = f"BoltzmannAgent({cold}) with a single best arm"
    probabilities = check_array(out["probabilities"], f"{what}: action_probabilities()", shape=(10,),
                                dtype=np.float64)
    check(bool(np.isfinite(probabilities).all()), f"{what}: action_probabilities()", "has non-finite values")
    check_close(probabilities, np.eye(10)[1], f"{what}: action_probabilities()", atol=1e-12, reveal=False,
                index_name="arm")
    actions = out["actions"]
    check(isinstance(actions, np.ndarray) and bool((actions == 1).all()), f"{what}: 300 actions (a temperature "
          "near 0 makes softmax exploration greedy)", "are not all the greedy arm")

    tied = student.probe("bandits.sample", "BoltzmannAgent", cold, 5, [(0, 1.0), (1, 0.5), (2, 1.0)], 0)
    expected = np.zeros(10)
    expected[[0, 2]] = 0.5
    check_close(tied["probabilities"], expected, f"BoltzmannAgent({cold}) with two equal best arms: "
                "action_probabilities()", atol=1e-12, reveal=False, index_name="arm")

    hot = {"k": 10, "temperature": 1e8}
    out = student.probe("bandits.sample", "BoltzmannAgent", hot, 6, updates, 5000)
    what = f"BoltzmannAgent({hot})"
    check_close(out["probabilities"], np.full(10, 0.1), f"{what}: action_probabilities()", atol=1e-6,
                reveal=False, index_name="arm")
    actions = out["actions"]
    check(isinstance(actions, np.ndarray) and actions.shape == (5000,), f"{what}: 5000 actions",
          "did not come back as 5000 integer arms")
    check(bool(((actions >= 0) & (actions < 10)).all()), f"{what}: 5000 actions", "contain arms outside [0, 10)")
    counts = np.bincount(actions, minlength=10)
    stat = float(((counts - 500.0) ** 2 / 500.0).sum())
    check(stat < 35.0, f"{what}: arm counts over 5000 draws {counts.tolist()}",
          "are not uniform although the temperature is huge")


MATCH_CONFIGS = {  # ids name the class each case exercises
    "EpsilonGreedyAgent": ("EpsilonGreedyAgent", {"k": 10, "epsilon": 0.1}),
    "EpsilonGreedyAgent-optimistic": ("EpsilonGreedyAgent", {"k": 10, "epsilon": 0.05, "initial_value": 3.0}),
    "UCBAgent": ("UCBAgent", {"k": 10, "c": 1.0}),
    "BoltzmannAgent": ("BoltzmannAgent", {"k": 10, "temperature": 0.3}),
}


@pytest.mark.parametrize("name", list(MATCH_CONFIGS))
def test_agents_match_reference_on_hidden_seeds(student, reference, name):
    """The documented draws reproduce the reference's curves exactly (20 runs x 300 steps).

    Rounding noise is tolerated: the curves must agree within 1e-9, and a different
    summation order can change an action only when two values tie within about 1e-16.
    """
    config = MATCH_CONFIGS[name]
    class_name, kwargs = config
    [(reward, optimal)] = _curves(student, [config], MATCH_RUNS, MATCH_STEPS, MATCH_SEED)
    agents, testbed = reference("agents"), reference("testbed")
    cls = getattr(agents, class_name)
    expected_reward, expected_optimal = testbed.run_experiment(lambda rng: cls(**kwargs, rng=rng), MATCH_RUNS,
                                                               MATCH_STEPS, MATCH_SEED, progress=False)
    what = (f"testbed.run_experiment with {_describe(config)} on a hidden seed (the documented draws: "
            "epsilon-greedy draws rng.random() every step and rng.integers(k) only when exploring; Boltzmann "
            "draws one rng.choice(k, p=...); UCB draws nothing)")
    check_close(optimal, expected_optimal, f"{what}: optimal_fraction", atol=1e-9, reveal=False,
                index_name="step index")
    check_close(reward, expected_reward, f"{what}: mean_reward", atol=1e-9, reveal=False, index_name="step index")
