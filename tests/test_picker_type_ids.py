"""The app's label picker reads each label's type id from HubSpot's labels list as HubSpot
writes a whole number (hubspot/shapes.whole), as every other reader of that list does: a typeId
of "²" passed ``str.isdigit`` and ``int`` refused it with a bare ValueError the app does not
catch (the picker died), and a full-width "１００３" was taken as type 1003."""

from __future__ import annotations

import pytest

from hubframe.widgets.backend import _type_id

ODD = ["²", "١٠٠٣", "１００３", "1003.0", "-1003", " 1003", "", "9" * 5000, True, 1.5, [1003], None]


@pytest.mark.parametrize("said", ODD, ids=repr)
@pytest.mark.parametrize("key", ["typeId", "associationTypeId"])
def test_a_type_id_not_written_as_a_whole_number_gives_none(key: str, said: object) -> None:
    assert _type_id({key: said, "label": "Champion"}) is None


@pytest.mark.parametrize("said", [1003, "1003", "0001003"])
def test_a_type_id_written_as_a_whole_number_is_read(said: object) -> None:
    assert _type_id({"typeId": said, "label": "Champion"}) == 1003
