import unicodedata

import sqlalchemy as sa

from participation.extensions import db
from participation.institutions.models import Commune, Institution, Province, Region


def list_regions():
    return db.session.scalars(sa.select(Region).order_by(Region.code)).all()


def list_provinces(region_id=None):
    query = sa.select(Province).order_by(Province.region_id, Province.iso_code)
    if region_id:
        query = query.where(Province.region_id == region_id)
    return db.session.scalars(query).all()


def _alphabetical(name):
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def list_communes(province_id):
    """The communes of a prefecture or province, in the alphabetical order of their names in
    the current language (accents aside)."""
    if not province_id:
        return []
    communes = db.session.scalars(sa.select(Commune).where(Commune.province_id == province_id))
    return sorted(communes, key=lambda c: (_alphabetical(c.display_name()), c.code))


def _communes_by_code(province_id=None):
    query = sa.select(Commune).order_by(Commune.code)
    if province_id:
        query = query.where(Commune.province_id == province_id)
    return query


def list_communes_by_code(province_id=None, *, page=1, per_page=20):
    """A page of the communes (of one prefecture or province), in the order of their census
    codes: the API's list."""
    return db.paginate(
        _communes_by_code(province_id), page=page, per_page=per_page, error_out=False
    )


def list_all_communes():
    """Every commune, in the order of their census codes: the open-data dump."""
    return db.session.scalars(_communes_by_code()).all()


def count_communes(province_id=None):
    query = sa.select(sa.func.count(Commune.id))
    if province_id:
        query = query.where(Commune.province_id == province_id)
    return db.session.scalar(query)


def get_commune(commune_id):
    return db.session.get(Commune, commune_id) if commune_id else None


def get_commune_by_code(code):
    return db.session.scalar(sa.select(Commune).where(Commune.code == code))


def list_institutions(*, kind=None, include_inactive=False):
    query = sa.select(Institution).order_by(Institution.kind, Institution.id)
    if kind:
        query = query.where(Institution.kind == kind)
    if not include_inactive:
        query = query.where(Institution.active)
    return db.session.scalars(query).all()


def get_region_by_code(code):
    return db.session.scalar(sa.select(Region).where(Region.code == code))
