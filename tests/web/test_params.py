from papertide.web.params import is_on


def test_what_counts_as_on():
    for value in ("1", "on", "true", "yes", "ON", "True", " yes "):
        assert is_on(value), value


def test_everything_else_is_off():
    for value in (None, "", "0", "off", "false", "no", "2", "y", "checked", "onn"):
        assert not is_on(value), value
