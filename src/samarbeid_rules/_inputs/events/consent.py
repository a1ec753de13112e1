"""Events of catalog section D, confidentiality and consent (circular 001 §6):
the duties ``consent.*``.

A consent (*samtykke*) lasts from :class:`ConsentGiven` until
:class:`ConsentWithdrawn` (a measure of kind ``consent``, paired by
``measure_id``); each :class:`InformationDisclosed` needs a consent that covers
its recipient at that moment, or a statutory basis.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, Strict

from .base import Agency, ConsentForm, DisclosureBasis, MeasureKind, _EventBase, _MeasureEnd, _MeasureStart

__all__ = ["ConsentGiven", "ConsentWithdrawn", "InformationDisclosed"]


class ConsentGiven(_MeasureStart):
    """Consent to share confidential information (*samtykke*); lasts until withdrawn.

    ``measure_id`` is the consent's id; ``scope`` lists the recipients it covers.
    """

    measure_kind: ClassVar[MeasureKind] = MeasureKind.CONSENT
    type: Literal["consent_given"] = "consent_given"
    scope: list[Annotated[Agency, Strict(False)]] = Field(min_length=1, max_length=20)
    form: ConsentForm = Field(strict=False)
    informed: bool = Field(description="The inmate was informed of what the consent means.")
    filed_in_own_record: bool = Field(description="Filed in the recording party's own record system.")
    recorded_by: Literal["KO", "KHO"]


# No docstring: a model's docstring becomes its description in the timeline
# JSON Schema, which has none for this event (kept unchanged). It is the end
# of the consent of the same measure_id.
class ConsentWithdrawn(_MeasureEnd):
    """A consent was withdrawn (*samtykke trukket tilbake*); it no longer permits disclosures from ``at`` on."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.CONSENT
    type: Literal["consent_withdrawn"] = "consent_withdrawn"


class InformationDisclosed(_EventBase):
    """Confidential information shared by KO with another agency."""

    type: Literal["information_disclosed"] = "information_disclosed"
    recipient: Agency = Field(strict=False)
    legal_basis: DisclosureBasis = Field(strict=False)
