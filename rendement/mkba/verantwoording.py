def verantwoording_table(params):
    raise NotImplementedError


def verantwoording_markdown(params):
    raise NotImplementedError
