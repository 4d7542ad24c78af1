""" "Download my data" and "delete my account" across areas.

Each area registers what it holds about a person (an exporter) and how to anonymise it (an
eraser), so the account pages do not need to know every table of the platform.
"""

_exporters = {}
_erasers = {}


def personal_data_exporter(section):
    def decorator(function):
        _exporters[section] = function
        return function

    return decorator


def personal_data_eraser(name):
    def decorator(function):
        _erasers[name] = function
        return function

    return decorator


def collect_personal_data(user):
    return {section: export(user) for section, export in sorted(_exporters.items())}


def erase_personal_data(user):
    for _name, erase in sorted(_erasers.items()):
        erase(user)
