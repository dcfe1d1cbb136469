"""The alias table: header keys, header-row scores, the table and its copy in docs/columns.md."""

from __future__ import annotations

from hubframe.io.aliases import alias_table, header_key, header_score


def test_header_key_ignores_case_space_and_punctuation() -> None:
    assert header_key("From ID") == header_key("from_id") == header_key("FROM-Id") == "fromid"


def test_header_score_finds_header_like_rows() -> None:
    assert header_score(["Deals to link - Q3"], "pairs") == 0
    assert header_score(["Deal ID", "Contact ID", "Notes"], "pairs") == 2
    assert header_score(["A", "B"], "pairs", explicit=["A"]) == 1


def test_alias_table_covers_every_column() -> None:
    names = [row[0] for row in alias_table()]
    assert names == [
        "from_type",
        "from_id",
        "to_type",
        "to_id",
        "label",
        "category",
        "type_id",
        "max_to_object_ids",
    ]


def test_docs_columns_md_holds_the_generated_table() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[1] / "docs" / "columns.md").read_text()
    for canonical, holds, names in alias_table():
        row = f"| `{canonical}` | {holds} | {', '.join(f'`{n}`' for n in names)} |"
        assert row in docs, f"docs/columns.md: regenerate the row of {canonical}"
