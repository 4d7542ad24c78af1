"""The identity form's fields as a browser posts them, shared by the identity tests."""

from datetime import date, timedelta


def identity_data(province, **overrides):
    data = {
        "first_name": "Karim",
        "last_name": "Tazi",
        "cin": "ab 654321",
        "cin_expiry": (date.today() + timedelta(days=400)).isoformat(),
        "birth_date": "1985-05-20",
        "address": "3 avenue Mohammed V, Rabat",
        "region_id": str(province.region_id),
        "province_id": str(province.id),
        "country": "",
        "declaration": "y",
    }
    data.update(overrides)
    return data
