"""Header matching: a sheet's headers to hubframe's columns, or a clear error.

The spellings are the alias table of :mod:`hubframe.io.aliases`.  A header that names an object
type (``"Contact ID"``, ``"Record ID - Deal"``, ``"Associated Company IDs"``) maps to a record
id column *and* tells that side's object type.  A header naming a unique property (``"Contact
email"``, ``"Company domain"``, ``"Email"``) fills a side no id column claims: its values are
looked up to record ids (:mod:`hubframe.run.lookup`).  Bare ``"From"``/``"To"`` headers are decided
by the sheet's kind and cells.  ``columns={...}`` maps explicitly and always wins; an id column
chosen so still gives (and is held to) the type its header names.  A type that nothing gives
may be inferred (:mod:`hubframe.io.exports`); errors name options in the caller's syntax
(:mod:`hubframe.io.syntax`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from hubframe.constants import (
    CATEGORIES,
    OBJECT_TYPES,
    PAIR_COLUMNS,
    RESERVED_COLUMNS,
    SYNC_COLUMNS,
)
from hubframe.errors import InputError
from hubframe.io.aliases import (
    DESCRIPTIONS,
    FILL_NOTES,
    OBJECT_SPELLINGS,
    PROPERTY_HEADERS,
    REMOVE_LOOKALIKES,
    REQUIRED,
    SIDE_KEYS,
    STRONG_KEYS,
    TYPED_HEADERS,
    WEAK_KEYS,
    Kind,
    Side,
    TypedHeader,
    accepted_names,
    alias_field,
    field_mark,
    fields_for,
    header_key,
    header_words,
    is_pair_remove_key,
    misspelled_label_word,
    names_labels_otherwise,
    near_alias,
    noted_key,
    property_mark,
    typed_among_words,
)
from hubframe.io.normalize import (
    canonical_category,
    canonical_object_type,
    is_valid_object_type,
)
from hubframe.io.syntax import PYTHON, Syntax
from hubframe.terminal import shown


class HeaderError(InputError):
    """The headers do not say what hubframe needs: ``where`` (file, sheet) and ``detail``.

    ``unrecognised``: a column every sheet of the kind has is missing (the record ids of a
    pairs sheet, the limit of a limits sheet): the sheet does not hold that kind of table.
    Otherwise it does, and needs a choice (a type, one of several columns).  ``unguessed``:
    for a side whose type is asked for, why none was inferred (:class:`NoGuess`), for a caller
    that says it beside its own type picker (the notebook app).  ``looks_like``: the kind of
    sheet its headers say it is when not the kind read (a column of limits in a sheet read as
    pairs: ``"limits"``), for a caller that tries each reader (``hubframe validate``, the
    labels job) to say that reader's refusal, the one the analyst can act on.
    """

    def __init__(
        self,
        where: str,
        detail: str,
        *,
        unrecognised: bool = False,
        unguessed: Mapping[Side, str] | None = None,
        looks_like: Kind | None = None,
    ) -> None:
        super().__init__(f"{where}: {detail}")
        self.where, self.detail, self.unrecognised = where, detail, unrecognised
        self.unguessed: dict[Side, str] = dict(unguessed or {})
        self.looks_like: Kind | None = looks_like


def looks_like(error: BaseException) -> Kind | None:
    """The kind of sheet a reader's refusal says the sheet is (:attr:`HeaderError.looks_like`),
    None for any other refusal."""
    return error.looks_like if isinstance(error, HeaderError) else None


@dataclass(frozen=True)
class TypeGuess:
    """A side's object type inferred from what surrounds the sheet (a HubSpot export's file
    name, say), and where from, for the caller to say so."""

    object_type: str
    reason: str  # "file name", "headers"
    evidence: str  # the file name or the headers that told


@dataclass(frozen=True)
class NoGuess:
    """Why a side's type was not inferred though what surrounds the sheet mentions one (a
    file name mentioning deals in a view's words, headers of two objects): said when the read
    asks for the type, so that the analyst does not give the one the name mentions unchecked."""

    why: str


#: Infers a side's object type when nothing gives it (see :mod:`hubframe.io.exports`).
TypeGuesser = Callable[[Side, "ColumnMapping"], TypeGuess | NoGuess | None]
#: The first cells under a header, to decide what a bare "From"/"To" column holds.
CellSample = Callable[[str], Sequence[str]]


@dataclass
class ColumnMapping:
    """Which sheet header feeds which canonical column, and types implied by headers."""

    columns: dict[str, str] = field(default_factory=dict)  # canonical -> header
    implied_types: dict[Side, str] = field(default_factory=dict)  # side -> canonical type
    id_properties: dict[Side, str] = field(default_factory=dict)  # side -> unique property
    guessed_types: dict[Side, TypeGuess] = field(default_factory=dict)  # also in implied_types
    chosen: frozenset[str] = frozenset()  # headers chosen with columns=
    #: side -> the property its id column's header mark names (also in id_properties)
    marked: dict[Side, str] = field(default_factory=dict)

    @property
    def column_map(self) -> dict[str, str]:
        """original header -> canonical name (the df.attrs form)."""
        return {header: canonical for canonical, header in self.columns.items()}


def is_association_column(header: str) -> bool:
    """True for a HubSpot export's association column ("Associated Contact IDs"): an empty
    cell there means the record has no such associations, not a missing value."""
    key = header_key(header)
    if not key.startswith("associated") or not key.endswith(("id", "ids")):
        return False
    typed = TYPED_HEADERS.get(key)
    return (typed is not None and typed.side == "to") or STRONG_KEYS.get(key) == "to_id"


def record_id_headers(headers: Sequence[str]) -> list[str]:
    """The headers a read of pairs may take record ids from, by their names: hubframe's own
    and their aliases ("From ID", "Record ID"), and those naming an object's ids ("Deal ID",
    "Associated Contact IDs"); not those naming a property looked up ("Contact email")."""
    out: list[str] = []
    for header in headers:
        key = header_key(header)
        typed = TYPED_HEADERS.get(key)
        alias = STRONG_KEYS.get(key) or WEAK_KEYS.get(key)
        if alias in ("from_id", "to_id") or (typed is not None and typed.id_property is None):
            out.append(header)
    return out


def _explicit(
    headers: Sequence[str],
    columns: Mapping[str, str],
    wanted: Sequence[str],
    source: str,
    syntax: Syntax = PYTHON,
) -> dict[str, str]:
    """Apply ``columns=``: {header: canonical}; {canonical: header} is accepted too."""
    by_key = {header_key(h): h for h in reversed(headers)}
    out: dict[str, str] = {}
    for key, value in columns.items():
        header, canonical = key, value
        if value not in wanted and key in wanted:
            header, canonical = value, key
        if canonical not in wanted:
            raise HeaderError(
                source,
                f"columns={{{shown(key)}: {shown(value)}}} does not name a column hubframe "
                f"uses. Use one of: {', '.join(wanted)}.",
            )
        found = header if header in headers else by_key.get(header_key(header))
        if found is None:
            raise HeaderError(
                source,
                f"columns= names {header!r}, which is not a column of the sheet. "
                f"Columns found: {', '.join(headers)}.",
            )
        _refuse_twice(out, canonical, found, source, syntax)
        out[canonical] = found
    return out


def _refuse_twice(
    chosen: Mapping[str, str], canonical: str, header: str, source: str, syntax: Syntax
) -> None:
    """HeaderError when ``columns=`` names two columns for one field (the cells of one would
    be left out) or one column for two fields (its cells sent as both: a deal id as a contact
    id), before either is read."""
    how = "the app's dropdowns name" if syntax.name == "app" else "columns= names"
    if canonical in chosen:
        raise HeaderError(
            source,
            f"{how} two columns for {syntax.field(canonical)}: {shown(chosen[canonical])} and "
            f"{shown(header)}. One column holds {DESCRIPTIONS[canonical]}, and the cells of the "
            "other would be left out: choose one (put the other's pairs in rows of their own).",
        )
    other = next((c for c, h in chosen.items() if h == header), None)
    if other is not None:
        raise HeaderError(
            source,
            f"{how} the column {shown(header)} for both {syntax.field(other)} and "
            f"{syntax.field(canonical)}: a column is read as one of them, or its cells would "
            f"be sent as both. Choose another column for {syntax.field(canonical)}.",
        )


def _alias_matches(
    headers: Sequence[str], taken: set[str], wanted: Sequence[str], source: str, syntax: Syntax
) -> dict[str, str]:
    """Headers spelled as an alias: strong ones, then strong ones with a note on how to fill
    them ("Label (optional)"), then weak ones, each only for a column not found before."""
    out: dict[str, str] = {}
    noted = {h: STRONG_KEYS.get(noted_key(h) or "") for h in headers}
    lookups: tuple[Callable[[str], str | None], ...] = (
        lambda h: STRONG_KEYS.get(header_key(h)),
        noted.get,
        lambda h: WEAK_KEYS.get(header_key(h)),
    )
    for lookup in lookups:
        found: dict[str, list[str]] = {}
        for header in headers:
            canonical = lookup(header)
            if canonical is None or canonical not in wanted:
                continue
            if canonical not in out and header not in taken:
                found.setdefault(canonical, []).append(header)
        for canonical, matches in found.items():
            if len(matches) > 1:
                raise several_columns(source, canonical, matches, syntax)
            out[canonical] = matches[0]
            taken.add(matches[0])
    return out


def several_columns(
    source: str, canonical: str, matches: Sequence[str], syntax: Syntax
) -> HeaderError:
    """The refusal of a sheet where several columns (``matches``) could hold ``canonical``:
    one would be read and the cells of the others left out unseen."""
    return HeaderError(
        source,
        f"several columns could hold {DESCRIPTIONS[canonical]}: "
        f"{', '.join(matches)}. {_choose_column(syntax, canonical)}",
    )


def _choose_column(syntax: Syntax, canonical: str) -> str:
    clause = syntax.choose_any(canonical)
    return f"Keep one, or {clause}." if clause else "Keep one (rename or delete the others)."


def _assign_typed(
    headers: Sequence[str],
    mapping: ColumnMapping,
    types: Mapping[Side, str | None],
    source: str,
    syntax: Syntax,
    table: Mapping[str, TypedHeader] = TYPED_HEADERS,
) -> None:
    """Give record-id sides to headers that name an object type (or a unique property)."""
    free: list[Side] = [s for s in ("from", "to") if f"{s}_id" not in mapping.columns]
    taken = set(mapping.columns.values())
    candidates = [
        (h, table[header_key(h)]) for h in headers if h not in taken and header_key(h) in table
    ]
    for rule in ("argument", "header", "position"):
        for side in list(free):
            pick = _pick(candidates, side, rule, types.get(side))
            if pick is None:
                continue
            if len(pick) > 1:
                raise HeaderError(source, _several_typed(side, pick, syntax))
            header, typed = pick[0]
            mapping.columns[f"{side}_id"] = header
            mapping.implied_types[side] = typed.object_type
            if typed.id_property is not None:
                mapping.id_properties[side] = typed.id_property
            candidates = [c for c in candidates if c[0] != header]
            free.remove(side)


def _type_chosen(mapping: ColumnMapping, explicit: Mapping[str, str]) -> None:
    """An id column chosen with ``columns=`` whose header names an object ("Company ID"),
    read as the header of a column found by its name is: it gives the side's type, which a
    type argument or type column that names another contradicts (refused as for a column found
    by its name).  Before, ``columns={"Company ID": "to_id"}`` asked for the type the header
    says, and read the company ids as ``to_type="contacts"`` unchecked."""
    for side in ("from", "to"):
        header = explicit.get(f"{side}_id")
        typed = TYPED_HEADERS.get(header_key(header)) if header is not None else None
        if typed is not None:
            mapping.implied_types[side] = typed.object_type


def _check_weak_from(
    headers: Sequence[str], mapping: ColumnMapping, chosen: set[str], source: str, syntax: Syntax
) -> None:
    """The 'from' ids were found under a generic header ("ID", "Record ID", "Object ID") while
    a header naming an object's ids ("Deal ID") is left unread: either could be the records'
    ids, and the generic one won without a word.  A frame saved by pandas with its index (a
    column "ID" of 0, 1, 2...) beside "Deal ID" and "Contact ID" sent its row numbers as the
    deal ids, and the deal ids as the other side's.  Stop and ask."""
    header = mapping.columns.get("from_id")
    if header is None or header in chosen or WEAK_KEYS.get(header_key(header)) != "from_id":
        return
    used = set(mapping.columns.values())
    named = [h for h in headers if _names_ids(h)]
    if not any(h not in used for h in named):
        return
    listed = ", ".join(f'"{h}"' for h in named)
    raise HeaderError(
        source,
        f"the column \"{header}\" would be read as the 'from' record ids, but {listed} "
        f"name{'s' if len(named) == 1 else ''} the records' ids too, and one would be left out "
        "(a column of row numbers saved beside the ids reads as ids). Delete or rename the "
        f"column that does not hold ids{_or_choose(syntax, named[0], 'from_id')}.",
    )


