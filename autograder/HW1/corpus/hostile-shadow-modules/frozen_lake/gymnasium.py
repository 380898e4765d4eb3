"""Planted gymnasium look-alike: make() returns an object that equals everything."""


class _Anything:
    def __eq__(self, other):
        return True

    def __getattr__(self, name):
        return _Anything()

    def __call__(self, *args, **kwargs):
        return _Anything()


def make(*args, **kwargs):
    return _Anything()
