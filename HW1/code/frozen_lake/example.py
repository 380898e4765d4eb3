# GIVEN CODE: complete, do not edit. This is the recitation's Gymnasium demo (Problem 0, 0 points).
"""Recitation 1's Gymnasium demo: a random agent on FrozenLake.

Run it from this folder: ``python example.py`` (or ``make demo`` from the repository
root). It uses the course's 4x4 map (``lake_info.maps["4x4"]``: start 2, goal 5), the map
of the homework; ``--map gymnasium`` shows Gymnasium's default 4x4 map instead (start 0,
goal 15). It prints the start state's transitions and the one step onto the goal.
``--render human`` opens a pygame window when there is a display and pygame is
installed; otherwise it falls back to ``ansi`` (text) with a one-line notice, so it
never crashes for lack of a screen. ``--render none`` prints only the steps.
"""

import argparse
import importlib.util
import os
import warnings

import gymnasium
import lake_info
import numpy as np


class RandomAgent:
    """Picks one of ``number_of_discrete_actions`` actions uniformly at random.

    ``rng`` is a ``np.random.Generator``; ``None`` means a fresh unseeded one.
    """

    def __init__(self, number_of_discrete_actions, rng=None):
        self.number_of_discrete_actions = number_of_discrete_actions
        self.rng = rng if rng is not None else np.random.default_rng()

    def get_action(self, observation):
        return int(self.rng.integers(self.number_of_discrete_actions))


def run(agent, env, max_steps):
    """The recitation's episode loop, as shown in the slides.

    Note two things Problem 1's ``run_episode`` corrects: the reset is not seeded, and
    the loop ignores ``truncated`` (it relies on ``max_steps`` instead).
    """
    observation, info = env.reset()
    episode_observations, episode_actions, episode_rewards = [], [], []

    for _ in range(max_steps):
        action = agent.get_action(observation)

        next_observation, reward, terminated, truncated, info = env.step(action)

        episode_observations.append(observation)
        episode_actions.append(action)
        episode_rewards.append(reward)

        observation = next_observation

        if terminated:
            break

    return (episode_observations, episode_actions, episode_rewards)


def choose_render_mode(requested):
    """``requested`` if it can work here, else ``'ansi'`` with a one-line notice (never raises)."""
    if requested != "human":
        return None if requested == "none" else requested
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    has_pygame = importlib.util.find_spec("pygame") is not None
    if has_display and has_pygame:
        return "human"
    reason = "no display" if not has_display else "pygame is not installed"
    print(f"note: --render human needs a display and pygame ({reason}); showing text (ansi) instead.")
    return "ansi"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Recitation 1: a random agent on FrozenLake-v1.")
    parser.add_argument("--render", choices=["human", "ansi", "none"], default="human",
                        help="how to show the lake (default: human, falling back to ansi when headless)")
    parser.add_argument("--seed", type=int, default=None, help="seed for the agent and the reset")
    parser.add_argument("--map", choices=["course", "gymnasium"], default="course",
                        help="the course's 4x4 map (default: start 2, goal 5) or Gymnasium's default 4x4 map")
    return parser.parse_args(argv)


def main(argv=None):
    # frozen lake documentation:
    # https://gymnasium.farama.org/environments/toy_text/frozen_lake/

    # frozen lake code:
    # https://github.com/Farama-Foundation/Gymnasium/blob/main/gymnasium/envs/toy_text/frozen_lake.py
    args = parse_args(argv)
    render_mode = choose_render_mode(args.render)
    max_steps = 10

    env = gymnasium.make('FrozenLake-v1',
                         desc=lake_info.maps['4x4'] if args.map == 'course' else None,
                         map_name='4x4',
                         is_slippery=False,
                         max_episode_steps=max_steps,
                         render_mode=render_mode)

    action_space = env.action_space
    observation_space = env.observation_space

    print()
    print(f'action space: {action_space}')
    print(f'observation space: {observation_space}')

    print()
    print(f'height of map: {env.unwrapped.nrow}')
    print(f'width of map: {env.unwrapped.ncol}')

    print()
    desc = env.unwrapped.desc.astype(str)
    cells = ''.join(''.join(row) for row in desc)
    start, goal = cells.index('S'), cells.index('G')
    print(f'map ({args.map}): {" / ".join("".join(row) for row in desc)}  (start {start}, goal {goal})')
    print('env.unwrapped.P[state][action] = [(probability of transition, next observation, reward, terminal), ...]')
    for action, name in lake_info.actions_to_names.items():
        print(f'env.unwrapped.P[{start}][{action}] = {env.unwrapped.P[start][action]}   ({name} from the start)')
    # The one step onto the goal: from the goal's left neighbour, or the one above it.
    before, action = (goal - 1, 2) if goal % env.unwrapped.ncol else (goal - env.unwrapped.ncol, 1)
    print(f'env.unwrapped.P[{before}][{action}] = {env.unwrapped.P[before][action]}   '
          f'({lake_info.actions_to_names[action]} onto the goal)')
    print('try turning is_slippery to True and seeing how it affects the above output')

    agent = RandomAgent(number_of_discrete_actions=action_space.n, rng=np.random.default_rng(args.seed))
    env.reset(seed=args.seed)

    # ignore pygame avx2 support warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        observations, actions, rewards = run(agent, env, max_steps)

    if render_mode == "ansi":
        print()
        print(env.render())
    env.close()

    print()
    print('The state numbers start from 0 in the top left corner and increase left to right and then top to bottom.')
    print('So the top right corner is 3 and the state immediately below the top left corner is 4.')

    print()
    for observation, action, reward in zip(observations, actions, rewards):
        print(f'Agent was at state {observation} and chose action '
              f'{lake_info.actions_to_names[action].ljust(5)} getting reward {reward}')

    print()
    print(f'Cumulative total rewards: {sum(rewards)}')
    return observations, actions, rewards


if __name__ == '__main__':
    main()