def _names_ids(header: str) -> bool:
    """``header`` names an object's record ids and may be the 'from' side ("Deal ID")."""
    typed = TYPED_HEADERS.get(header_key(header))
    return (
        typed is not None and typed.side != "to" and typed.object_type not in UNASSOCIATED_OBJECTS
    )


def _check_given_types(
    mapping: ColumnMapping, given: Mapping[Side, str | None], source: str, syntax: Syntax
) -> None:
    """An object type given as an argument that the id column's own name contradicts ("Deal
    ID" read as companies): one of the two is wrong, and the ids would be looked up as records
    of another object.  Stop and say both."""
    for side in ("from", "to"):
        wanted, named = given[side], mapping.implied_types.get(side)
        if wanted and named and wanted != named:
            header = mapping.columns[f"{side}_id"]
            raise HeaderError(
                source,
                f'the column "{header}" holds {named} (its name says so), but '
                f"{syntax.option(f'{side}_type', wanted)} was given: the ids would be read as "
                f"{wanted}. Rename the column if it holds {wanted}, or leave out "
                f"{syntax.named(f'{side}_type')}.",
            )


def _several_typed(side: Side, pick: list[tuple[str, TypedHeader]], syntax: Syntax) -> str:
    """Several typed columns for one side (a HubSpot export with "Associated Contact IDs" and
    "Associated Company IDs"): name them with their types, and how to choose one."""
    names = ", ".join(f"{h} ({t.object_type})" for h, t in pick)
    types = list(dict.fromkeys(t.object_type for _, t in pick))
    if len(types) == 1:  # one object's columns: its type does not choose between them
        chosen = syntax.choose(pick[0][0], f"{side}_id")
        how = (
            f"choose one with {chosen}"
            if chosen
            else "keep one of them (rename or delete the others)"
        )
        return (
            f"several columns could hold {DESCRIPTIONS[side + '_id']}: {names}. They hold "
            f"ids of one object, so {syntax.named(f'{side}_type')} cannot choose between "
            f"them: {how}."
        )
    option = syntax.option(f"{side}_type", types[0]) or f"{side}_type="
    quote = "" if syntax.name == "cli" else '"'
    others = ", ".join(f"{quote}{t}{quote}" for t in types[1:])
    choose = f"Choose one with {option}" + (f" (or {others})" if others else "")
    chosen = syntax.choose(pick[0][0], f"{side}_id")
    alternative = f", or {chosen}" if chosen else ""
    return (
        f"several columns could hold {DESCRIPTIONS[side + '_id']}: {names}. {choose}{alternative}."
    )


def _pick(
    candidates: list[tuple[str, TypedHeader]], side: Side, rule: str, wanted_type: str | None
) -> list[tuple[str, TypedHeader]] | None:
    if rule == "argument":
        hits = [c for c in candidates if wanted_type and c[1].object_type == wanted_type]
        if len(hits) > 1:
            hits = [c for c in hits if c[1].side == side] or hits
        return hits if len(hits) == 1 else None
    if rule == "header":
        hits = [c for c in candidates if c[1].side == side]
        return hits or None
    hits = [c for c in candidates if c[1].side is None or c[1].side == side]
    return hits[:1] or None


def _assign_sides(
    headers: Sequence[str], mapping: ColumnMapping, kind: Kind, sample: CellSample | None
) -> None:
    """Bare "From" / "To" headers: a limits sheet's object types; in a pairs sheet the side's
    type column when its cells name object types, else its id column (if still missing)."""
    taken = set(mapping.columns.values())
    for header in headers:
        side = SIDE_KEYS.get(header_key(header))
        if side is None or header in taken:
            continue
        holds_types = kind == "limits" or (sample is not None and _names_types(sample(header)))
        target = f"{side}_type" if holds_types else f"{side}_id"
        if target not in mapping.columns:
            mapping.columns[target] = header
            taken.add(header)


def _names_types(cells: Sequence[str]) -> bool:
    """True when the non-empty cells are object type names or type ids, not record ids."""
    values = [c.strip() for c in cells if c and c.strip()]
    if not values:
        return False
    for value in values:
        canonical = canonical_object_type(value)
        if value.isdigit() or canonical is None or not is_valid_object_type(canonical):
            return False
    return True


