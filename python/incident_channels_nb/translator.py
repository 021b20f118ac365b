"""Notebook parameters written as Rust, papermill's way.

papermill injects a cell after the one tagged `parameters`, re-binding each name it is
given. In the Rust kernel that cell is a run of `let` statements, typed so that they
match the defaults they shadow: strings are `&str`, integers `i64`, floats `f64`,
booleans `bool`, lists `Vec` of those. Rust has no None: a missing value is given as an
empty string, which the notebooks read as "not set"."""
import math
import re

from papermill.exceptions import PapermillException
from papermill.models import Parameter
from papermill.translators import Translator

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# `let name: Type = value;` or `let name = value;`, with an optional trailing comment.
LET = re.compile(r"^\s*let\s+(?:mut\s+)?(?P<name>\w+)\s*(?::\s*(?P<type>[^=]+?))?\s*=\s*(?P<value>.+?);\s*(?://\s*(?P<help>.*))?$")


class RustTranslator(Translator):
    @classmethod
    def translate_str(cls, val):
        # Backslashes, quotes and control characters escaped; everything else as written
        # (Rust source is UTF-8).
        def escaped(c):
            if c in '\\"':
                return "\\" + c
            if ord(c) < 0x20 or ord(c) == 0x7F:
                return f"\\u{{{ord(c):x}}}"
            return c

        return '"' + "".join(escaped(c) for c in val) + '"'

    @classmethod
    def translate_none(cls, val):
        raise PapermillException("a Rust notebook's parameters cannot be None: give a value (an empty string for \"not set\")")

    @classmethod
    def translate_int(cls, val):
        return f"{val}i64"

    @classmethod
    def translate_float(cls, val):
        if math.isnan(val):
            return "f64::NAN"
        if math.isinf(val):
            return "f64::INFINITY" if val > 0 else "f64::NEG_INFINITY"
        return f"{val!r}f64"

    @classmethod
    def translate_list(cls, val):
        return "vec![" + ", ".join(cls.translate(v) for v in val) + "]"

    @classmethod
    def translate_dict(cls, val):
        raise PapermillException("a Rust notebook's parameters cannot be maps: give each value as its own parameter")

    @classmethod
    def comment(cls, cmt_str):
        return f"// {cmt_str}".strip()

    @classmethod
    def assign(cls, name, str_val):
        if not IDENTIFIER.match(name):
            raise PapermillException(f"parameter name {name!r} is not a Rust identifier")
        return f"let {name} = {str_val};"

    @classmethod
    def inspect(cls, parameters_cell):
        """The `let` bindings of a parameters cell, each with the comment lines above it
        as its help (what `papermill --help-notebook` prints)."""
        found, comments = [], []
        for line in parameters_cell.source.splitlines():
            stripped = line.strip()
            if stripped.startswith("//"):
                comments.append(stripped.lstrip("/").strip())
                continue
            match = LET.match(line)
            if match:
                help_text = " ".join(comments + ([match["help"]] if match["help"] else []))
                found.append(Parameter(
                    name=match["name"],
                    inferred_type_name=(match["type"] or "None").strip(),
                    default=match["value"].strip(),
                    help=help_text,
                ))
            comments = []
        return found


def register():
    """Registers the translator for the notebooks' kernel and for Rust kernels in general."""
    from papermill.translators import papermill_translators

    papermill_translators.register("rust", RustTranslator)
    papermill_translators.register("incident-channels", RustTranslator)
