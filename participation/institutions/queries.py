import sqlalchemy as sa

from participation.extensions import db
from participation.institutions.models import Institution, Province, Region


def list_regions():
    return db.session.scalars(sa.select(Region).order_by(Region.code)).all()


def list_provinces(region_id=None):
    query = sa.select(Province).order_by(Province.region_id, Province.iso_code)
    if region_id:
        query = query.where(Province.region_id == region_id)
    return db.session.scalars(query).all()


def list_institutions(*, kind=None, include_inactive=False):
    query = sa.select(Institution).order_by(Institution.kind, Institution.id)
    if kind:
        query = query.where(Institution.kind == kind)
    if not include_inactive:
        query = query.where(Institution.active)
    return db.session.scalars(query).all()


def get_region_by_code(code):
    return db.session.scalar(sa.select(Region).where(Region.code == code))