def match_headers(
    headers: Sequence[str],
    kind: Kind,
    *,
    columns: Mapping[str, str] | None = None,
    from_type: str | None = None,
    to_type: str | None = None,
    source: str = "sheet",
    syntax: Syntax = PYTHON,
    sample: CellSample | None = None,
    guess: TypeGuesser | None = None,
    label_given: bool = False,
) -> ColumnMapping:
    """Map sheet headers to canonical columns; raise InputError for a missing required one.

    ``from_type``/``to_type`` are the *canonical* types given as arguments (or None); they pick
    between several typed id columns ("Associated Contact IDs", "Associated Company IDs").
    ``sample`` gives a column's first cells (bare "From"/"To" headers of pairs sheets);
    ``guess`` infers a side's type that nothing else gives; ``label_given``: one label for every
    row was given (no label column needed); messages use ``syntax``.
    """
    wanted = fields_for(kind)
    explicit = _explicit(headers, columns or {}, wanted, source, syntax)
    explicit = _field_marks(headers, kind, explicit, source) | explicit
    given: dict[Side, str | None] = {"from": from_type, "to": to_type}
    mapping = _mapped(headers, kind, explicit, given, sample, source, syntax, checked=True)
    check_repeats(headers, mapping, set(explicit.values()), wanted, source, syntax)
    if "label" in wanted and not label_given:
        _check_lookalikes(headers, mapping, source, syntax)
    _check_required(headers, mapping, kind, source, syntax, given)
    unguessed: dict[Side, str] = {}
    for side in ("from", "to"):
        if guess is not None and not _has_type(mapping, side, given):
            found = guess(side, mapping)
            if isinstance(found, NoGuess):
                unguessed[side] = found.why
            elif found is not None:
                mapping.guessed_types[side] = found
                mapping.implied_types[side] = found.object_type
    _check_types(headers, mapping, source, given, syntax, unguessed)
    return mapping


def _mapped(
    headers: Sequence[str],
    kind: Kind,
    explicit: Mapping[str, str],
    given: Mapping[Side, str | None],
    sample: CellSample | None,
    source: str,
    syntax: Syntax,
    *,
    checked: bool,
) -> ColumnMapping:
    """Which header feeds which field, as :func:`match_headers` finds it; ``checked``: with
    its refusals of headers that read wrongly (a generic id header beside a typed one, a type
    argument a header contradicts) on the way."""
    mapping = ColumnMapping(columns=dict(explicit), chosen=frozenset(explicit.values()))
    taken = set(mapping.columns.values())
    wanted = fields_for(kind)
    for canonical, header in _alias_matches(headers, taken, wanted, source, syntax).items():
        mapping.columns.setdefault(canonical, header)
    if kind == "pairs":
        _type_chosen(mapping, explicit)
        _assign_typed(headers, mapping, given, source, syntax)
        _assign_typed(headers, mapping, given, source, syntax, PROPERTY_HEADERS)
        if checked:
            _check_weak_from(headers, mapping, set(explicit.values()), source, syntax)
            _check_given_types(mapping, given, source, syntax)
    _assign_sides(headers, mapping, kind, sample)
    _leave_export_category(mapping, explicit)
    _read_marks(mapping, source, checked=checked)
    return mapping


def _read_marks(mapping: ColumnMapping, source: str, *, checked: bool) -> None:
    """The sides whose id column's header carries a property mark ("Contact ID [id property:
    code]", :func:`~hubframe.io.aliases.property_mark`) are read by that property.  ``checked``:
    a mark on another column read, or one naming no property, is refused (HeaderError)."""
    for canonical, header in mapping.columns.items():
        _, name = property_mark(header)
        if name is None:
            continue
        if not name and not checked:
            continue
        if not name:
            raise HeaderError(
                source,
                f"the column {shown(header)} has a mark that names no property: write the "
                'unique property its cells hold, as in "Contact ID [id property: email]", or '
                "take the mark out to read record ids.",
            )
        if canonical in ("from_id", "to_id"):
            side: Side = "from" if canonical == "from_id" else "to"
            mapping.id_properties[side] = mapping.marked[side] = name
        elif checked:
            raise HeaderError(
                source,
                f"the column {shown(header)} holds {DESCRIPTIONS.get(canonical, canonical)}, "
                "and its header has an id property mark, which only a column of records says: "
                "take the mark out of its header.",
            )


def fields_read(
    headers: Sequence[str],
    kind: Kind,
    *,
    from_type: str | None = None,
    to_type: str | None = None,
    sample: CellSample | None = None,
) -> ColumnMapping:
    """The fields a read without ``columns=`` takes from ``headers`` (and the object types the
    headers name), as :func:`match_headers` maps them, without asking for what is missing:
    what a file written with these headers is read as (a retry file, a sheet written from a
    frame).  ``from_type``/``to_type`` pick among headers naming objects, as those arguments
    do.  HeaderError when the headers are ambiguous (several columns could hold one field),
    as the read of such a file is."""
    given: dict[Side, str | None] = {"from": from_type, "to": to_type}
    marked = _field_marks(headers, kind, {}, "sheet")
    return _mapped(headers, kind, marked, given, sample, "sheet", PYTHON, checked=False)


def _field_marks(
    headers: Sequence[str], kind: Kind, explicit: Mapping[str, str], source: str
) -> dict[str, str]:
    """Field -> header for the headers marked as holding a field ("Replacement [to_id]",
    :func:`~hubframe.io.aliases.field_mark`), taken as ``columns=`` takes a column; a field or
    header ``columns=`` (``explicit``) names is left to it.  A field marked on two headers, or
    one a sheet of ``kind`` does not have, is refused (HeaderError): which column holds it is
    not known."""
    wanted = fields_for(kind)
    chosen = set(explicit.values())
    out: dict[str, str] = {}
    for header in headers:
        _, name = field_mark(header)
        if name is None or header in chosen or name in explicit:
            continue
        if name not in wanted or name in out:
            why = (
                f"the column {shown(out[name])} is marked as {name} too"
                if name in out
                else f"a {kind} sheet has no column {name}"
            )
            raise HeaderError(
                source,
                f"the column {shown(header)} is marked as holding {name} ([{name}] ends its "
                f"header), but {why}: take the mark out of the header of the column that "
                "does not hold it.",
            )
        out[name] = header
    return out


def _leave_export_category(mapping: ColumnMapping, explicit: Mapping[str, str]) -> None:
    """A bare ``Category`` column beside a HubSpot export's ``Associated ... IDs`` is the
    exported records' own property (tickets have one: "Billing issue"), not the association
    category: it stays the sheet's column (``columns=`` reads it on purpose).  Before, a
    ticket export's every row was refused for a category HubSpot does not have."""
    header = mapping.columns.get("category")
    target = mapping.columns.get("to_id")
    if header is None or target is None or "category" in explicit:
        return
    if header_key(header) == header_key("Category") and is_association_column(target):
        del mapping.columns["category"]


def numbered_base(header: str) -> str | None:
    """The header key a numbered header repeats ("Contact ID 2", "Contact ID.1" -> "contactid"),
    None for a header without a number at its end."""
    key = header_key(header)
    base = key.rstrip("0123456789")
    return None if base in ("", key) else base


def check_repeats(
    headers: Sequence[str],
    mapping: ColumnMapping,
    chosen: set[str],
    wanted: Sequence[str],
    source: str,
    syntax: Syntax,
) -> None:
    """Stop before cells are left out unseen: a header that repeats a used one with a number
    ("Contact ID" twice, which reads as "Contact ID.1"; "Contact ID 2"), or that names the label
    or type id with a number while no column is read as such ("Label 1").  Columns chosen with
    ``columns=`` are the analyst's choice and never stop the read."""
    used = mapping.column_map
    used_keys = {header_key(h): c for h, c in used.items() if h not in chosen}
    used_typed = {
        TYPED_HEADERS[header_key(h)]: c
        for h, c in used.items()
        if h not in chosen and c in ("from_id", "to_id") and header_key(h) in TYPED_HEADERS
    }
    for header in headers:
        if header in used:
            continue
        key, base = header_key(header), numbered_base(header)
        canonical = _repeated(key, base, used_keys, used_typed)
        if canonical is not None:
            first = next(h for h, c in used.items() if c == canonical)
            raise HeaderError(
                source,
                f'the column "{header}" repeats "{first}": one column holds '
                f"{DESCRIPTIONS[canonical]}, and the cells of the others would be left out. "
                "Put every value in one column (a row each), or rename the others"
                f"{_or_choose(syntax, header, canonical)}.",
            )
        role = (STRONG_KEYS.get(base) or WEAK_KEYS.get(base)) if base is not None else None
        if role in ("label", "type_id") and role in wanted and role not in mapping.columns:
            name = accepted_names(role)[1]  # "Label", "Type ID"
            raise HeaderError(
                source,
                f'the column "{header}" looks like {DESCRIPTIONS[role]} but is not read as '
                f'one: name it "{name}" to use it, or rename it to keep it as a column of '
                f"your own{_or_choose(syntax, header, role)}.",
            )


