"""A buggy submission: the rewards are summed without discounting."""


def discounted_return(rewards, gamma):
    return float(sum(rewards))
