"""Labels of a custom object are one list however the sheet spells the object.

A custom object is written by its type id (``2-7350001``) or its name (``p_installations``,
``p24681357_installations``, in any case).  Before: ``configure_labels`` kept its labels per
spelling, so a label a row created through one spelling was unknown to a later row spelling the
object otherwise -- HubSpot got a second label of one name, reported ``success`` (or a dry run
planned a create the real run then failed).  And ``limits --create-labels`` gave each spelling
its own stand-in for one new label: two rows asking it different limits were planned both,
then the label was created and both rows refused ``CONFLICTING_ROWS``.  Now one object is one
object pair (:mod:`hubframe.run.spelling`, as the limits and sync jobs): the second spelling's
row finds the label, the dry run plans what the real run does, and a label none of whose rows
is sent is not created.  Where the labels lists name no object type ids (2026-09, the "hostile"
profile) the custom object schemas list says which name is which type id; where it fails too, a
sheet mixing a type id and a name is refused, as the limits and sync jobs refuse it.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.jobs.limits import limits_after_labels
from hubframe.jobs.new_labels import create_new_labels, plan_new_labels
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import PORTAL_ID
from hubframe.testing import client_for, without_schemas

pytestmark = pytest.mark.profiles

VERSIONS = ["2026-03", "2026-09", "v4"]
ID, NAME, LONG = "2-7350001", "p_installations", f"p{PORTAL_ID}_installations"
#: two spellings of the one custom object (the second as an analyst might type it)
SPELLINGS = [
    (ID, NAME),
    (NAME, ID),
    (ID, LONG.upper()),
    (NAME, LONG),
    (LONG, "P_Installations"),
    (NAME, "P_INSTALLATIONS"),
]


def _refused(profile: str, version: str, a: str, b: str) -> bool:
    """A type id and a name, where the labels lists name no object type ids (2026-09, or a
    portal that leaves them out: the "hostile" profile): which is which cannot be told when
    the schemas list fails too (checked first; then the run with the list read)."""
    return (a == ID) != (b == ID) and (version == "2026-09" or profile == "hostile")


def _installers(sb: Sandbox) -> list[tuple[str, str, int]]:
    out = []
    for f, t in (("deals", ID), (ID, "deals")):
        listed = sb.labels(f, t)
        named = listed[listed["label"].fillna("").str.casefold() == "installer"]
        out += [(f, t, int(i)) for i in named["type_id"]]
    return out


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("first", "second"), SPELLINGS)
@pytest.mark.parametrize("names", [False, True])
def test_a_label_one_spelling_creates_is_found_through_the_other(
    sandbox: Sandbox, profile: str, version: str, first: str, second: str, names: bool
) -> None:
    name = ",installer_b" if names else ","
    sheet = (
        "From type,To type,Label,Name\n"
        f"deals,{second},Foo,\n"  # the second spelling's list read before the create
        f"{second},deals,Foo,\n"
        f"deals,{first},Installer,{'installer_a' if names else ''}\n"
        f"deals,{second},Installer{name}\n"
        f"{second},deals,Installer,\n"
    )
    client = client_for(sandbox, version)
    if _refused(profile, version, first, second):
        with pytest.raises(InputError, match=r"by type id \(2-7350001\) and by name"):
            unread = without_schemas(client_for(sandbox, version))
            hf.configure_labels(io.BytesIO(sheet.encode()), unread, dry_run=True)
        assert _installers(sandbox) == []
    dry = hf.configure_labels(io.BytesIO(sheet.encode()), client, dry_run=True)
    real = hf.configure_labels(io.BytesIO(sheet.encode()), client)
    assert dry["status"].tolist()[2:] == ["planned", "skipped", "skipped"]
    assert real["status"].tolist()[2:] == ["success", "skipped", "skipped"]
    assert real["error_code"].tolist()[3:] == ["LABEL_EXISTS", "LABEL_EXISTS"]
    # the result keeps the sheet's spelling (as read: a name case-folded)
    assert real["to_type"].tolist()[3] == second.casefold()
    made = _installers(sandbox)
    assert [(f, t) for f, t, _ in made] == [("deals", ID), (ID, "deals")], made
    assert real["type_id"].tolist()[3] == made[0][2]


def _limits(
    sb: Sandbox, version: str, sheet: str, *, dry_run: bool, schemas: bool = True
) -> pd.DataFrame:
    client = client_for(sb, version) if schemas else without_schemas(client_for(sb, version))
    frame = hf.read_limits(io.BytesIO(sheet.encode()))
    new = plan_new_labels(frame, client)
    create_new_labels(new, client, dry_run=dry_run)
    return limits_after_labels(frame, client, new, dry_run=dry_run, progress=False)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("first", "second"), SPELLINGS)
@pytest.mark.parametrize(("limit", "sent"), [(5, False), (4, True)])
def test_create_labels_makes_one_stand_in_per_object_pair(
    sandbox: Sandbox,
    profile: str,
    version: str,
    first: str,
    second: str,
    limit: int,
    sent: bool,
) -> None:
    sheet = f"From,To,Label,Max\ndeals,{first},Installer,4\ndeals,{second},Installer,{limit}\n"
    if _refused(profile, version, first, second):
        with pytest.raises(InputError, match=r"by type id \(2-7350001\) and by name"):
            _limits(sandbox, version, sheet, dry_run=True, schemas=False)
        assert _installers(sandbox) == []
    dry = _limits(sandbox, version, sheet, dry_run=True)
    real = _limits(sandbox, version, sheet, dry_run=False)
    said = [s.replace("planned", "success") for s in dry["status"]]
    assert said == real["status"].tolist()
    if sent:
        assert real["status"].tolist() == ["success", "duplicate"]
        assert len(_installers(sandbox)) == 2  # one label, listed both ways
    else:
        assert real["error_code"].tolist() == ["CONFLICTING_ROWS"] * 2
        assert _installers(sandbox) == []  # no row sent: not created


@pytest.mark.parametrize("side", ["from_type", "to_type"])
@pytest.mark.parametrize("value", ["nosuchtype", "0-999999", "p_", "deals contacts"])
def test_a_type_argument_naming_no_object_is_refused_naming_the_argument(
    side: str, value: str
) -> None:
    """``from_type`` / ``to_type`` naming no object type stop the read of a labels sheet,
    naming the argument (a row issue called it "the 'from' object type cell": there is none),
    as :func:`hubframe.read_pairs` does."""
    other = "to_type" if side == "from_type" else "from_type"
    sheet = pd.DataFrame({"Label": ["Champion X"]})
    with Sandbox() as sb, pytest.raises(InputError, match=f'{side}="{value}" is not an') as caught:
        hf.configure_labels(sheet, client_for(sb), dry_run=True, **{side: value, other: "deals"})
    assert "cell" not in str(caught.value)
