"""The service directory, aligned with the core of Open Referral HSDS 3.

HSDS tables kept: organization, service, location, service_at_location, address, phone, schedule,
language, plus the service-type link (HSDS ``attribute`` to a ``taxonomy_term``). What this product
adds sits on the location: geocode provenance, neighbourhood and ward, ``last_verified`` and a
``version`` counter for optimistic locking.

A column whose type follows from its annotation (``int``, ``date``, ``time``, ``datetime``) is the
annotation alone; ``float`` stays ``Float`` explicitly (SQLAlchemy would make it a ``DOUBLE``).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class _AtLocationOrService:
    """HSDS phones and schedules each belong to a location or a service: the same keys in each table.

    ``sort_order`` keeps the columns first, where the migrations put them (a mixin's columns would
    otherwise come last, and backups list a table's columns in this order)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-3)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), sort_order=-1)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), sort_order=-1)


class GeocodeStatus(str, enum.Enum):
    OK = "ok"
    NEEDS_ATTENTION = "needs-attention"
    MANUAL = "manual"


PUBLIC_STATUSES = (GeocodeStatus.OK.value, GeocodeStatus.MANUAL.value)


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    # Case- and punctuation-insensitive name: the importer's identity for "the same organization".
    name_key: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(300))
    # The organization's private contact for verification mail: kept by staff, never on a public page,
    # in the public API or in the CSV export (the HSDS export carries it only when asked with --private).
    contact_email: Mapped[str | None] = mapped_column(String(300))
    contact_language: Mapped[str | None] = mapped_column(String(12))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)

    services: Mapped[list[Service]] = relationship(back_populates="organization", cascade="all, delete-orphan")
    locations: Mapped[list[Location]] = relationship(back_populates="organization", cascade="all, delete-orphan")
    # Organization-wide phones only (location phones hang off their location).
    phones: Mapped[list[Phone]] = relationship(back_populates="organization", cascade="all, delete-orphan")