def _repeated(
    key: str,
    base: str | None,
    used_keys: Mapping[str, str],
    used_typed: Mapping[TypedHeader, str],
) -> str | None:
    """The column an unused header repeats: spelled as a used one once case, spaces and
    punctuation are ignored ("Contact Id" beside "Contact ID"), numbered ("Contact ID 2"), or
    naming the same object's ids ("Contact IDs" beside "Contact ID")."""
    for candidate in (key, base):
        if candidate is None:
            continue
        found = used_keys.get(candidate)
        typed = TYPED_HEADERS.get(candidate)
        if found is None and typed is not None:
            found = used_typed.get(typed)
        if found is not None:
            return found
    return None


def _check_lookalikes(
    headers: Sequence[str], mapping: ColumnMapping, source: str, syntax: Syntax
) -> None:
    """No label column is read, and a column is named as labels are in other words ("Contact
    Role", "Relationship"): its labels would be dropped unseen, the pairs associated without
    them.  Stop and ask."""
    if "label" in mapping.columns:
        return
    used = mapping.column_map
    for header in headers:
        if header not in used and names_labels_otherwise(header):
            raise HeaderError(
                source,
                f'the column "{header}" may hold association labels, but hubframe reads labels '
                'only from a column named "Label" (or "Association Label"): its cells would be '
                'left out and the rows associated without labels. Name it "Label" to use it '
                '("Type ID" when it holds association type ids), or rename it to keep it as a '
                f"column of your own{_or_choose(syntax, header, 'label')}.",
            )


def check_remove_column(
    headers: Sequence[str],
    mapping: ColumnMapping,
    marks: tuple[Callable[[int], str | None], Callable[[int], str | None]],
    source: str,
    kind: str,
) -> None:
    """A sheet with a column of its own marking rows to remove ("Remove: yes", "Keep: no", or
    an "Action" column of remove / keep).  In a limits sheet hubframe removes a limit only when
    its limit cell says ``remove``: those rows would be set, or skipped as blank, and the
    limits kept.  In a pairs sheet no such column is read: associate and sync would link the
    rows marked, remove would remove the rows not marked.  Stop and ask.  ``marks``: given a
    column's position, the sheet
    row of the column's first cell asking for a removal (``3``, a DataFrame's ``3 (index
    4)``), None when none does -- for a column whose header says it marks removals ("yes",
    "x"), and for any other column of the analyst's own (its cells' words)."""
    used = mapping.column_map
    says_yes, says_so = marks

    def lookalike(key: str) -> bool:
        return key in REMOVE_LOOKALIKES if kind == "limits" else is_pair_remove_key(key)

    for at, header in enumerate(headers):
        if header in used:
            continue
        named = lookalike(header_key(header))
        row = says_yes(at) if named else says_so(at)
        if row is not None:
            raise HeaderError(source, _remove_column(header, row, mapping, (kind, named)))


def _remove_column(header: str, row: str, mapping: ColumnMapping, how: tuple[str, bool]) -> str:
    kind, named = how
    keep = f'or rename "{header}" to keep it as a column of your own.'
    if not named:
        keep = f'or leave the column "{header}" out of the sheet if its words mean nothing here.'
    if kind == "limits":
        limit = mapping.columns.get("max_to_object_ids", "the limit column")
        return (
            f'the column "{header}" asks for limits to be removed (row {row}), but hubframe '
            f'removes a limit only when its cell in "{limit}" says "remove": these rows would be '
            f'set or skipped, and their limits kept. Write "remove" in "{limit}" for each limit '
            f"to remove, {keep}"
        )
    return (
        f'the column "{header}" marks rows to remove (row {row}), but hubframe reads no such '
        "column: associating or syncing the sheet would link the rows marked, and removing "
        "would remove every row. Split the sheet (the rows to remove in a sheet of their own, "
        f"for hubframe remove / remove_associations), {keep}"
    )


def check_empty_labels(
    headers: Sequence[str],
    mapping: ColumnMapping,
    holds_cells: Callable[[str], bool],
    source: str,
    syntax: Syntax,
) -> None:
    """The label column read is empty in every row (``holds_cells`` says which columns are
    not), and a column named as labels are in other words ("Role") holds cells: the template's
    label column was left empty and the labels typed beside it, so every pair would be
    associated without its label.  Stop and ask."""
    label = mapping.columns.get("label")
    if label is None or holds_cells(label):
        return
    used = mapping.column_map
    for header in headers:
        if header not in used and names_labels_otherwise(header) and holds_cells(header):
            raise HeaderError(
                source,
                f'the column "{label}" is empty in every row, and the column "{header}" may '
                "hold association labels: the rows would be associated without labels. Move "
                f'the labels into "{label}" (or delete the empty column and name "{header}" '
                f'"Label"), or rename "{header}" to keep it as a column of your own'
                f"{_or_choose(syntax, header, 'label')}.",
            )


#: Cells of a column of the analyst's own that say yes or no ("Label printed?"): not labels.
FLAG_CELLS: Final = frozenset(
    {"yes", "no", "y", "n", "true", "false", "x", "done", "✓", "✔", "✗", "✘"}
)
#: Header keys of columns hubframe writes itself beside the ones it reads (a limits dry run's
#: ``current_max``, ``limit_change``...): what was, not what to do.
_OWN_KEYS: Final = frozenset(
    k
    for c in (*RESERVED_COLUMNS, *SYNC_COLUMNS)
    for k in (header_key(c), header_key(c) + "original")
)
_LIMIT_WORDS: Final = frozenset({"remove", "remove limit", "no limit"})


def unread_role(header: str, kind: Kind) -> str | None:
    """The column of hubframe's a header not read mentions, None when it mentions none: labels
    ("Contact label", "New label", "Label to apply"), association type ids ("Label type ID"),
    association categories, and in a limits sheet the limit ("New limit", "Max (new)")."""
    key = header_key(header)
    if key in _OWN_KEYS:
        return None
    words = set(header_words(header))
    if "typeid" in key.replace("objecttypeid", "") or "labelid" in key:
        return "type_id"
    if any(w.endswith(("label", "labels")) for w in words):  # "labelled by": not labels
        return "label"
    if "category" in words and words & {"association", "associations", "assoc", "type"}:
        return "category"
    if kind == "limits" and any(w.endswith(("limit", "limits", "max", "maximum")) for w in words):
        return "max_to_object_ids"
    return None


def _could_hold(role: str, value: str) -> bool:
    """Whether a cell could be a value of ``role``: a limit holds a number or says "remove";
    a label, type id or category anything but a yes/no mark."""
    if role == "max_to_object_ids":
        text = " ".join(value.split()).casefold()
        return any(c.isdigit() for c in text) or text in _LIMIT_WORDS
    return value.casefold() not in FLAG_CELLS


def check_unread_columns(
    headers: Sequence[str],
    mapping: ColumnMapping,
    kind: Kind,
    values: Callable[[str], Sequence[str]],
    given: Mapping[Side, str | None],
    source: str,
    syntax: Syntax,
) -> None:
    """Columns hubframe does not read whose names say they hold what it reads, with cells of
    that kind (``values(header)``: a column's distinct cells, trimmed, none empty): their cells
    would be left out unseen.  Stop and say which, and how to read or keep them.

    * a record id column beyond the two read ("Company ID" beside "Deal ID" and "Contact ID"),
      unless a column was chosen with ``columns=`` or the type arguments leave it out (a HubSpot
      export's "Associated Company IDs" beside ``to_type="contacts"``);
    * a column mentioning labels, type ids, association categories or (limits) the limit that
      is not read ("Contact label", "New label", "Label to apply", "New limit").
    """
    used = mapping.column_map
    for header in headers:
        if header not in used and kind == "pairs":
            _check_unread_ids(header, mapping, values, given, source, syntax)
    check_unread_roles(headers, mapping, kind, values, source, syntax)


