"""Messages in the caller's syntax: from_type="deals" in Python, --from deals on the CLI."""

from __future__ import annotations

import pytest

from hubframe.errors import InputError
from hubframe.io import read_pairs
from hubframe.io.syntax import CLI, PYTHON, Syntax, syntax_of


def test_options_are_spelled_for_the_caller() -> None:
    assert PYTHON.option("from_type", "deals") == 'from_type="deals"'
    assert CLI.option("from_type", "deals") == "--from deals"
    assert CLI.option("to_type", "line items") == "--to 'line items'"
    assert CLI.option("label", "it's") == "--label 'it'\\''s'"
    assert CLI.option("sheet") == "--sheet" and PYTHON.option("sheet") == "sheet="
    assert CLI.option("columns", "x") is None and CLI.named("columns") == "columns="
    assert syntax_of(None) is PYTHON and syntax_of("cli") is CLI and syntax_of(CLI) is CLI
    with pytest.raises(ValueError):
        syntax_of("shell")
    assert Syntax() == PYTHON


# What to type is the point of these messages: they are read (why the text is checked).
@pytest.mark.parametrize(
    ("call", "python", "cli"),
    [
        ({"from_type": "dealz"}, 'from_type="dealz" is not', "--from dealz is not"),
        ({"sheet": "Nope"}, "sheet= takes a name", "--sheet takes a name"),
    ],
)
def test_reader_messages_use_the_callers_syntax(
    call: dict[str, str], python: str, cli: str
) -> None:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Deal ID", "Contact ID"])
    book.active.append([1, 2])
    buffer = io.BytesIO()
    book.save(buffer)
    for syntax, said, unsaid in (("python", python, cli), ("cli", cli, python)):
        with pytest.raises(InputError) as error:
            read_pairs(buffer.getvalue(), syntax=syntax, **call)  # type: ignore[arg-type]
        assert said in str(error.value) and unsaid not in str(error.value)


def test_ambiguous_columns_say_what_the_cli_can_do() -> None:
    data = b"From ID,Source ID,To ID\n1,2,3\n"
    types = {"from_type": "deals", "to_type": "contacts"}
    with pytest.raises(InputError, match="columns=") as python:
        read_pairs(data, **types)
    with pytest.raises(InputError, match=r"rename or delete the others") as cli:
        read_pairs(data, syntax="cli", **types)
    assert "rename" not in str(python.value) and "columns=" not in str(cli.value)