class Location(Base):
    __tablename__ = "location"
    __table_args__ = (
        UniqueConstraint("organization_id", "location_key", name="uq_location_org_key"),
        Index("ix_location_geocode_status", "geocode_status"),
        Index("ix_location_neighbourhood", "neighbourhood_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str | None] = mapped_column(String(300))
    # Normalised address (or name when there is no address): identity for duplicate detection and re-import.
    location_key: Mapped[str] = mapped_column(String(500), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    accessibility: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    closed: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geocode_method: Mapped[str | None] = mapped_column(String(40))
    geocode_precision_m: Mapped[float | None] = mapped_column(Float)
    geocode_confidence: Mapped[float | None] = mapped_column(Float)
    geocode_source: Mapped[str | None] = mapped_column(String(300))
    geocoded_at: Mapped[dt.datetime | None]
    geocode_status: Mapped[str] = mapped_column(String(20), default=GeocodeStatus.NEEDS_ATTENTION.value, nullable=False)
    geocode_note: Mapped[str | None] = mapped_column(Text)
    # The address text the current geocode was made from: re-geocode only when it changes.
    geocoded_address: Mapped[str | None] = mapped_column(String(500))

    neighbourhood_number: Mapped[str | None] = mapped_column(String(10))
    neighbourhood_name: Mapped[str | None] = mapped_column(String(200))
    ward: Mapped[str | None] = mapped_column(String(100))
    outside_city: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    last_verified: Mapped[dt.date | None]
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    organization: Mapped[Organization] = relationship(back_populates="locations")
    addresses: Mapped[list[Address]] = relationship(back_populates="location", cascade="all, delete-orphan",
                                                    order_by="Address.id")
    phones: Mapped[list[Phone]] = relationship(back_populates="location", cascade="all, delete-orphan",
                                               order_by="Phone.id")
    schedules: Mapped[list[Schedule]] = relationship(back_populates="location", cascade="all, delete-orphan",
                                                     order_by="Schedule.id")
    service_links: Mapped[list[ServiceAtLocation]] = relationship(back_populates="location", cascade="all, delete-orphan")
    languages: Mapped[list[Language]] = relationship(back_populates="location", cascade="all, delete-orphan")

    @property
    def physical_address(self) -> Address | None:
        return next((a for a in self.addresses if a.address_type == "physical"), None)

    @property
    def services(self) -> list[Service]:
        return [link.service for link in self.service_links]

    @property
    def is_public(self) -> bool:
        return (not self.closed and self.geocode_status in PUBLIC_STATUSES
                and self.latitude is not None and self.longitude is not None)


class Service(Base):
    __tablename__ = "service"
    __table_args__ = (Index("ix_service_organization", "organization_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    # Free-text eligibility note, as the organization words it ("Bring your PR card").
    eligibility: Mapped[str | None] = mapped_column(Text)
    # Who may use it (elip_map.rules.eligibility): status slugs joined by ";", NULL when not known
    # (the newcomer page then says "ask about eligibility"); HSDS minimum_age/maximum_age; a gender
    # only when the service is restricted to one; fee level free / low-cost / fee beside the fees note.
    eligible_statuses: Mapped[str | None] = mapped_column(String(300))
    minimum_age: Mapped[int | None]
    maximum_age: Mapped[int | None]
    gender: Mapped[str | None] = mapped_column(String(20))
    fee: Mapped[str | None] = mapped_column(String(20))
    fees: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="active", nullable=False)
    last_verified: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)

    organization: Mapped[Organization] = relationship(back_populates="services")
    types: Mapped[list[ServiceType]] = relationship(back_populates="service", cascade="all, delete-orphan",
                                                    order_by="ServiceType.slug")
    languages: Mapped[list[Language]] = relationship(back_populates="service", cascade="all, delete-orphan",
                                                     order_by="Language.code")
    location_links: Mapped[list[ServiceAtLocation]] = relationship(back_populates="service", cascade="all, delete-orphan")
    schedules: Mapped[list[Schedule]] = relationship(back_populates="service", cascade="all, delete-orphan",
                                                     order_by="Schedule.id")

    @property
    def type_slugs(self) -> list[str]:
        return [t.slug for t in self.types]

    @property
    def language_codes(self) -> list[str]:
        return [lang.code for lang in self.languages]


class ServiceAtLocation(Base):
    __tablename__ = "service_at_location"
    __table_args__ = (UniqueConstraint("service_id", "location_id", name="uq_service_at_location"),
                      Index("ix_service_at_location_location", "location_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), nullable=False)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="location_links")
    location: Mapped[Location] = relationship(back_populates="service_links")


class ServiceType(Base):
    """A service's type: HSDS ``attribute`` linking a service to a ``taxonomy_term`` of our taxonomy."""

    __tablename__ = "service_type"
    __table_args__ = (UniqueConstraint("service_id", "slug", name="uq_service_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), nullable=False)
    slug: Mapped[str] = mapped_column(String(60), nullable=False, index=True)

    service: Mapped[Service] = relationship(back_populates="types")


class Language(Base):
    """A language spoken for a service (or at a location): ISO 639 code."""

    __tablename__ = "language"
    __table_args__ = (Index("ix_language_code", "code"), Index("ix_language_service", "service_id"),
                      Index("ix_language_location", "location_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))

    code: Mapped[str] = mapped_column(String(12), nullable=False)
    note: Mapped[str | None] = mapped_column(String(300))

    service: Mapped[Service | None] = relationship(back_populates="languages")
    location: Mapped[Location | None] = relationship(back_populates="languages")


class Address(Base):
    __tablename__ = "address"
    __table_args__ = (Index("ix_address_location", "location_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), nullable=False)
    attention: Mapped[str | None] = mapped_column(String(300))
    address_1: Mapped[str | None] = mapped_column(String(300))
    address_2: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    state_province: Mapped[str | None] = mapped_column(String(60))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2), default="CA", nullable=False)
    address_type: Mapped[str] = mapped_column(String(20), default="physical", nullable=False)

    location: Mapped[Location] = relationship(back_populates="addresses")

    def one_line(self) -> str:
        parts = [self.address_2, self.address_1, self.city, self.state_province, self.postal_code]
        return ", ".join(p for p in parts if p)


class Phone(_AtLocationOrService, Base):
    __tablename__ = "phone"
    __table_args__ = (Index("ix_phone_location", "location_id"), Index("ix_phone_organization", "organization_id"))

    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"),
                                                       sort_order=-2)
    number: Mapped[str] = mapped_column(String(30), nullable=False)  # E.164
    extension: Mapped[str | None] = mapped_column(String(10))
    type: Mapped[str] = mapped_column(String(20), default="voice", nullable=False)
    description: Mapped[str | None] = mapped_column(String(300))

    organization: Mapped[Organization | None] = relationship(back_populates="phones")
    location: Mapped[Location | None] = relationship(back_populates="phones")


class Schedule(_AtLocationOrService, Base):
    """Structured opening hours: one row per weekday opening (HSDS ``schedule`` with ``byday``)."""

    __tablename__ = "schedule"
    __table_args__ = (Index("ix_schedule_location", "location_id"), Index("ix_schedule_service", "service_id"))

    weekday: Mapped[int | None]  # ISO weekday, 1 = Monday .. 7 = Sunday
    opens_at: Mapped[dt.time | None]
    closes_at: Mapped[dt.time | None]
    valid_from: Mapped[dt.date | None]
    valid_to: Mapped[dt.date | None]
    description: Mapped[str | None] = mapped_column(Text)  # free-text note ("by appointment", "closed holidays")

    location: Mapped[Location | None] = relationship(back_populates="schedules")
    service: Mapped[Service | None] = relationship(back_populates="schedules")


class GeocodeCache(Base):
    """Geocoder answers by normalised address, so an unchanged address is never geocoded twice."""

    __tablename__ = "geocode_cache"
    __table_args__ = (UniqueConstraint("address_key", "method", name="uq_geocode_cache"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address_key: Mapped[str] = mapped_column(String(500), nullable=False)
    method: Mapped[str] = mapped_column(String(40), nullable=False)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    precision_m: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(300))
    raw: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class DuplicateSuspect(Base):
    """Two rows an import thought were the same organization and address: for a person to check."""

    __tablename__ = "duplicate_suspect"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    source_file: Mapped[str | None] = mapped_column(String(300))
    row_numbers: Mapped[str] = mapped_column(String(200), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class Meta(Base):
    """Key/value facts about the directory: which dataset it holds, its version counter."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