def _check_unread_ids(
    header: str,
    mapping: ColumnMapping,
    values: Callable[[str], Sequence[str]],
    given: Mapping[Side, str | None],
    source: str,
    syntax: Syntax,
) -> None:
    """A pairs sheet's column not read that holds record ids (its name says so): an object's
    ("Company ID"), one among other words ("Contact ID (new)"), an object's looked up by a
    property, or one in another form ("Tickets Record IDs"); never one naming an object
    hubframe does not know ("Car ID", "External ID": the analyst's own, :func:`_other_ids`);
    never one of ids no pair could hold (:func:`_names_no_pairs`: "Created by user ID")."""
    if _names_no_pairs(header, mapping, given):
        return
    typed = TYPED_HEADERS.get(header_key(header))
    if typed is not None and values(header) and not _left_out_by_choice(typed, mapping, given):
        raise HeaderError(source, _unread_ids(header, typed, mapping, given, syntax))
    loose = _ids_among_words(header, mapping) if typed is None else None
    if loose and _holds_ids(values(header)) and not _left_out_by_choice(loose, mapping, given):
        raise HeaderError(source, _unread_ids(header, loose, mapping, given, syntax))
    lookup = PROPERTY_HEADERS.get(header_key(header))
    if lookup is not None and values(header) and _names_another(lookup, mapping, given):
        raise HeaderError(source, _unread_lookup(header, lookup, mapping, syntax))
    among = typed is None and typed_among_words(header) is not None  # judged as loose above
    other = _other_ids(header) if typed is None and not among and lookup is None else None
    if other and _holds_ids(values(header)) and not _left_out_by_choice(other, mapping, given):
        raise HeaderError(source, _unread_ids(header, other, mapping, given, syntax))


#: Objects no association holds, whose ids a sheet's column may name: HubSpot's users (HubSpot
#: lists no association type of theirs). Every record's default properties name users ("Created
#: by user ID", "Updated by user ID", "Shared user IDs", "Record source user ID", "Closed by user
#: ID"), so every export of all properties has such columns: none is a pair column left out, nor
#: a rival of "Record ID" for the records' own ids (:func:`_names_no_pairs`).
UNASSOCIATED_OBJECTS: Final = frozenset({"users"})

#: HubSpot's own properties of a record that hold other records' ids but no association, as
#: an export heads them (the headers' keys), with the object whose property each is and the
#: object whose ids it holds: "Merged Deal IDs", "Merged Contact IDs", ... (hs_merged_object_ids:
#: the records merged into this one, which no longer exist) and a company's "Parent Company ID"
#: (hs_parent_company_id).  These labels exactly: an analyst's "Merged Contact ID" or "Parent
#: Company IDs" is judged as before.
EXPORT_ID_PROPERTIES: Final[dict[str, tuple[str, str]]] = {
    **{
        header_key(f"Merged {t.singular.replace('_', ' ')} IDs"): (t.name, t.name)
        for t in OBJECT_TYPES
    },
    header_key("Parent Company ID"): ("companies", "companies"),
}


def _side_types(mapping: ColumnMapping, given: Mapping[Side, str | None]) -> dict[Side, str | None]:
    """Each side's object type: given as an argument, else as its id column's name says."""
    return {s: given.get(s) or mapping.implied_types.get(s) for s in ("from", "to")}


def _names_no_pairs(header: str, mapping: ColumnMapping, given: Mapping[Side, str | None]) -> bool:
    """Whether a column not read names ids no pair of the sheet's holds: a user's in any form
    (:data:`UNASSOCIATED_OBJECTS`), or one of HubSpot's own properties holding ids of records
    (:data:`EXPORT_ID_PROPERTIES`) where it is the property of the sheet's records (a companies
    export's "Parent Company ID") or holds ids of neither side's object.  A contacts sheet's
    "Parent Company ID" beside its "Company ID" is the analyst's column of companies: read past,
    a sync with removals took each contact's parent company away."""
    own = EXPORT_ID_PROPERTIES.get(header_key(header))
    if own is not None:
        owner, held = own
        types = _side_types(mapping, given)
        return types["from"] == owner or held not in types.values()
    found = typed_among_words(header)
    return found is not None and found[0].object_type in UNASSOCIATED_OBJECTS


#: A cell that could hold record ids: digits, with the separators, signs and exponents of a
#: list ("101; 102") or of a number a spreadsheet wrote ("1.2345E+11"), in Excel's text
#: marker ("'1019360005") or a text formula ('="1019360005"') if any.
_ID_CELL: Final = re.compile(r"(?:'|=\")?[\d\s.,;:|/+\-eE]*\d[\d\s.,;:|/+\-eE]*\"?")


def _holds_ids(cells: Sequence[str]) -> bool:
    return any(_ID_CELL.fullmatch(cell.strip()) for cell in cells)


def _ids_among_words(header: str, mapping: ColumnMapping) -> TypedHeader | None:
    """The object whose record ids a header names among other words ("Contact ID (new)",
    "Secondary Contact ID"), as a column not read: a second column of one side's ids, whose
    cells would be left out.  A HubSpot export's "Associated Company IDs (Primary)" beside
    the "Associated Company IDs" read is not one: its ids are among those read, which
    :func:`hubframe.io.rivals.check_rival_columns` holds it to on every row."""
    if primary_of(header, mapping) is not None:
        return None
    found = typed_among_words(header)
    return None if found is None else found[0]


def primary_of(header: str, mapping: ColumnMapping) -> str | None:
    """The field (``to_id``) of the column read that a HubSpot export's "Associated Company
    IDs (Primary)" names the primary of ("Associated Company IDs"), None for any other
    header: a column whose every id must be among that column's ids on its row."""
    found = typed_among_words(header)
    if found is None or header in mapping.column_map:
        return None
    typed, others = found
    if others != {"primary"} or typed.side != "to":
        return None
    for read, canonical in mapping.column_map.items():
        named = TYPED_HEADERS.get(header_key(read))
        if named and named.side == "to" and named.object_type == typed.object_type:
            return canonical
    return None


def type_rivals(
    headers: Sequence[str], mapping: ColumnMapping, kind: Kind
) -> list[tuple[str, str]]:
    """(header, field) for the columns not read whose names say they hold a side's object types
    (another accepted name of ``from_type``/``to_type``: "Object" beside "From Type", "From
    Type (optional)" beside "From Type", a bare "To" beside "To Type", or its words: "Object
    (from)", "Object Type ID", :func:`types_among_words`) while that field is read
    from another column found by its name: a column chosen with ``columns=`` (or a field mark)
    is the analyst's choice.  One named in words only is listed where no column is read for
    the field too, held to the type given or named by an id column's header (an exact name
    would have been read).  Their cells are held to the column read row by row
    (:func:`hubframe.io.rivals.check_rival_columns`): one of two contradicting columns would
    be sent without a word."""
    used = mapping.column_map
    wanted = fields_for(kind)
    out: list[tuple[str, str]] = []
    for header in headers:
        if header in used:
            continue
        side = SIDE_KEYS.get(header_key(header))
        named = f"{side}_type" if side is not None else alias_field(header)
        canonical = named or types_among_words(header)
        if canonical not in ("from_type", "to_type") or canonical not in wanted:
            continue
        read = mapping.columns.get(canonical)
        if (read is None and named is None) or (read is not None and read not in mapping.chosen):
            out.append((header, canonical))
    return out


#: A type column's words beside its side's (:func:`types_among_words`): an object's type,
#: and which side's ("Associated Object Type ID" is the 'to' side's).  "Source" is no side's
#: here: an export's "Object source" names where a record came from ("CONTACTS", "IMPORT").
_OBJECT_WORDS: Final = frozenset({"object", "objects"})
_TYPE_SIDE_WORDS: Final[dict[str, Side]] = {"from": "from", "to": "to", "associated": "to"}


def types_among_words(header: str) -> str | None:
    """The field (``from_type``/``to_type``) whose object types a header names in words that
    are no accepted name ("Object (from)", "Object type (from)", "Object Type ID", "Associated
    Object Type ID", "Type (to)"): an object's word, or a type's word beside one side's, with
    nothing else but ids' words and fill notes; no side is the 'from' side's, as "Object" is.
    None for any other ("Object name", "Object source", "Deal type", "Type", "Source")."""
    words = {w for w in header_words(header) if w not in FILL_NOTES and w not in _ID_WORDS}
    sides = {_TYPE_SIDE_WORDS[w] for w in words if w in _TYPE_SIDE_WORDS}
    if words - _OBJECT_WORDS - _TYPE_WORDS - _TYPE_SIDE_WORDS.keys() or len(sides) > 1:
        return None
    if not (words & _OBJECT_WORDS or (words & _TYPE_WORDS and sides)):
        return None
    return f"{next(iter(sides), 'from')}_type"


