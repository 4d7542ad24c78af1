import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import relationship

from participation.core.i18n import current_language
from participation.core.models import UTCDateTime, translated, utcnow
from participation.extensions import db


class TranslatableNameMixin:
    """`name` is a {"ar": ..., "fr": ..., "zgh": ...} mapping; display_name() picks one."""

    def display_name(self, language=None):
        return translated(self.name, language or current_language())[0]


class Region(TranslatableNameMixin, db.Model):
    __tablename__ = "regions"

    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(4), nullable=False, unique=True)
    iso_code = sa.Column(sa.String(10), nullable=False, unique=True)
    name = sa.Column(sa.JSON, nullable=False)
    capital = sa.Column(sa.JSON, nullable=False, default=dict)
    population = sa.Column(sa.Integer, nullable=True)
    population_year = sa.Column(sa.Integer, nullable=True)

    provinces = relationship(
        "Province", back_populates="region", order_by="Province.iso_code", lazy="selectin"
    )

    __table_args__ = (
        sa.CheckConstraint("population IS NULL OR population >= 0", name="population"),
    )


class ProvinceKind(enum.StrEnum):
    PREFECTURE = "prefecture"
    PROVINCE = "province"


PROVINCE_KIND_LABELS = {
    ProvinceKind.PREFECTURE: _l("Prefecture"),
    ProvinceKind.PROVINCE: _l("Province"),
}


class Province(TranslatableNameMixin, db.Model):
    __tablename__ = "provinces"

    id = sa.Column(sa.Integer, primary_key=True)
    region_id = sa.Column(sa.Integer, sa.ForeignKey("regions.id"), nullable=False, index=True)
    iso_code = sa.Column(sa.String(10), nullable=False, unique=True)
    kind = sa.Column(sa.String(16), nullable=False)
    name = sa.Column(sa.JSON, nullable=False)
    population = sa.Column(sa.Integer, nullable=True)
    population_year = sa.Column(sa.Integer, nullable=True)

    region = relationship("Region", back_populates="provinces")

    __table_args__ = (
        sa.CheckConstraint("kind IN ('prefecture', 'province')", name="kind"),
        sa.CheckConstraint("population IS NULL OR population >= 0", name="population"),
    )


class CommuneKind(enum.StrEnum):
    URBAN = "urban"  # municipalité
    RURAL = "rural"


class Commune(TranslatableNameMixin, db.Model):
    """One of Morocco's communes (organic law 113.14), identified by its HCP census code. Its
    population sets the number of signatures a communal petition needs, and whether it has
    arrondissements too (113.14 art. 123)."""

    __tablename__ = "communes"

    id = sa.Column(sa.Integer, primary_key=True)
    province_id = sa.Column(sa.Integer, sa.ForeignKey("provinces.id"), nullable=False, index=True)
    code = sa.Column(sa.String(16), nullable=False, unique=True)
    kind = sa.Column(sa.String(8), nullable=False)
    name = sa.Column(sa.JSON, nullable=False)
    population = sa.Column(sa.Integer, nullable=True)
    population_year = sa.Column(sa.Integer, nullable=True)
    has_arrondissements = sa.Column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )

    province = relationship("Province")

    __table_args__ = (
        sa.CheckConstraint(
            "kind IN (" + ", ".join(f"'{k.value}'" for k in CommuneKind) + ")", name="kind"
        ),
        sa.CheckConstraint("population IS NULL OR population >= 0", name="population"),
    )

    @property
    def region_id(self):
        return self.province.region_id


class InstitutionKind(enum.StrEnum):
    MINISTRY = "ministry"
    HEAD_OF_GOVERNMENT = "head_of_government"
    HOUSE_OF_REPRESENTATIVES = "house_of_representatives"
    HOUSE_OF_COUNCILLORS = "house_of_councillors"
    REGIONAL_COUNCIL = "regional_council"
    PROVINCIAL_COUNCIL = "provincial_council"
    COMMUNAL_COUNCIL = "communal_council"


INSTITUTION_KIND_LABELS = {
    InstitutionKind.MINISTRY: _l("Ministry"),
    InstitutionKind.HEAD_OF_GOVERNMENT: _l("Head of Government"),
    InstitutionKind.HOUSE_OF_REPRESENTATIVES: _l("House of Representatives"),
    InstitutionKind.HOUSE_OF_COUNCILLORS: _l("House of Councillors"),
    InstitutionKind.REGIONAL_COUNCIL: _l("Regional council"),
    InstitutionKind.PROVINCIAL_COUNCIL: _l("Provincial or prefectural council"),
    InstitutionKind.COMMUNAL_COUNCIL: _l("Communal council"),
}

TERRITORIAL_KINDS = {
    InstitutionKind.REGIONAL_COUNCIL,
    InstitutionKind.PROVINCIAL_COUNCIL,
    InstitutionKind.COMMUNAL_COUNCIL,
}


class Institution(TranslatableNameMixin, db.Model):
    __tablename__ = "institutions"

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(32), nullable=False, index=True)
    name = sa.Column(sa.JSON, nullable=False)
    acronym = sa.Column(sa.String(20), nullable=True)
    website = sa.Column(sa.String(300), nullable=True)
    region_id = sa.Column(sa.Integer, sa.ForeignKey("regions.id"), nullable=True, index=True)
    province_id = sa.Column(sa.Integer, sa.ForeignKey("provinces.id"), nullable=True, index=True)
    # A communal council's commune: communal petitions to that commune are addressed to it.
    commune_id = sa.Column(sa.Integer, sa.ForeignKey("communes.id"), nullable=True, index=True)
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    # A communal council created before communes were loaded carries its commune's population
    # and arrondissements itself; the Commune's figures are used when the council has one.
    population = sa.Column(sa.Integer, nullable=True)
    has_arrondissements = sa.Column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    region = relationship("Region")
    province = relationship("Province")
    commune = relationship("Commune")

    __table_args__ = (
        sa.CheckConstraint(
            "kind IN (" + ", ".join(f"'{k.value}'" for k in InstitutionKind) + ")", name="kind"
        ),
    )

    @property
    def kind_label(self):
        return INSTITUTION_KIND_LABELS[InstitutionKind(self.kind)]