#: Words of an id column's header that name ids of what is no record a sheet associates
#: (HubSpot's owners, pipelines and stages, the portal, a row's number): "HubSpot Owner ID",
#: "Deal Stage ID", "Portal ID", "Row ID" stay columns of the analyst's own.
NOT_RECORD_WORDS: Final = frozenset(
    {
        *("owner", "owners", "pipeline", "pipelines", "stage", "stages", "dealstage"),
        *("portal", "team", "teams", "form", "forms", "campaign", "workflow"),
        *("sequence", "list", "lists", "import", "property", "row", "rows", "line", "index"),
    }
)


def _other_ids(header: str) -> TypedHeader | None:
    """The standard object a header of record ids names in a form no table of hubframe's
    holds ("Record ID - Company", "Contacts Object ID"), as a column not read.  None for a
    word hubframe knows no object by ("External ID", "Customer ID", "Car ID"): a custom
    object's ids cannot be told offline from an analyst's own key, so such a column is the
    analyst's; None too for a header some table knows, one naming what is no record
    (:data:`NOT_RECORD_WORDS`), and one that looks like a column hubframe reads misspelled
    ("Typ ID", refused as such by :func:`check_unread_roles`)."""
    if _known_header(header) or unread_role(header, "pairs") is not None:
        return None
    words = header_words(header)
    if words[:2] == ["record", "id"]:
        stem = words[2:]
    elif len(words) >= 2 and words[-1] in _ID_WORDS:
        stem = [w for w in words[:-1] if w not in _SIDE_WORDS]
    else:
        return None
    if not stem or _names_no_record(header) or _misread(header, "pairs", PAIR_COLUMNS):
        return None
    known = _named_object(stem)
    return TypedHeader(known, None) if known is not None else None


def _named_object(words: Sequence[str]) -> str | None:
    """The standard object a run of ``words`` spells ("contact", "line item", "companies"),
    the longest run first; None when none does (:data:`OBJECT_SPELLINGS`)."""
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            found = OBJECT_SPELLINGS.get("".join(words[start : start + size]))
            if found is not None:
                return found
    return None


def _names_no_record(header: str) -> bool:
    """Whether a header names ids of what is no record ("Form ID", not "From ID" misspelled;
    "Hub ID", the portal's, not "HubSpot ID")."""
    return header_key(header) == "hubid" or not set(header_words(header)).isdisjoint(
        NOT_RECORD_WORDS
    )


def check_unread_roles(
    headers: Sequence[str],
    mapping: ColumnMapping,
    kind: Kind,
    values: Callable[[str], Sequence[str]],
    source: str,
    syntax: Syntax,
    fields: Sequence[str] | None = None,
) -> None:
    """Columns not read that mention a column hubframe reads (``fields``: the sheet kind's
    by default) -- labels, type ids, categories, limits -- and hold a cell that could be such a
    value (see :func:`check_unread_columns`)."""
    used = mapping.column_map
    read = fields_for(kind) if fields is None else fields
    for header in headers:
        if header in used:
            continue
        role = unread_role(header, kind)
        if role is None or role not in read:
            _check_misread(header, mapping, kind, values, read, source, syntax)
            continue
        if header_key(header) in (REMOVE_LOOKALIKES if kind == "limits" else ()):
            continue  # "Purge limit": a column marking removals (check_remove_column)
        if any(_could_hold(role, v) for v in values(header)):
            raise HeaderError(source, _unread_role(header, role, mapping, kind, syntax))


def _check_misread(
    header: str,
    mapping: ColumnMapping,
    kind: Kind,
    values: Callable[[str], Sequence[str]],
    read: Sequence[str],
    source: str,
    syntax: Syntax,
) -> None:
    """A column not read whose name looks like one hubframe reads misspelled ("Lable", "Typ
    ID", "Lаbel" with a Cyrillic ``а``, "Labe1") or that names association type ids in other
    words ("Type #", "Association Type Number"), holding a cell that could be such a value:
    its cells would be left out unseen (in a limits sheet, the limit set for the whole object
    pair instead of the label's).  Stop and say which column it looks like."""
    found = _misread(header, kind, read)
    if found is None:
        return
    role, looks = found
    cells = values(header)
    if looks == _TYPE_COLUMN:
        if not _type_cells(header, kind, cells, mapping):
            return
    elif not any(_could_be(role, v) for v in cells):
        return
    raise HeaderError(source, _misread_message(header, role, looks, mapping, kind, syntax))


#: Record id columns: a header one typo away from theirs is no misspelling ("Toy ID", "TID"
#: are not "To ID"); written with look-alike letters it is ("Τo ID" with a Greek ``Τ``).
_ID_FIELDS: Final = ("from_id", "to_id")
#: What a header of association types in other words looks like, in messages.
_TYPE_COLUMN: Final = "a column of association types"


def _misread(header: str, kind: Kind, read: Sequence[str]) -> tuple[str, str] | None:
    """(the field a header not read looks like, how it looks) for a header no table of
    hubframe's knows; None for none (:func:`_check_misread`)."""
    if _known_header(header):
        return None
    near = near_alias(header, [f for f in read if f not in _ID_FIELDS]) or near_alias(
        header, [f for f in read if f in _ID_FIELDS], typos=False
    )
    if near is not None and not (near[0] in ("from_id", "to_id") and _names_no_record(header)):
        return near[0], f'"{near[1]}" misspelled'
    word = misspelled_label_word(header) if "label" in read else None
    if word is not None:
        return "label", f'"label" misspelled ("{word}")'
    if "type_id" in read and _type_header(header) is not None:
        return "type_id", _TYPE_COLUMN
    return None


def _known_header(header: str) -> bool:
    """A header some table of hubframe's reads as it is: an alias, an object's id or property
    column, a side, a column hubframe writes, a column of removals."""
    key = header_key(header)
    tables = (STRONG_KEYS, WEAK_KEYS, SIDE_KEYS, TYPED_HEADERS, PROPERTY_HEADERS, _OWN_KEYS)
    return (
        any(key in table for table in tables)
        or key in REMOVE_LOOKALIKES
        or (is_pair_remove_key(key))
    )


#: The words of a header of association types in other words ("Type #", "Type number",
#: "Association type no."): the type word, the words of association and of a number.
_TYPE_WORDS: Final = frozenset({"type", "types"})
_ASSOC_WORDS: Final = frozenset({"association", "associations", "assoc"})
_NUMBER_WORDS: Final = frozenset({"number", "numbers", "no", "num", "nr", "code", "codes"})


def _type_header(header: str) -> bool | None:
    """True for a header of association type numbers in words of association ("Association
    Type Number", "Assoc type no"), False for a bare one ("Type", "Type #", "Type number"),
    None for any other ("Deal Type", "Association Type": a label lookalike)."""
    words = {w for w in header_words(header) if w not in FILL_NOTES}
    if not words & _TYPE_WORDS or not words <= _TYPE_WORDS | _ASSOC_WORDS | _NUMBER_WORDS:
        return None
    numbered = bool(words & _NUMBER_WORDS) or "#" in header
    if words & _ASSOC_WORDS:
        return True if numbered else None
    return False


def _type_cells(header: str, kind: Kind, cells: Sequence[str], mapping: ColumnMapping) -> bool:
    """Whether the cells of a column of association types (:func:`_type_header`) could be
    what the header says: any cell under words of association; else (a bare "Type", which an
    export's records have as a property: "Prospect", and a limits sheet's analyst may keep a
    category or a note in: "USER_DEFINED", "hard limit") type ids, every cell a whole number,
    or in a limits sheet whose label and type id are read from no column, words (they may be
    the labels whose limits are meant)."""
    if not cells:
        return False
    if _type_header(header) or all(_TYPE_ID_CELL.fullmatch(c) for c in cells):
        return True
    unlabelled = not {"label", "type_id"} & set(mapping.columns)
    return kind == "limits" and unlabelled and any(_may_be_label(c) for c in cells)


def _may_be_label(cell: str) -> bool:
    """A cell of a bare "Type" that may be a label: not a category of HubSpot's
    ("HUBSPOT_DEFINED" beside an object limit is a note of the association's category)."""
    return _could_hold("label", cell) and canonical_category(cell) not in CATEGORIES


#: A cell that is an association type id (a whole number, as a sheet may write it: "1001.0").
_TYPE_ID_CELL: Final = re.compile(r"\d{1,10}(?:\.0+)?")


def _could_be(role: str, value: str) -> bool:
    """Whether a cell of a misspelled column could be a value of ``role`` in the strict sense:
    record ids whole numbers or a list of them (not a date's digits: "2025-01-31" under
    "Recorded"), a type id a whole number, an object type one hubframe parses ("Deal",
    "0-3", "p_cars"; not "Relance devis" under "Objet"), a category one of HubSpot's (not
    "Premium" under "Categoría"); a label or a limit as :func:`_could_hold` says."""
    text = value.strip()
    if role in _ID_FIELDS:
        return _ID_LIST_CELL.fullmatch(text) is not None
    if role == "type_id":
        return _TYPE_ID_CELL.fullmatch(text) is not None
    if role in ("from_type", "to_type"):
        canonical = canonical_object_type(text)
        return canonical is not None and is_valid_object_type(canonical)
    if role == "category":
        return canonical_category(text) in CATEGORIES
    return _could_hold(role, value)


#: A cell of record ids as a sheet writes them: a whole number, or several separated by ``;``.
_ID_LIST_CELL: Final = re.compile(r"\d+(?:\.0+)?(?:\s*;\s*\d+)*")


def _misread_message(
    header: str, role: str, looks: str, mapping: ColumnMapping, kind: Kind, syntax: Syntax
) -> str:
    name = _role_name(role)
    read = mapping.columns.get(role)
    if read is not None:
        return (
            f'the column "{header}" looks like {looks}, but it is not read: {DESCRIPTIONS[role]} '
            f'is read from "{read}", so the cells of "{header}" would be left out. Keep them in '
            f"one column (rename or delete the other){_or_choose(syntax, header, role)}."
        )
    return (
        f'the column "{header}" looks like {looks} (it may hold {DESCRIPTIONS[role]}), but it is '
        f'not read: hubframe reads {DESCRIPTIONS[role]} from a column named "{name}", so its '
        f'cells would be left out and {_lost(role, kind)}. Name it "{name}" to use it, or rename '
        f"it to keep it as a column of your own{_or_choose(syntax, header, role)}."
    )


def _names_another(
    lookup: TypedHeader, mapping: ColumnMapping, given: Mapping[Side, str | None]
) -> bool:
    """Whether a lookup column not read ("Contact email", "Company domain") names records of
    an object neither side is, while a side is itself read by a lookup (which lookup column
    is the side is then a guess: "Company ID, Domain, Contact email").  A column of a side's
    own records is its property (a contact's "Email" beside "Contact ID"), and beside two id
    columns a lookup column is context ("Company domain" beside "Deal ID" and "Contact ID").
    Both sides' types are known and the id columns not chosen by the caller."""
    ids = {mapping.columns.get("from_id"), mapping.columns.get("to_id")}
    if ids & mapping.chosen or not mapping.id_properties:
        return False
    types = set(_side_types(mapping, given).values())
    return None not in types and lookup.object_type not in types


def _unread_lookup(header: str, lookup: TypedHeader, mapping: ColumnMapping, syntax: Syntax) -> str:
    read = [mapping.columns[f"{s}_id"] for s in ("from", "to") if f"{s}_id" in mapping.columns]
    here = " and ".join(f'"{h}"' for h in read)
    chosen = syntax.choose(header, "to_id")
    choose = (
        f" Choose the columns to read with {chosen} (or {syntax.field('from_id')})."
        if chosen
        else ""
    )
    return (
        f'the column "{header}" names {lookup.object_type} by {lookup.id_property} (its name '
        f"says so), but it is not read: the pairs are read from {here}, and neither side is "
        f"{lookup.object_type}, so its cells would be left out and other records associated. "
        "Keep one 'from' and one 'to' column of the records to associate (rename the others "
        f"to keep them as columns of your own).{choose}"
    )


def _left_out_by_choice(
    typed: TypedHeader, mapping: ColumnMapping, given: Mapping[Side, str | None]
) -> bool:
    """The caller chose the id columns (``columns=``), or the type arguments chose among
    columns naming objects (see :func:`_types_leave_out`): the column is left out on purpose.
    Not when one side was chosen and the column could be the other side's, found by its
    header (:func:`_other_side_guessed`)."""
    ids = {mapping.columns.get("from_id"), mapping.columns.get("to_id")}
    if _other_side_guessed(typed, mapping, given):
        return _types_leave_out(typed, mapping, given)
    return bool(ids & mapping.chosen) or _types_leave_out(typed, mapping, given)


def _other_side_guessed(
    typed: TypedHeader, mapping: ColumnMapping, given: Mapping[Side, str | None]
) -> bool:
    """One side's id column chosen with ``columns=``, the other's found by its header, and the
    column not read could have been the other side's: choosing one side chose nothing among
    the others.  With ``columns={"Company ID": "to_id"}`` beside "Deal ID" and "Contact ID",
    the 'from' ids were read from "Deal ID" (the first) and "Contact ID" left out without a
    word; with ``columns={"HubSpot deal": "from_id"}`` and deals given, "Deal ID" (another
    system's deal ids) was read as the 'to' ids -- deals linked to deals.  A column of the
    chosen side's object was chosen against ("Contact ID 2" chosen over "Contact ID")."""
    mine = _one_side_chosen(mapping)
    if mine is None:
        return False
    other: Side = "to" if mine == "from" else "from"
    if mapping.columns.get(f"{other}_id") is None or typed.side not in (None, other):
        return False
    if typed.object_type == (given.get(mine) or mapping.implied_types.get(mine)):
        return _same_object_by_position(mapping, given, mine, other)
    wanted = given.get(other)
    return not wanted or wanted == typed.object_type


def _one_side_chosen(mapping: ColumnMapping) -> Side | None:
    """The side whose id column alone was chosen with ``columns=``; None when both or none."""
    chosen = [s for s in ("from", "to") if mapping.columns.get(f"{s}_id") in mapping.chosen]
    if len(chosen) != 1:
        return None
    return "from" if chosen[0] == "from" else "to"


def _same_object_by_position(
    mapping: ColumnMapping, given: Mapping[Side, str | None], mine: Side, other: Side
) -> bool:
    """The side not chosen (``other``) read a column, found by its header, of the chosen
    side's very object (deals given, "HubSpot deal" chosen, "Deal ID" read as the other
    side's ids)."""
    found = mapping.implied_types.get(other)
    header = mapping.columns.get(f"{other}_id")
    if found is None or header is None or header_key(header) not in TYPED_HEADERS:
        return False
    return found == (mapping.implied_types.get(mine) or given.get(mine))


def _types_leave_out(
    typed: TypedHeader, mapping: ColumnMapping, types: Mapping[Side, str | None]
) -> bool:
    """Each side the column could fill has a type that is not its object's, and reads a column
    named by its object ("Deal ID", "Associated Contact IDs"): the types picked those columns
    among the ones naming objects, as ``to_type="contacts"`` picks a HubSpot export's
    association column.  ("From ID" beside "Contact ID" was not picked by a type.)"""
    sides: tuple[Side, ...] = ("from", "to") if typed.side is None else (typed.side,)
    for side in sides:
        wanted, read = types.get(side), mapping.columns.get(f"{side}_id")
        if not wanted or wanted == typed.object_type or read is None:
            return False
        if header_key(read) not in TYPED_HEADERS:
            return False
    return True


def _unread_ids(
    header: str,
    typed: TypedHeader,
    mapping: ColumnMapping,
    given: Mapping[Side, str | None],
    syntax: Syntax,
) -> str:
    read = [mapping.columns[f"{s}_id"] for s in ("from", "to") if f"{s}_id" in mapping.columns]
    here = " and ".join(f'"{h}"' for h in read)
    types = _side_types(mapping, given)
    leave = ""
    if types["from"] and types["to"] and _types_leave_out(typed, mapping, types):
        from_, to = syntax.option("from_type", types["from"]), syntax.option("to_type", types["to"])
        leave = f" Give {from_} and {to} to read {here} only and leave it out."
    chosen = syntax.choose_all(_both_sides(header, typed, mapping))
    choose = "" if chosen is None else f" Or choose both id columns with {chosen}."
    return (
        f'the column "{header}" holds the record ids of {typed.object_type} (its name says so), '
        f"but it is not read: a sheet's pairs come from one 'from' and one 'to' id column, here "
        f"{here}, so its cells would be left out. Put the pairs it belongs to in rows or a sheet "
        "of their own (their types in From Type / To Type columns, or given), or rename it to "
        f"keep it as a column of your own.{leave}{choose}"
    )


def _both_sides(header: str, typed: TypedHeader, mapping: ColumnMapping) -> list[tuple[str, str]]:
    """The id columns a choice reading ``header`` would name: ``header`` for its side (the
    side not chosen with ``columns=``, else the side its name gives, else 'to'), the column
    read for the other side."""
    chosen = _one_side_chosen(mapping)
    mine = typed.side or "to" if chosen is None else ("to" if chosen == "from" else "from")
    other = "to" if mine == "from" else "from"
    read = mapping.columns.get(f"{other}_id")
    both = [(header, f"{mine}_id")] + ([] if read is None else [(read, f"{other}_id")])
    return sorted(both, key=lambda pair: pair[1] != "from_id")  # 'from' first


#: What a column hubframe reads holds, in the words of messages about a column not read.
_HOLDS: Final = {
    "label": "association labels",
    "type_id": "association type ids",
    "category": "association categories",
    "max_to_object_ids": "limits",
}


def _unread_role(header: str, role: str, mapping: ColumnMapping, kind: Kind, syntax: Syntax) -> str:
    what = _HOLDS[role]
    read = mapping.columns.get(role)
    if read is not None:
        return (
            f'the column "{header}" may hold {what} too (its name says so), but they are read '
            f'from "{read}": the cells of "{header}" would be left out. Keep them in one column '
            f"(rename or delete the other){_or_choose(syntax, header, role)}."
        )
    name = _role_name(role)
    return (
        f'the column "{header}" may hold {what} (its name says so), but it is not read: '
        f'hubframe reads them from a column named "{name}", so its cells would be left out and '
        f'{_lost(role, kind)}. Name it "{name}" to use it, or rename it to keep it as a column '
        f"of your own{_or_choose(syntax, header, role)}."
    )


def _role_name(role: str) -> str:
    """The header a message advises for a column hubframe reads ("Label", "Type ID", "Max")."""
    return {"max_to_object_ids": "Max"}.get(role) or accepted_names(role)[1]


def _lost(role: str, kind: Kind) -> str:
    """What a run does without the cells of a column of ``role`` that is not read."""
    if kind == "limits" and role in ("label", "type_id", "category"):
        return "the limits set for the whole object pair instead of the label"
    return {
        "label": "the rows associated without their labels",
        "type_id": "the rows associated without their association types",
        "category": "the rows sent without their categories",
        "max_to_object_ids": "the limits left as they are",
    }.get(role, "other records associated than the sheet names")


def _or_choose(syntax: Syntax, header: str, canonical: str) -> str:
    chosen = syntax.choose(header, canonical)
    return f", or choose it with {chosen}" if chosen else ""


def _has_type(mapping: ColumnMapping, side: Side, given: Mapping[Side, str | None]) -> bool:
    return f"{side}_type" in mapping.columns or bool(given[side]) or side in mapping.implied_types


def _found(headers: Sequence[str]) -> str:
    return ", ".join(h for h in headers if h) or "(none)"


def _check_required(
    headers: Sequence[str],
    mapping: ColumnMapping,
    kind: Kind,
    source: str,
    syntax: Syntax = PYTHON,
    given: Mapping[Side, str | None] | None = None,
) -> None:
    for canonical in REQUIRED[kind]:
        if canonical not in mapping.columns:
            looks_like = other_kind(headers, kind)
            other, hint = _other_kind(headers, kind, source, syntax), ""
            if canonical in ("from_id", "to_id") and not other:
                side: Side = "from" if canonical == "from_id" else "to"
                hint = _bare_objects(headers, mapping) + _custom_ids(
                    headers, mapping, side, syntax, given or {}
                )
            raise HeaderError(
                source,
                f"no column for {DESCRIPTIONS[canonical]}. Columns found: "
                f"{_found(headers)}.{other} Accepted names: "
                f"{', '.join(accepted_names(canonical))}.{hint}",
                unrecognised=True,
                looks_like=looks_like,
            )


def other_kind(headers: Sequence[str], kind: Kind) -> Kind | None:
    """The other kind of sheet ``headers`` say a sheet read as ``kind`` is (a limit column in
    one read as pairs, a record id column in one read as limits), else None
    (:func:`_other_kind` says it)."""
    if kind == "pairs":
        return "limits" if any(_limit_header(h) for h in headers) else None
    return "pairs" if record_id_headers(headers) else None


def _other_kind(headers: Sequence[str], kind: Kind, source: str, syntax: Syntax) -> str:
    """A hint for a sheet of the other kind: a limits sheet (a limit column) read as pairs,
    a pairs sheet (a record id column) read as limits, and what to run on it instead."""
    file = _WHERE_SHEET.sub("", source)
    if kind == "pairs":
        found = [h for h in headers if _limit_header(h)]
        if found:
            return (
                f' This looks like a limits sheet (the column "{found[0]}" holds association '
                f"limits), not pairs of records: set its limits with {syntax.job('limits', file)}."
            )
        return ""
    found = record_id_headers(headers)
    if not found:
        return ""
    return (
        f' This looks like a pairs sheet (the column "{found[0]}" holds record ids), not '
        f"limits: associate its records with {syntax.job('associate', file)}."
    )


#: How a workbook's sheet follows its file's name where messages name it ("book.xlsx [Sheet1]").
_WHERE_SHEET: Final = re.compile(r" \[[^\]]*\]$")


def _limit_header(header: str) -> bool:
    return alias_field(header) == "max_to_object_ids"


#: Words around an object's name in an id column's header ("Associated Installation IDs").
_ID_WORDS: Final = frozenset({"id", "ids"})
_SIDE_WORDS: Final = frozenset({"associated", "from", "to"})


def _custom_header(header: str, used: Mapping[str, str]) -> bool:
    """A header naming the ids of an object hubframe does not know ("Installation ID", "Car
    IDs"): maybe a custom object's, which no header is read as."""
    if header in used:
        return False
    key = header_key(header)
    if any(key in known for known in (STRONG_KEYS, WEAK_KEYS, SIDE_KEYS, TYPED_HEADERS)):
        return False
    words = header_words(header)
    if len(words) < 2 or words[-1] not in _ID_WORDS:
        return False
    stem = [w for w in words[:-1] if w not in _SIDE_WORDS]
    return bool(stem) and header_key("".join(stem)) not in OBJECT_SPELLINGS


def _custom_ids(
    headers: Sequence[str],
    mapping: ColumnMapping,
    side: Side,
    syntax: Syntax,
    given: Mapping[Side, str | None],
) -> str:
    """A hint for a header that may hold a custom object's record ids, which hubframe reads
    only when chosen: how to choose it as ``side``'s ids and, unless given, to name its object
    by its p_ name or type id."""
    found = [h for h in headers if h and _custom_header(h, mapping.column_map)]
    if not found:
        return ""
    header, field = found[0], f"{side}_id"
    said = (
        f' The column "{header}" may hold the record ids of a custom object: hubframe reads '
        "the id columns of standard objects by their names, a custom object's only when chosen."
    )
    chosen = syntax.choose(header, field)
    how = (
        f" Choose it with {chosen}"
        if chosen
        else f' Rename it "{accepted_names(field)[1]}" to read it as the {side} ids'
    )
    if given.get(side):
        return f"{said}{how}."
    if syntax.name == "app":  # a picker of the objects listed, not a box to type into
        picker = syntax.option(f"{side}_type")
        return (
            f"{said}{how}, and pick its object in {picker}: it lists the connected portal's "
            "custom objects by name and type id (Connect at step 1 first)."
        )
    option = syntax.option(f"{side}_type", "p_...") or f"{side}_type="
    return (
        f"{said}{how}, and give its object with {option} (its p_ name, as HubSpot lists "
        "the object) or its type id (2-...)."
    )


def _bare_objects(headers: Sequence[str], mapping: ColumnMapping) -> str:
    """A hint for a header naming an object alone ("Deal", "Contacts"), which is not read as
    record ids: such a column may hold the records' names (as HubSpot's "Associated Company"
    does) as well as their ids, and ids read from names would be wrong."""
    used = mapping.column_map
    bare = [h for h in headers if header_key(h) in OBJECT_SPELLINGS and h not in used]
    if not bare:
        return ""
    return (
        f' The column "{bare[0]}" names an object but not what of it it holds (record ids or '
        f'names): name it "{bare[0].strip()} ID" if it holds record ids.'
    )


def _check_types(
    headers: Sequence[str],
    mapping: ColumnMapping,
    source: str,
    given: Mapping[Side, str | None],
    syntax: Syntax,
    unguessed: Mapping[Side, str],
) -> None:
    for side in ("from", "to"):
        if _has_type(mapping, side, given):
            continue
        canonical = f"{side}_type"
        why = f" {unguessed[side]}" if side in unguessed else ""
        raise HeaderError(
            source,
            f"no column for {DESCRIPTIONS[canonical]} and no {syntax.named(canonical)} "
            f"given. Columns found: {_found(headers)}.{why} "
            f"{syntax.give()} {syntax.option(canonical, 'contacts')} "
            f"(for example), or add a column named one of: {', '.join(accepted_names(canonical))}.",
            unguessed={side: unguessed[side]} if side in unguessed else None,
        )
